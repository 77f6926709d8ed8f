"""What the runtime reports of its CPU kernels: the line that tells a prebuilt from a native
build in logs and benchmark output."""

from rag.llamacpp import LlamaCppGenerator, cpu_kernels, default_repack, enabled_features

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
