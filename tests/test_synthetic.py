"Tests of rvi.synthetic: determinism, disjoint splits, teacher pairs, registered analogue benchmarks."
import hashlib, json, os

os.environ.setdefault('HF_HUB_OFFLINE', '1')
import pytest

from rvi.core import ConfigError
from rvi.synthetic import (SyntheticConfig, SyntheticTeacher, TASKS, TRAIN_TASKS, BENCHMARK_CATEGORY, N_OPTIONS, make_questions,
                           eval_questions, question_key, split_of, teacher_pairs, pair_records, length_ratios,
                           register_synthetic_benchmarks, format_prompt, knowledge_base, draw_question)
from rvi.tasks import BENCHMARKS, load_benchmark, get_benchmark, build_prompt
from rvi.judging import extract_boxed, judge_rule, ifeval_check


def _digest(rows): return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def test_same_seed_same_bytes_different_seed_differs():
    a, b = pair_records('general', 150, seed=3), pair_records('general', 150, seed=3)
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(pair_records('general', 150, seed=4))
    assert _digest(pair_records('math', 80, 0)) == _digest(pair_records('math', 80, 0))


def test_dataset_roundtrip_byte_identical(tmp_path):
    ds1, ds2 = teacher_pairs('math', 60, seed=1), teacher_pairs('math', 60, seed=1)
    ds1.to_json(tmp_path / 'a.jsonl'); ds2.to_json(tmp_path / 'b.jsonl')
    assert (tmp_path / 'a.jsonl').read_bytes() == (tmp_path / 'b.jsonl').read_bytes()
    for c in ['prompt', 'reasoning', 'ift', 'id', 'domain', 'category', 'task', 'reasoning_tokens', 'ift_tokens',
              'reasoning_finish', 'ift_finish']:
        assert c in ds1.column_names


def test_world_seed_changes_world_and_benchmarks():
    assert knowledge_base(SyntheticConfig(world_seed=0)) != knowledge_base(SyntheticConfig(world_seed=5))
    q0 = [q['question'] for q in eval_questions('gsm8k', 10, SyntheticConfig(world_seed=0))]
    q5 = [q['question'] for q in eval_questions('gsm8k', 10, SyntheticConfig(world_seed=5))]
    assert q0 != q5


def test_eval_disjoint_from_training():
    cfg = SyntheticConfig()
    train = {question_key(q) for d in ('general', 'math') for s in (0, 1) for q in make_questions(d, 600, s, cfg)}
    held = {question_key(q) for t in TASKS for q in eval_questions(t, 60, cfg)}
    assert not train & held
    assert all(split_of(q, cfg.eval_fraction) == 'eval' for t in TASKS for q in eval_questions(t, 20, cfg))


def test_domains_and_categories():
    g = make_questions('general', 500, 0)
    m = make_questions('math', 300, 0)
    assert {q['metadata']['category'] for q in g} == {'general-mc', 'general-oe', 'math-mc', 'math-oe'}
    assert {q['metadata']['task'] for q in g} == set(TRAIN_TASKS)
    assert {q['metadata']['category'] for q in m} <= {'math-mc', 'math-oe'}
    with pytest.raises(ValueError, match='domain'): make_questions('code', 5)


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
    q = [draw_question('gsm8k', 'train', i) for i in range(400)]
    never = SyntheticTeacher(SyntheticConfig(ift_error={t: 0.0 for t in TRAIN_TASKS}))
    always = SyntheticTeacher(SyntheticConfig(reasoning_error={t: 1.0 for t in TRAIN_TASKS}))
    assert not any(never.respond(x, False)[1]['error'] for x in q)
    assert all(always.respond(x, True)[1]['error'] for x in q)
    t = SyntheticTeacher()
    e_ift = sum(t.respond(x, False)[1]['error'] for x in q) / len(q)
    e_r = sum(t.respond(x, True)[1]['error'] for x in q) / len(q)
    assert e_r < e_ift                     # reasoning is the more accurate mode on multi-step math
    assert abs(e_ift - SyntheticConfig().ift_error['gsm8k']) < 0.05


def test_bad_config_names_field():
    with pytest.raises(ConfigError, match='reasoning_error'):
        SyntheticConfig(reasoning_error={**SyntheticConfig().reasoning_error, 'gsm8k': 1.5})
    with pytest.raises(ConfigError, match='kb_countries'): SyntheticConfig(kb_countries=2)


def test_teacher_rejects_foreign_record():
    with pytest.raises(ValueError, match='metadata.task'):
        SyntheticTeacher().answer({'id': 'x', 'question': 'hi', 'metadata': {}}, True)


def test_registered_benchmarks_and_rule_judge():
    register_synthetic_benchmarks()
    teacher = SyntheticTeacher(SyntheticConfig(ift_error={t: 0.0 for t in TRAIN_TASKS},
                                               reasoning_error={t: 0.0 for t in TRAIN_TASKS}))
    for t in TASKS:
        b = get_benchmark(f'syn-{t}')
        assert b.category == BENCHMARK_CATEGORY[t] and b.source is None
        exs = load_benchmark(b.name, limit=15)
        assert len(exs) == 15
        if t in N_OPTIONS: assert all(len(e['choices']) == N_OPTIONS[t] for e in exs)
        for e in exs:
            for r in (False, True):      # an error-free teacher scores 100% under the rule judge
                assert judge_rule(e, teacher.answer(e, r), b).correct, (t, e, teacher.answer(e, r))
        shots = build_prompt(exs[0], b, shots=3) if t != 'ifeval' else build_prompt(exs[0], b)
        assert shots[-1]['role'] == 'user'


def test_teacher_finds_records_from_prompts():
    t = SyntheticTeacher()
    exs = [e for task in TASKS for e in eval_questions(task, 5)]
    t.index(exs)
    for e in exs:
        assert t.find(format_prompt(e))['id'] == e['id']
        assert t.answer_prompt(format_prompt(e), True) == t.answer(e, True)
    with pytest.raises(KeyError): t.find('What is the airspeed of a swallow?')


def test_length_ratios_in_paper_range():
    rows = pair_records('general', 1200, 0) + pair_records('math', 400, 0)
    r = length_ratios(rows)['ratio']
    assert 5 <= r['general-oe'] <= 9 and 5 <= r['math-oe'] <= 9, r
    assert 9.5 <= r['general-mc'] <= 16 and 9.5 <= r['math-mc'] <= 16, r


def test_world_corpus_teaches_skills_not_answers():
    from rvi.synthetic import world_corpus, knowledge_base, WORLD_MIX, _apply
    import re
    cfg = SyntheticConfig(kb_countries=8)
    docs = world_corpus(cfg, n=600, seed=3)
    assert docs == world_corpus(cfg, n=600, seed=3) and docs != world_corpus(cfg, n=600, seed=4)
    text = '\n'.join(docs)
    assert '\\boxed' not in text and '<think>' not in text and 'Solve the following' not in text
    for c, facts in knowledge_base(cfg).items(): assert c in text
    for a, op, x, b in re.findall(r'(\d+) ([-+*]) (\d+) = (\d+)\.', text): assert _apply(int(a), op, int(x)) == int(b)
    with pytest.raises(ValueError, match='poems'): world_corpus(cfg, 2, mix={'poems': 1.0})
