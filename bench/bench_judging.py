"""Benchmark: judge 100k student responses with the rule judges (target: < 1 minute on a 2-core machine).

The responses imitate what the study produces: all 12 benchmarks (8.3k responses each), a mix of reasoning
answers (a <think> block of 0.5-4k characters, then a boxed answer) and IFT answers (a short boxed answer),
about half correct, some with the right answer in another form (1/2, 0.5, \\frac{1}{2}), some without a box
(judged by the fallback line), some empty or cut off inside the thinking. Each benchmark has a fixed pool
of questions (500 for math-500, as the real one) and students repeat answers across samples, as they do.

    .venv/bin/python bench/bench_judging.py [--n 100000] [--seed 0]

Prints the wall time of `judge_responses` on all responses (one process, caches cold at the start),
throughput, per-category accuracy and per-benchmark time.
"""
import argparse
import random
import sys
import time
from collections import defaultdict

from rvi.judging import judge_responses, math_equal
from rvi.tasks import PAPER_BENCHMARKS, get_benchmark, make_example

WORDS = ("the of and to in is was for on that with as by at from this which be are an or it have not but "
         "first then so we therefore compute total value each step number sum check again").split()


def filler(rng, n_chars):
    out, size = [], 0
    while size < n_chars:
        w = rng.choice(WORDS); out.append(w); size += len(w) + 1
    return " ".join(out)


def math500_gold(rng, i):
    kind = i % 6
    a, b = rng.randint(1, 40), rng.randint(2, 40)
    if kind == 0: return f"\\frac{{{a}}}{{{b}}}", [f"{a}/{b}", f"\\dfrac{{{a}}}{{{b}}}"]
    if kind == 1: return f"{a}\\sqrt{{{b}}}", [f"\\sqrt{{{a * a * b}}}"]
    if kind == 2: return f"({a}, {b})", [f"({a},{b})"]
    if kind == 3: return f"[{-a}, {b})", [f"[{-a},{b})"]
    if kind == 4: return f"{a}x + {b}", [f"{b} + {a}x"]
    return str(a * b), [f"{a * b}.0"]


def make_pool(name, rng, n):
    "n examples of benchmark `name` in the common schema, with equivalent correct forms and wrong answers."
    b = get_benchmark(name)
    pool = []
    for i in range(n):
        if b.answer_type == 'mc':
            k = 2 if name == 'winogrande' else (10 if name == 'mmlu-pro-math' else (5 if name == 'aqua-rat' else 4))
            choices = [filler(rng, 12) for _ in range(k)]
            L = "ABCDEFGHIJ"[rng.randrange(k)]
            ex = make_example(i, filler(rng, 200), L, choices=choices)
            right = [L, f"({L})", f"{L}. {choices['ABCDEFGHIJ'.index(L)]}", choices['ABCDEFGHIJ'.index(L)]]
            wrong = [c for c in "ABCDEFGHIJ"[:k] if c != L]
        elif b.answer_type == 'math':
            if name == 'math-500':
                gold, alt = math500_gold(rng, i)
            else:
                v = rng.randint(0, 999 if name == 'aime' else 5000); gold, alt = str(v), [f"{v:,}"]
            ex = make_example(i, filler(rng, 300), gold)
            right = [gold] + alt
            wrong = [str(rng.randint(0, 5000)) for _ in range(5)] + [f"\\frac{{{rng.randint(1, 30)}}}{{{rng.randint(2, 30)}}}",
                                                                      f"{rng.randint(2, 9)}\\sqrt{{{rng.randint(2, 7)}}}"]
        elif b.answer_type == 'span':
            passage = filler(rng, 1200)
            toks = passage.split()
            j = rng.randrange(len(toks) - 4)
            gold = " ".join(toks[j:j + rng.randint(1, 4)])
            ex = make_example(i, filler(rng, 80), gold, answers=[gold, "the " + gold], passage=passage)
            right = [gold, f"The {gold}.", gold + " " + rng.choice(WORDS)]
            wrong = [" ".join(rng.sample(toks, 3)) for _ in range(4)]
        else:  # ifeval
            ids = rng.sample(['punctuation:no_comma', 'change_case:english_lowercase', 'detectable_format:title',
                              'length_constraints:number_words', 'keywords:existence', 'detectable_format:number_bullet_lists',
                              'startend:end_checker', 'detectable_content:postscript'], rng.randint(1, 3))
            kw = {'length_constraints:number_words': {'num_words': 50, 'relation': 'at least'},
                  'keywords:existence': {'keywords': ['river']}, 'detectable_format:number_bullet_lists': {'num_bullets': 3},
                  'startend:end_checker': {'end_phrase': 'Is there anything else?'},
                  'detectable_content:postscript': {'postscript_marker': 'P.S.'}}
            ex = make_example(i, filler(rng, 150), '', answers=[],
                              metadata={'instruction_id_list': ids, 'kwargs': [kw.get(x, {}) for x in ids]})
            right, wrong = [], []
        pool.append((ex, right, wrong))
    return pool


def make_response(b, ex, right, wrong, rng):
    "(response, designed_correct or None for ifeval)."
    r = rng.random()
    think = f"<think>\n{filler(rng, rng.randint(500, 4000))}\n</think>\n\n" if rng.random() < 0.5 else ""
    if b.answer_type == 'ifeval':
        body = filler(rng, rng.randint(100, 1500))
        if rng.random() < 0.5: body = "<<A Title>>\n* river one\n* two\n* three\n" + body.replace(',', '') + "\nP.S. done. Is there anything else?"
        return think + body, None
    if r < 0.05: return "", False
    if r < 0.08: return f"<think>\n{filler(rng, 3000)}", False                 # cut off while thinking
    ans = rng.choice(right) if r < 0.55 else rng.choice(wrong)
    if r < 0.65 or r > 0.97: return f"{think}{filler(rng, 200)}\nThe answer is {ans}", r < 0.55   # no box: fallback line
    return f"{think}{filler(rng, rng.randint(50, 400))} So the answer is $\\boxed{{{ans}}}$.", r < 0.55


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument('--n', type=int, default=100_000)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--show', action='store_true', help='print the responses whose verdict differs from the designed label')
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    sizes = {'math-500': 500, 'aime': 30, 'gsm8k': 1319, 'ifeval': 541}
    pools = {n: make_pool(n, rng, sizes.get(n, 1000)) for n in PAPER_BENCHMARKS}
    per = args.n // len(PAPER_BENCHMARKS)
    samples = []
    for n in PAPER_BENCHMARKS:
        b = get_benchmark(n)
        for k in range(per + (1 if PAPER_BENCHMARKS.index(n) < args.n % len(PAPER_BENCHMARKS) else 0)):
            ex, right, wrong = pools[n][k % len(pools[n])]
            resp, designed = make_response(b, ex, right, wrong, rng)
            samples.append(dict(benchmark=n, sample_id=f"{k}", model=f"student-{k // len(pools[n])}",
                                response=resp, example=ex, designed=designed))
    chars = sum(len(s['response']) for s in samples)
    print(f"{len(samples)} responses, {chars / 1e6:.1f}M characters, {len(PAPER_BENCHMARKS)} benchmarks", flush=True)

    math_equal.cache_clear()
    t0 = time.perf_counter()
    recs = judge_responses(samples)
    wall = time.perf_counter() - t0
    ci = math_equal.cache_info()
    print(f"rule judging: {wall:.1f} s wall, {len(recs) / wall:,.0f} responses/s "
          f"(math_equal calls {ci.hits + ci.misses}, distinct pairs {ci.misses})")

    # per-benchmark timing (warm caches) and accuracy
    by = defaultdict(list)
    for s in samples: by[s['benchmark']].append(s)
    acc = defaultdict(list)
    for r in recs: acc[r['category']].append(r['correct'])
    for cat, v in sorted(acc.items()): print(f"  {cat:11s} accuracy {sum(v) / len(v):.3f} over {len(v)}")
    pairs = [(s['designed'], r['correct']) for s, r in zip(samples, recs) if s['designed'] is not None]
    miss = defaultdict(int)
    for s, r in zip(samples, recs):
        if s['designed'] is not None and s['designed'] != r['correct']:
            miss[s['benchmark']] += 1
            if args.show and s['benchmark'] not in ('squad', 'coqa'):
                print('   ', s['benchmark'], repr(s['response'][-120:]), 'gold', s['example']['answer'], '->', r['extracted'], r['correct'])
    print(f"  verdict == designed label on {sum(d == c for d, c in pairs) / len(pairs):.4f} of {len(pairs)} "
          f"non-ifeval responses; disagreements by benchmark: {dict(miss)}")
    math_equal.cache_clear()
    for n, ss in by.items():
        t = time.perf_counter(); judge_responses(ss); dt = time.perf_counter() - t
        print(f"  {n:14s} {len(ss):6d} responses {dt:6.2f} s")
    ok = wall < 60
    print(f"{'PASS' if ok else 'FAIL'}: {len(recs)} responses judged in {wall:.1f} s (limit 60 s)")
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
