"""Grounding evaluation and benchmarks; imports ``rag`` and ``index``. Built in a later issue."""

__all__: list[str] = []
