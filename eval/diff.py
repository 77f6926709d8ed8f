"""Two evaluation runs side by side: ``rag eval-diff BEFORE AFTER``.

Every answering change here is kept or dropped on the figures of a run before it and a run
after it (README, Evaluation). This command reads the two report.json files and shows what
moved: the headline metrics, the causes of declined answerable questions, and each
question whose outcome changed, with both answers. Aggregates alone hide churn: a change
that turns three answers right and three wrong leaves accuracy where it was, and the
small model does that for almost any prompt edit. It answers nothing and loads no model.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.report import HEADLINE
from index.errors import RagError
from rag.console import out

__all__ = ["Outcome", "ReportError", "RunDiff", "diff_reports", "load_report", "register"]

# what the header compares: a difference here means the runs are not like for like
_META = ("dataset", "examples", "generator", "judge", "embedder", "embedder_precision")


class ReportError(RagError):
    """A report.json that cannot be read or compared; the message names the file."""


def load_report(path: Path) -> dict[str, Any]:
    """A report.json, or the ``rag eval --out`` folder holding one."""
    file = path / "report.json" if path.is_dir() else path
    if not file.is_file():
        raise ReportError(
            f"{path}: no report.json there; `rag eval DATASET --out DIR` writes one, then "
            "pass DIR or DIR/report.json"
        )
    try:
        report = json.loads(file.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReportError(f"{file}: not a report.json ({exc}); run `rag eval` again") from exc
    if not isinstance(report, dict) or not isinstance(report.get("scores"), dict):
        raise ReportError(f"{file}: holds no scores; is it the report.json of `rag eval`?")
    return report


@dataclass(frozen=True)
class Outcome:
    id: str
    question: str
    right: bool
    declined: bool
    answer: str

    @property
    def label(self) -> str:
        return ("right" if self.right else "wrong") + (", declined" if self.declined else "")


@dataclass(frozen=True)
class RunDiff:
    pipeline: str
    meta: list[tuple[str, str, str]]  # (field, before, after) where they differ
    metrics: list[tuple[str, str, float | None, float | None]]  # (group, metric, b, a)
    causes: list[tuple[str, int, int]]  # (cause, before, after), either nonzero
    changed: list[tuple[Outcome, Outcome]]  # newly right first, then newly wrong
    only_before: list[str]
    only_after: list[str]

    def counts(self) -> tuple[int, int]:
        """(turned right, turned wrong)."""
        up = sum(a.right and not b.right for b, a in self.changed)
        down = sum(b.right and not a.right for b, a in self.changed)
        return up, down


def _pipeline(report: Mapping[str, Any], name: str, label: str) -> dict[str, Any]:
    scores = report["scores"]
    if name not in scores:
        held = ", ".join(sorted(scores)) or "none"
        raise ReportError(
            f"the {label} report holds no pipeline {name!r} (it holds: {held}); choose one "
            "with --pipeline"
        )
    return dict(scores[name])


def _outcomes(report: Mapping[str, Any], pipeline: str) -> dict[str, Outcome]:
    rows = report.get("examples", {}).get(pipeline, [])
    out: dict[str, Outcome] = {}
    for row in rows:
        ex = row["example"]
        out[str(ex["id"])] = Outcome(
            str(ex["id"]),
            str(ex.get("question", "")),
            bool(row.get("correct")),
            bool(row.get("abstained")),
            str(row.get("answer", "")),
        )
    return out


def diff_reports(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    pipeline: str = "ours",
    groups: Sequence[str] = ("all",),
) -> RunDiff:
    sb = _pipeline(before, pipeline, "BEFORE")
    sa = _pipeline(after, pipeline, "AFTER")
    mb, ma = before.get("meta", {}), after.get("meta", {})
    meta = [(k, str(mb.get(k)), str(ma.get(k))) for k in _META if mb.get(k) != ma.get(k)]
    if unknown := [g for g in groups if g not in sb and g not in sa]:
        held = ", ".join(sorted({*sb, *sa}))
        raise ReportError(f"no metric group {', '.join(unknown)} in either report (groups: {held})")
    wanted = list(groups)
    metrics = [
        (g, m, sb.get(g, {}).get(m), sa.get(g, {}).get(m))
        for g in wanted
        for m in ("n", *HEADLINE)
        if m in sb.get(g, {}) or m in sa.get(g, {})
    ]
    cb = before.get("abstention_causes", {}).get(pipeline, {}).get("all", {})
    ca = after.get("abstention_causes", {}).get(pipeline, {}).get("all", {})
    causes = [(c, int(cb.get(c, 0)), int(ca.get(c, 0))) for c in {**cb, **ca}]
    causes = [row for row in causes if row[1] or row[2]]
    ob, oa = _outcomes(before, pipeline), _outcomes(after, pipeline)
    changed = [(ob[i], oa[i]) for i in ob if i in oa and ob[i].label != oa[i].label]
    changed.sort(key=lambda p: (not p[1].right, p[0].right == p[1].right))
    return RunDiff(
        pipeline,
        meta,
        metrics,
        causes,
        changed,
        only_before=[i for i in ob if i not in oa],
        only_after=[i for i in oa if i not in ob],
    )


def _num(v: float | None, metric: str = "") -> str:
    if v is None:
        return "—"
    return str(int(v)) if metric == "n" else f"{v:.3f}"


def _delta(b: float | None, a: float | None, metric: str = "") -> str:
    if a is None or b is None:
        return "—"
    return f"{int(a - b):+d}" if metric == "n" else f"{a - b:+.3f}"


def _cell(text: str, width: int = 160) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= width else text[: width - 1] + "…"


def render(d: RunDiff, before: str, after: str) -> str:
    up, down = d.counts()
    lines = [f"# {d.pipeline}: {before} -> {after}", ""]
    if d.meta:
        lines += ["Not like for like:", ""]
        lines += [f"- {k}: {b} -> {a}" for k, b, a in d.meta] + [""]
    if d.only_before or d.only_after:
        lines += [
            f"Questions in one run only: {len(d.only_before)} before, {len(d.only_after)} "
            "after; the figures cover different sets.",
            "",
        ]
    lines += ["| group | metric | before | after | change |", "|---|---|---|---|---|"]
    lines += [
        f"| {g} | {m} | {_num(b, m)} | {_num(a, m)} | {_delta(b, a, m)} |"
        for g, m, b, a in d.metrics
    ]
    if d.causes:
        lines += ["", "Why answerable questions were declined:", ""]
        lines += ["| cause | before | after |", "|---|---|---|"]
        lines += [f"| {c} | {b} | {a} |" for c, b, a in d.causes]
    lines += ["", f"{len(d.changed)} questions changed: {up} turned right, {down} turned wrong."]
    if d.changed:
        lines += ["", "| id | before | after | question | answer before | answer after |"]
        lines.append("|---|---|---|---|---|---|")
        for b, a in d.changed:
            lines.append(
                f"| {a.id} | {b.label} | {a.label} | {_cell(a.question, 80)} | "
                f"{_cell(b.answer)} | {_cell(a.answer)} |"
            )
    return "\n".join(lines) + "\n"


def cmd_eval_diff(args: argparse.Namespace, config: object) -> int:
    diff = diff_reports(
        load_report(args.before), load_report(args.after), args.pipeline, args.group or ["all"]
    )
    text = render(diff, str(args.before), str(args.after))
    out(text.rstrip("\n"))
    if args.out is not None:
        args.out.write_text(text, "utf-8")
    return 0


def register(sub: Any) -> None:
    s = sub.add_parser(
        "eval-diff",
        help="two eval runs side by side: metrics, decline causes, questions that changed",
    )
    s.add_argument("before", type=Path, help="report.json, or the --out folder of rag eval")
    s.add_argument("after", type=Path)
    s.add_argument("--pipeline", default="ours", help="ours (default) or llamaindex")
    s.add_argument(
        "--group",
        action="append",
        default=[],
        help="metric groups shown (repeatable; default all): lang:de, tag:cross-lingual, ...",
    )
    s.add_argument("--out", type=Path, default=None, help="also write the comparison here")
    s.set_defaults(func=cmd_eval_diff)
