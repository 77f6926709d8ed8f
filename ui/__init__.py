"""The Gradio chat UI. ``build_app(assistant)`` builds it; importing loads nothing heavy."""

from ui.app import build_app

__all__ = ["build_app"]
