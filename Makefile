# Set-up and checks. Every target is safe to re-run: finished steps are skipped.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LLAMA  := $(VENV)/.llama-build
LLAMA_BUILD ?= native

.PHONY: run ask setup llama models index browser test test-fast lint bench-corpus clean-index

## run: set everything up, index seeds/ and start the chat UI on http://127.0.0.1:7860
run: index
	$(BIN)/rag chat

## ask: the same assistant as a conversation in the terminal
ask: index
	$(BIN)/rag ask --stream

## setup: virtual environment, CPU torch first, the package with dev tools, default models
## (and llama.cpp compiled for this CPU if it has AVX-512; LLAMA_BUILD=prebuilt skips that)
setup: $(STAMP) $(LLAMA) models

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first and pinned: this CPU build lies on disk; letting a resolver choose pulls CUDA
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# llama.cpp compiled for this CPU when it has AVX-512 (`LLAMA_BUILD=prebuilt` skips it). The
# prebuilt xllamacpp wheel carries AVX2 kernels only; the same version built here, with the
# weights left in the file's layout (answer.repack, unset: off for such a build), prefills
# twice as fast (a ~460-token prompt at 150 instead of 77 tokens/s) and answers sooner: 76 seed
# questions, first token p50 6.6 -> 3.6 s, total 11.2 -> 7.5 s (docs/performance.md). Its
# judge keeps the calibrated threshold: on the 242 labelled pairs the threshold chosen on one
# half is 0.591 with either build (held-out accuracy 0.905 -> 0.913, precision 0.912 ->
# 0.929). Repacked, the native build's AMX kernels crash at the first prefill on a CPU with
# AMX; measured earlier on a CPU where they did not, it prefilled at 95 tokens/s (pp512).
# Compiled once (gcc and cmake; ~10 min on 2 cores) and kept: delete $(LLAMA) to build again,
# after an upgrade of xllamacpp. A failed build leaves the prebuilt wheel in place, says so
# and is not retried. Back to the wheel: delete $(LLAMA) and
# `.venv/bin/pip install --force-reinstall --no-deps --only-binary :all: xllamacpp==VERSION`.
# Grammars through llguidance and BoringSSL are left out of the build:
# they fetch sources from the network, and neither is used here. No wheel cache: a cached
# build may be for another machine's CPU.
LLAMA_LOG   := $(VENV)/llama-build.log
LLAMA_CMAKE := -DLLAMA_LLGUIDANCE=OFF -DLLAMA_BUILD_BORINGSSL=OFF

## llama: (part of setup) xllamacpp compiled for this CPU if it has AVX-512 (LLAMA_BUILD=prebuilt: the wheel)
llama: $(LLAMA)

$(LLAMA): | $(STAMP)
	@v=$$($(BIN)/python -c 'import importlib.metadata as m; print(m.version("xllamacpp"))'); \
	if [ "$(LLAMA_BUILD)" != native ]; then \
	  echo "llama.cpp: the prebuilt xllamacpp $$v wheel (LLAMA_BUILD=prebuilt)"; \
	elif ! grep -qw avx512f /proc/cpuinfo 2>/dev/null; then \
	  echo "llama.cpp: the prebuilt xllamacpp $$v wheel (no AVX-512 here: a build would gain nothing)"; \
	  echo "$$v prebuilt (no AVX-512)" > $@; \
	else \
	  echo "llama.cpp: compiling xllamacpp $$v for this CPU, once (~10 min on 2 cores; log: $(LLAMA_LOG))"; \
	  if CMAKE_ARGS="$(LLAMA_CMAKE)" $(BIN)/pip install --no-deps --force-reinstall --no-cache-dir \
	      --no-binary xllamacpp "xllamacpp==$$v" > $(LLAMA_LOG) 2>&1; then \
	    echo "$$v native" > $@; echo "llama.cpp: built for this CPU"; \
	  else \
	    echo "$$v prebuilt (the build failed, $(LLAMA_LOG))" > $@; \
	    echo "warning: compiling llama.cpp failed (the end of $(LLAMA_LOG) says why); the prebuilt" \
	      "wheel stays, answers take ~50% longer. Delete $@ to try again."; \
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
