"""End to end: `rag chat` on a free loopback port, driven by headless Chromium.

Real models, a real server process started here, Debian's Chromium driven by Playwright.
Screenshots go to test-artifacts/ (the README shows copies of them).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.integration

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("chat")
    shutil.copytree(SEEDS, work / "seeds", ignore=shutil.ignore_patterns("*.jsonl"))
    port = _free_port()
    env = dict(
        os.environ,
        HF_HUB_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        GRADIO_ANALYTICS_ENABLED="False",
    )
    log = (work / "chat.log").open("w")
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "rag"),
            "--index",
            str(work / "index"),
            "chat",
            "--port",
            str(port),
            "--seeds",
            str(work / "seeds"),
        ],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        while True:
            assert proc.poll() is None, (work / "chat.log").read_text()[-3000:]
            assert time.monotonic() - t0 < 600, "rag chat did not start within 600 s"
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        print(f"rag chat usable after {time.monotonic() - t0:.1f} s (first start, indexing)")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        pg.goto(server)
        pg.wait_for_selector("#question textarea")
        yield pg
        browser.close()


def _ask(page: Any, question: str, turn: int) -> str:
    page.fill("#question textarea", question)
    t0 = time.monotonic()
    page.click("#ask")
    page.wait_for_function(
        f"document.querySelectorAll('#conversation .answer.final').length >= {turn}",
        timeout=180_000,
    )
    print(f"answer to {question!r} after {time.monotonic() - t0:.1f} s")
    return str(page.locator("#conversation .answer.final").nth(turn - 1).inner_text())


def test_asks_and_opens_the_cited_source(page: Any) -> None:
    page.fill("#question textarea", "Who recommended withdrawing Ukrainian forces from Bakhmut?")
    t0 = time.monotonic()
    page.click("#ask")
    page.wait_for_selector("#sources .source", timeout=60_000)
    sources_at = time.monotonic() - t0
    page.wait_for_selector("#conversation .answer.final", timeout=180_000)
    print(f"sources shown after {sources_at:.2f} s, answer after {time.monotonic() - t0:.1f} s")
    answer = page.locator("#conversation .answer.final").first
    assert "Zaluzh" in answer.inner_text()
    assert "✓ sentence 1" in answer.inner_text()
    assert not page.is_visible("#conversation .viewer")
    page.locator("#conversation a.cite").first.click()
    viewer = page.locator("#conversation .viewer.open")
    viewer.wait_for(state="visible", timeout=5_000)
    quote = viewer.locator("mark.quote").inner_text()
    assert "Zaluzhny a few weeks ago recommended the withdrawal" in " ".join(quote.split())
    page.screenshot(path=str(ARTIFACTS / "chat-answer-source.png"), full_page=True)


def test_upload_then_ask_what_only_it_answers(page: Any, tmp_path: Path) -> None:
    note = tmp_path / "ferry notes.md"
    note.write_text(
        "# Ferry notes\n\nThe old Bakhmutka ferry was painted green in 1911 by the "
        "harbour master Ilse Brandt.\n",
        "utf-8",
    )
    page.get_by_role("tab", name="Documents").click()
    page.set_input_files("#upload input[type=file]", str(note))
    page.click("#add-files")
    page.wait_for_function(
        "document.querySelector('#doc-status') && "
        "document.querySelector('#doc-status').innerText.includes('Indexed 1 file')",
        timeout=120_000,
    )
    page.wait_for_function(
        "document.querySelector('#documents').innerText.includes('Ferry notes')",
        timeout=30_000,
    )
    page.screenshot(path=str(ARTIFACTS / "documents.png"), full_page=True)
    page.get_by_role("tab", name="Chat").click()
    text = _ask(page, "Who painted the old Bakhmutka ferry green?", turn=2)
    assert "Brandt" in text, text
    page.screenshot(path=str(ARTIFACTS / "chat-upload-answer.png"), full_page=True)
