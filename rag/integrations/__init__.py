"""Adapters that let other frameworks use an open Assistant (each imports its framework
only in its own module, so ``import rag`` stays light)."""
