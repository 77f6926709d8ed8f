"""SQuAD v1.1 dev as an external benchmark nobody here wrote.

The data comes from the ``bigbench==1.0.0`` source distribution on PyPI (358 MB), which
carries ``squad_shifts/squaddev_v1.1.json``: 48 Wikipedia articles, 2,067 passages and
10,565 questions with gold answer spans. It is fetched once (only by ``rag eval-squad``,
an explicit request), checked against pinned sha256 sums, and cached outside the
repository; the archive is deleted once the one file is extracted.

PyPI has since stopped listing bigbench 1.0.0 (seen 2026-12-05), so a machine without the
cached file needs a local copy: ``--archive`` takes the sdist or a SQuAD v1.1 dev JSON such
as the SQuAD authors' ``dev-v1.1.json``. A JSON other than the pinned one is kept in a
folder named by its own hash, with its own corpus and index, because its questions differ
(the authors' file holds 10,570, bigbench's 10,565) and so would every seeded sample.

Each passage becomes a document of its own, so retrieval is scored on finding the one
passage a question was written for, the strictest reading of SQuAD for retrieval.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.dataset import Example
from index.errors import RagError

__all__ = [
    "SquadData",
    "build_corpus",
    "data_dir",
    "fetch_squad",
    "sample",
]

DATA_ENV = "RAG_DATA_DIR"
SDIST_NAME = "bigbench-1.0.0.tar.gz"
SDIST_SHA256 = "1bb398a5512c6d798cdebe0dfa0ac03f67f6033fa6b39c6ef71df978c7cbc5c2"
SDIST_INDEX = "https://pypi.org/simple/bigbench/"
MEMBER = "bigbench-1.0.0/bigbench/benchmark_tasks/squad_shifts/squaddev_v1.1.json"
JSON_SHA256 = "45089eff3cf52004b1dca6814cde5c57082fdb09872f18c79a5d944d45be523a"


class SquadFetchError(RagError):
    """SQuAD could not be fetched or read; the message names the file and the fix (the CLI
    prints it as one line and exits 2, like every other known failure)."""


def data_dir() -> Path:
    """Where datasets are cached: ``$RAG_DATA_DIR`` or ~/.cache/grounded-rag/data."""
    env = os.environ.get(DATA_ENV)
    return Path(env) if env else Path.home() / ".cache" / "grounded-rag" / "data"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fetched_sdist(dest: Path, progress: bool) -> Path:
    import httpx

    try:
        return _download_sdist(dest, progress)
    except httpx.HTTPError as e:
        raise SquadFetchError(
            f"{SDIST_NAME} could not be fetched from PyPI ({e}); fix: check the network, or "
            "pass a local copy of the sdist or of dev-v1.1.json with --archive PATH"
        ) from e


def _download_sdist(dest: Path, progress: bool) -> Path:
    import httpx
    from tqdm import tqdm

    page = httpx.get(SDIST_INDEX, timeout=60, follow_redirects=True)
    page.raise_for_status()
    m = re.search(rf'href="([^"#]*{re.escape(SDIST_NAME)})', page.text)
    if m is None:
        raise SquadFetchError(
            f"{SDIST_INDEX} no longer lists {SDIST_NAME}, which carries SQuAD v1.1 dev; "
            f"fix: get a copy of that sdist (sha256 {SDIST_SHA256}) or of the SQuAD "
            "authors' dev-v1.1.json and pass it with --archive PATH"
        )
    part = dest.with_suffix(".part")
    with httpx.stream("GET", m.group(1), timeout=120, follow_redirects=True) as r:
        r.raise_for_status()
        total = int(r.headers.get("content-length", 0)) or None
        with (
            part.open("wb") as out,
            tqdm(
                total=total, unit="B", unit_scale=True, desc=SDIST_NAME, disable=not progress
            ) as bar,
        ):
            for block in r.iter_bytes(1 << 20):
                out.write(block)
                bar.update(len(block))
    if _sha256(part) != SDIST_SHA256:
        part.unlink()
        raise SquadFetchError(f"{SDIST_NAME}: sha256 mismatch; the download was discarded")
    part.replace(dest)
    return dest


def fetch_squad(
    cache: Path | None = None, archive: Path | None = None, progress: bool = True
) -> Path:
    """The path of squaddev_v1.1.json, extracting (and if need be downloading) it once.

    ``archive`` is a local copy of the sdist, for machines without PyPI access.
    """
    cache = cache or data_dir()
    target = cache / "squad" / "squaddev_v1.1.json"
    if target.is_file() and _sha256(target) == JSON_SHA256:
        return target
    if archive is not None and archive.suffix == ".json":
        return _adopt_json(archive, cache)
    target.parent.mkdir(parents=True, exist_ok=True)
    downloaded = archive is None
    if archive is None:
        archive = _fetched_sdist(cache / SDIST_NAME, progress)
    elif _sha256(archive) != SDIST_SHA256:
        raise SquadFetchError(f"{archive}: not bigbench 1.0.0 (sha256 differs)")
    tmp = target.with_suffix(".part")
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.getmember(MEMBER)
        src = tar.extractfile(member)
        if src is None:
            raise SquadFetchError(f"{archive}: {MEMBER} is not a file")
        with src, tmp.open("wb") as out:
            shutil.copyfileobj(src, out)
    if _sha256(tmp) != JSON_SHA256:
        tmp.unlink()
        raise SquadFetchError(f"{archive}: {MEMBER} has an unexpected sha256")
    tmp.replace(target)
    if downloaded:
        archive.unlink()  # 358 MB for one 8 MB file
    return target


def _adopt_json(path: Path, cache: Path) -> Path:
    """A local SQuAD v1.1 dev JSON, checked for its shape and copied into the cache."""
    try:
        data = json.loads(path.read_text("utf-8"))
        questions = sum(len(p["qas"]) for a in data["data"] for p in a["paragraphs"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SquadFetchError(
            f"{path}: not a SQuAD JSON ({e}); fix: pass the SQuAD v1.1 dev file "
            "(dev-v1.1.json) or the bigbench 1.0.0 sdist"
        ) from e
    if str(data.get("version")) != "1.1" or questions == 0:
        raise SquadFetchError(
            f"{path}: version {data.get('version')!r} with {questions} questions; "
            "fix: pass SQuAD v1.1 dev (the 2.0 files hold unanswerable questions)"
        )
    digest = _sha256(path)
    folder = "squad" if digest == JSON_SHA256 else f"squad-{digest[:12]}"
    target = cache / folder / "squaddev_v1.1.json"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        shutil.copyfile(path, tmp)
        tmp.replace(target)
    return target


@dataclass(frozen=True)
class SquadData:
    corpus: Path  # one .txt file per passage, with metadata.json
    examples: list[Example]


def build_corpus(source: Path, out: Path | None = None) -> SquadData:
    """Write the passages as documents (once) and turn every question into an ``Example``."""
    data = json.loads(source.read_text("utf-8"))["data"]
    corpus = out or source.parent / "corpus"
    ready = corpus / ".complete"
    write = not ready.exists()
    if write:
        corpus.mkdir(parents=True, exist_ok=True)
    meta: dict[str, dict[str, str]] = {}
    examples: list[Example] = []
    for a, article in enumerate(data):
        title = article["title"].replace("_", " ")
        for p, para in enumerate(article["paragraphs"]):
            name = f"{a:02d}_{p:03d}.txt"
            meta[name] = {"title": f"{title} ({p + 1})", "language": "en"}
            if write:
                (corpus / name).write_text(para["context"], "utf-8")
            for qa in para["qas"]:
                answers = list(dict.fromkeys(x["text"].strip() for x in qa["answers"]))
                examples.append(
                    Example(
                        id=qa["id"],
                        question=qa["question"].strip(),
                        language="en",
                        answerable=True,
                        answers=tuple(answers),
                        key_facts=(tuple(answers),),  # any one gold answer
                        gold_docs=(name,),
                        gold_spans=tuple(
                            (x["answer_start"], x["answer_start"] + len(x["text"]))
                            for x in qa["answers"]
                        ),
                    )
                )
    if write:
        (corpus / "metadata.json").write_text(json.dumps(meta, indent=0), "utf-8")
        ready.touch()
    return SquadData(corpus, examples)


def sample(examples: Sequence[Example], n: int, seed: int) -> list[Example]:
    """A fixed random sample: the same ``seed`` gives the same questions on every machine."""
    rng = random.Random(seed)
    return rng.sample(list(examples), min(n, len(examples)))
