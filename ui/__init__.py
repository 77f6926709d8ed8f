"""The Gradio chat UI (``build_app(assistant)``); imports only ``rag``. Built in a later issue."""

__all__: list[str] = []
