"""Clause detection measured on the CUAD sample: per-category precision and recall of presence."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import InputError
from assistant.ingest.models import Page
from assistant.review.checklist import Checklist, load_checklist
from assistant.review.extraction import review_pages
from assistant.review.models import ContractReview
from assistant.review.values import find_durations

SAMPLE_FILE = "cuad_sample_qa.jsonl"
DEV_LABELS = "master_clauses_dev.csv"


def _found(item_id: str) -> Callable[[ContractReview], bool]:
    def predicate(review: ContractReview) -> bool:
        return review.item(item_id).status in ("present", "red_flag")

    return predicate


def _renews(review: ContractReview) -> bool:
    return any(v.value.get("renews") for v in review.item("auto_renewal").values)


def _renewal_exit(review: ContractReview) -> bool:
    # The notice that stops a renewal, as the renewal clause (or a non-renewal clause) states it.
    # A general termination-on-notice right elsewhere is not counted: CUAD labels it apart.
    # A without-cause notice that applies once the initial term is over stops a renewal too.
    renewal = review.item("auto_renewal").values
    if any("non_renewal_notice" in v.value for v in renewal):
        return True
    exits = review.item("termination_without_cause").values
    return any(v.value.get("renews") for v in renewal) and any(
        v.value.get("after_initial_term") for v in exits
    )


@dataclass(frozen=True)
class CategoryMap:
    """How one CUAD category is answered from a review."""

    category: str
    item_id: str
    predicate: Callable[[ContractReview], bool]


CATEGORY_MAP: tuple[CategoryMap, ...] = (
    CategoryMap("Parties", "parties", _found("parties")),
    CategoryMap("Renewal Term", "auto_renewal", _renews),
    CategoryMap("Notice Period To Terminate Renewal", "auto_renewal", _renewal_exit),
    CategoryMap("Governing Law", "governing_law", _found("governing_law")),
    CategoryMap(
        "Termination For Convenience",
        "termination_without_cause",
        _found("termination_without_cause"),
    ),
    CategoryMap("Anti-Assignment", "assignment", _found("assignment")),
    CategoryMap("Most Favored Nation", "most_favored_nation", _found("most_favored_nation")),
    CategoryMap("Audit Rights", "records_and_audit", _found("records_and_audit")),
    CategoryMap("Insurance", "insurance", _found("insurance")),
    CategoryMap("Cap On Liability", "limitation_of_liability", _found("limitation_of_liability")),
)
"""The CUAD categories the checklist shares. Effective Date, Expiration Date and Uncapped
Liability have no checklist item and are not scored."""


@dataclass(frozen=True)
class Outcome:
    """One labelled row: what CUAD says and what the review said."""

    row_id: str
    category: str
    document: str
    expected: bool
    predicted: bool


@dataclass(frozen=True)
class CategoryScore:
    category: str
    item_id: str
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float | None:
        """Share of "present" answers that were right; None when nothing was called present."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """Share of real clauses found; None when the sample has none."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def absent_correct(self) -> str:
        return f"{self.tn}/{self.tn + self.fp}"


@dataclass(frozen=True)
class ValueCheck:
    """A value CUAD states (e.g. the notice to stop renewal) against the value the review read."""

    document: str
    category: str
    expected: str
    predicted: str | None
    right: bool


@dataclass(frozen=True)
class CuadReport:
    scores: tuple[CategoryScore, ...]
    outcomes: tuple[Outcome, ...]
    value_checks: tuple[ValueCheck, ...] = ()

    @property
    def errors(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.expected != o.predicted)

    @property
    def total(self) -> CategoryScore:
        """Every mapped row pooled (micro-averaged)."""
        return CategoryScore(
            category="all mapped categories",
            item_id="",
            tp=sum(s.tp for s in self.scores),
            fp=sum(s.fp for s in self.scores),
            fn=sum(s.fn for s in self.scores),
            tn=sum(s.tn for s in self.scores),
        )


def load_rows(cuad_dir: Path) -> list[dict[str, object]]:
    path = cuad_dir / SAMPLE_FILE
    if not path.is_file():
        raise InputError(
            f"No CUAD sample at {path}", f"pass the folder that holds {SAMPLE_FILE} and txt/"
        )
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def review_text_file(path: Path, checklist: Checklist) -> ContractReview:
    """Review a plain-text contract (one page without a number)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return review_pages([Page(number=None, text=text)], checklist, source=path.name)


def _score(outcomes: list[Outcome]) -> tuple[CategoryScore, ...]:
    scores = []
    for m in CATEGORY_MAP:
        mine = [o for o in outcomes if o.category == m.category]
        scores.append(
            CategoryScore(
                category=m.category,
                item_id=m.item_id,
                tp=sum(o.expected and o.predicted for o in mine),
                fp=sum(not o.expected and o.predicted for o in mine),
                fn=sum(o.expected and not o.predicted for o in mine),
                tn=sum(not o.expected and not o.predicted for o in mine),
            )
        )
    return tuple(scores)


def load_dev_labels(cuad_dev_dir: Path) -> dict[str, dict[str, str]]:
    """The CUAD master-clauses rows of `cuad_dev`, keyed by file stem."""
    path = cuad_dev_dir / DEV_LABELS
    if not path.is_file():
        raise InputError(
            f"No CUAD labels at {path}", f"pass the folder that holds {DEV_LABELS} and txt/"
        )
    with path.open(encoding="utf-8", newline="") as handle:
        return {Path(r["Filename"]).stem: r for r in csv.DictReader(handle)}


def _labelled(row: dict[str, str], category: str) -> bool:
    """CUAD marks a clause present by quoting it: an empty list `[]` means none."""
    return row.get(category, "[]").strip() not in ("", "[]")


def evaluate_cuad_dev(
    cuad_dev_dir: Path,
    documents: Iterable[str] | None = None,
    checklist: Checklist | None = None,
) -> CuadReport:
    """Score the mapped categories on `cuad_dev` contracts (file stems; all when None).

    Which stems are tuned on and which are reported on is fixed in evals/splits.yaml.
    """
    checklist = checklist or load_checklist()
    labels = load_dev_labels(cuad_dev_dir)
    stems = list(documents) if documents is not None else sorted(labels)
    unknown = [s for s in stems if s not in labels]
    if unknown:
        raise InputError(
            f"No CUAD label row for {unknown[0]!r}", "name documents by their file stem"
        )
    outcomes: list[Outcome] = []
    checks: list[ValueCheck] = []
    for stem in stems:
        review = review_text_file(cuad_dev_dir / "txt" / f"{stem}.txt", checklist)
        for m in CATEGORY_MAP:
            outcomes.append(
                Outcome(
                    row_id=f"{stem}::{m.category}",
                    category=m.category,
                    document=stem,
                    expected=_labelled(labels[stem], m.category),
                    predicted=m.predicate(review),
                )
            )
        answer = labels[stem].get(NOTICE_ANSWER, "").strip()
        if answer and _labelled(labels[stem], "Notice Period To Terminate Renewal"):
            checks.append(_notice_check(stem, answer, review))
    return CuadReport(scores=_score(outcomes), outcomes=tuple(outcomes), value_checks=tuple(checks))


NOTICE_ANSWER = "Notice Period To Terminate Renewal- Answer"


def _days(text: str) -> int | None:
    found = find_durations(text)
    if not found:
        return None
    d = found[0]
    per = {"days": 1, "business days": 1, "weeks": 7, "months": 30, "years": 365}
    return d.amount * per.get(d.unit, 1)


def _notice_check(stem: str, answer: str, review: ContractReview) -> ValueCheck:
    """CUAD's "Notice Period To Terminate Renewal" answer (e.g. "60 days") against the review."""
    said = None
    for v in review.item("auto_renewal").values:
        for key, amount in v.value.items():
            if key.startswith("non_renewal_notice_") and isinstance(amount, int):
                unit = key.removeprefix("non_renewal_notice_").replace("_", " ")
                said = f"{amount} {unit}"
                break
        if said:
            break
    if said is None:
        for v in review.item("termination_without_cause").values:
            if v.value.get("after_initial_term"):
                said = next(
                    (
                        f"{a} {k.removeprefix('notice_')}"
                        for k, a in v.value.items()
                        if k.startswith("notice_")
                    ),
                    None,
                )
    want = _days(answer)
    right = said is not None and want is not None and _days(said) == want
    return ValueCheck(stem, "Notice Period To Terminate Renewal", answer, said, right)


def evaluate_cuad(cuad_dir: Path, checklist: Checklist | None = None) -> CuadReport:
    """Review each CUAD contract once and score every mapped category's present/absent calls."""
    checklist = checklist or load_checklist()
    rows = load_rows(cuad_dir)
    reviews: dict[str, ContractReview] = {}
    outcomes = []
    mapping = {m.category: m for m in CATEGORY_MAP}
    for row in rows:
        category = str(row["category"])
        if category not in mapping:
            continue
        document = str(row["document_txt"])
        if document not in reviews:
            reviews[document] = review_text_file(cuad_dir / document, checklist)
        outcomes.append(
            Outcome(
                row_id=str(row["id"]),
                category=category,
                document=Path(document).stem,
                expected=bool(row["has_clause"]),
                predicted=mapping[category].predicate(reviews[document]),
            )
        )
    return CuadReport(scores=_score(outcomes), outcomes=tuple(outcomes))


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def format_table(report: CuadReport) -> str:
    """The per-category table as Markdown (for the README and the bench script)."""
    lines = [
        "| CUAD category | checklist item | rows (with clause) | precision | recall "
        "| absent right |",
        "|---|---|---|---|---|---|",
    ]
    for s in report.scores:
        rows = s.tp + s.fp + s.fn + s.tn
        lines.append(
            f"| {s.category} | `{s.item_id}` | {rows} ({s.tp + s.fn}) | {_fmt(s.precision)} "
            f"| {_fmt(s.recall)} | {s.absent_correct} |"
        )
    t = report.total
    lines.append(
        f"| **{t.category}** | | {t.tp + t.fp + t.fn + t.tn} ({t.tp + t.fn}) "
        f"| {_fmt(t.precision)} | {_fmt(t.recall)} | {t.absent_correct} |"
    )
    if report.value_checks:
        right = sum(c.right for c in report.value_checks)
        lines.append(
            f"\nNotice to stop renewal, value as CUAD states it: {right} of "
            f"{len(report.value_checks)} right."
        )
    return "\n".join(lines)
