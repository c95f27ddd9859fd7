"""Tests for rvi.judging: adversarial extraction and verdict parsing, rule judges, LLM-judge plumbing, agreement."""
import json
import time

import pytest

from rvi.judging import (JUDGE_PROMPT_DEFAULT, JUDGE_PROMPT_IFEVAL, RECORD_FIELDS, agreement_report, cohen_kappa,
                         extract_boxed, final_text, ifeval_check, judge_prompt, judge_responses, judge_rule,
                         math_equal, normalize_choice, parse_verdict, question_text, truth_text)
from rvi.tasks import make_example

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
    cfg = syn.SyntheticConfig()
    zero = {t: 0.0 for t in syn.TRAIN_TASKS}
    teacher = syn.SyntheticTeacher(cfg.replace(ift_error=zero, reasoning_error=zero))
    names = [n for n in BENCHMARKS if n.startswith('syn-')]
    assert len(names) >= 12
    for name in names:
        exs = load_benchmark(name, limit=30)
        for reasoning in (False, True):
            recs = judge_responses([dict(benchmark=name, sample_id=e['id'], example=e,
                                         response=teacher.answer(e, reasoning=reasoning, seed=1)) for e in exs])
            acc = sum(r['correct'] for r in recs) / len(recs)
            assert acc >= 0.95, (name, reasoning, acc)
            if reasoning and BENCHMARKS[name].answer_type != 'ifeval':
                assert all(r['extracted'] is not None for r in recs), name
