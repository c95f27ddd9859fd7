"Tests of rvi.students: tokenizer, chat template, student family, checkpoints on disk."
import os

os.environ.setdefault('HF_HUB_OFFLINE', '1')
import pytest
import torch

from rvi.students import (STUDENT_SIZES, make_tokenizer, make_student, count_params, load_student, student_info,
                          student_name, save_student)
from rvi.synthetic import WORD_TOKENS, estimate_tokens, pair_records, world_corpus


@pytest.fixture(scope='module')
def tok():
    return make_tokenizer()


def test_tokenizer_roundtrip_one_token_per_character(tok):
    texts = [t for d in ('general', 'math') for r in pair_records(d, 40, seed=7) for t in (r['prompt'], r['ift'], r['reasoning'])]
    for s in texts + world_corpus(n=20, seed=7):
        assert tok.decode(tok.encode(s)) == s
        assert len(tok.encode(s)) == estimate_tokens(s)                        # rvi.synthetic counts the same tokens
    plain = 'ko.c=q\n7+3=0,0-2=8 ba=hat,ko=pin?'
    assert [tok.decode([i]) for i in tok.encode(plain)] == list(plain)          # every character is one token
    assert tok.decode(tok.encode('ünïcode ✓ text'), skip_special_tokens=True) == 'ünïcode ✓ text'   # byte-level


def test_word_tokens_are_single_tokens(tok):
    for w in WORD_TOKENS:
        assert len(tok.encode(w)) == 1, w
    assert tok.convert_ids_to_tokens(tok.encode('<think>\n7+3=0\n</think>\n\n\\boxed{0}')) == \
        ['<think>', 'Ċ', '7', '+', '3', '=', '0', 'Ċ', '</think>', 'Ċ', 'Ċ', '\\boxed{', '0', '}']
    assert len(tok) == 256 + len(WORD_TOKENS)                                    # byte alphabet + word tokens, no merges
    assert (tok.eos_token, tok.pad_token) == ('<|im_end|>', '<|endoftext|>')


def test_chat_template_thinking_switch(tok):
    chat = [{'role': 'user', 'content': 'Q?'}]
    off = tok.apply_chat_template(chat, tokenize=False, add_generation_prompt=True, enable_thinking=False)
    on = tok.apply_chat_template(chat, tokenize=False, add_generation_prompt=True, enable_thinking=True)
    assert off.endswith('<|im_start|>assistant\n<think>\n\n</think>\n\n') and on.endswith('<|im_start|>assistant\n')
    full = tok.apply_chat_template(chat + [{'role': 'assistant', 'content': '<think>\nstep\n</think>\n\nA \\boxed{1}'}], tokenize=False)
    assert full == on + '<think>\nstep\n</think>\n\nA \\boxed{1}<|im_end|>\n'
    ift = tok.apply_chat_template(chat + [{'role': 'assistant', 'content': 'A \\boxed{1}'}], tokenize=False)
    assert ift == off + 'A \\boxed{1}<|im_end|>\n'
    # multi-turn: earlier assistant turns lose their reasoning (Qwen3 convention)
    two = chat + [{'role': 'assistant', 'content': '<think>\nx\n</think>\n\nB'}, {'role': 'user', 'content': 'Q2?'}]
    assert '<think>\nx' not in tok.apply_chat_template(two, tokenize=False, add_generation_prompt=True)


def test_family_spans_24x(tok):
    p = {s: count_params(make_student(s, tok)) for s in STUDENT_SIZES}
    assert {s: round(n, -3) for s, n in p.items()} == {'xs': 33_000, 's': 116_000, 'm': 358_000, 'l': 823_000}
    assert list(p.values()) == sorted(p.values()) and max(p.values()) / min(p.values()) >= 24


def test_checkpoints_roundtrip(tmp_path, tok):
    path = save_student(make_student('xs', tok, seed=3), tok, tmp_path / student_name('xs'), extra={'seed': 3})
    assert path == tmp_path / student_name('xs')
    model, tok2 = load_student(path)
    ref = make_student('xs', tok, seed=3)
    ids = torch.tensor([tok.encode('Ava has 3 apples.')])
    assert torch.allclose(model(ids).logits, ref(ids).logits, atol=1e-5)
    assert tok2.chat_template == tok.chat_template and tok2.get_vocab() == tok.get_vocab()
    assert tok2.encode('<think>\nko.c=q\n</think>\n\n\\boxed{q}') == tok.encode('<think>\nko.c=q\n</think>\n\n\\boxed{q}')
    assert student_info(path) == {'params': count_params(ref), 'seed': 3}
    assert not any(p.name.startswith('.') for p in tmp_path.iterdir())      # no temp dirs left behind
    with pytest.raises(ValueError, match='valid'): make_student('xxl', tok)
    with pytest.raises(FileNotFoundError, match='config.json'): load_student(tmp_path / 'missing')


@pytest.mark.slow
def test_largest_student_trains(tok):
    "A few optimizer steps on the largest size reduce the loss on a fixed batch."
    m = make_student(max(STUDENT_SIZES, key=lambda s: STUDENT_SIZES[s]['hidden_size']), tok)
    ids = torch.tensor(tok.encode('\n'.join(world_corpus(n=8)))[:128]).view(2, 64)
    opt = torch.optim.AdamW(m.parameters(), lr=1e-3)
    first = None
    for _ in range(10):
        loss = m(input_ids=ids, labels=ids).loss
        first = first or loss.item()
        loss.backward(); opt.step(); opt.zero_grad()
    assert loss.item() < first


# ---------------------------------------------------------------- pretrained base students
from pathlib import Path

from rvi.core import get_preset, ConfigError
from rvi.students import (PretrainConfig, pretrain_student, pack_corpus, offline_base_students, base_student_key,
                          default_prebuilt_dir)
from rvi.synthetic import SyntheticConfig


def test_pack_corpus_blocks(tok):
    docs = world_corpus(n=50)
    b = pack_corpus(docs, tok, 32, 1000)
    assert b.shape == (1000 // 32, 32)
    assert tok.decode(b.flatten()[: len(tok.encode(docs[0]))]) == docs[0]
    with pytest.raises(ValueError, match='no documents'): pack_corpus([], tok, 32, 100)


def test_pretrain_learns_and_is_seeded(tok):
    docs = world_corpus(n=300)
    cfg = PretrainConfig(tokens=64 * 8 * 5, seq_len=64, batch_size=8)
    a, b = make_student('xs', tok, seed=0), make_student('xs', tok, seed=0)
    ra, rb = pretrain_student(a, tok, docs, cfg), pretrain_student(b, tok, docs, cfg)
    assert ra['steps'] == 5 and ra['final_loss'] < ra['first_loss']
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))   # same seed, same weights


def test_prebuilt_cache_is_keyed(tmp_path):
    init = {'pretrain': dict(tokens=64 * 8 * 2, seq_len=64, batch_size=8)}
    built = offline_base_students(tmp_path / 'a', ['xs'], {}, init, prebuilt=tmp_path / 'empty')
    key = student_info(built['xs'])['key']
    assert key == base_student_key('xs', 0, SyntheticConfig(), init)
    assert key != base_student_key('xs', 1, SyntheticConfig(), init)                               # seed
    assert key != base_student_key('xs', 0, SyntheticConfig(max_addend=2), init)                   # world
    assert key != base_student_key('xs', 0, SyntheticConfig(), {})                                  # random init
    import rvi.students
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rvi.students, 'TOKENIZER_VERSION', 'char-0')
        assert key != base_student_key('xs', 0, SyntheticConfig(), init)                           # tokenizer
    with pytest.raises(ConfigError, match='corpus'): base_student_key('xs', 0, SyntheticConfig(), {**init, 'corpus': 150})
    assert key != base_student_key('xs', 0, SyntheticConfig(), {**init, 'pretrain': {'tokens': 4096}})   # recipe
    cache = tmp_path / 'cache' / key / 'qwen2-syn-xs'
    import shutil; shutil.copytree(built['xs'], cache)
    (cache / 'student.json').write_text((cache / 'student.json').read_text().replace('"pretrained"', '"from-cache"'))
    got = offline_base_students(tmp_path / 'b', ['xs'], {}, init, prebuilt=tmp_path / 'cache')
    assert student_info(got['xs'])['init'] == 'from-cache'                                         # copied, not rebuilt
    again = offline_base_students(tmp_path / 'b', ['xs'], {}, init, prebuilt=tmp_path / 'empty')
    assert student_info(again['xs'])['init'] == 'from-cache'                                       # kept
    with pytest.raises(ConfigError, match='xxl'): offline_base_students(tmp_path / 'c', ['xxl'], {}, init)


def test_tiny_preset_needs_no_pretraining_here(tmp_path):
    "A fresh clone runs the tiny preset without pretraining: pretrained students are shipped, random-init ones built."
    cfg = get_preset('tiny')
    scfg = SyntheticConfig.from_dict(cfg.synthetic)
    if cfg.student_init.get('pretrain'):          # every tiny student's key is in assets/base-students
        for s in cfg.students:
            key = base_student_key(s, cfg.seed, scfg, cfg.student_init)
            info = student_info(default_prebuilt_dir() / key / student_name(s))
            assert info['key'] == key and info['init'] == 'pretrained' and info['size'] == s
            assert info['pretrain']['final_loss'] < 1.0, info['pretrain']
    else:                                         # random init: the whole ladder is built in seconds, nothing to ship
        built = offline_base_students(tmp_path, cfg.students, scfg, cfg.student_init, seed=cfg.seed, prebuilt=tmp_path / 'none')
        assert sorted(built) == sorted(cfg.students)
        assert all(student_info(p)['init'] == 'random' and student_info(p)['size'] == s for s, p in built.items())
