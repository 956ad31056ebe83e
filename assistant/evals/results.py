"""A suite's figures, gated by thresholds: the `eval --json` shape and the Markdown report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True)
class Failure:
    """A case that got something wrong, or (case_id None) a metric past its threshold."""

    case_id: str | None
    metric: str
    expected: Any
    got: Any


@dataclass(frozen=True)
class SuiteResult:
    """What one suite measured."""

    name: str
    cases: int
    metrics: dict[str, float]
    failures: tuple[Failure, ...] = ()


@dataclass(frozen=True)
class GatedSuite:
    """A suite's result against its thresholds; `passed` when every bound holds."""

    result: SuiteResult
    minimums: dict[str, float]
    maximums: dict[str, float]
    breaches: tuple[Failure, ...]

    @property
    def passed(self) -> bool:
        return not self.breaches

    def status(self, metric: str) -> bool | None:
        """True within its bound, False past it, None when the metric has no threshold."""
        if metric not in self.minimums and metric not in self.maximums:
            return None
        return not any(b.metric == metric for b in self.breaches)


def gate(result: SuiteResult, bounds: dict[str, dict[str, float]]) -> GatedSuite:
    """Compare every bounded metric with its threshold; a bounded metric not measured fails."""
    minimums, maximums = bounds.get("min", {}), bounds.get("max", {})
    breaches = []
    for metric, floor in minimums.items():
        got = result.metrics.get(metric)
        if got is None or got < floor:
            breaches.append(Failure(None, metric, f">= {floor}", got))
    for metric, ceiling in maximums.items():
        got = result.metrics.get(metric)
        if got is None or got > ceiling:
            breaches.append(Failure(None, metric, f"<= {ceiling}", got))
    return GatedSuite(result, dict(minimums), dict(maximums), tuple(breaches))


class FailureOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    case_id: str | None
    metric: str
    expected: Any
    got: Any


class SuiteOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    cases: int
    metrics: dict[str, float]
    thresholds: dict[str, float]
    passed: bool
    failures: list[FailureOut]


class EvalOut(BaseModel):
    """`eval --json`: {"suites": [{"name", "cases", "metrics", "thresholds", "passed",
    "failures": [{"case_id", "metric", "expected", "got"}]}]}."""

    model_config = ConfigDict(frozen=True)

    suites: list[SuiteOut]


def to_json(suites: list[GatedSuite]) -> dict[str, Any]:
    """Threshold breaches first, then every case failure."""
    return EvalOut(
        suites=[
            SuiteOut(
                name=s.result.name,
                cases=s.result.cases,
                metrics={k: round(v, 4) for k, v in s.result.metrics.items()},
                thresholds={**s.minimums, **s.maximums},
                passed=s.passed,
                failures=[
                    FailureOut(case_id=f.case_id, metric=f.metric, expected=f.expected, got=f.got)
                    for f in (*s.breaches, *s.result.failures)
                ],
            )
            for s in suites
        ]
    ).model_dump(mode="json")


def bound_text(suite: GatedSuite, metric: str) -> str:
    if metric in suite.minimums:
        return f">= {suite.minimums[metric]:g}"
    if metric in suite.maximums:
        return f"<= {suite.maximums[metric]:g}"
    return ""


def to_markdown(suites: list[GatedSuite], model: str) -> str:
    """The report a practice or consultant can file: figures, bounds, and every failed case."""
    lines = [f"# Evaluation report (model: {model})", ""]
    for s in suites:
        verdict = "passed" if s.passed else "FAILED"
        lines += [
            f"## {s.result.name}: {verdict} ({s.result.cases} cases)",
            "",
            "| metric | value | threshold | |",
            "|---|---|---|---|",
        ]
        for metric, value in s.result.metrics.items():
            ok = s.status(metric)
            mark = "" if ok is None else ("ok" if ok else "**below**")
            lines.append(f"| {metric} | {value:.4g} | {bound_text(s, metric)} | {mark} |")
        failures = (*s.breaches, *s.result.failures)
        if failures:
            lines += ["", "| case | metric | expected | got |", "|---|---|---|---|"]
            lines += [
                f"| {f.case_id or '(suite)'} | {f.metric} | {_cell(f.expected)} | {_cell(f.got)} |"
                for f in failures
            ]
        lines.append("")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    return " ".join(str(value).split()).replace("|", "\\|")[:200]
