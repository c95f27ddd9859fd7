"""Tests for rvi.judging: adversarial extraction and verdict parsing, rule judges, LLM-judge plumbing, agreement."""
import json
import time

import pytest

from rvi.judging import (JUDGE_PROMPT_DEFAULT, JUDGE_PROMPT_IFEVAL, RECORD_FIELDS, agreement_report, cohen_kappa,
                         extract_boxed, final_text, ifeval_check, judge_prompt, judge_responses, judge_rule,
                         math_equal, normalize_choice, parse_verdict, question_text, truth_text)
from rvi.tasks import make_example


@pytest.fixture(autouse=True)
def _fresh_caches():
    "Each test parses afresh: the memoised parsers would otherwise answer from an earlier test's results."
    from rvi.judging import _mv_parse, latex_eval, math_equal
    for f in (latex_eval, math_equal, _mv_parse): f.cache_clear()

# ---------------------------------------------------------------- extraction

@pytest.mark.parametrize('text,want', [
    (r"\boxed{\frac{\sqrt{2}}{2}}", r"\frac{\sqrt{2}}{2}"),                       # nested braces
    (r"\boxed{{a}{b}{c}}", "{a}{b}{c}"),
    (r"\boxed{\left\{ 1, 2 \right\}}", r"\left\{ 1, 2 \right\}"),                 # escaped braces
    (r"first \boxed{1}, then \boxed{2}, finally \boxed{3}.", "3"),               # several boxes: last wins
    (r"\boxed{3} \fbox{4}", "4"),
    (r"\boxed {  7 }", "7"),
    (r"\boxed 5.", "5."),
    (r"$\boxed{x^2}$", "x^2"),
    (r"<think>I think \boxed{1}</think>", None),                                   # box only inside thinking
    (r"<think>\boxed{1}</think>\n\nFinal: \boxed{2}", "2"),
    (r"<think>\boxed{1}</think> text <think>\boxed{9}", None),                    # reopened, unclosed thinking
    (r"\boxed{1} <think> and never closed \boxed{2}", "1"),
    (r"no thinking start, just the end </think> \boxed{8}", "8"),
    (r"\boxed{π ≈ 3.14}", "π ≈ 3.14"),                                          # unicode
    ("\\boxed{日本語の答え}", "日本語の答え"),
    ("\\boxed{\U0001F600}", "\U0001F600"),
    (r"\boxed{12} then cut \boxed{\frac{1}{", "12"),                             # truncated last box
    (r"\boxed{", None), (r"\boxed", None), (r"}}}\boxed{}", None), (r"\boxedx{3}", None),
    ("", None), (None, None), ("\x00\x01\ufffd", None),
])
def test_extract_boxed(text, want):
    assert extract_boxed(text) == want


def test_extract_boxed_100k_characters():
    big = ("blah { } \\{ " * 9000)[:100_000]
    t = time.perf_counter()
    assert extract_boxed(big + r"\boxed{\frac{1}{2}}") == r"\frac{1}{2}"
    assert extract_boxed(r"\boxed{1}" + big) == "1"
    assert extract_boxed("<think>" + big + r"\boxed{1}</think>" + big + r"\boxed{2}") == "2"
    many_open = r"\boxed{" * 30_000 + "x"          # 30k unterminated boxes: bounded work, no answer
    assert extract_boxed(many_open) is None
    many = "".join(f"\\boxed{{{i}}} " for i in range(10_000))
    assert extract_boxed(many) == "9999"
    assert time.perf_counter() - t < 10.0   # linear work is ~0.1 s; quadratic would take minutes


def test_final_text():
    assert final_text("<think>a</think>b") == "b"
    assert final_text("<think>a") == ""
    assert final_text("a</think>b</think>c") == "c"
    with pytest.raises(TypeError, match='must be str'):
        final_text(12)

# ---------------------------------------------------------------- verdict parsing

@pytest.mark.parametrize('text,want', [
    (r"\boxed{yes}", True), (r"\boxed{no}", False), (r"\boxed{YES}", True), (r"\boxed{ No }", False),
    (r"\boxed{\text{yes}}", True), (r"\boxed { yes }", True),
    (r"\boxed{no} on reflection \boxed{yes}", True), (r"\boxed{yes} ... wait \boxed{no}", False),   # last wins
    (r"\boxed{yes} \boxed{maybe}", True),                     # a non-verdict box after a verdict is ignored
    ("<think>\\boxed{no}</think>\\boxed{yes}", True),
    ("<think>considering \\boxed{yes}", True),                # judge cut off while thinking: its box still counts
    ("yes", None), ("The answer is yes.", None), (r"\boxed{}", None), (r"\boxed{yess}", None),
    ("", None), (None, None), ("\ufffd" * 1000, None),
    ("x" * 100_000 + r"\boxed{no}", False),
])
def test_parse_verdict(text, want):
    assert parse_verdict(text) is want

# ---------------------------------------------------------------- rule judges

def test_mc_letter_normalisation():
    ch = ['21', '21.5', '22', '22.5', '23']
    for a in ['E', 'e', '(E)', 'E.', 'E)', 'E) 23', r'\text{E}', r'\textbf{(E)}', 'Option E', '23', '$23$']:
        assert normalize_choice(a, ch) == 'E', a
    for a in ['F', 'Z', '24', '', 'E or D', None]:
        assert normalize_choice(a, ch) is None, a
    ex = make_example('1', 'q', 'E', choices=ch)
    assert judge_rule(ex, r"<think>maybe \boxed{A}</think>So \boxed{E}", 'aqua-rat').correct
    assert not judge_rule(ex, r"\boxed{A}", 'aqua-rat').correct
    assert judge_rule(ex, "The answer is (E)", 'aqua-rat').correct          # unboxed fallback
    assert not judge_rule(ex, "The answer is (E)", 'aqua-rat', strict=True).correct


def test_math_judge():
    ex = make_example('1', 'q', r'\left( 3, \frac{\pi}{2} \right)')
    assert judge_rule(ex, r"\boxed{\left(3, \frac{\pi}{2}\right)}", 'math-500').correct
    assert not judge_rule(ex, r"\boxed{(3, \pi)}", 'math-500').correct
    assert math_equal('72', '72.0') and math_equal('0.5', r'\frac{1}{2}') and math_equal(r'\frac{6}{8}', '3/4')
    assert math_equal('1000', '1,000') and not math_equal('1000', '100')
    assert not math_equal('5', r'\frac{1}{0}') and not math_equal('5', '__import__("os")')
    assert not math_equal('5', 'x' * 5000)


def test_span_judge():
    ex = make_example('s', 'Which team won?', 'Denver Broncos', answers=['Denver Broncos', 'the Denver Broncos'], passage='p')
    v = judge_rule(ex, r"\boxed{The Denver Broncos.}", 'squad')
    assert v.correct and v.score == 1.0 and json.loads(v.raw)['em'] is True
    v = judge_rule(ex, r"\boxed{Broncos}", 'squad')
    assert v.correct and 0.5 <= v.score < 1
    v = judge_rule(ex, r"\boxed{Carolina Panthers}", 'squad')
    assert not v.correct and v.score == 0.0


def test_ifeval_judge():
    ex = make_example('1000', 'Write in lowercase without commas; highlight 2 sections.', '', answers=[],
                      metadata={'instruction_id_list': ['punctuation:no_comma', 'change_case:english_lowercase',
                                                        'detectable_format:number_highlighted_sections'],
                                'kwargs': [{}, {}, {'num_highlights': 2}]})
    assert judge_rule(ex, "<think>Okay, Let me</think>*one* and *two* are here", 'ifeval').correct
    assert not judge_rule(ex, "*one* and *two*, here", 'ifeval').correct
    assert not judge_rule(ex, "*One* and *two*", 'ifeval').correct
    lang = make_example('1', 'q', '', answers=[], metadata={'instruction_id_list': ['language:response_language'],
                                                             'kwargs': [{'language': 'en'}]})
    v = judge_rule(lang, "hello", 'ifeval'); assert v.verdict_missing and not v.correct
    checks = [('keywords:frequency', dict(keyword='cat', frequency=2, relation='at least'), "Cat cat dog", True),
              ('keywords:forbidden_words', dict(forbidden_words=['bad']), "this is badly fine", True),
              ('keywords:forbidden_words', dict(forbidden_words=['bad']), "this is bad", False),
              ('keywords:letter_frequency', dict(letter='z', let_frequency=2, let_relation='less than'), "zz", False),
              ('length_constraints:number_sentences', dict(num_sentences=3, relation='less than'), "A. B. C.", False),
              ('length_constraints:nth_paragraph_first_word', dict(num_paragraphs=2, nth_paragraph=2, first_word='so'),
               "First.\n\nSo, second.", True),
              ('detectable_content:number_placeholders', dict(num_placeholders=2), "[name] at [address]", True),
              ('detectable_format:constrained_response', {}, "My answer is maybe.", True),
              ('detectable_format:multiple_sections', dict(section_spliter='Section', num_sections=2),
               "Section 1\na\nSection 2\nb", True),
              ('combination:two_responses', {}, "one\n******\ntwo", True),
              ('combination:two_responses', {}, "one\n******\none", False),
              ('combination:repeat_prompt', dict(prompt_to_repeat='Say hi.'), "say hi. Hi!", True),
              ('startend:end_checker', dict(end_phrase='Any other questions?'), "Bye. Any other questions?", True),
              ('change_case:capital_word_frequency', dict(capital_relation='at least', capital_frequency=2), "THE END is NEAR", True)]
    for iid, kw, resp, want in checks:
        assert ifeval_check(resp, [iid], [kw])[0] is want, (iid, resp)


@pytest.mark.parametrize('bench,ex', [
    ('gsm8k', make_example('1', 'q', '18')),
    ('math-500', make_example('2', 'q', r'\frac{1}{2}')),
    ('winogrande', make_example('3', 'q', 'A', choices=['x', 'y'])),
    ('squad', make_example('4', 'q', 'Ann', passage='Ann.')),
    ('ifeval', make_example('5', 'q', '', answers=[], metadata={'instruction_id_list': ['detectable_format:title'], 'kwargs': [{}]})),
])
@pytest.mark.parametrize('resp', ['', None, '<think>', '<think>never closed', r'\boxed{', '}{' * 1000, '\x00' * 10,
                                  r'\boxed{\boxed{\boxed{}}}', 'x' * 100_000, "🙂" * 5000, "</think>"])
def test_garbled_responses_get_a_verdict(bench, ex, resp):
    v = judge_rule(ex, resp, bench)
    assert v.correct is False and isinstance(v.verdict_missing, bool)


def test_rule_judge_rejects_non_text_response():
    with pytest.raises(TypeError, match='must be str or None'):
        judge_rule(make_example('1', 'q', '1'), 12, 'gsm8k')
    with pytest.raises(KeyError, match='valid benchmarks'):
        judge_rule(make_example('1', 'q', '1'), '1', 'gsm-8k')

# ---------------------------------------------------------------- LLM judge prompt

def test_judge_prompt_is_table5():
    ex = make_example('w', 'The trophy does not fit because _ is too large.', 'A', choices=['trophy', 'suitcase'])
    p = judge_prompt('winogrande', question_text(ex), 'long reasoning ... \\boxed{A}', truth_text(ex))
    lines = p.split('\n')
    assert lines[0] == "You will be given a Question, a User Answer (only its ending is shown due to length), and a Ground Truth."
    assert lines[1:4] == ["Your task is not to answer the question, but to say if the user answer is equivalent",
                          "in meaning to the ground truth.",
                          "First, extract the final result from both the User Answer and the Ground Truth Answer, based on the Question."]
    assert "If they are not equivalent, or if the User Answer does not contain a valid answer respond with \\boxed{no}." in lines
    assert lines[-2:] == ["Ground Truth:", "A. trophy"]
    assert "A. trophy\nB. suitcase" in p
    for typo in ['due t length', 'Groun Truth', 'convey th same', 'Use Answer', 'onl focus']:
        assert typo not in p and typo not in JUDGE_PROMPT_IFEVAL
    pi = judge_prompt('ifeval', 'Write a haiku, no commas.', 'A haiku')
    assert pi.split('\n')[0] == "You will be given an Instruction and a User Answer (only its ending is show due to length)."
    assert pi.endswith("Question: Write a haiku, no commas.\nUser Answer:\nA haiku")
    with pytest.raises(ValueError, match='needs a ground truth'):
        judge_prompt('gsm8k', 'q', 'a')


def test_judge_prompt_tail_length():
    ans = "".join(str(i % 10) for i in range(10_000)) + "END"
    for n in (10, 500, 4000):
        p = judge_prompt('gsm8k', 'q', ans, '1', tail_chars=n)
        shown = p.split("User Answer:\n")[1].split("\nGround Truth:")[0]
        assert shown == ans[-n:] and shown.endswith("END")
    with pytest.raises(ValueError, match='tail_chars'):
        judge_prompt('gsm8k', 'q', ans, '1', tail_chars=0)
    assert "User Answer:\n\nGround Truth" in judge_prompt('gsm8k', 'q', None, '1')

# ---------------------------------------------------------------- records and agreement

class Out:
    def __init__(self, text): self.text = text


def _samples():
    gsm = make_example('g', 'What is 9*2?', '18')
    mc = make_example('m', 'Pick', 'B', choices=['x', 'y'])
    return [dict(benchmark='gsm8k', sample_id=f'g{i}', model='student', response=r, example=gsm,
                 prompt=[{'role': 'user', 'content': 'q'}], answer_tokens=len(r), prompt_tokens=3, finish_reason='stop')
            for i, r in enumerate([r'\boxed{18}', r'\boxed{17}', 'eighteen', ''])] + \
           [dict(benchmark='winogrande', sample_id='m0', model='student', response=r'\boxed{B}', example=mc)]


def test_judge_responses_rule_records():
    recs = judge_responses(_samples())
    assert [r['correct'] for r in recs] == [True, False, False, False, True]
    for r in recs:
        assert set(RECORD_FIELDS) <= set(r) and r['judge'] == 'rule' and isinstance(r['correct'], bool)
    assert recs[0]['category'] == 'math-oe' and recs[0]['extracted'] == '18' and recs[0]['finish_reason'] == 'stop'
    assert recs[4]['answer_tokens'] is None
    recs = judge_responses(_samples(), count_tokens=lambda s: len(s.split()))
    assert recs[4]['answer_tokens'] == 1 and recs[0]['answer_tokens'] == len(r'\boxed{18}')


def test_judge_responses_llm_batches_and_missing_verdicts():
    calls = []
    def gen(chats, sampling):
        calls.append((len(chats), dict(sampling)))
        outs = []
        for c in chats:
            assert len(c) == 1 and c[0]['role'] == 'user' and c[0]['content'].startswith('You will be given')
            u = c[0]['content'].split('User Answer:\n')[1]
            outs.append(Out(r"\boxed{yes}" if u.startswith(r'\boxed{18}') or u.startswith(r'\boxed{B}')
                            else ("I cannot decide" if u.startswith('\nGround Truth:') else r"\boxed{no}")))
        return outs
    recs = judge_responses(_samples(), judge='llm', generate=gen, batch_size=2, judge_model='judge-x', sampling={'max_tokens': 64})
    assert [c[0] for c in calls] == [2, 2, 1]
    assert calls[0][1] == {'temperature': 0.7, 'top_p': 0.95, 'max_tokens': 64}
    assert [r['correct'] for r in recs] == [True, False, False, False, True]
    assert [r['verdict_missing'] for r in recs] == [False, False, False, True, False]
    assert recs[0]['judge'] == 'llm:judge-x' and recs[0]['judge_raw'] == r"\boxed{yes}" and recs[0]['extracted'] == 'yes'
    with pytest.raises(RuntimeError, match='returned 0 outputs'):
        judge_responses(_samples(), judge='llm', generate=lambda chats, s: [])
    with pytest.raises(ValueError, match="judge must be 'rule' or 'llm'"):
        judge_responses(_samples(), judge='human')
    with pytest.raises(ValueError, match="field 'response' must be str"):
        judge_responses([dict(benchmark='gsm8k', sample_id='1', response=5, example=make_example('1', 'q', '1'))])


def test_agreement_report_and_kappa():
    assert cohen_kappa([1, 1, 1, 0, 0, 0], [1, 1, 0, 0, 0, 1]) == pytest.approx(1 / 3)
    assert cohen_kappa([1, 1, 0, 1], [1, 1, 0, 1]) == 1.0
    assert cohen_kappa([1, 1, 1], [1, 1, 1]) == 1.0
    # a textbook example: 50 items, yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> po=.7, pe=.5, kappa=.4
    a = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    with pytest.raises(ValueError, match='5 vs 4'):
        cohen_kappa([1] * 5, [1] * 4)
    rule = judge_responses(_samples())
    llm = [dict(r, judge='llm:j', correct=(r['sample_id'] in ('g0', 'g2', 'm0'))) for r in rule]
    rep = agreement_report(rule, llm)
    allrow = rep[rep.benchmark == 'all'].iloc[0]
    assert allrow.n == 5 and allrow.acc_a == pytest.approx(0.4) and allrow.acc_b == pytest.approx(0.6)
    assert allrow.agreement == pytest.approx(0.8) and allrow.judge_a == 'rule' and allrow.judge_b == 'llm:j'
    assert allrow.kappa == pytest.approx(cohen_kappa([1, 0, 0, 0, 1], [1, 0, 1, 0, 1]))
    with pytest.raises(ValueError, match='share no'):
        agreement_report(rule, [dict(r, model='other') for r in llm])


def test_llm_judge_through_a_generation_backend():
    "rvi.generation's Backend.generate(chats, sampling) plugs in as the judge's generate callable."
    import rvi.generation as gen

    class RuleJudgeBackend(gen.Backend):
        kind = 'test'
        def __init__(self): self.seen = []
        def _generate(self, chats, sampling, enable_thinking):
            self.seen.append(sampling)
            outs = []
            for c in chats:
                u = c[-1]['content'].split('User Answer:\n')[1]
                if not u.startswith('\\boxed'): outs.append(gen.failed('server down')); continue
                outs.append(gen.Generation('\\boxed{yes}' if u.startswith('\\boxed{18}') or u.startswith('\\boxed{B}')
                                           else '\\boxed{no}', 100, 5, 'stop'))
            return outs

    be = RuleJudgeBackend()
    recs = judge_responses(_samples(), judge='llm', generate=be.generate, judge_system='detailed thinking off')
    assert (be.seen[0].temperature, be.seen[0].top_p) == (0.7, 0.95)
    assert [r['correct'] for r in recs] == [True, False, False, False, True]
    assert [r['verdict_missing'] for r in recs] == [False, False, True, True, False]
    assert 'judge error: server down' in recs[2]['judge_raw']


def test_rule_judges_accept_an_error_free_synthetic_teacher():
    "Cross-check with the offline world: the synthetic teacher's answers (no injected errors) are judged correct."
    import rvi.synthetic as syn
    from rvi.tasks import BENCHMARKS, load_benchmark
    teacher = syn.SyntheticTeacher(syn.SyntheticConfig().error_free())
    names = [n for n in BENCHMARKS if n.startswith('syn-')]
    assert len(names) >= 12
    for name in names:
        exs = load_benchmark(name, limit=30)
        for reasoning in (False, True):
            recs = judge_responses([dict(benchmark=name, sample_id=e['id'], example=e,
                                         response=teacher.answer(e, reasoning=reasoning, seed=1)) for e in exs])
            acc = sum(r['correct'] for r in recs) / len(recs)
            assert acc == 1.0, (name, reasoning, acc)
            if reasoning and BENCHMARKS[name].answer_type != 'ifeval':
                assert all(r['extracted'] is not None for r in recs), name

# ---------------------------------------------------------------- exact values of the helpers

from rvi.core import RunPaths, read_jsonl, write_jsonl
from rvi.judging import answer_candidate, judge_dir, judged_file, latex_eval, latex_value, _exact_number, _top_level_comma
from fractions import Fraction


@pytest.mark.parametrize('s,want', [
    ('42', Fraction(42)), (' $-1,000$ ', Fraction(-1000)), ('{ 7 }', Fraction(7)), ('+3', Fraction(3)), ('12.', Fraction(12)),
    (r'\frac{3}{4}', Fraction(3, 4)), (r'-\dfrac{6}{4}', Fraction(-3, 2)), (r'+\tfrac{1}{2}', Fraction(1, 2)), (r'\frac{-3}{4}', Fraction(-3, 4)),
    ('-3/4', Fraction(-3, 4)), ('6 / 8', Fraction(3, 4)), ('{-6/8}', Fraction(-3, 4)), ('$$5$$', Fraction(5)),
    ('1/0', None), (r'\frac{1}{0}', None), ('.5', None), ('1,00', None), ('3.5', None), ('x', None), ('{7', None), ('7}', None),
    ('.12', None), ('{}', None), ('X5', None), ('5X', None)])
def test_exact_number(s, want):
    assert _exact_number(s) == want


@pytest.mark.parametrize('line,want', [
    (None, None), ('', None),
    (r'so $x = 1$ and then $\frac{1}{2}$ remains', r'\frac{1}{2}'), (r'we get $$ 4 $$', '4'), (r'it is \(3+4\) or \(7\).', '7'),
    (r'$ $ and 5', None),                                     # the last math span is empty: it states nothing
    ('The answer is 12 apples.', '12 apples'), ('so x = 5!', '5'), ('x = y = 9', '9'),
    ('the answer is ' + 'a' * 61, None), ('the answer is ' + 'b' * 60, 'b' * 60),
    ('we counted 3, then 1,250, then 17,', '17'), (r'\(1\) then \(2\) then \(3\)', '3'), ('pay 5/8 now', '5/8'), ('nothing here', None)])
def test_answer_candidate(line, want):
    assert answer_candidate(line) == want


@pytest.mark.parametrize('s,want', [('1,2', True), ('(1,2)', True), ('f(x,y)', True), ('((1,2))', False), ('[0,{1,2}]', True),
                                    ('{{1,2}}', False), ('12', False), ('(1)(2),3', True), ('((1)),', True), ('(a),((b,c))', True),
                                    ('X(1,2)', True), ('((X,1))', False), ('((((1)),2))', False), ('(((1),2))', False)])
def test_top_level_comma(s, want):
    # a comma outside brackets, or inside one level of them (tuples, intervals, sets), separates answers
    assert _top_level_comma(s) is want


def test_latex_eval_and_value():
    assert latex_eval('2^{10}') == (1024.0, frozenset()) and latex_eval(r'\sqrt[3]{27}') == (3.0, frozenset())
    assert latex_eval(r'3\sqrt{4} + \frac{1}{2}') == (6.5, frozenset())
    v, xs = latex_eval('2x', 1)
    assert xs == frozenset('x') and v == 2 * (0.5 + ((ord('x') * 7919 + 104729) % 1000) / 997)
    assert latex_value('2x') is None and latex_value(r'\left( 1 + 2 \right) \cdot 3') == 9.0 and latex_value('1/0') is None
    assert latex_eval('') == (None, frozenset()) and latex_eval('1+' * 101) == (None, frozenset())
    assert latex_eval('1 ? 2') == (None, frozenset()) and latex_eval('  7   ') == (7.0, frozenset())
    assert latex_eval(r'\sqrt{-1}') == (None, frozenset()) and latex_eval('2^{100}') == (None, frozenset())


def test_question_and_truth_text():
    ex = make_example('c', 'Where?', 'park', answers=['park', 'the park'], passage='They went out.',
                      history=[('Who?', 'Ann'), ('When?', 'noon')])
    assert question_text(ex) == "Passage: They went out.\n\nQ: Who?\nA: Ann\nQ: When?\nA: noon\n\nWhere?"
    assert truth_text(ex) == 'park | the park'
    assert truth_text(make_example('g', 'q', '18')) == '18' and truth_text(make_example('s', 'q', 'x', answers=['y'])) == 'y'
    mc = make_example('m', 'Pick', 'C', choices=['x', 'y', 'z'])
    assert question_text(mc) == "Pick\n\nA. x\nB. y\nC. z"
    assert [truth_text(mc, t) for t in ('letter-text', 'letter', 'text')] == ['C. z', 'C', 'z']
    with pytest.raises(ValueError, match=r"^mc_truth 'both' must be one of \('letter-text', 'letter', 'text'\)$"):
        truth_text(mc, 'both')


def test_judge_responses_records_every_field():
    samples = _samples()
    recs = judge_responses(samples)
    r = recs[0]
    assert {k: r[k] for k in RECORD_FIELDS} == dict(
        benchmark='gsm8k', category='math-oe', model='student', sample_id='g0', prompt=[{'role': 'user', 'content': 'q'}],
        response=r'\boxed{18}', answer_tokens=10, prompt_tokens=3, finish_reason='stop', extracted='18', correct=True,
        verdict_missing=False, judge='rule', judge_raw='{"boxed": true}', score=1.0)
    assert recs[1]['score'] == 0.0 and type(recs[1]['score']) is float and recs[1]['verdict_missing'] is False
    bare = judge_responses([dict(benchmark='gsm8k', sample_id=7, example=make_example('g', 'q', '18'))], count_tokens=len)[0]
    assert (bare['model'], bare['sample_id'], bare['prompt'], bare['prompt_tokens'], bare['finish_reason'], bare['answer_tokens'],
            bare['response'], bare['extracted'], bare['correct']) == ('', '7', None, None, None, 0, None, None, False)
    # strict: only a boxed answer counts
    loose = dict(benchmark='gsm8k', sample_id='s', example=make_example('g', 'q', '18'), response='so it is 18')
    assert judge_responses([loose])[0]['correct'] and not judge_responses([loose], strict=True)[0]['correct']
    for bad, msg in ((dict(sample_id='1', example={}), r"^judge sample lacks field 'benchmark' \(has: \['example', 'sample_id'\]\)$"),
                     (dict(benchmark='gsm8k', sample_id='1', example={}, response=['x']), r"^sample '1': field 'response' must be str, got list$")):
        with pytest.raises(ValueError, match=msg): judge_responses([bad])


def test_judge_responses_llm_details(tmp_path):
    seen = []
    def gen(chats, sampling):
        seen.extend(chats)
        return [r'\boxed{no}' if r'\boxed{18}' not in c[-1]['content'] else r'\boxed{yes}' for c in chats]   # plain strings
    ifv = make_example('i', 'Write without commas.', '', answers=[], metadata=dict(instruction_id_list=['punctuation:no_comma'], kwargs=[{}]))
    mc = make_example('m', 'Pick', 'B', choices=['x', 'y'])
    samples = _samples() + [dict(benchmark='ifeval', sample_id='i0', response='a, b', example=ifv),
                            dict(benchmark='winogrande', sample_id='m1', response='A', example=mc)]
    recs = judge_responses(samples, judge='llm', generate=gen, judge_system='sys', mc_truth='text', rules_beside=True, strict=True)
    assert all(c[0] == {'role': 'system', 'content': 'sys'} and len(c) == 2 for c in seen)
    assert seen[5][1]['content'] == JUDGE_PROMPT_IFEVAL.format(question='Write without commas.', answer='a, b')
    assert seen[6][1]['content'].endswith('Ground Truth:\ny')                  # mc_truth='text'
    assert [r['extracted'] for r in recs] == ['yes', 'no', 'no', 'no', 'no', 'no', 'no'] and recs[0]['score'] == 1.0
    assert [r['rule_correct'] for r in recs] == [True, False, False, False, True, False, False]
    assert [r['rule_extracted'] for r in recs] == ['18', '17', None, None, 'B', None, None]   # strict: 'eighteen' unboxed
    assert recs[1]['score'] == 0.0 and type(recs[1]['score']) is float
    plain = judge_responses(_samples()[:1], judge='llm', generate=gen)
    assert 'rule_correct' not in plain[0] and seen[-1][0]['role'] == 'user'
    assert seen[-1][0]['content'].endswith('Ground Truth:\n18')
    with pytest.raises(ValueError, match=r"^judge='llm' needs a generate\(chats, sampling\) callable$"):
        judge_responses(_samples(), judge='llm')
    # errors of the backend are kept in judge_raw after what it returned
    class Err:
        def __init__(self, text, error): self.text, self.error = text, error
    recs = judge_responses(_samples()[:2], judge='llm', generate=lambda chats, s: [Err(None, 'down'), Err('partial', 'cut')])
    assert [r['judge_raw'] for r in recs] == ['[judge error: down]', 'partial\n[judge error: cut]']
    assert [r['verdict_missing'] for r in recs] == [True, True] and [r['extracted'] for r in recs] == [None, None]
    assert judge_responses(_samples()[:1], judge='llm', generate=lambda chats, s: [5])[0]['judge_raw'] is None


def test_judge_responses_resume(tmp_path):
    path = tmp_path / 'judged.jsonl'
    calls = []
    def gen(chats, sampling):
        calls.append(len(chats)); return [r'\boxed{yes}'] * len(chats)
    first = judge_responses(_samples(), judge='llm', generate=gen, resume_path=path, batch_size=2, judge_model='j')
    assert calls == [2, 2, 1] and [r['sample_id'] for r in read_jsonl(path)] == ['g0', 'g1', 'g2', 'g3', 'm0']
    # a stored verdict of the same judge is reused field by field; another judge's records and changed responses are judged anew
    stored = read_jsonl(path)
    stored[0].update(extracted='kept', correct=False, verdict_missing=True, judge_raw='old', score=0.25)
    stored[1]['judge'] = 'llm:other'
    write_jsonl(path, stored)
    calls.clear()
    s = _samples(); s[2] = dict(s[2], response='nineteen')
    again = judge_responses(s, judge='llm', generate=gen, resume_path=path, judge_model='j')
    assert calls == [2]
    assert {k: again[0][k] for k in ('extracted', 'correct', 'verdict_missing', 'judge', 'judge_raw', 'score')} == \
        dict(extracted='kept', correct=False, verdict_missing=True, judge='llm:j', judge_raw='old', score=0.25)
    assert again[1]['correct'] and again[1]['judge'] == 'llm:j' and again[2]['extracted'] == 'yes'
    assert [r['judge'] for r in read_jsonl(path)] == ['llm:j'] * 5 and first[0]['correct']
    none = judge_responses(_samples(), judge='llm', generate=gen, resume_path=tmp_path / 'new.jsonl', batch_size=10)
    assert len(read_jsonl(tmp_path / 'new.jsonl')) == 5 and all(r['correct'] for r in none)


def test_agreement_report_rows():
    a = [dict(benchmark='b', model='m', sample_id=i, correct=c) for i, c in enumerate([1, 1, 0, 0])] + \
        [dict(benchmark='a', sample_id='x', correct=True), dict(benchmark='a', model='m', sample_id='x', correct=False)]
    b = [dict(benchmark='b', model='m', sample_id=str(i), correct=c, judge='J') for i, c in enumerate([1, 0, 0, 0])] + \
        [dict(benchmark='a', model='', sample_id='x', correct=True, judge='J')]
    rep = agreement_report(a, b)
    assert list(rep.columns) == ['benchmark', 'n', 'judge_a', 'judge_b', 'acc_a', 'acc_b', 'agreement', 'kappa']
    assert rep[['benchmark', 'n', 'judge_a', 'judge_b', 'acc_a', 'acc_b', 'agreement']].values.tolist() == [
        ['a', 1, 'a', 'J', 1.0, 1.0, 1.0], ['b', 4, 'a', 'J', 0.5, 0.25, 0.75], ['all', 5, 'a', 'J', 0.6, 0.4, 0.8]]
    assert rep['kappa'].tolist() == [1.0, pytest.approx(0.5), pytest.approx(cohen_kappa([1, 1, 1, 0, 0], [1, 1, 0, 0, 0]))]
    rev = agreement_report([dict(r, judge='R') for r in b], a)
    assert rev[['judge_a', 'judge_b']].iloc[0].tolist() == ['R', 'b']
    assert cohen_kappa([], []) != cohen_kappa([], [])                              # nan
    assert cohen_kappa([0, 0], [0, 0]) == 1.0 and cohen_kappa([1, 0], [0, 1]) == pytest.approx(-1.0)
    assert cohen_kappa([1, 1, 1, 0], [1, 0, 0, 0]) == pytest.approx(0.2)        # po .5, pe .75·.25 + .25·.75
    with pytest.raises(ValueError, match=r"^agreement_report: the two record sets share no \(benchmark, model, sample_id\)$"):
        agreement_report(a, [dict(r, model='other') for r in b])


def test_judge_dir(tmp_path):
    rp = RunPaths('t', runs_root=tmp_path)
    assert judged_file(rp, 'm', 'long', 'gsm8k') == rp.judged / 'm' / 'long' / 'gsm8k.jsonl'
    s = _samples()
    write_jsonl(rp.generations / 'm' / 'default' / 'gsm8k.jsonl', [dict(x, error='oom' if i == 1 else '') for i, x in enumerate(s[:4])])
    write_jsonl(rp.generations / 'm' / 'len-cap-p50' / 'winogrande.jsonl', [{k: v for k, v in s[4].items()}])
    assert judge_dir(rp, 'm') == {'default/gsm8k': 4, 'len-cap-p50/winogrande': 1}
    recs = read_jsonl(judged_file(rp, 'm', 'default', 'gsm8k'))
    assert [r['correct'] for r in recs] == [True, False, False, False] and [r['error'] for r in recs] == ['', 'oom', '', '']
    assert [r['judge'] for r in recs] == ['rule'] * 4
    assert read_jsonl(judged_file(rp, 'm', 'len-cap-p50', 'winogrande'))[0]['error'] == ''
    assert judge_dir(rp, 'm', judge='rule') == {'default/gsm8k': 'kept', 'len-cap-p50/winogrande': 'kept'}
    judged_file(rp, 'm', 'default', 'gsm8k').unlink()
    out = judge_dir(rp, 'm', judge='judge-x', generate=lambda chats, sp: [r'\boxed{yes}'] * len(chats), batch_size=3)
    assert out == {'default/gsm8k': 4, 'len-cap-p50/winogrande': 'kept'}
    assert {r['judge'] for r in read_jsonl(judged_file(rp, 'm', 'default', 'gsm8k'))} == {'llm:judge-x'}
    assert judge_dir(rp, 'nothing') == {}


from rvi.judging import (_highlights, _json, _nth_first_word, _paragraphs_stars, _postscript, _sentences, _two_responses,
                         answer_tail, fallback_answer, span_scores, token_f1)


def test_ifeval_helpers():
    assert _sentences('Dr. Smith paid 3.5 dollars. Then he left! Did he? "Yes." (Sure.) End') == \
        ['Dr<p> Smith paid 3<p>5 dollars.', 'Then he left!', 'Did he?', '"Yes.', '(Sure.', 'End']   # closing marks go with the split
    assert _sentences('  ') == [] and len(_sentences('e.g. this. And i.e. that.')) == 2
    assert [_paragraphs_stars(r, k) for r, k in (('a *** b *** c', 3), ('*** a *** b ***', 2), ('a *** *** b', 3), ('a***b', 2),
                                                 ('a *** b', 3), ('', 0), ('a', 1), ('a *** *** b', 2))] == \
        [True, True, False, True, False, True, True, False]
    r = 'Intro here.\n\n"Second, para.\n\n\n\nthird'
    assert [_nth_first_word(r, 3, n, w) for n, w in ((1, 'intro'), (2, 'second'), (2, 'Second'), (3, 'third'), (4, 'x'), (0, 'x'),
                                                    (2, 'intro'))] == [True, True, True, False, False, False, False]   # as IFEval: the 3rd chunk of the split is empty
    assert _nth_first_word(r, 2, 1, 'intro') is False and _nth_first_word("'Quoted' start", 1, 1, 'quoted')
    assert _nth_first_word('Xylo here', 1, 1, 'xylo') and _nth_first_word('"Xylo" here', 1, 1, 'xylo')
    assert _postscript('Hi\nP.S. bye\nand more lines', 'P.S.') and _highlights('*X*', 1)
    assert _nth_first_word('\n\nlate', 1, 1, 'late') is False                  # the first paragraph is empty
    assert [_postscript(r, m) for r, m in (('Hi\nP.S. bye', 'P.S.'), ('Hi\np. s. bye', 'p.s.'), ('Hi\nP.P.S more', 'P.P.S'),
                                          ('Hi\np. p. s', 'p.p.s'), ('Hi there', 'P.S.'), ('Hi\nNote: x', ' NOTE: '), ('Hi PS x', 'P.S.'),
                                          ('Hi\nP.S more', 'P.P.S'), ('a.b', 'p.s.'))] == [True, True, True, True, False, True, False, False, False]
    assert [_highlights(r, k) for r, k in (('*a* and *b*', 2), ('*a* and * *', 2), ('**bold** x', 1), ('**bold** *i*', 2), ('**bold** *i*', 3),
                                          ('** ** *x*', 2), ('*a\nb*', 1), ('****', 1))] == [True, False, True, True, False, False, False, False]
    assert [_json(r) for r in ('{"a": 1}', '```json\n{"a": 1}\n```', '```JSON {"a": [1]} ```', '```\n[1, 2]\n```', '{a: 1}', 'json {"a":1}',
                               '```Json\n"s"\n```')] == [True, True, True, True, False, False, True]
    assert [_two_responses(r) for r in ('a ****** b', 'a ****** a', '****** a ****** b ******', 'a ****** ****** b', 'a', 'a ****** b ****** c',
                                        '****** a ******')] == [True, False, True, False, False, False, False]
    ok, res = ifeval_check('P.S. hi', ['detectable_content:postscript', 'language:response_language'], [{'postscript_marker': 'P.S.'}, None])
    assert (ok, res) == (None, [True, None])
    ok, res = ifeval_check('a, b', ['language:response_language', 'punctuation:no_comma', 'startend:quotation'], [{}, {}, {}])
    assert (ok, res) == (False, [None, False, False])
    assert ifeval_check('"x"', ['startend:quotation', 'punctuation:no_comma'], [{}, {'unused': None}]) == (True, [True, True])
    with pytest.raises(ValueError, match=r"^ifeval: 2 instruction ids but 1 kwargs$"): ifeval_check('x', ['a', 'b'], [{}])
    with pytest.raises(ValueError, match=r"^unknown ifeval instruction id 'made:up'$"): ifeval_check('x', ['made:up'], [{}])
    with pytest.raises(ValueError, match=r"^ifeval instruction 'keywords:existence': bad kwargs \{\} \("): ifeval_check('x', ['keywords:existence'], [{}])
    with pytest.raises(ValueError, match=r"^ifeval relation must be 'less than' or 'at least', got 'about'$"):
        ifeval_check('x', ['length_constraints:number_words'], [dict(num_words=3, relation='about')])
    assert ifeval_check('A BB c DD', ['change_case:capital_word_frequency'], [dict(capital_relation='at least', capital_frequency=3)])[0]
    assert not ifeval_check('A BB c', ['change_case:capital_word_frequency'], [dict(capital_relation='at least', capital_frequency=3)])[0]


def test_text_helpers():
    assert fallback_answer('work\n\n  so 12  \n\n') == 'so 12' and fallback_answer('one line') == 'one line'
    assert fallback_answer('a\n' + 'x' * 400) == 'x' * 300 and fallback_answer('a\nlast', max_chars=2) == 'st'
    assert fallback_answer('\n\n  \n') is None and fallback_answer(None) is None and fallback_answer('first\nsecond\nthird') == 'third'
    assert fallback_answer('  lead\nend') == 'end' and fallback_answer('x\n' + 'y' * 301) == 'y' * 300
    assert answer_tail('abcdef', 2) == 'ef' and answer_tail(None, 3) == '' and answer_tail('abc', 1) == 'c'
    with pytest.raises(ValueError, match=r"^tail_chars must be > 0, got 0$"): answer_tail('abc', 0)
    assert token_f1('the big cat', 'a big dog') == pytest.approx(0.5) and token_f1('', '') == 1.0 and token_f1('x', '') == 0.0
    assert token_f1('cat cat dog', 'cat') == pytest.approx(0.5) and token_f1('Cat!', 'the cat') == 1.0
    assert span_scores(None, ['x']) == (False, 0.0) and span_scores('x', []) == (False, 0.0)
    assert span_scores('The Park', ['park', 'a garden']) == (True, 1.0)
    em, f1 = span_scores('big park', ['the park', 'garden'])
    assert em is False and f1 == pytest.approx(2 / 3)
    assert normalize_choice('b', ['x', 'y']) == 'B' and normalize_choice('Option b', ['x', 'y']) == 'B'
    assert normalize_choice('b) text') is None and normalize_choice('B) text') == 'B'
    assert normalize_choice('So the answer is (C).') == 'C' and normalize_choice('So the answer is (C).', ['x', 'y']) is None
    assert normalize_choice('$B$', ['x', 'y']) == 'B' and normalize_choice(r'\(B\)', ['x', 'y']) == 'B'   # math delimiters dropped
    assert normalize_choice('Z') == 'Z' and normalize_choice('  Y!! ', ['x', 'y']) == 'B' and normalize_choice('y', ['y', 'Y']) is None
    assert parse_verdict('<think>\\boxed{no}</think>\\boxed{yes}') is True and parse_verdict('\\boxed{yes}' + ' ' * 20_000) is None
    assert parse_verdict('\\boxed{yes}' + ' ' * 19_989) is True and parse_verdict('\\boxed{yes}' + ' ' * 19_990) is None   # the last 20,000 characters
    assert parse_verdict('\\boxed{yes} <think>\\boxed{no}') is True             # an unclosed thinking is not the verdict


from rvi.judging import Verdict
from rvi.tasks import Benchmark

V = lambda ok, ext, raw, score=None, missing=False: Verdict(ok, ext, missing, float(ok) if score is None else score, json.dumps(raw))
_MC = make_example('m', 'Pick', 'B', choices=['red', 'blue', 'green'])
_SQ = make_example('s', 'Where?', 'the Park', answers=['the Park', 'a garden'])
_GS = make_example('g', 'How many?', '18')
_MA = make_example('a', 'Value?', '0.5', answers=['1/2', '0.5'])
_IF = make_example('i', 'Write without commas.', '', answers=[], metadata=dict(instruction_id_list=['punctuation:no_comma', 'startend:quotation'], kwargs=[{}, None]))
_TEXT = Benchmark('kb', 'general-oe', 'Answer.', 'text', loader=lambda *a, **k: [])


@pytest.mark.parametrize('ex,resp,bench,want', [
    (_MC, r'\boxed{B}', 'openbookqa', V(True, 'B', {'letter': 'B', 'boxed': True})),
    (_MC, 'so the answer is (b).', 'openbookqa', V(True, '(b)', {'letter': 'B', 'boxed': False})),
    (_MC, 'I pick blue', 'openbookqa', V(False, 'I pick blue', {'letter': None, 'boxed': False})),
    (_MC, 'The answer is blue.', 'openbookqa', V(True, 'blue', {'letter': 'B', 'boxed': False})),
    (_MC, 'Answer: D', 'openbookqa', V(False, 'Answer: D', {'letter': None, 'boxed': False})),    # only 3 options
    (_MC, 'The answer is purple.', 'openbookqa', V(False, 'The answer is purple.', {'letter': None, 'boxed': False})),
    (_SQ, r'\boxed{the answer is park}', 'squad', V(True, 'the answer is park', {'em': False, 'f1': 0.5, 'boxed': True}, 0.5)),
    (dict(id='r', question='q', answer='7', answers=['7', '8']), r'\boxed{8}', 'gsm8k', V(True, '8', {'boxed': True})),
    (dict(id='r', question='q', answer='7'), r'\boxed{7}', 'gsm8k', V(True, '7', {'boxed': True})),     # no answers list
    (dict(id='r', question='q', answer='park'), r'\boxed{Park}', 'squad', V(True, 'Park', {'em': True, 'f1': 1.0, 'boxed': True})),
    (dict(id='r', question='q', answer='park'), r'\boxed{Park}', _TEXT, V(True, 'Park', {'boxed': True})),
    (_GS, r'\boxed{18}', 'gsm8k', V(True, '18', {'boxed': True})),
    (_GS, 'so it is 18', 'gsm8k', V(True, 'so it is 18', {'boxed': False})),
    (_GS, r'\boxed{17}', 'gsm8k', V(False, '17', {'boxed': True})),
    (_MA, r'\boxed{\frac{1}{2}}', 'math-500', V(True, r'\frac{1}{2}', {'boxed': True})),       # any of the answers
    (_GS, '', 'gsm8k', V(False, None, {'reason': 'no answer'})),
    (_SQ, r'\boxed{park}', 'squad', V(True, 'park', {'em': True, 'f1': 1.0, 'boxed': True}, 1.0)),
    (_SQ, 'I think the answer is the big park.', 'squad', V(True, 'the big park', {'em': False, 'f1': 0.6667, 'boxed': False}, 2 / 3)),
    (_SQ, r'\boxed{garden gate}', 'squad', V(True, 'garden gate', {'em': False, 'f1': 0.6667, 'boxed': True}, 2 / 3)),
    (_SQ, r'\boxed{big garden gate}', 'squad', V(True, 'big garden gate', {'em': False, 'f1': 0.5, 'boxed': True}, 0.5)),   # F1 = 0.5 passes
    (_SQ, r'\boxed{a big old garden gate}', 'squad', V(False, 'a big old garden gate', {'em': False, 'f1': 0.4, 'boxed': True}, 0.4)),
    (_SQ, 'The answer is: The Park!', _TEXT, V(True, 'The Park', {'boxed': False})),
    (_SQ, r'\boxed{A garden}', _TEXT, V(True, 'A garden', {'boxed': True})),
    (_SQ, r'\boxed{park gate}', _TEXT, V(False, 'park gate', {'boxed': True})),
    (_IF, '"no commas here"', 'ifeval', V(True, None, {'instructions': [True, True]})),
    (_IF, '"a, b"', 'ifeval', V(False, None, {'instructions': [False, True]})),
    (_IF, None, 'ifeval', V(False, None, {'instructions': [True, False]})),
])
def test_judge_rule_verdicts(ex, resp, bench, want):
    got = judge_rule(ex, resp, bench)
    assert (got.correct, got.extracted, got.verdict_missing, got.raw) == (want.correct, want.extracted, want.verdict_missing, want.raw)
    assert got.score == pytest.approx(want.score) and type(got.score) is float


def test_judge_rule_edge_cases():
    unsupported = make_example('u', 'Write in French.', '', answers=[], metadata=dict(instruction_id_list=['language:response_language'], kwargs=[{}]))
    assert judge_rule(unsupported, 'oui', 'ifeval') == Verdict(False, None, True, 0.0, json.dumps({'instructions': [None]}))
    with pytest.raises(ValueError, match=r"^ifeval example 'e': metadata.instruction_id_list is empty or missing$"):
        judge_rule(make_example('e', 'q', '', answers=[], metadata={}), 'x', 'ifeval')
    with pytest.raises(TypeError, match=r"^response must be str or None, got int$"): judge_rule(_GS, 18, 'gsm8k')
    assert judge_rule(_GS, 'so it is 18', 'gsm8k', strict=True) == Verdict(False, None, False, 0.0, json.dumps({'reason': 'no answer'}))
    assert judge_rule(_SQ, r'\boxed{garden gate}', 'squad', span_f1_threshold=0.7).correct is False
    with pytest.raises(TypeError, match=r"^response must be str, got bytes$"): final_text(b'x')
    assert final_text('') == '' and final_text(None) == '' and final_text('a <think> b <think> c') == 'a '
    assert extract_boxed(r'<think>\boxed{1}</think>', drop_thinking=False) == '1' and extract_boxed(None, drop_thinking=False) is None
    assert extract_boxed(r'only \fbox{7}') == '7'
    assert extract_boxed(r'\boxed XY') == 'XY' and extract_boxed('\\boxed ' + 'a' * 300) == 'a' * 200
    assert extract_boxed(r'\boxed{1} then \boxed $x$') == '1'                 # an unboxable token: the previous box
    caps = make_example('u', 'Shout.', '', answers=[], metadata=dict(instruction_id_list=['change_case:english_capital'], kwargs=[{}]))
    assert judge_rule(caps, None, 'ifeval').correct is False
    with pytest.raises(ValueError, match=r"^ifeval: 1 instruction ids but 0 kwargs$"):
        judge_rule(make_example('k', 'q', '', answers=[], metadata=dict(instruction_id_list=['punctuation:no_comma'])), 'x', 'ifeval')
    assert truth_text(dict(answer='7')) == '7'
    from rvi.judging import extract_answer
    assert extract_answer('just 5') == ('just 5', False) and extract_answer('just 5', strict=True) == (None, False)
    assert extract_answer(r'\boxed{5}', strict=True) == ('5', True)


def test_latex_tokens():
    assert latex_eval(r'\frac{1}{4} \cdot 8 \div 2') == (1.0, frozenset()) and latex_eval('2 \\times 3') == (6.0, frozenset())
    assert latex_eval('(1') == (None, frozenset()) and latex_eval('1)') == (None, frozenset()) and latex_eval('+') == (None, frozenset())
    assert latex_eval(r'\frac{1}2') == (None, frozenset())                     # the group must be braced
    assert latex_eval(r'\sqrt[2}{4}') == (None, frozenset()) and latex_eval(r'\sqrt[2]{4}') == (2.0, frozenset())   # a closing token must match
    assert latex_eval('-(2+3)^{2}') == (-25.0, frozenset()) and latex_eval('1.5 + .5') == (2.0, frozenset())
    assert latex_eval('2 (3)') == (6.0, frozenset()) and latex_eval(r'2\pi') == (2 * 3.141592653589793, frozenset())
    assert latex_eval('1 2 @') == (None, frozenset()) and latex_eval('3   ') == (3.0, frozenset())
    v0, _ = latex_eval('a', 0)
    assert v0 == 0.5 + ((ord('a') * 7919) % 1000) / 997 and latex_eval('e') == (None, frozenset())


def test_math_verify_timeout_only_on_the_main_thread():
    # math-verify's timeout uses signals, which only the main thread may set
    import threading
    from rvi.judging import MATH_TIMEOUT, _mv_timeout
    got = []
    t = threading.Thread(target=lambda: got.append(_mv_timeout())); t.start(); t.join()
    assert _mv_timeout() == MATH_TIMEOUT == 3 and got == [None]


def test_judge_responses_batches_tails_and_rule_gaps(tmp_path):
    calls = []
    def gen(chats, sampling):
        calls.append(len(chats)); return [r'\boxed{yes}'] * len(chats)
    many = [dict(_samples()[0], sample_id=f"g{i}") for i in range(513)]
    judge_responses(many, judge='llm', generate=gen, tail_chars=5)
    assert calls == [512, 1]                                                    # batches of 512 by default
    seen = []
    judge_responses(_samples()[:1], judge='llm', generate=lambda c, s: seen.extend(c) or [r'\boxed{yes}'], tail_chars=4)
    assert 'User Answer:\n{18}\nGround Truth' in seen[0][0]['content']          # the answer's last 4 characters
    fr = make_example('u', 'Write in French.', '', answers=[], metadata=dict(instruction_id_list=['language:response_language'], kwargs=[{}]))
    r = judge_responses([dict(benchmark='ifeval', sample_id='u', example=fr, response='oui')])[0]
    assert (r['correct'], r['verdict_missing'], r['score']) == (False, True, 0.0)
    # judge_dir passes its options on, and reads 'rule' as 'rules'
    rp = RunPaths('t', runs_root=tmp_path)
    loose = [dict(benchmark='gsm8k', sample_id='s', example=make_example('g', 'q', '18'), response='so it is 18')]
    write_jsonl(rp.generations / 'm' / 'default' / 'gsm8k.jsonl', loose)
    assert judge_dir(rp, 'm', judge='rule', strict=True) == {'default/gsm8k': 1}
    assert read_jsonl(judged_file(rp, 'm', 'default', 'gsm8k'))[0]['correct'] is False
    judged_file(rp, 'm', 'default', 'gsm8k').unlink()
    judge_dir(rp, 'm', judge='rules')
    assert read_jsonl(judged_file(rp, 'm', 'default', 'gsm8k'))[0]['correct'] is True
