"""The SQuAD loader on a small file of the same shape (the real one is fetched by
``rag eval-squad``, not by the tests)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.squad import SquadFetchError, build_corpus, fetch_squad, sample

SHAPE = {
    "version": "1.1",
    "data": [
        {
            "title": "Super_Bowl_50",
            "paragraphs": [
                {
                    "context": "Denver Broncos won Super Bowl 50.",
                    "qas": [
                        {
                            "id": "q1",
                            "question": "Who won Super Bowl 50? ",
                            "answers": [
                                {"answer_start": 0, "text": "Denver Broncos"},
                                {"answer_start": 0, "text": "Denver Broncos"},
                                {"answer_start": 7, "text": "Broncos"},
                            ],
                        }
                    ],
                },
                {"context": "It was played in 2016.", "qas": []},
            ],
        }
    ],
}


def test_passages_become_documents_and_questions_examples(tmp_path: Path) -> None:
    source = tmp_path / "squad.json"
    source.write_text(json.dumps(SHAPE))
    data = build_corpus(source, tmp_path / "corpus")
    assert sorted(p.name for p in data.corpus.glob("*.txt")) == ["00_000.txt", "00_001.txt"]
    meta = json.loads((data.corpus / "metadata.json").read_text())
    assert meta["00_001.txt"]["title"] == "Super Bowl 50 (2)"
    (ex,) = data.examples
    assert ex.question == "Who won Super Bowl 50?" and ex.gold_docs == ("00_000.txt",)
    assert ex.answers == ("Denver Broncos", "Broncos") and ex.key_facts == (ex.answers,)
    text = (data.corpus / "00_000.txt").read_text()
    assert all(text[a:b] in ex.answers for a, b in ex.gold_spans)
    # a second build reuses the written corpus
    mtime = (data.corpus / "00_000.txt").stat().st_mtime_ns
    build_corpus(source, tmp_path / "corpus")
    assert (data.corpus / "00_000.txt").stat().st_mtime_ns == mtime


def test_the_sample_is_fixed_by_its_seed(tmp_path: Path) -> None:
    source = tmp_path / "squad.json"
    shape = json.loads(json.dumps(SHAPE))
    qas = shape["data"][0]["paragraphs"][0]["qas"]
    qas += [dict(qas[0], id=f"q{i}") for i in range(2, 40)]
    source.write_text(json.dumps(shape))
    examples = build_corpus(source).examples
    first = [e.id for e in sample(examples, 10, seed=13)]
    assert first == [e.id for e in sample(examples, 10, seed=13)]
    assert first != [e.id for e in sample(examples, 10, seed=14)]
    assert len(set(first)) == 10


def test_a_wrong_archive_is_refused_by_name(tmp_path: Path) -> None:
    fake = tmp_path / "bigbench-1.0.0.tar.gz"
    fake.write_bytes(b"not the sdist")
    with pytest.raises(SquadFetchError, match=r"not bigbench 1\.0\.0"):
        fetch_squad(tmp_path / "cache", archive=fake)
    assert not (tmp_path / "cache" / "squad" / "squaddev_v1.1.json").exists()


def test_a_local_squad_json_gets_a_folder_named_by_its_hash(tmp_path: Path) -> None:
    # PyPI no longer lists the bigbench sdist: a user passes the authors' dev-v1.1.json
    mine = tmp_path / "dev-v1.1.json"
    mine.write_text(json.dumps(SHAPE))
    cache = tmp_path / "cache"
    source = fetch_squad(cache, archive=mine)
    assert source.parent.parent == cache and source.parent.name.startswith("squad-")
    assert json.loads(source.read_text()) == SHAPE
    # not the pinned copy, so never where the pinned copy's corpus and index live
    assert not (cache / "squad").exists()
    assert build_corpus(source).corpus == source.parent / "corpus"
    assert fetch_squad(cache, archive=mine) == source


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{not json", "not a SQuAD JSON"),
        (json.dumps({"version": "v2.0", "data": SHAPE["data"]}), "version 'v2.0'"),
    ],
)
def test_a_json_that_is_not_squad_1_1_is_refused_by_name(
    tmp_path: Path, text: str, says: str
) -> None:
    bad = tmp_path / "dev.json"
    bad.write_text(text)
    with pytest.raises(SquadFetchError, match=says) as caught:
        fetch_squad(tmp_path / "cache", archive=bad)
    assert str(bad) in str(caught.value) and "fix:" in str(caught.value)
    assert not (tmp_path / "cache").exists()


def test_a_fetch_failure_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rag.cli import main

    bad = tmp_path / "dev.json"
    bad.write_text("{not json")
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "cache"))
    code = main(["eval-squad", "--archive", str(bad), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.startswith("error: ") and str(bad) in err and "fix:" in err
