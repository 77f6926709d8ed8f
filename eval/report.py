"""Reports: report.json (everything), report.md (tables), report.png (a bar chart), and the
threshold gate that makes ``rag eval --min METRIC=VALUE`` fail."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.causes import (
    cause_table,
    drafts_line,
    effect_line,
    render_causes,
    second_drafts,
    verification_effect,
)
from eval.runner import ExampleResult, result_row
from eval.verdicts import support_line, weakest_support

__all__ = ["HEADLINE", "check_thresholds", "parse_thresholds", "render_markdown", "write_report"]

HEADLINE = [
    "recall@5", "mrr", "ndcg@10", "key_fact_accuracy", "citation_recall", "citation_precision",
    "faithfulness", "quote_exact", "abstention_f1", "answered_precision", "accuracy",
    "ttft_p50", "total_p50",
]  # fmt: skip

Scores = Mapping[str, Mapping[str, float | None]]


def _fmt(v: float | None) -> str:
    return "undefined" if v is None else f"{v:.3f}"


def render_markdown(
    pipelines: Mapping[str, Scores],
    meta: Mapping[str, Any],
    causes: Mapping[str, dict[str, dict[str, int]]] | None = None,
    drafts: Mapping[str, dict[str, dict[str, int]]] | None = None,
    effects: Mapping[str, dict[str, int]] | None = None,
    *,
    support: Mapping[str, dict[str, list[float]]] | None = None,
) -> str:
    names = list(pipelines)
    # a table is {pipeline: {metric: value}}; flat mappings such as "seconds" or
    # "resumed_from_journal" ({pipeline: count}) are lines
    tables = {
        k: v
        for k, v in meta.items()
        if isinstance(v, Mapping) and v and all(isinstance(row, Mapping) for row in v.values())
    }
    lines = [f"# Evaluation: {meta.get('dataset', '')}", ""]
    lines += [f"- {k}: {v}" for k, v in meta.items() if k != "dataset" and k not in tables]
    # e.g. retrieval on all questions of a dataset: {pipeline: {metric: value}}
    for title, table in tables.items():
        metrics = list(next(iter(table.values())))
        lines += ["", f"## {title}", "", "| pipeline | " + " | ".join(metrics) + " |"]
        lines.append("|---|" + "---|" * len(metrics))
        for pipeline, row in table.items():
            lines.append(f"| {pipeline} | " + " | ".join(_fmt(row.get(m)) for m in metrics) + " |")
    lines += ["", "| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for m in HEADLINE:
        lines.append(
            f"| {m} | " + " | ".join(_fmt(pipelines[n]["all"].get(m)) for n in names) + " |"
        )
    for name, scores in pipelines.items():
        groups = [g for g in scores if g != "all"]
        lines += [
            "",
            f"## {name}: by language and tag",
            "",
            "| group | n | " + " | ".join(HEADLINE[:-2]) + " |",
            "|---|---|" + "---|" * (len(HEADLINE) - 2),
        ]
        for g in groups:
            s = scores[g]
            lines.append(
                f"| {g} | {int(s['n'] or 0)} | "
                + " | ".join(_fmt(s.get(m)) for m in HEADLINE[:-2])
                + " |"
            )
    lines += render_causes(dict(causes or {}))
    for name, table in (drafts or {}).items():
        if line := drafts_line(table):
            lines += ["", f"{name}: {line}"]
    for name, row in (effects or {}).items():
        if line := effect_line(row):
            lines += ["", f"{name}: {line}"]
    for name, scored in (support or {}).items():
        if line := support_line(scored):
            lines += ["", f"{name}: {line}"]
    return "\n".join(lines) + "\n"


def _chart(pipelines: Mapping[str, Scores], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    metrics = [m for m in HEADLINE if not m.startswith(("ttft", "total"))]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    width = 0.8 / max(1, len(pipelines))
    for i, (name, scores) in enumerate(pipelines.items()):
        values = [scores["all"].get(m) or 0.0 for m in metrics]
        ax.bar([x + i * width for x in range(len(metrics))], values, width, label=name)
    ax.set_xticks([x + width * (len(pipelines) - 1) / 2 for x in range(len(metrics))])
    ax.set_xticklabels(metrics, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score (undefined shown as 0)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(
    out_dir: Path,
    pipelines: Mapping[str, Scores],
    results: Mapping[str, Sequence[ExampleResult]],
    meta: Mapping[str, Any],
) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    causes = {n: cause_table(rs) for n, rs in results.items()}
    drafts = {n: second_drafts(rs) for n, rs in results.items()}
    effects = {n: verification_effect(rs) for n, rs in results.items()}
    support = {n: weakest_support(rs) for n, rs in results.items()}
    data = {
        "meta": dict(meta),
        "scores": {n: {g: dict(s) for g, s in sc.items()} for n, sc in pipelines.items()},
        "abstention_causes": causes,
        "second_drafts": drafts,
        "verification_effect": effects,
        "weakest_support": support,
        "examples": {n: [result_row(r) for r in rs] for n, rs in results.items()},
    }
    paths = [out_dir / "report.json", out_dir / "report.md", out_dir / "report.png"]
    paths[0].write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    paths[1].write_text(render_markdown(pipelines, meta, causes, drafts, effects, support=support))
    _chart(pipelines, paths[2])
    return paths


def parse_thresholds(items: Sequence[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise ValueError(f"--min {item!r}: expected METRIC=VALUE, e.g. citation_recall=0.9")
    return out


def check_thresholds(scores: Scores, minimum: Mapping[str, float]) -> list[str]:
    """Failures as lines; an undefined metric fails its threshold (nothing was measured)."""
    failures = []
    for name, floor in minimum.items():
        if name not in scores["all"]:
            failures.append(f"{name}: no such metric (known: {', '.join(scores['all'])})")
            continue
        value = scores["all"][name]
        lower_is_better = name.startswith(("ttft", "total"))
        if value is None or (value > floor if lower_is_better else value < floor):
            sign = "≤" if lower_is_better else "≥"
            failures.append(f"{name} = {_fmt(value)}, required {sign} {floor}")
    return failures
