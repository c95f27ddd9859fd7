"Process-level checks of rvi.core that a notebook cell cannot make: a writer killed mid-write."
import json, os, signal, subprocess, sys, textwrap, time
from pathlib import Path
import pytest
from rvi.core import read_jsonl, write_jsonl, get_preset, ExperimentConfig, ConfigError

def test_killed_writer_leaves_old_file(tmp_path):
    target = tmp_path / "records.jsonl"
    write_jsonl(target, [{"i": 0}])
    script = textwrap.dedent(f"""
        import time
        from rvi.core import atomic_write
        with atomic_write({str(target)!r}) as f:
            for i in range(10**6):
                f.write('{{"i": %d}}\\n' % i)
                if i == 1000: f.flush(); print("half", flush=True); time.sleep(60)
    """)
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "half"
    p.send_signal(signal.SIGKILL); p.wait()
    assert read_jsonl(target) == [{"i": 0}]          # the old content, whole
    leftovers = [q.name for q in tmp_path.iterdir() if q.name != "records.jsonl"]
    assert all(n.endswith(".tmp") for n in leftovers)  # a stray temp file at most, never a torn target

def test_torn_jsonl_is_reported_with_line(tmp_path):
    f = tmp_path / "bad.jsonl"
    f.write_text('{"a": 1}\n{"a": \n')
    with pytest.raises(ValueError, match=r"bad.jsonl:2"):
        read_jsonl(f)

def test_config_file_errors_name_the_problem(tmp_path):
    f = tmp_path / "exp.yaml"
    f.write_text("preset: tiny\nworld: offline\nformats: [ift, cot]\n")
    with pytest.raises(ConfigError, match=r"ExperimentConfig.formats\[1\] = 'cot' is not allowed; allowed values: 'ift', 'reasoning'"):
        ExperimentConfig.load(f)
    with pytest.raises(FileNotFoundError, match="missing.yaml"):
        ExperimentConfig.load(tmp_path / "missing.yaml")

def test_cli_help_lists_commands():
    exe = Path(sys.executable).with_name("rvi")
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True).stdout
    assert "config" in out and "paths" in out

def test_cli_bad_preset_is_a_clear_error():
    exe = Path(sys.executable).with_name("rvi")
    r = subprocess.run([str(exe), "config", "--preset", "huge"], capture_output=True, text=True)
    assert r.returncode != 0 and "invalid choice: 'huge'" in r.stderr
