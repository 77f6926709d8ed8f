"""What the runtime reports of its CPU kernels (the line that tells a prebuilt from a native
build in logs and benchmark output), and the server parameters built on them."""

import json
from pathlib import Path

import pytest

from index.models import resolve_model_path
from rag.config import AnswerConfig
from rag.generators import judge_body, yes_probability_from_choice
from rag.llamacpp import (
    LlamaCppGenerator,
    cpu_kernels,
    default_repack,
    enabled_features,
    server_params,
)
from rag.prompts import judge_messages

PAIRS = Path(__file__).resolve().parents[2] / "eval" / "data" / "squad_support_pairs.jsonl"

PREBUILT = "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | "
NATIVE = "CPU : AVX2 = 1 | AVX512 = 1 | AVX512_VBMI = 1 | AVX512_VNNI = 1 | AMX_INT8 = 0 | "


def test_enabled_features_lists_only_the_features_switched_on() -> None:
    assert enabled_features(NATIVE) == ["AVX2", "AVX512", "AVX512_VBMI", "AVX512_VNNI"]
    assert "AVX512" not in enabled_features(PREBUILT)
    assert enabled_features("") == []


def test_weights_are_repacked_only_for_the_prebuilt_kernels() -> None:
    # an AVX-512 build prefills twice as fast in the file's layout, and its repacked AMX
    # layout crashed at the first prefill on a CPU with AMX (rag/llamacpp.py)
    assert default_repack(" ".join(enabled_features(PREBUILT)))
    assert not default_repack(" ".join(enabled_features(NATIVE)))


def test_the_build_id_names_version_kernels_and_layout_without_loading_a_model() -> None:
    # the judge's verdict cache is keyed by it (rag/verify.py); no model file is needed
    generator = LlamaCppGenerator("no-such-model.gguf", repack=False)
    build = generator.build_id
    assert build.startswith("xllamacpp ") and build.endswith("repack=False")
    assert cpu_kernels() in build
    assert LlamaCppGenerator("no-such-model.gguf", repack=True).build_id != build


def test_prompt_lookup_sets_llamacpp_ngram_drafts() -> None:
    import xllamacpp as xl

    on = server_params("no-such-model.gguf", 2048, 2, repack=False, prompt_lookup=True)
    assert list(on.speculative.types) == [
        xl.common_speculative_type.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE
    ]
    assert (on.speculative.ngram_simple.size_n, on.speculative.ngram_simple.size_m) == (3, 8)
    off = server_params("no-such-model.gguf", 2048, 2, repack=False)
    assert list(off.speculative.types) == [xl.common_speculative_type.COMMON_SPECULATIVE_TYPE_NONE]


@pytest.mark.integration
def test_prompt_lookup_leaves_the_judge_unchanged() -> None:
    """The judge reads one token's probabilities, which no draft touches: its verdict cache
    (keyed by the build, rag/verify.py) stays valid whichever way answer.prompt_lookup is set.

    Two fresh servers of their own, asked the same prompts in the same order: a server's
    earlier prompts decide which prefix its cache reuses, and a prompt read partly from the
    cache gets probabilities that differ in the second decimal (seen in the full suite)."""
    import xllamacpp as xl

    pairs = [json.loads(line) for line in PAIRS.read_text("utf-8").splitlines()[:6]]
    path = str(resolve_model_path(AnswerConfig().model))
    bodies = [judge_body(judge_messages(p["claim"], p["passage"])) for p in pairs]
    scores = []
    for lookup in (False, True):
        server = xl.Server(server_params(path, 2048, 2, prompt_lookup=lookup))
        replies = [server.handle_chat_completions(b) for b in bodies]
        scores.append([yes_probability_from_choice(r["choices"][0]) for r in replies])
        del server
    assert scores[0] == scores[1]
    assert len(set(scores[0])) > 1  # real verdicts, not one constant
