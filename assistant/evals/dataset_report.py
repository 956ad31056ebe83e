"""What an `eval --dataset` run is turned into: a Markdown report, a JUnit XML file, thresholds
(`--fail-under`), and the comparison of two runs (`eval compare`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from assistant.errors import InputError
from assistant.evals.dataset_run import item_key, item_verdict

LOWER_IS_BETTER = ("false_abstention", "errors", "latency")


def _lower_is_better(metric: str) -> bool:
    leaf = metric.rsplit(".", 1)[-1]
    return any(leaf.startswith(p) for p in LOWER_IS_BETTER)


# --fail-under ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    metric: str
    value: float

    @property
    def upper(self) -> bool:
        """For a lower-is-better metric (latency, false abstention, errors) the bound is a
        ceiling: the run fails when the metric is above it."""
        return _lower_is_better(self.metric)


def parse_thresholds(specs: Sequence[str]) -> list[Threshold]:
    out = []
    for spec in specs:
        metric, sep, value = spec.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = None
        if not sep or not metric.strip() or number is None:
            raise InputError(
                f"--fail-under '{spec}' is not METRIC=VALUE", "e.g. --fail-under correct=0.8"
            )
        out.append(Threshold(metric.strip(), number))
    return out


def missed(run: dict[str, Any], thresholds: Sequence[Threshold]) -> list[str]:
    """One line per threshold the run misses (a metric the run does not have is missed too)."""
    lines = []
    for t in thresholds:
        got = run["metrics"].get(t.metric)
        if got is None:
            known = ", ".join(m for m in run["metrics"] if "." not in m)
            lines.append(f"{t.metric}: not measured by this run (metrics: {known})")
        elif t.upper and got > t.value:
            lines.append(f"{t.metric} = {got:g}, above {t.value:g}")
        elif not t.upper and got < t.value:
            lines.append(f"{t.metric} = {got:g}, under {t.value:g}")
    return lines


# Markdown ----------------------------------------------------------------------------------


def _cell(value: Any, limit: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[:limit] + " …"


def kinds_table(metrics: dict[str, float]) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {"all": {}}
    for name, value in metrics.items():
        kind, sep, leaf = name.rpartition(".")
        table.setdefault(kind if sep else "all", {})[leaf] = value
    return table


def failing_checks(item: dict[str, Any]) -> dict[str, Any]:
    """The checks that made an item fail (all of them for an error)."""
    checks = item["checks"]
    if "error" in checks:
        return {"error": checks["error"]}
    bad = {
        k: v
        for k, v in checks.items()
        if (v is False and k not in ("abstained", "false_abstention"))
        or (k == "false_abstention" and v is True)
        or (k in ("missing", "forbidden_present", "unverified_quotes") and v)
    }
    if "hit" in checks and not checks["hit"]:
        bad = {k: checks[k] for k in ("hit", "recall", "precision")}
    return bad


def to_markdown(run: dict[str, Any]) -> str:
    """Per-kind figures, then every failed item with the checks it failed."""
    kinds = kinds_table(run["metrics"])
    names = list(dict.fromkeys(n for figures in kinds.values() for n in figures))
    lines = [
        f"# Evaluation of {Path(run['dataset']).name}",
        "",
        f"{run['kind']} set, model `{run['model']}`, {len(run['items'])} items, "
        f"{run['seconds']:.1f} s.",
        "",
        "| kind | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for kind, figures in kinds.items():
        cells = [_number(figures[n]) if n in figures else "" for n in names]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    failed = [(i, item) for i, item in enumerate(run["items"]) if not item_verdict(item)]
    lines += ["", f"## Failures ({len(failed)})", ""]
    if not failed:
        lines.append("None.")
    else:
        lines += ["| item | question | got | failed checks |", "|---|---|---|---|"]
        for index, item in failed:
            text = item.get("question") or item.get("query", "")
            got = item.get("answer")
            if got is None:
                top = item["results"][0] if item["results"] else None
                got = f"{top['file_path']} {top['span']}" if top else "nothing"
            lines.append(
                f"| {_cell(item_key(run, index), 60)} | {_cell(text, 120)} | {_cell(got)} "
                f"| {_cell(failing_checks(item), 240)} |"
            )
    return "\n".join(lines) + "\n"


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.4g}"


# JUnit -------------------------------------------------------------------------------------


def to_junit(run: dict[str, Any]) -> str:
    """JUnit XML: one <testsuite> for the dataset, one <testcase> per item (classname its kind);
    a failed item carries a <failure> with its failed checks, an item the model failed on an
    <error>."""
    items = run["items"]
    errors = sum("error" in i["checks"] for i in items)
    failures = sum(not item_verdict(i) for i in items) - errors
    total_time = sum(float(i.get("seconds", 0.0)) for i in items) or float(run["seconds"])
    name = Path(run["dataset"]).name
    root = ET.Element(
        "testsuites",
        name=f"payer-assistant eval {name}",
        tests=str(len(items)),
        failures=str(failures),
        errors=str(errors),
        time=f"{float(run['seconds']):.3f}",
    )
    suite = ET.SubElement(
        root,
        "testsuite",
        name=name,
        tests=str(len(items)),
        failures=str(failures),
        errors=str(errors),
        skipped="0",
        time=f"{total_time:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="model", value=str(run["model"]))
    ET.SubElement(properties, "property", name="kind", value=str(run["kind"]))
    for index, item in enumerate(items):
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"{name}.{item['checks'].get('kind', 'all')}",
            name=item_key(run, index),
            time=f"{float(item.get('seconds', 0.0)):.3f}",
        )
        if item_verdict(item):
            continue
        bad = failing_checks(item)
        tag = "error" if "error" in item["checks"] else "failure"
        element = ET.SubElement(case, tag, message=_cell(bad, 200), type=tag)
        element.text = json.dumps(item["checks"], ensure_ascii=False, indent=1)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


# eval compare ------------------------------------------------------------------------------


def load_run(path: Path) -> dict[str, Any]:
    """A run saved from `eval --dataset --json`."""
    if not path.is_file():
        raise InputError(f"No run at {path}", "save one with `eval --dataset F --json > RUN.json`")
    try:
        run = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name} is not JSON", "pass a file `eval --json` wrote") from exc
    if not isinstance(run, dict) or not {"metrics", "items", "kind"} <= set(run):
        raise InputError(
            f"{path.name} is not an `eval --dataset --json` run",
            "it needs 'kind', 'metrics' and 'items'",
        )
    return run


def compare_runs(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Metric deltas (new - old) and the items whose verdict changed, matched by id or query."""
    if old["kind"] != new["kind"]:
        raise InputError(
            f"Cannot compare a {old['kind']} run with a {new['kind']} run",
            "compare two runs of the same dataset",
        )
    metrics = []
    for name in dict.fromkeys([*old["metrics"], *new["metrics"]]):
        a, b = old["metrics"].get(name), new["metrics"].get(name)
        delta = None if a is None or b is None else round(b - a, 4)
        better = None
        if delta:
            better = (delta < 0) if _lower_is_better(name) else (delta > 0)
        metrics.append({"metric": name, "old": a, "new": b, "delta": delta, "better": better})
    before = {item_key(old, i): item for i, item in enumerate(old["items"])}
    changed, only_old, only_new = [], [], []
    seen = set()
    for i, item in enumerate(new["items"]):
        key = item_key(new, i)
        seen.add(key)
        prior = before.get(key)
        if prior is None:
            only_new.append(key)
            continue
        if item_verdict(prior) != item_verdict(item):
            changed.append(
                {
                    "item": key,
                    "old": "passed" if item_verdict(prior) else "failed",
                    "new": "passed" if item_verdict(item) else "failed",
                    "checks": failing_checks(item) or failing_checks(prior),
                }
            )
    only_old = [k for k in before if k not in seen]
    return {
        "old": {"dataset": old.get("dataset"), "model": old.get("model")},
        "new": {"dataset": new.get("dataset"), "model": new.get("model")},
        "metrics": metrics,
        "changed": changed,
        "only_in_old": only_old,
        "only_in_new": only_new,
    }
