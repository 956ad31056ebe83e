"""The `checklist` suite: clause presence on the CUAD labels, and the demo contracts' key terms
read by the review against the ground truth in their README."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.evals.datasets import TermCase
from assistant.evals.metrics import mean_of
from assistant.evals.results import Failure, SuiteResult

if TYPE_CHECKING:
    from assistant.review.cuad import CuadReport
    from assistant.review.models import ContractReview


def _slug(category: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", category.lower()).strip("_")


def cuad_metrics(report: CuadReport) -> tuple[dict[str, float], list[Failure]]:
    """Micro precision/recall of "present", accuracy of "absent", and each category's precision
    and recall (left out where undefined: nothing called present, or no clause in the sample)."""
    tp = sum(s.tp for s in report.scores)
    fp = sum(s.fp for s in report.scores)
    fn = sum(s.fn for s in report.scores)
    tn = sum(s.tn for s in report.scores)
    metrics = {
        "cuad_precision": tp / (tp + fp) if tp + fp else 0.0,
        "cuad_recall": tp / (tp + fn) if tp + fn else 0.0,
        "cuad_absent_accuracy": tn / (tn + fp) if tn + fp else 0.0,
    }
    for s in report.scores:
        if s.precision is not None:
            metrics[f"cuad_{_slug(s.category)}_precision"] = s.precision
        if s.recall is not None:
            metrics[f"cuad_{_slug(s.category)}_recall"] = s.recall
    failures = [
        Failure(
            f"{o.row_id} ({o.document[:40]})",
            f"cuad_{_slug(o.category)}",
            "present" if o.expected else "absent",
            "present" if o.predicted else "absent",
        )
        for o in report.errors
    ]
    return metrics, failures


def _has_value(review: ContractReview, item: str, expected: dict[str, Any]) -> bool:
    return any(
        all(v.value.get(k) == want for k, want in expected.items())
        for v in review.item(item).values
    )


def _values_text(review: ContractReview, item: str) -> str:
    values = [dict(v.value) for v in review.item(item).values if v.value]
    return "; ".join(str(v) for v in values) or "no value read"


def term_metrics(
    terms: Sequence[TermCase], contracts_dir: Path
) -> tuple[dict[str, float], list[Failure]]:
    """Share of ground-truth values (and statuses) the review reads right on the demo contracts."""
    from assistant.ingest.loaders import load_document
    from assistant.review.checklist import load_checklist
    from assistant.review.extraction import review_pages

    checklist = load_checklist()
    reviews: dict[str, ContractReview] = {}
    value_ok: list[bool | None] = []
    status_ok: list[bool | None] = []
    failures = []
    for term in terms:
        if term.contract not in reviews:
            doc = load_document(contracts_dir / term.contract)
            reviews[term.contract] = review_pages(doc.pages, checklist, source=term.contract)
        review = reviews[term.contract]
        item = review.item(term.item)
        if term.value:
            ok = _has_value(review, term.item, term.value)
            value_ok.append(ok)
            if not ok:
                failures.append(
                    Failure(term.case_id, "value", term.value, _values_text(review, term.item))
                )
        if term.status is not None:
            status_ok.append(item.status == term.status)
            if item.status != term.status:
                failures.append(Failure(term.case_id, "status", term.status, item.status))
    metrics = {}
    for name, checks in (("demo_value_accuracy", value_ok), ("demo_status_accuracy", status_ok)):
        share = mean_of(checks)
        if share is not None:
            metrics[name] = share
    return metrics, failures


def run_checklist(cuad_dir: Path, terms: Sequence[TermCase], contracts_dir: Path) -> SuiteResult:
    from assistant.review.cuad import evaluate_cuad

    report = evaluate_cuad(cuad_dir)
    cuad, cuad_failures = cuad_metrics(report)
    demo, demo_failures = term_metrics(terms, contracts_dir)
    return SuiteResult(
        name="checklist",
        cases=len(report.outcomes) + len(terms),
        metrics={**cuad, **demo},
        failures=(*cuad_failures, *demo_failures),
    )
