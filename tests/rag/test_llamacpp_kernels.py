"""What the runtime reports of its CPU kernels: the line that tells a prebuilt from a native
build in logs and benchmark output."""

from rag.llamacpp import enabled_features

PREBUILT = "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | "
NATIVE = "CPU : AVX2 = 1 | AVX512 = 1 | AVX512_VBMI = 1 | AVX512_VNNI = 1 | AMX_INT8 = 0 | "


def test_enabled_features_lists_only_the_features_switched_on() -> None:
    assert enabled_features(NATIVE) == ["AVX2", "AVX512", "AVX512_VBMI", "AVX512_VNNI"]
    assert "AVX512" not in enabled_features(PREBUILT)
    assert enabled_features("") == []
