# Set-up and checks. Every target is safe to re-run: finished steps are skipped.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LLAMA  := $(VENV)/.llama-build
LLAMA_BUILD ?= prebuilt

.PHONY: run ask setup llama models index browser test test-fast lint bench-corpus clean-index

## run: set everything up, index seeds/ and start the chat UI on http://127.0.0.1:7860
run: index
	$(BIN)/rag chat

## ask: the same assistant as a conversation in the terminal
ask: index
	$(BIN)/rag ask --stream

## setup: virtual environment, CPU torch first, the package with dev tools, default models
## (with LLAMA_BUILD=native also llama.cpp compiled for this CPU)
setup: $(STAMP) $(LLAMA) models

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first and pinned: this CPU build lies on disk; letting a resolver choose pulls CUDA
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# llama.cpp compiled for this CPU, on request: `make setup LLAMA_BUILD=native`. The prebuilt
# xllamacpp wheel carries AVX2 kernels only; on a CPU with AVX-512 the same version built for
# the CPU itself prefills ~1.5x faster (llama-bench, the default model, 2 threads, pp512:
# 65 -> 95 tokens/s), and answers come sooner (76 seed questions: first token p50 7.4 -> 6.3
# s, total 11.3 -> 9.7 s, accuracy 0.776 both; docs/performance.md). Not the default: its
# arithmetic moves the judge's P(yes), which was calibrated on the prebuilt kernels; on the
# 242 labelled pairs the threshold chosen on one half falls 0.591 -> 0.475 and held-out
# precision 0.912 -> 0.875, under the 0.88 that tests/eval/test_judge_eval.py holds it to.
# Compiled once (gcc and cmake; ~8 min on 2 cores) and kept: delete $(LLAMA) to build again,
# after an upgrade of xllamacpp. A failed build leaves the prebuilt wheel in place, says so
# and is not retried. Back to the wheel: delete $(LLAMA) and
# `.venv/bin/pip install --force-reinstall --no-deps --only-binary :all: xllamacpp==VERSION`.
# Grammars through llguidance and BoringSSL are left out of the build:
# they fetch sources from the network, and neither is used here. No wheel cache: a cached
# build may be for another machine's CPU.
LLAMA_LOG   := $(VENV)/llama-build.log
LLAMA_CMAKE := -DLLAMA_LLGUIDANCE=OFF -DLLAMA_BUILD_BORINGSSL=OFF

## llama: (part of setup) with LLAMA_BUILD=native, xllamacpp compiled for this CPU (AVX-512)
llama: $(LLAMA)

$(LLAMA): | $(STAMP)
	@v=$$($(BIN)/python -c 'import importlib.metadata as m; print(m.version("xllamacpp"))'); \
	if [ "$(LLAMA_BUILD)" != native ]; then \
	  echo "llama.cpp: the prebuilt xllamacpp $$v wheel (LLAMA_BUILD=native compiles one for this CPU)"; \
	elif ! grep -qw avx512f /proc/cpuinfo 2>/dev/null; then \
	  echo "llama.cpp: the prebuilt xllamacpp $$v wheel (no AVX-512 here: a build would gain nothing)"; \
	  echo "$$v prebuilt (no AVX-512)" > $@; \
	else \
	  echo "llama.cpp: compiling xllamacpp $$v for this CPU, once (~8 min on 2 cores; log: $(LLAMA_LOG))"; \
	  if CMAKE_ARGS="$(LLAMA_CMAKE)" $(BIN)/pip install --no-deps --force-reinstall --no-cache-dir \
	      --no-binary xllamacpp "xllamacpp==$$v" > $(LLAMA_LOG) 2>&1; then \
	    echo "$$v native" > $@; echo "llama.cpp: built for this CPU"; \
	  else \
	    echo "$$v prebuilt (the build failed, $(LLAMA_LOG))" > $@; \
	    echo "warning: compiling llama.cpp failed (the end of $(LLAMA_LOG) says why); the prebuilt" \
	      "wheel stays, answers take ~15% longer. Delete $@ to try again."; \
	  fi; \
	fi

models: $(STAMP)
	$(BIN)/rag models fetch embeddinggemma-300m qwen2.5-coder-1.5b-instruct-q4_k_m

index: setup
	$(BIN)/rag index seeds/

## browser: Debian's Chromium for the UI test (Playwright drives it; it downloads no browser)
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

## lint: ruff and mypy
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

## test: lint, then the whole suite (unit tests with fakes, integration with real models)
test: setup browser lint
	$(BIN)/python -m pytest -q

## test-fast: lint and the unit tests (fakes, no model loads): about a minute, for day-to-day work
test-fast: $(STAMP) lint
	$(BIN)/python -m pytest -q -m "not integration"

## bench-corpus: ~100,000 chunks of real text for `rag bench --large` (Debian's Python 3.11,
## Linux 6.1 and Git 2.39 documentation sources, ~47 MB), kept outside the repository
BENCH_DATA ?= $(HOME)/.cache/grounded-rag/data/bench-large
BENCH_DEBS := python3.11-doc linux-doc-6.1 git-doc
bench-corpus:
	@mkdir -p $(BENCH_DATA)/debs
	@cd $(BENCH_DATA)/debs && for p in $(BENCH_DEBS); do \
	  test -n "$$(ls $${p}_*.deb 2>/dev/null)" || apt-get download $$p; done
	@for d in $(BENCH_DATA)/debs/*.deb; do dpkg-deb -x $$d $(BENCH_DATA)/x; done
	@mkdir -p $(BENCH_DATA)/python $(BENCH_DATA)/linux $(BENCH_DATA)/git
	@cp -r $(BENCH_DATA)/x/usr/share/doc/python3.11/html/_sources/. $(BENCH_DATA)/python/
	@cd $(BENCH_DATA)/x/usr/share/doc/linux-doc-6.1/html/_sources && find . -name '*.txt' -exec cp --parents {} $(BENCH_DATA)/linux/ \;
	@cd $(BENCH_DATA)/x/usr/share/doc/git-doc && find . -name '*.txt' -exec cp --parents {} $(BENCH_DATA)/git/ \;
	@rm -rf $(BENCH_DATA)/x
	@echo "large corpus: $(BENCH_DATA)/python $(BENCH_DATA)/linux $(BENCH_DATA)/git (with the SQuAD passages ~102,000 chunks)"

clean-index:
	rm -rf .rag-index
