from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from index.errors import LoadError
from index.loaders import collect_files, doc_id_for, load_file, read_sidecar
from tests.conftest import SEEDS


def _pdf_bytes(text: str) -> bytes:
    """A minimal one-page PDF with a Helvetica text line, offsets computed for the xref."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_txt_seed_with_sidecar_metadata() -> None:
    sidecar = read_sidecar(SEEDS)
    name = "001_727c9ab6842e9551.txt"
    doc = load_file(SEEDS / name, sidecar[name])
    assert doc.language == "de"
    assert doc.title.startswith("Die Apokalypse von Bakhmut")
    assert "1700 ukrainische Soldaten" in doc.text
    assert doc.metadata["note"]
    assert len(doc.content_hash) == 64


def test_seed_date_found_in_text_without_sidecar() -> None:
    doc = load_file(SEEDS / "002_85485d81541dfa58.txt")
    assert doc.published == "2023-12-26" and doc.language == "en"


def test_markdown_title_and_crlf(tmp_path: Path) -> None:
    p = tmp_path / "notes.md"
    p.write_bytes(b"# Meeting notes\r\n\r\nThe budget is 1.700 Euro.\r\n")
    doc = load_file(p)
    assert doc.title == "Meeting notes"
    assert "\r" not in doc.text and doc.text.endswith("1.700 Euro.")


def test_html_main_text(tmp_path: Path) -> None:
    p = tmp_path / "page.html"
    body = " ".join(["The council approved the new bridge over the river."] * 6)
    p.write_text(
        f"<html><head><title>Bridge news</title></head><body><nav>Home | About</nav>"
        f"<article><h1>Bridge approved</h1><p>{body}</p></article>"
        f"<footer>Cookie settings</footer></body></html>",
        "utf-8",
    )
    doc = load_file(p)
    assert "approved the new bridge" in doc.text
    assert "Cookie settings" not in doc.text
    assert doc.title in ("Bridge news", "Bridge approved")


def test_pdf_text(tmp_path: Path) -> None:
    p = tmp_path / "report.pdf"
    p.write_bytes(_pdf_bytes("Bakhmut had 70000 inhabitants before the war."))
    doc = load_file(p)
    assert "70000 inhabitants" in doc.text


def test_docx_text(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.core_properties.title = "Protokoll"
    d.add_paragraph("Die Sitzung begann um 10 Uhr.")
    d.add_paragraph("Es wurden 1.700 Euro bewilligt.")
    p = tmp_path / "protokoll.docx"
    d.save(str(p))
    doc = load_file(p)
    assert doc.title == "Protokoll"
    assert doc.text == "Die Sitzung begann um 10 Uhr.\n\nEs wurden 1.700 Euro bewilligt."


def _corrupt_docx(p: Path) -> None:
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("nothing.txt", "not a word document")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("data.xlsx", b"PK\x03\x04", "unsupported file type .xlsx"),
        ("empty.txt", b"", "the file is empty"),
        ("blank.md", b"  \n\t\n ", "the file is empty"),
        ("dots.txt", b"... --- ...", "no text"),
        ("broken.pdf", b"%PDF-1.4\n garbage \x00\x01 not a pdf", "PDF"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary"),
        ("latin1.txt", "Grüße aus Köln".encode("latin-1"), "not valid UTF-8"),
        ("scan.pdf", None, "no extractable text"),
        ("bad.docx", None, "corrupt or unreadable .docx"),
    ],
)
def test_bad_input_names_file_and_reason(
    tmp_path: Path, name: str, content: bytes | None, reason: str
) -> None:
    p = tmp_path / name
    if name == "scan.pdf":
        p.write_bytes(_pdf_bytes(""))
    elif name == "bad.docx":
        _corrupt_docx(p)
    else:
        assert content is not None
        p.write_bytes(content)
    with pytest.raises(LoadError) as info:
        load_file(p)
    assert str(p) in str(info.value)
    assert reason in info.value.reason


def test_unreadable_path(tmp_path: Path) -> None:
    target = tmp_path / "folder"
    target.mkdir()
    link = tmp_path / "looks-like.txt"
    link.symlink_to(target)  # reading a folder fails with EISDIR, even as root
    with pytest.raises(LoadError, match="cannot read"):
        load_file(link)


def test_an_unreadable_file_is_a_load_error_for_that_file_only(tmp_path: Path) -> None:
    from index.loaders import file_hash

    target = tmp_path / "folder"
    target.mkdir()
    link = tmp_path / "notes.txt"
    link.symlink_to(target)  # open() fails with EISDIR, even as root
    with pytest.raises(LoadError, match="cannot be read") as info:
        file_hash(link)
    assert info.value.path == str(link)


def test_utf16_with_bom_is_text(tmp_path: Path) -> None:
    p = tmp_path / "win.txt"
    p.write_bytes("Grüße aus Köln, sagte er.".encode("utf-16"))
    assert load_file(p).text == "Grüße aus Köln, sagte er."


def test_collect_files_skips_hidden_and_sidecar(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / ".hidden.txt").write_text("b")
    (tmp_path / "metadata.json").write_text("{}")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.md").write_text("c")
    (tmp_path / "data.jsonl").write_text("{}")
    explicit = tmp_path / "sub" / "table.xlsx"
    explicit.write_bytes(b"PK")
    files, missing, skipped = collect_files([tmp_path, tmp_path / "nope.txt", explicit])
    assert [f.name for f in files] == ["a.txt", "c.md", "table.xlsx"]
    assert missing == [(str(tmp_path / "nope.txt"), "no such file or folder")]
    assert skipped == [str(tmp_path / "data.jsonl"), str(explicit)]


def test_bad_sidecar_is_reported(tmp_path: Path) -> None:
    (tmp_path / "metadata.json").write_text("{not json")
    with pytest.raises(LoadError, match="invalid metadata file"):
        read_sidecar(tmp_path)


def test_doc_ids_are_stable_and_distinct(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    a, b = tmp_path / "a.txt", tmp_path / "x" / "a.txt"
    assert doc_id_for(a) == doc_id_for(a)
    assert doc_id_for(a) != doc_id_for(b)
    assert doc_id_for(a).startswith("a-")
