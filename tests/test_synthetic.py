"Tests of rvi.synthetic: the fact table, determinism, disjoint splits, question forms, the teacher, registered benchmarks."
import hashlib, json, os, re

os.environ.setdefault('HF_HUB_OFFLINE', '1')
import pytest

from rvi.core import ConfigError
from rvi.synthetic import (SyntheticConfig, SyntheticTeacher, TASKS, TRAIN_TASKS, BENCHMARK_CATEGORY, N_OPTIONS, INSTRUCTIONS,
                           IFEVAL_RULES, VALUES, WORDS, apply_step, chain_values, make_questions, eval_questions, question_key,
                           split_of, teacher_pairs, pair_records, length_ratios, register_synthetic_benchmarks, format_prompt,
                           knowledge_base, draw_question)
from rvi.tasks import LETTERS, load_benchmark, get_benchmark, build_prompt
from rvi.judging import extract_boxed, judge_rule, ifeval_check

MATH = [t for t in TASKS if BENCHMARK_CATEGORY[t].startswith('math')]


def _digest(rows): return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def _spec(rec): return json.loads(rec['metadata']['spec'])


def _single_fact(rec):
    "A single fact (a kb-fact question, a one-step gsm8k chain) is knowledge: it may sit in both splits."
    t = rec['metadata']['task']
    return t == 'kb-fact' or (t == 'gsm8k' and len(_spec(rec)['ops']) == 1)


# ---------------------------------------------------------------- the fact table
def test_apply_step_is_addition_modulo_10():
    assert (apply_step(7, '+5'), apply_step(1, '-3'), apply_step(0, '-9'), apply_step(9, '+9'), apply_step(4, '+1')) == (2, 8, 1, 8, 5)
    for v in range(10):
        for d in range(1, 10):
            assert apply_step(v, f'+{d}') == (v + d) % 10 and apply_step(apply_step(v, f'+{d}'), f'-{d}') == v
    assert chain_values(5, []) == [5]
    assert chain_values(5, ['+2', '-3', '+1']) == [5, 7, 4, 5]
    assert chain_values(9, ['+1', '+9', '-2']) == [9, 0, 9, 7]


def test_math_questions_are_chains_of_the_table():
    cfg = SyntheticConfig(max_addend=2, steps={**SyntheticConfig().steps, 'aime': [2, 3]})
    for t in MATH:
        lo, hi = cfg.steps[t]
        for i in range(40):
            r = draw_question(t, 'train', i, cfg)
            s = _spec(r)
            assert r['question'] == str(s['start']) + ''.join(s['ops'])
            assert lo <= len(s['ops']) <= hi and all(re.fullmatch(r'[+-][12]', op) for op in s['ops']), s
            value = str(chain_values(s['start'], s['ops'])[-1])
            if t in N_OPTIONS: assert r['choices'][LETTERS.index(r['answer'])] == value
            else: assert r['answer'] == value and r['answers'] == [value]
    # an error-free reasoning trace writes every intermediate value of the chain
    free = SyntheticTeacher(SyntheticConfig().error_free())
    for t in MATH:
        for i in range(20):
            r = draw_question(t, 'train', i)
            s = _spec(r)
            vals = chain_values(s['start'], s['ops'])
            trace = free.answer(r, True)
            assert ','.join(f'{a}{op}={b}' for a, op, b in zip(vals, s['ops'], vals[1:])) in trace, trace


# ---------------------------------------------------------------- determinism and the world seed
def test_same_seed_same_bytes_different_seed_differs():
    a, b = pair_records('general', 150, seed=3), pair_records('general', 150, seed=3)
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(pair_records('general', 150, seed=4))
    assert _digest(pair_records('math', 80, 0)) == _digest(pair_records('math', 80, 0))
    assert make_questions('general', 40, 1) == make_questions('general', 120, 1)[:40]     # a larger set extends a smaller


def test_dataset_roundtrip_byte_identical(tmp_path):
    ds1, ds2 = teacher_pairs('math', 60, seed=1), teacher_pairs('math', 60, seed=1)
    ds1.to_json(tmp_path / 'a.jsonl'); ds2.to_json(tmp_path / 'b.jsonl')
    assert (tmp_path / 'a.jsonl').read_bytes() == (tmp_path / 'b.jsonl').read_bytes()
    for c in ['prompt', 'reasoning', 'ift', 'id', 'domain', 'category', 'task', 'reasoning_tokens', 'ift_tokens',
              'reasoning_finish', 'ift_finish', 'answer', 'ift_error', 'reasoning_error']:
        assert c in ds1.column_names


def test_world_seed_changes_world_and_benchmarks():
    kb0, kb5 = knowledge_base(SyntheticConfig(world_seed=0)), knowledge_base(SyntheticConfig(world_seed=5))
    assert kb0 != kb5 and kb0 == knowledge_base(SyntheticConfig(world_seed=0))
    assert len(kb0) == SyntheticConfig().entities and len(knowledge_base(SyntheticConfig(entities=8))) == 8
    assert all(set(f) == set('chn') and set(f.values()) <= set(VALUES) for f in kb0.values())
    for t in ('gsm8k', 'mmlu-misc', 'squad'):
        q0 = [question_key(q) for q in eval_questions(t, 10, SyntheticConfig(world_seed=0))]
        q5 = [question_key(q) for q in eval_questions(t, 10, SyntheticConfig(world_seed=5))]
        assert q0 != q5, t


# ---------------------------------------------------------------- splits, domains, configuration
def test_eval_disjoint_from_training():
    cfg = SyntheticConfig()
    train = [q for d in ('general', 'math') for s in (0, 1) for q in make_questions(d, 600, s, cfg)]
    held = [q for t in TASKS for q in eval_questions(t, 60, cfg)]
    shared = {question_key(q) for q in train} & {question_key(q) for q in held}
    assert all(_single_fact(q) for q in held if question_key(q) in shared)          # only single facts sit in both
    assert all(split_of(q, cfg.eval_fraction) == 'eval' for q in held if not _single_fact(q))
    assert all(split_of(q, cfg.eval_fraction) == 'train' for q in train if not _single_fact(q))
    assert len({question_key(q) for q in eval_questions('aime', 60, cfg)}) == 60   # held-out questions are distinct


def test_domains_and_categories():
    g = make_questions('general', 500, 0)
    m = make_questions('math', 300, 0)
    assert {q['metadata']['category'] for q in g} == {'general-mc', 'general-oe', 'math-mc', 'math-oe'}
    assert {q['metadata']['task'] for q in g} == set(TRAIN_TASKS)
    assert {q['metadata']['task'] for q in m} == set(MATH)
    with pytest.raises(ValueError, match='domain'): make_questions('code', 5)


def test_bad_config_names_field():
    for bad, name in [(dict(ift_error=1.5), 'ift_error'), (dict(reasoning_error=-0.1), 'reasoning_error'),
                      (dict(steps={**SyntheticConfig().steps, 'aime': [5, 3]}), 'steps'), (dict(steps={'gsm8k': [1, 2]}), 'steps'),
                      (dict(max_addend=0), 'max_addend'), (dict(entities=2), 'entities'), (dict(passage_pairs=9), 'passage_pairs'),
                      (dict(eval_fraction=1.0), 'eval_fraction'), (dict(eval_size=0), 'eval_size'),
                      (dict(math_mix={'squad': 1.0}), 'math_mix'), (dict(general_mix={'poems': 1.0}), 'general_mix')]:
        with pytest.raises(ConfigError, match=name): SyntheticConfig(**bad)
    with pytest.raises(ConfigError, match='kb_countries'): SyntheticConfig.from_dict({'kb_countries': 8})   # a removed field
    free = SyntheticConfig(max_addend=2).error_free()
    assert (free.ift_error, free.reasoning_error, free.max_addend) == (0.0, 0.0, 2)


# ---------------------------------------------------------------- question forms
def test_mc_option_counts_are_the_real_benchmarks():
    for t, n in N_OPTIONS.items():
        for r in eval_questions(t, 30) + [draw_question(t, 'train', i) for i in range(30)]:
            assert len(r['choices']) == n and len(set(r['choices'])) == n, r
            assert r['answer'] in LETTERS[:n] and r['answers'] == [r['answer']]
    assert all(r['choices'] is None for t in TASKS if t not in N_OPTIONS for r in eval_questions(t, 10))


def test_recall_and_winogrande_follow_the_knowledge_base():
    kb = knowledge_base()
    for t in ('mmlu-misc', 'openbookqa', 'kb-fact'):
        for i in range(40):
            r = draw_question(t, 'train', i)
            s = _spec(r)
            assert r['question'] == f"{s['entity']}.{s['attr']}"
            want = kb[s['entity']][s['attr']]
            assert (r['choices'][LETTERS.index(r['answer'])] if r['choices'] else r['answer']) == want
    for r in eval_questions('winogrande', 60) + [draw_question('winogrande', 'train', i) for i in range(60)]:
        s = _spec(r)
        assert r['question'] == f"_.{s['attr']}={s['value']}"
        fits = [o for o in r['choices'] if kb[o][s['attr']] == s['value']]
        assert len(fits) == 1, r                                                   # exactly one option has the value
        assert r['choices'][LETTERS.index(r['answer'])] == fits[0]


def test_spans_are_in_the_passage():
    for t in ('squad', 'coqa'):
        for r in eval_questions(t, 30):
            pairs = dict(p.split('=') for p in r['passage'].split(','))
            assert len(pairs) == SyntheticConfig().passage_pairs and pairs[r['question']] == r['answer']
            if t == 'coqa':
                ((q, a),) = r['history']
                assert pairs[q] == a and q != r['question']
            else: assert r['history'] is None


def _violating(rule, words, end):
    "A response that breaks the constraint: the wrong case, or no end phrase."
    if rule == 'end': return ' '.join(words)
    return ' '.join(w.lower() if rule == 'up' else w.upper() for w in words)


def test_ifeval_compliant_passes_violating_fails():
    seen = set()
    for r in eval_questions('ifeval', 60) + [draw_question('ifeval', 'train', i) for i in range(60)]:
        m, s = r['metadata'], _spec(r)
        rule, words = s['rule'], s['words']
        head = r['question'].split()[0]
        assert head == (f"end={s['kwargs']['end_phrase']}" if rule == 'end' else rule)   # the question names its rule
        assert m['instruction_id_list'] == [IFEVAL_RULES[rule]] and set(words) <= set(WORDS)
        assert ifeval_check(r['answer'], m['instruction_id_list'], m['kwargs'])[0], r
        assert not ifeval_check(_violating(rule, words, s['kwargs'].get('end_phrase')), m['instruction_id_list'], m['kwargs'])[0], r
        seen.add(rule)
    assert seen == set(IFEVAL_RULES)


# ---------------------------------------------------------------- the teacher
@pytest.mark.parametrize('task', TRAIN_TASKS)
def test_teacher_pairs_invariants(task):
    teacher = SyntheticTeacher()
    for i in range(80):
        q = draw_question(task, 'train', f't{i}')
        ti, ii = teacher.respond(q, False, seed=i)
        tr, ir = teacher.respond(q, True, seed=i)
        assert tr.startswith('<think>\n') and tr.count('<think>') == 1 and tr.count('</think>') == 1
        assert '\n</think>\n\n' in tr and '<think>' not in ti
        if task == 'ifeval':
            meta = q['metadata']
            assert ifeval_check(ti, meta['instruction_id_list'], meta['kwargs'])[0] == (not ii['error'])
            assert ifeval_check(tr, meta['instruction_id_list'], meta['kwargs'])[0] == (not ir['error'])
            continue
        assert ti.rstrip().endswith('}') and tr.rstrip().endswith('}')
        bi, br = extract_boxed(ti), extract_boxed(tr)
        assert bi == ii['predicted'] and br == ir['predicted']
        assert (bi == q['answer']) == (not ii['error']) and (br == q['answer']) == (not ir['error'])
        if not ii['error'] and not ir['error']: assert bi == br


def test_error_rates_are_configurable_and_measured():
    q = [draw_question(t, 'train', i) for t in TRAIN_TASKS for i in range(160)]
    never = SyntheticTeacher(SyntheticConfig(ift_error=0.0))
    always = SyntheticTeacher(SyntheticConfig(reasoning_error=1.0))
    assert not any(never.respond(x, False)[1]['error'] for x in q)
    assert sum(always.respond(x, True)[1]['error'] for x in q) / len(q) > 0.95    # an MC guess can land on the answer
    for cfg in (SyntheticConfig(), SyntheticConfig(ift_error=0.2, reasoning_error=0.1)):
        t = SyntheticTeacher(cfg)
        for r, want in ((False, cfg.ift_error), (True, cfg.reasoning_error)):
            rate = sum(t.respond(x, r)[1]['error'] for x in q) / len(q)
            assert abs(rate - want) < 0.02 + 0.1 * want, (r, rate, want)


def test_teacher_rejects_foreign_record():
    with pytest.raises(ValueError, match='metadata.task'):
        SyntheticTeacher().answer({'id': 'x', 'question': 'hi', 'metadata': {}}, True)


def test_registered_benchmarks_and_rule_judge():
    register_synthetic_benchmarks()
    teacher = SyntheticTeacher(SyntheticConfig().error_free())
    for t in TASKS:
        b = get_benchmark(f'syn-{t}')
        assert b.category == BENCHMARK_CATEGORY[t] and b.source is None and b.instruction == INSTRUCTIONS[t]
        exs = load_benchmark(b.name, limit=15)
        assert len(exs) == 15
        if t in N_OPTIONS: assert all(len(e['choices']) == N_OPTIONS[t] for e in exs)
        for e in exs:
            for r in (False, True):      # an error-free teacher scores 100% under the rule judge
                assert judge_rule(e, teacher.answer(e, r), b).correct, (t, e, teacher.answer(e, r))
        shots = build_prompt(exs[0], b, shots=3) if t != 'ifeval' else build_prompt(exs[0], b)
        assert shots[-1]['role'] == 'user'


def _layout(r):
    "The 0-shot prompt of a synthetic question, written out by hand: task tag, passage, history, question, options."
    parts = [INSTRUCTIONS[r['metadata']['task']]]
    if r['passage']: parts.append(f"Passage: {r['passage']}")
    if r['history']: parts.append('\n'.join(f'Q: {q}\nA: {a}' for q, a in r['history']))
    parts.append(f"Question: {r['question']}" if r['passage'] else r['question'])
    if r['choices']: parts.append('\n'.join(f'{LETTERS[i]}. {c}' for i, c in enumerate(r['choices'])))
    return '\n\n'.join(parts)


def test_prompt_layout():
    for t in TRAIN_TASKS:
        for i in range(5):
            r = draw_question(t, 'train', i)
            assert format_prompt(r) == _layout(r), (t, format_prompt(r))
    assert format_prompt(draw_question('gsm8k', 'train', 'x')).startswith('gs\n\n')


def test_teacher_finds_records_from_prompts():
    "Every task: a formatted prompt maps back to the record it was built from (same question, passage, options)."
    held = [e for t in TASKS for e in eval_questions(t, 100)]
    train = [draw_question(t, 'train', i, qid=f'{t}-{i}') for t in TRAIN_TASKS for i in range(100)] + make_questions('general', 600)
    t = SyntheticTeacher().index(held + train)
    for e in held + train:
        got = t.find(format_prompt(e))
        assert question_key(got) == question_key(e) and got['answer'] == e['answer'], (e, got)
    assert {e['metadata']['task'] for e in held + train} == set(TRAIN_TASKS)
    for e in held[::50]:
        assert t.find(format_prompt(e))['id'] == e['id']
        assert t.answer_prompt(format_prompt(e), True) == t.answer(e, True)
    with pytest.raises(KeyError): t.find('What is the airspeed of a swallow?')


# ---------------------------------------------------------------- answer lengths and the world corpus
def test_reasoning_is_longer_in_every_category():
    rows = pair_records('general', 1200, 0) + pair_records('math', 400, 0)
    r = length_ratios(rows)['ratio']
    assert set(r.index) == {'general-mc', 'general-oe', 'math-mc', 'math-oe'} and (r > 4).all(), r
    assert r['math-oe'] > r['general-oe'] and r['math-mc'] > r['general-mc'], r


def test_world_corpus_teaches_facts_not_answers():
    from rvi.synthetic import world_corpus
    cfg = SyntheticConfig(entities=8)
    kb = knowledge_base(cfg)
    docs = world_corpus(cfg, n=600, seed=3)
    assert docs == world_corpus(cfg, n=600, seed=3) and docs != world_corpus(cfg, n=600, seed=4)
    text = '\n'.join(docs)
    assert '\\boxed' not in text and '<think>' not in text
    for e in kb: assert f'{e}.' in text
    for line in text.split('\n'):
        if m := re.fullmatch(r'([a-z]{2})\.([chn])=([a-z])', line): assert kb[m[1]][m[2]] == m[3], line
        else:                                                                     # one step of the table, never a chain
            a, op, b = re.fullmatch(r'(\d)([+-]\d)=(\d)', line).groups()
            assert apply_step(int(a), op) == int(b), line
    with pytest.raises(ValueError, match='poems'): world_corpus(cfg, 2, mix={'poems': 1.0})
