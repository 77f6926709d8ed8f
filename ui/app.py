"""The Gradio app: ``build_app(assistant)`` builds it; nothing happens at import time.

Launch with ``rag chat`` (which also indexes seeds/ into an empty index first), or:

    app = build_app(Assistant.open(".rag-index"))
    app.launch(server_name="127.0.0.1", **LAUNCH_OPTIONS)
"""

from functools import partial
from pathlib import Path
from typing import Any

from rag import Assistant
from ui import handlers
from ui.render import render_conversation, render_sources

__all__ = ["CSS", "JS", "LAUNCH_OPTIONS", "QUEUE_OPTIONS", "build_app"]

MAX_UPLOAD_BYTES = 20_000_000

CSS = """
#conversation .turn { margin-bottom: 1.2em; }
#conversation .question { font-weight: 600; margin: .4em 0; }
#conversation .question::before { content: "You: "; color: var(--body-text-color-subdued); }
#conversation .answer { padding: .6em .8em; border-radius: 8px;
  background: var(--background-fill-secondary); }
#conversation .answer.abstained { border-left: 4px solid #c77d00; }
#conversation .abstain-label { font-size: .85em; font-weight: 600; color: #c77d00; }
#conversation .checks { list-style: none; padding-left: 0; font-size: .82em; margin: .4em 0; }
#conversation .checks .ok { color: #1f7a3a; }
#conversation .checks .bad { color: #b3261e; }
#conversation a.cite { font-weight: 600; text-decoration: none; cursor: pointer;
  padding: 0 !important; margin: 0 !important; }
#conversation .viewer { display: none; margin: .5em 0; padding: .6em; border: 1px solid
  var(--border-color-primary); border-radius: 6px; background: var(--background-fill-primary); }
#conversation .viewer.open, #conversation .viewer:target { display: block; }
#conversation .viewer .meta, .sources .meta { color: var(--body-text-color-subdued);
  font-size: .8em; }
#conversation .viewer-body { white-space: pre-wrap; font-size: .9em; margin-top: .4em; }
#conversation mark.quote { background: #ffe58a; color: #000; padding: 0 .1em; }
#conversation .timings, #conversation .status, #conversation .reason {
  color: var(--body-text-color-subdued); font-size: .75em; }
#conversation .cursor { animation: blink 1s step-start infinite; }
#conversation .answer.draft { border: 1px dashed var(--border-color-primary);
  background: transparent; color: var(--body-text-color-subdued); font-style: italic; }
#conversation .draft-label { font-size: .75em; font-style: normal; color: #c77d00; }
@keyframes blink { 50% { opacity: 0; } }
.sources ol { padding-left: 1.2em; font-size: .85em; }
.sources .source { margin-bottom: .6em; }
"""

# One delegated listener: a click on [n] opens that turn's viewer n and closes the others.
JS = """
() => {
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest('a.cite');
    if (!a) return;
    ev.preventDefault();
    const turn = a.dataset.turn, n = a.dataset.n;
    document.querySelectorAll(`.viewer[data-turn="${turn}"]`).forEach((v) => {
      v.classList.toggle('open', v.dataset.n === n && !v.classList.contains('open'));
    });
  });
}
"""

# Answers share one concurrency group of 2: one generates while the next retrieves and
# shows its sources (the local model itself is serialised by its own lock); later questions
# wait in Gradio's queue, which shows each its position. Uploads, the document list and
# removal run beside answers instead of behind them. A full queue turns new requests away
# rather than letting waits grow without bound.
ANSWER_CONCURRENCY = 2
QUEUE_OPTIONS: dict[str, Any] = {"default_concurrency_limit": 4, "max_size": 32}

LAUNCH_OPTIONS: dict[str, Any] = {
    "css": CSS,
    "js": JS,
    "max_file_size": MAX_UPLOAD_BYTES,
    "footer_links": [],
}


def _settings_tab(assistant: Assistant, session: Any) -> tuple[Any, Any]:
    """This visitor's settings (stored in ``session``); the backend is shown, not offered."""
    import gradio as gr

    cfg = assistant.config
    gr.Markdown(handlers.backend_description(assistant), elem_id="backend")
    passages = gr.Slider(
        1, 20, value=cfg.retrieval.k, step=1, label="Passages retrieved", elem_id="k"
    )
    max_tokens = gr.Slider(
        32,
        1024,
        value=cfg.answer.max_tokens,
        step=16,
        label="Answer length (max tokens)",
        elem_id="max-tokens",
    )
    apply_btn = gr.Button("Apply to this session", elem_id="apply")
    status = gr.Markdown(elem_id="settings-status")

    def do_apply(
        k: float, tokens: float, current: handlers.SessionSettings | None
    ) -> tuple[str, handlers.SessionSettings | None]:
        message, chosen = handlers.apply_settings(assistant, k, tokens)
        return message, chosen or current

    apply_btn.click(
        do_apply, [passages, max_tokens, session], [status, session], api_name="apply_settings"
    )
    return passages, max_tokens


def build_app(assistant: Assistant, upload_dir: Path | None = None) -> Any:
    import gradio as gr

    uploads = upload_dir or assistant.index.root / "uploads"

    with gr.Blocks(title="Grounded document QA", analytics_enabled=False) as app:
        state = gr.State(None)
        # this visitor's own settings; None until they apply some (the configured values)
        session = gr.State(None)
        gr.Markdown(
            "## Ask your documents\nAnswers cite their sources; each sentence is "
            "checked against the passage it cites."
        )
        with gr.Tab("Chat"), gr.Row():
            with gr.Column(scale=3):
                conversation = gr.HTML(render_conversation([]), elem_id="conversation")
                question = gr.Textbox(
                    label="Question",
                    placeholder="Ask in English or German…",
                    elem_id="question",
                    lines=1,
                )
                with gr.Row():
                    ask_btn = gr.Button("Ask", variant="primary", elem_id="ask")
                    stop_btn = gr.Button("Stop", elem_id="stop")
                    new_btn = gr.Button("New conversation", elem_id="new")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources = gr.HTML(render_sources([]), elem_id="sources")
        with gr.Tab("Documents", elem_id="documents-tab"):
            files = gr.File(
                label="Upload .txt, .md, .html, .pdf or .docx (several at once)",
                file_count="multiple",
                file_types=list(handlers.ALLOWED_SUFFIXES),
                elem_id="upload",
            )
            upload_btn = gr.Button("Add to the index", variant="primary", elem_id="add-files")
            doc_status = gr.Markdown(elem_id="doc-status")
            table = gr.Dataframe(
                handlers.document_rows(assistant),
                headers=handlers.DOC_COLUMNS,
                interactive=False,
                elem_id="documents",
                wrap=True,
            )
            with gr.Row():
                doc_id = gr.Textbox(label="Document id to remove", elem_id="remove-id")
                remove_btn = gr.Button("Remove", variant="stop", elem_id="remove")
        with gr.Tab("Settings"):
            passages, max_tokens = _settings_tab(assistant, session)

        run = partial(handlers.ask, assistant)
        inputs = [question, state, session]
        outputs = [conversation, sources, state]
        ask_event = ask_btn.click(
            run,
            inputs,
            outputs,
            api_name="ask",
            concurrency_id="answer",
            concurrency_limit=ANSWER_CONCURRENCY,
        )
        submit_event = question.submit(
            run,
            inputs,
            outputs,
            api_visibility="private",  # the same as "ask"
            concurrency_id="answer",
            concurrency_limit=ANSWER_CONCURRENCY,
        )
        for ev in (ask_event, submit_event):
            ev.then(lambda: "", None, question, api_visibility="private")
        stop_btn.click(handlers.stop, state, None, queue=False)
        new_btn.click(
            lambda: (render_conversation([]), render_sources([]), None),
            None,
            [conversation, sources, state],
            api_visibility="private",
        )

        # Gradio injects progress through this default; it is its documented pattern
        def do_upload(
            paths: list[str] | None,
            progress: Any = gr.Progress(track_tqdm=True),  # noqa: B008
        ) -> tuple[str, Any]:
            return handlers.upload(assistant, paths, uploads, MAX_UPLOAD_BYTES, progress)

        upload_btn.click(do_upload, files, [doc_status, table], api_name="upload").then(
            lambda: None, None, files, api_visibility="private"
        )
        remove_btn.click(
            partial(handlers.remove_document, assistant, upload_dir=uploads),
            doc_id,
            [doc_status, table],
            api_name="remove",
        )

        def pick(evt: gr.SelectData) -> str:
            row = evt.row_value
            return str(row[0]) if row else ""

        table.select(pick, None, doc_id, api_visibility="private")

        def on_load() -> tuple[Any, int, int]:
            # a new page is a new session: it shows, and runs with, the configured values
            mine = handlers.SessionSettings.defaults(assistant)
            return handlers.document_rows(assistant), mine.passages, mine.max_tokens

        app.load(on_load, None, [table, passages, max_tokens], api_name="documents")
    return app
