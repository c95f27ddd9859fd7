"""Tests for rvi.tasks: the 12 benchmarks loaded from local fixtures written in each hub dataset's real schema."""
import json
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import datasets
import pytest

from rvi import tasks
from rvi.tasks import (BENCHMARKS, CATEGORIES, MATH_INSTRUCTION, PAPER_BENCHMARKS, Benchmark, build_prompt,
                       get_benchmark, load_benchmark, make_example, register_benchmark, render_question)

IFEVAL_KW_KEYS = ['num_highlights', 'relation', 'num_words', 'num_placeholders', 'prompt_to_repeat', 'num_paragraphs',
                  'nth_paragraph', 'first_word', 'num_bullets', 'section_spliter', 'num_sections', 'capital_relation',
                  'capital_frequency', 'keywords', 'num_sentences', 'keyword', 'frequency', 'end_phrase',
                  'forbidden_words', 'language', 'let_relation', 'letter', 'let_frequency', 'postscript_marker']


def _kw(**given):
    "An IFEval kwargs struct as the hub stores it: every key present, unused ones None."
    return {k: given.get(k) for k in IFEVAL_KW_KEYS}


def hub_rows():
    "A few rows per benchmark in the hub dataset's real schema."
    return {
        'winogrande': [dict(sentence="Ian volunteered to eat Dennis's menudo after already having a bowl because _ despised eating intestine.",
                            option1="Ian", option2="Dennis", answer="2"),
                       dict(sentence="The trophy doesn't fit into the suitcase because _ is too large.",
                            option1="trophy", option2="suitcase", answer="1")],
        'openbookqa': [dict(id="7-980", question_stem="The sun is responsible for",
                            choices=dict(text=["puppies learning new tricks", "children growing up and getting old",
                                               "flowers wilting in a vase", "plants sprouting, blooming and wilting"],
                                         label=["A", "B", "C", "D"]), answerKey="D"),
                       dict(id="7-584", question_stem="When standing miles away from Mount Rushmore",
                            choices=dict(text=["the mountains seem very close", "the mountains are boring",
                                               "the mountains look the same as from up close", "the mountains seem smaller than in photographs"],
                                         label=["A", "B", "C", "D"]), answerKey="D")],
        'mmlu-misc': [dict(question="How many axles does a standard automobile have?", subject="miscellaneous",
                           choices=["one", "two", "four", "eight"], answer=1),
                      dict(question="What place is named in the title of the 1979 live album by rock legends Cheap Trick?",
                           subject="miscellaneous", choices=["Budapest", "Budokan", "Bhutan", "Britain"], answer=1)],
        'squad': [dict(id="56be4db0acb8001400a502ec", title="Super_Bowl_50",
                       context="Super Bowl 50 was an American football game. The Denver Broncos defeated the Carolina Panthers.",
                       question="Which NFL team won Super Bowl 50?",
                       answers=dict(text=["Denver Broncos", "Denver Broncos", "the Denver Broncos"], answer_start=[45, 45, 41]))],
        'coqa': [dict(source="mctest", story="Once upon a time, in a barn near a farm house, there lived a little white kitten named Cotton.",
                      questions=["What color was Cotton?", "Where did she live?", "Did she live alone?"],
                      answers=dict(input_text=["white", "in a barn", "no"], answer_start=[59, 18, 196],
                                   answer_end=[93, 80, 215]))],
        'ifeval': [dict(key=1000, prompt="Write a 300+ word summary of the wikipedia page. Do not use any commas and highlight at least 3 sections.",
                        instruction_id_list=["punctuation:no_comma", "detectable_format:number_highlighted_sections",
                                             "length_constraints:number_words"],
                        kwargs=[_kw(), _kw(num_highlights=3), _kw(relation="at least", num_words=300)]),
                   dict(key=1001, prompt="I am planning a trip to Japan. Your entire response should be in English, in all lowercase.",
                        instruction_id_list=["change_case:english_lowercase"], kwargs=[_kw()])],
        'aqua-rat': [dict(question="Two friends plan to walk along a 43-km trail... how many km will P have walked?",
                          options=["A)21", "B)21.5", "C)22", "D)22.5", "E)23"],
                          rationale="If Q complete x kilometers, then P completes 1.15x ... P will have have walked 1.15*20= 23 km.\nANSWER:E",
                          correct="E")],
        'mmlu-math': [dict(question="Find all c in Z_3 such that Z_3[x]/(x^2 + c) is a field.", subject="abstract_algebra",
                           choices=["0", "1", "2", "3"], answer=1),
                      dict(question="What is 3 + 4 * 2?", subject="elementary_mathematics",
                           choices=["14", "11", "10", "9"], answer=1)],
        'mmlu-pro-math': [dict(question_id=70, question="Find the degree for the given field extension Q(sqrt(2)) over Q.",
                               options=["0", "4", "2", "6", "3", "8", "12", "1", "5", "10"], answer="C", answer_index=2,
                               cot_content="", category="math", src="cot_lib-abstract_algebra"),
                          dict(question_id=71, question="What is the capital of France?", options=["Paris", "Rome", "Lyon"],
                               answer="A", answer_index=0, cot_content="", category="other", src="x")],
        'gsm8k': [dict(question="Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?",
                       answer="Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72")],
        'math-500': [dict(problem="Convert the point $(0,3)$ in rectangular coordinates to polar coordinates.",
                          solution="We have that $r = \\sqrt{0^2 + 3^2} = 3.$ ... \\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}.",
                          answer="\\left( 3, \\frac{\\pi}{2} \\right)", subject="Precalculus", level=2,
                          unique_id="test/precalculus/807.json")],
        'aime': [dict(question="Find the sum of all integer bases $b>9$ for which $17_b$ is a divisor of $97_b$.", answer="70"),
                 dict(question="Find the number of ordered pairs $(x,y)$ ...", answer="117")],
    }


def write(rows, path, fmt):
    ds = datasets.Dataset.from_list(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == 'jsonl': path.write_text("\n".join(json.dumps(r) for r in rows))
    elif fmt == 'parquet': ds.to_parquet(str(path))
    else: raise ValueError(fmt)
    return path


@pytest.fixture(scope='module')
def fixtures(tmp_path_factory):
    root = tmp_path_factory.mktemp('hub')
    out = {}
    for i, (name, rows) in enumerate(hub_rows().items()):
        b = get_benchmark(name)
        fmt = 'parquet' if i % 2 else 'jsonl'
        # hub layout: <dir>/data/<split>-00000-of-00001.parquet, or <dir>/<split>.jsonl
        f = root / name / ('data' if fmt == 'parquet' else '') / (f"{b.split}-00000-of-00001.parquet" if fmt == 'parquet' else f"{b.split}.jsonl")
        write(rows, f, fmt)
        out[name] = root / name
    return out


def test_registry_has_the_papers_12():
    assert len(PAPER_BENCHMARKS) == 12 and set(PAPER_BENCHMARKS) <= set(BENCHMARKS)
    by_cat = {c: sorted(n for n in PAPER_BENCHMARKS if BENCHMARKS[n].category == c) for c in CATEGORIES}
    assert by_cat == {'general-mc': ['mmlu-misc', 'openbookqa', 'winogrande'], 'general-oe': ['coqa', 'ifeval', 'squad'],
                      'math-mc': ['aqua-rat', 'mmlu-math', 'mmlu-pro-math'], 'math-oe': ['aime', 'gsm8k', 'math-500']}
    for n in PAPER_BENCHMARKS:
        b = BENCHMARKS[n]
        assert b.source and b.mapping
        if n != 'ifeval': assert b.instruction.endswith("Make sure to put the answer (and only answer) inside \\boxed{}.")
    assert BENCHMARKS['ifeval'].instruction == "Answer the following instruction."
    assert all(BENCHMARKS[n].instruction == MATH_INSTRUCTION for n in
               ['gsm8k', 'math-500', 'aime', 'mmlu-math', 'mmlu-pro-math', 'aqua-rat'])


def test_unknown_benchmark_lists_valid_names():
    with pytest.raises(KeyError, match="valid benchmarks: .*gsm8k.*winogrande"):
        get_benchmark('gsm-8k')
    with pytest.raises(KeyError, match="unknown benchmark 'nope'"):
        load_benchmark('nope')


@pytest.mark.parametrize('name', list(hub_rows()))
def test_every_benchmark_loads_its_hub_schema(fixtures, name):
    exs = load_benchmark(name, path=fixtures[name])
    assert exs, name
    for e in exs:
        assert set(e) == {'id', 'question', 'passage', 'history', 'choices', 'answer', 'answers', 'metadata'}
        assert isinstance(e['id'], str) and isinstance(e['question'], str) and e['question']
        b = get_benchmark(name)
        if b.answer_type == 'mc':
            assert e['choices'] and e['answer'] in 'ABCDEFGHIJ'[:len(e['choices'])]
        msgs = build_prompt(e, name)
        assert msgs[-1]['role'] == 'user' and msgs[-1]['content'].startswith(b.instruction)


def test_mappings_match_the_hub_answers(fixtures):
    L = lambda n: load_benchmark(n, path=fixtures[n])
    w = L('winogrande'); assert [e['answer'] for e in w] == ['B', 'A'] and w[0]['choices'] == ['Ian', 'Dennis']
    o = L('openbookqa'); assert o[0]['id'] == '7-980' and o[0]['answer'] == 'D' and len(o[0]['choices']) == 4
    m = L('mmlu-misc'); assert m[0]['answer'] == 'B' and m[1]['choices'][1] == 'Budokan'
    s = L('squad')[0]
    assert s['passage'].startswith('Super Bowl 50') and s['answer'] == 'Denver Broncos'
    assert s['answers'] == ['Denver Broncos', 'the Denver Broncos']
    c = L('coqa'); assert [e['id'] for e in c] == ['0-0', '0-1', '0-2']
    assert c[2]['history'] == [['What color was Cotton?', 'white'], ['Where did she live?', 'in a barn']] and c[2]['answer'] == 'no'
    i = L('ifeval')
    assert i[0]['id'] == '1000' and i[0]['answer'] == '' and i[0]['answers'] == []
    assert i[0]['metadata']['kwargs'] == [{}, {'num_highlights': 3}, {'relation': 'at least', 'num_words': 300}]
    a = L('aqua-rat')[0]; assert a['choices'] == ['21', '21.5', '22', '22.5', '23'] and a['answer'] == 'E'
    assert a['metadata']['solution'].startswith('If Q complete')
    mm = L('mmlu-math'); assert [e['metadata']['subject'] for e in mm] == ['abstract_algebra', 'elementary_mathematics']
    mp = L('mmlu-pro-math'); assert len(mp) == 1 and mp[0]['answer'] == 'C' and len(mp[0]['choices']) == 10  # category filter
    g = L('gsm8k')[0]; assert g['answer'] == '72' and '<<' not in g['metadata']['solution']
    m5 = L('math-500')[0]; assert m5['id'] == 'test/precalculus/807.json' and m5['answer'].startswith('\\left( 3')
    ai = L('aime'); assert [e['answer'] for e in ai] == ['70', '117']


def test_save_to_disk_and_split_selection(tmp_path):
    rows = hub_rows()['gsm8k']
    dd = datasets.DatasetDict(train=datasets.Dataset.from_list(rows * 3), test=datasets.Dataset.from_list(rows))
    dd.save_to_disk(str(tmp_path / 'gsm'))
    assert len(load_benchmark('gsm8k', path=tmp_path / 'gsm')) == 1
    assert len(load_benchmark('gsm8k', path=tmp_path / 'gsm', split='train')) == 3
    with pytest.raises(ValueError, match="not 'validation'"):
        load_benchmark('gsm8k', path=tmp_path / 'gsm', split='validation')


def test_bad_rows_raise_naming_the_field(tmp_path):
    bad = {
        'winogrande': ([dict(sentence="s _", option1="a", option2="b", answer="")], "'answer' must be '1' or '2'"),
        'gsm8k': ([dict(question="q", answer="no final line")], "no '#### <number>'"),
        'mmlu-misc': ([dict(question="q", subject="x", choices=["a", "b"], answer=5)], "'answer' must be an int index"),
        'openbookqa': ([dict(id="1", question_stem="q", choices=dict(text=["a", "b"], label=["A", "B"]), answerKey="C")],
                       "answerKey 'C' not in choices.label"),
        'aqua-rat': ([dict(question="q", options=["A)1", "B 2"], rationale="", correct="A")], "not of the form 'A)text'"),
        'mmlu-pro-math': ([dict(question_id=1, question="q", options=["1", "2"], answer="B", answer_index=0, cot_content="",
                                category="math", src="s")], "disagrees with answer_index"),
    }
    for name, (rows, msg) in bad.items():
        f = write(rows, tmp_path / name / 'x.jsonl', 'jsonl')
        split = get_benchmark(name).split
        with pytest.raises(ValueError, match=msg.replace('(', r'\(').replace(')', r'\)').replace('*', r'\*')):
            load_benchmark(name, path=f, split=split)
    write([dict(question='q')], tmp_path / 'nocol' / 'test.jsonl', 'jsonl')
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['answer'\]"):
        load_benchmark('gsm8k', path=tmp_path / 'nocol')
    with pytest.raises(FileNotFoundError, match='does not exist'):
        load_benchmark('gsm8k', path=tmp_path / 'missing')


def test_limit_is_a_seeded_ordered_subsample(tmp_path):
    rows = [dict(question=f"q{i}", answer=f"w\n#### {i}") for i in range(50)]
    write(rows, tmp_path / 'g' / 'test.jsonl', 'jsonl')
    a = load_benchmark('gsm8k', path=tmp_path / 'g', limit=10, seed=3)
    b = load_benchmark('gsm8k', path=tmp_path / 'g', limit=10, seed=3)
    c = load_benchmark('gsm8k', path=tmp_path / 'g', limit=10, seed=4)
    assert a == b and a != c and len(a) == 10
    assert [int(e['id']) for e in a] == sorted(int(e['id']) for e in a)
    assert len(load_benchmark('gsm8k', path=tmp_path / 'g', limit=500)) == 50


def test_hub_loading_concatenates_configs_without_remote_code(monkeypatch):
    calls = []
    def fake_load_dataset(path, name=None, split=None, **kw):
        calls.append((path, name, split, kw))
        return datasets.Dataset.from_list([{**hub_rows()['mmlu-math'][0], 'subject': name}])
    monkeypatch.setattr(datasets, 'load_dataset', fake_load_dataset)
    exs = load_benchmark('mmlu-math')
    assert [c[:3] for c in calls] == [('cais/mmlu', cfg, 'test') for cfg in get_benchmark('mmlu-math').config]
    assert all('trust_remote_code' not in c[3] for c in calls)
    assert len(exs) == 4 and len({e['id'] for e in exs}) == 4
    def failing(*a, **k): raise ConnectionError("offline")
    monkeypatch.setattr(datasets, 'load_dataset', failing)
    with pytest.raises(RuntimeError, match="could not load 'openai/gsm8k'.*pass path="):
        load_benchmark('gsm8k')


def test_prompts_and_shots(fixtures):
    pool = [make_example(str(i), f"What is {i}+1?", str(i + 1), metadata={'solution': f"{i}+1={i + 1}"}) for i in range(20)]
    ex = pool[0]
    z = build_prompt(ex, 'gsm8k')
    assert z == [{'role': 'user', 'content': MATH_INSTRUCTION + "\n\nWhat is 0+1?"}]
    p = build_prompt(ex, 'gsm8k', shots=3, shot_examples=pool)
    assert [m['role'] for m in p] == ['user', 'assistant'] * 3 + ['user'] and p[-1] == z[0]
    assert all(m['content'] != z[0]['content'] for m in p[:-1])
    sol = build_prompt(ex, 'gsm8k', shots=3, shot_examples=pool, shot_style='solution')
    assert sol[1]['content'].endswith('\\boxed{%s}' % sol[1]['content'].split('=')[-1].split('\n')[0])
    assert build_prompt(ex, 'gsm8k', shots=3, shot_examples=pool, seed=1) != p
    # coqa: passage, history and question in order
    c = load_benchmark('coqa', path=fixtures['coqa'])[2]
    txt = render_question(c, 'coqa')
    assert txt.index('Passage: Once upon') < txt.index('Q: What color was Cotton?\nA: white') < txt.index('Question: Did she live alone?')
    # MC choices lettered, ifeval always zero-shot
    w = load_benchmark('winogrande', path=fixtures['winogrande'])[0]
    assert render_question(w, 'winogrande').endswith("\n\nA. Ian\nB. Dennis")
    i = load_benchmark('ifeval', path=fixtures['ifeval'])
    assert len(build_prompt(i[0], 'ifeval', shots=3, shot_examples=i)) == 1
    # never a shot about the same passage (coqa turns of one story would leak each other's answers)
    turns = load_benchmark('coqa', path=fixtures['coqa'])
    other = [make_example(f"o{k}", f"Other question {k}?", "x", passage=f"Other story {k}.") for k in range(3)]
    shots = tasks.pick_shots(turns[0], turns + other, 3)
    assert {s['id'] for s in shots} == {'o0', 'o1', 'o2'}
    with pytest.raises(ValueError, match='only 3 usable'):
        tasks.pick_shots(turns[0], turns + other, 4)
    with pytest.raises(ValueError, match='shots must be >= 0'):
        build_prompt(ex, 'gsm8k', shots=-1)
    # the shot pool is read from the benchmark's shots_split
    rows = hub_rows()['gsm8k']
    d = fixtures['gsm8k']
    write([dict(question=f"train q{k}", answer=f"w\n#### {k}") for k in range(5)], d / 'train.jsonl', 'jsonl')
    assert get_benchmark('gsm8k').shots_split == 'train'
    pool2 = tasks.shot_pool('gsm8k', path=d)
    assert len(pool2) == 5 and all(e['question'].startswith('train q') for e in pool2)


def test_register_synthetic_benchmark():
    exs = [make_example(f"s{i}", f"{i}+{i}?", str(2 * i)) for i in range(5)]
    b = Benchmark(name='syn-test-gsm8k', category='math-oe', instruction=MATH_INSTRUCTION, answer_type='math',
                  loader=lambda b, path=None, split=None: exs)
    try:
        register_benchmark(b)
        assert get_benchmark('syn-test-gsm8k') is b
        assert load_benchmark('syn-test-gsm8k', limit=2, seed=0) == [e for e in exs if e['id'] in
                                                                     {x['id'] for x in load_benchmark('syn-test-gsm8k', limit=2, seed=0)}]
        with pytest.raises(ValueError, match='already registered'):
            register_benchmark(Benchmark(name='syn-test-gsm8k', category='math-oe', instruction='', answer_type='math', loader=list))
        with pytest.raises(ValueError, match="answer_type 'number' is not one of"):
            Benchmark(name='x', category='math-oe', instruction='', answer_type='number', loader=list)
        with pytest.raises(ValueError, match='needs either a loader'):
            Benchmark(name='x', category='math-oe', instruction='', answer_type='math')
        dup = Benchmark(name='syn-test-dup', category='math-oe', instruction='', answer_type='math',
                        loader=lambda b, path=None, split=None: exs + exs[:1])
        register_benchmark(dup)
        with pytest.raises(ValueError, match="duplicate example id 's0'"):
            load_benchmark('syn-test-dup')
    finally:
        BENCHMARKS.pop('syn-test-gsm8k', None); BENCHMARKS.pop('syn-test-dup', None)


def test_hub_snapshot_with_config_folders(tmp_path):
    "A downloaded cais/mmlu snapshot has one folder per subject; only the benchmark's configs are read."
    row = hub_rows()['mmlu-misc'][0]
    for cfg in ['miscellaneous', 'anatomy', 'abstract_algebra', 'college_mathematics', 'all']:
        write([{**row, 'subject': cfg}] * 2, tmp_path / 'mmlu' / cfg / 'test-00000-of-00001.parquet', 'parquet')
        write([{**row, 'subject': cfg}], tmp_path / 'mmlu' / cfg / 'dev-00000-of-00001.parquet', 'parquet')
    misc = load_benchmark('mmlu-misc', path=tmp_path / 'mmlu')
    assert len(misc) == 2 and {e['metadata']['subject'] for e in misc} == {'miscellaneous'}
    math = load_benchmark('mmlu-math', path=tmp_path / 'mmlu')
    assert {e['metadata']['subject'] for e in math} == {'abstract_algebra', 'college_mathematics'} and len(math) == 4
    assert len(tasks.shot_pool('mmlu-misc', path=tmp_path / 'mmlu')) == 1
