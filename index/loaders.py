"""Turn files into ``Document``s: .txt, .md, .html/.htm, .pdf and .docx.

Every failure is a ``LoadError`` naming the file and the reason, so a caller can report it
and go on with the other files. A folder may hold a ``metadata.json`` sidecar that maps file
names to title, publisher, language and date; what it states wins over what is guessed.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from index.dates import find_date
from index.errors import LoadError
from index.text import detect_language
from index.types import Document

__all__ = [
    "SIDECAR",
    "SUPPORTED",
    "SUPPORTED_SUFFIXES",
    "collect_files",
    "doc_id_for",
    "file_hash",
    "load_file",
]

SIDECAR = "metadata.json"


def file_hash(path: Path) -> str:
    """sha256 of a file's bytes: ``Document.content_hash``, and how an unchanged file is
    recognised without loading it."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
    except OSError as exc:  # e.g. made unreadable since it was indexed: this file only
        raise LoadError(str(path), f"cannot be read ({exc.strerror})") from exc
    return digest.hexdigest()


MAX_BYTES = 50 * 1024 * 1024


def doc_id_for(path: Path) -> str:
    """Stable id: readable stem plus a hash of the absolute path (two ``a.txt`` differ)."""
    stem = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:40] or "doc"
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]
    return f"{stem}-{digest}"


def _decode(path: Path, raw: bytes) -> str:
    if b"\x00" in raw[:8192] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError(str(path), "binary data, not text; give the original document instead")
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if raw.startswith(bom):
            return raw.decode(codec)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(
            str(path),
            f"not valid UTF-8 (byte {exc.start}); convert it, e.g. iconv -f LATIN1 -t UTF-8",
        ) from exc


def _plain(path: Path, raw: bytes) -> tuple[str, str | None, str | None]:
    text = _decode(path, raw)
    head = text[:8192]
    control = sum(1 for ch in head if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if control > 0.05 * max(1, len(head)):
        raise LoadError(str(path), "mostly control characters: binary data named as text")
    title = None
    if path.suffix.lower() == ".md":
        m = re.search(r"^#\s+(.+?)\s*#*\s*$", text, flags=re.M)
        title = m.group(1) if m else None
    return text, title, None


def _html(path: Path, raw: bytes) -> tuple[str, str | None, str | None]:
    import trafilatura

    html = _decode(path, raw)
    text = trafilatura.extract(
        html, include_comments=False, include_tables=True, favor_precision=True, deduplicate=True
    )
    meta = trafilatura.extract_metadata(html)
    if not text:
        raise LoadError(str(path), "no main text found in the HTML page")
    title = meta.title if meta and meta.title else None
    published = meta.date if meta and meta.date else None
    return text, title, published


def _pdf(path: Path, raw: bytes) -> tuple[str, str | None, str | None]:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        title = reader.metadata.title if reader.metadata and reader.metadata.title else None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(str(path), f"corrupt or unreadable PDF ({exc})") from exc
    text = "\n\n".join(p for p in pages if p)
    if not text.strip():
        raise LoadError(str(path), "the PDF has no extractable text (scanned? run OCR first)")
    return text, title, None


def _docx(path: Path, raw: bytes) -> tuple[str, str | None, str | None]:
    import io
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(raw))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(str(path), f"corrupt or unreadable .docx ({exc})") from exc
    text = "\n\n".join(p.text.strip() for p in document.paragraphs if p.text.strip())
    title = document.core_properties.title or None
    return text, title, None


_Reader = Callable[[Path, bytes], tuple[str, str | None, str | None]]
SUPPORTED: dict[str, _Reader] = {
    ".txt": _plain,
    ".md": _plain,
    ".markdown": _plain,
    ".html": _html,
    ".htm": _html,
    ".pdf": _pdf,
    ".docx": _docx,
}
SUPPORTED_SUFFIXES = tuple(SUPPORTED)  # what the CLI, the UI and folders accept


def _normalise(text: str) -> str:
    # NFC so "ü" typed two ways matches; one newline style so offsets are stable across OSes
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\u00a0", " ").strip("\n")


def _first_line_title(text: str) -> str:
    for raw in text.splitlines():
        line = raw.strip()
        if re.search(r"\w", line):
            return line if len(line) <= 120 else line[:117].rstrip() + "…"
    return "untitled"


def load_file(path: Path, sidecar: dict[str, str] | None = None) -> Document:
    """Load one file into a ``Document``; raises ``LoadError`` naming the file and the fix."""
    suffix = path.suffix.lower()
    reader = SUPPORTED.get(suffix)
    if reader is None:
        kinds = ", ".join(sorted(SUPPORTED))
        raise LoadError(
            str(path), f"unsupported file type {suffix or '(none)'}; supported: {kinds}"
        )
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise LoadError(str(path), f"{size} bytes is over the {MAX_BYTES} byte limit")
        raw = path.read_bytes()
    except OSError as exc:
        raise LoadError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    if not raw.strip():
        raise LoadError(str(path), "the file is empty")
    text, title, published = reader(path, raw)
    text = _normalise(text)
    if not re.search(r"\w", text):
        raise LoadError(str(path), "no text: the file holds only whitespace or punctuation")
    meta = dict(sidecar or {})
    language = meta.pop("language", "") or detect_language(text)
    return Document(
        doc_id=doc_id_for(path),
        title=meta.pop("title", "") or title or _first_line_title(text),
        source=str(path.resolve()),
        text=text,
        content_hash=hashlib.sha256(raw).hexdigest(),
        language=language,
        published=meta.pop("published", "") or published or find_date(text),
        metadata={k: str(v) for k, v in meta.items()},
    )


def read_sidecar(folder: Path) -> dict[str, dict[str, str]]:
    """File name → metadata from ``folder/metadata.json``; a bad sidecar is a ``LoadError``."""
    path = folder / SIDECAR
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LoadError(str(path), f"invalid metadata file: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise LoadError(str(path), 'expected {"file name": {"title": ..., ...}, ...}')
    return {
        name: {k: str(v) for k, v in meta.items() if v is not None} for name, meta in data.items()
    }


def collect_files(
    paths: Iterable[Path],
) -> tuple[list[Path], list[tuple[str, str]], list[str]]:
    """Expand folders (recursively, skipping hidden files and the sidecar) into files.

    Returns the files, the paths that do not exist (with a reason), and the files inside
    folders whose type is not supported: those are skipped, not errors, since a folder
    often holds data files or images beside its documents. A file named explicitly is
    always returned, so an unsupported one is reported as an error.
    """
    files: list[Path] = []
    missing: list[tuple[str, str]] = []
    skipped: list[str] = []
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if not f.is_file() or f.name == SIDECAR:
                    continue
                if any(part.startswith(".") for part in f.relative_to(p).parts):
                    continue
                if f.suffix.lower() in SUPPORTED:
                    files.append(f)
                else:
                    skipped.append(str(f))
        elif p.is_file():
            files.append(p)
        else:
            missing.append((str(p), "no such file or folder"))
    return files, missing, skipped
