"""What the app reads from and writes to the workspace, as plain values; run in worker threads."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from assistant.ingest.service import IngestOutcome, Progress
    from assistant.rates.models import GapResult, Proposal, ProposalResult
    from assistant.review.models import ContractReview
    from assistant.services import Services

IMPORT_KINDS = {
    "fees": "Fee schedule (CSV/XLSX: code, modifier, rate) for a payer",
    "volumes": "Annual volumes (CSV/XLSX: payer, code, modifier, units)",
    "medicare": "Medicare benchmark from a CMS PPRRVU file",
    "benchmark": "Market survey (CSV/XLSX: code, modifier, rate) as a named benchmark",
    "market": "Transparency in Coverage JSON as market percentiles",
    "remits": "X12 835 remittance files or a folder of them",
}


@dataclass(frozen=True)
class PayerInfo:
    name: str
    fee_schedule: str | None
    """Source file of the current fee schedule, None when none is imported."""
    codes: int


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    source: str
    payer: str | None
    kind: str
    pages: int
    chunks: int


@dataclass(frozen=True)
class BenchmarkSummary:
    name: str
    kind: str
    codes: int


@dataclass(frozen=True)
class WorkspaceSummary:
    """Everything the sidebar shows about the workspace."""

    payers: tuple[PayerInfo, ...]
    documents: tuple[DocumentInfo, ...]
    benchmarks: tuple[BenchmarkSummary, ...]
    benchmark_specs: tuple[str, ...]

    @property
    def chunks(self) -> int:
        return sum(d.chunks for d in self.documents)

    def of_kind(self, *kinds: str) -> list[DocumentInfo]:
        return [d for d in self.documents if d.kind in kinds]


def summarise(services: Services) -> WorkspaceSummary:
    """Payers with their fee schedules, indexed documents and imported benchmarks."""
    from assistant.ingest.store import DocumentStore
    from assistant.rates.store import RateStore

    conn = services.conn
    rates = RateStore(conn)
    payers = []
    for name in rates.payers():
        schedules = [s for s in rates.schedules(name) if s.current]
        current = schedules[0] if schedules else None
        payers.append(
            PayerInfo(name, current.source if current else None, current.codes if current else 0)
        )
    documents = tuple(
        DocumentInfo(d.doc_id, d.source, d.payer, d.kind, d.pages, d.chunks)
        for d in DocumentStore(conn).list()
    )
    benchmarks = tuple(BenchmarkSummary(b.name, b.kind, b.codes) for b in rates.benchmark_infos())
    return WorkspaceSummary(tuple(payers), documents, benchmarks, tuple(rates.benchmarks()))


def gap(services: Services, payer: str, benchmark: str = "medicare") -> GapResult:
    from assistant.rates import service

    return service.gap(services.conn, payer, benchmark)


def parse_proposal(text: str) -> Proposal:
    """The Rates view's proposal field, read by the same parser the agent and CLI use."""
    from assistant.rates.proposals import parse_proposal_text

    return parse_proposal_text(text)


def model(services: Services, payer: str, proposal_text: str) -> ProposalResult:
    from assistant.rates import service

    return service.model(services.conn, payer, parse_proposal(proposal_text))


def review(services: Services, doc_id: str) -> ContractReview:
    """The checklist answered for one indexed document."""
    from assistant.review.service import review_document

    return review_document(services.conn, doc_id)


def describe_item_values(item: Any) -> str:
    """One line for the review table: the item's values, or its status when it has none."""
    from assistant.review.comparison import summarise_item

    return summarise_item(item)


@dataclass(frozen=True)
class Passage:
    """A cited page's text and where the quote sits in it (None when it cannot be found)."""

    source: str
    doc_id: str | None
    page: int | None
    section: str | None
    quote: str
    text: str
    span: tuple[int, int] | None


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Where `quote` occurs in `text`, ignoring differences in whitespace and case."""
    # As quoted first; then without the quotation marks, ellipses or final stop around it.
    for candidate in (quote, quote.strip().strip("\"“”'….,;: ")):
        words = re.findall(r"\S+", candidate)
        if not words:
            continue
        pattern = r"\s+".join(re.escape(w) for w in words)
        found = re.search(pattern, text, flags=re.IGNORECASE)
        if found:
            return (found.start(), found.end())
    return None


def passage(
    services: Services,
    source: str,
    page: int | None,
    quote: str,
    section: str | None = None,
    doc_id: str | None = None,
) -> Passage:
    """The page a citation points at, with the quote located in it."""
    from assistant.ingest.store import DocumentStore

    store = DocumentStore(services.conn)
    record = store.resolve(doc_id or source)
    text = store.page_text(record.doc_id, page)
    if text is None:
        where = f"page {page}" if page is not None else "its text"
        raise NotFoundError(
            f"{record.source} has no {where} in the workspace",
            "re-ingest the document (Ingest documents in the command palette)",
        )
    return Passage(
        record.source, record.doc_id, page, section, quote, text, find_quote(text, quote)
    )


def split_paths(text: str) -> list[Path]:
    """Paths typed in one field: separated by spaces, quoted when they contain one."""
    try:
        parts = shlex.split(text)
    except ValueError as exc:
        raise InputError(
            f"Cannot read the paths: {exc}", "close the quote around the path"
        ) from None
    if not parts:
        raise InputError("No file given", "type the path of a file or folder to load")
    paths = [Path(p).expanduser() for p in parts]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InputError(
            f"Not found: {', '.join(missing)}", "check the path (relative to where you started)"
        )
    return paths


def ingest(
    services: Services,
    paths_text: str,
    payer: str | None,
    kind: str,
    progress: Progress,
) -> list[IngestOutcome]:
    """Index the files; a bad file is reported in its outcome, never raised."""
    paths = split_paths(paths_text)
    return services.ingestor().ingest(paths, payer=payer or None, kind=kind, progress=progress)


def import_data(services: Services, kind: str, path_text: str, name: str | None) -> str:
    """Import rates or remittance data the way the CLI's `import` commands do; a summary line."""
    from assistant.rates.store import RateStore

    paths = split_paths(path_text)
    store = RateStore(services.conn)
    notes: list[str] = []

    def noted(text: str) -> str:
        # What the importer left out or doubts (other sheets, payers without fees) is shown too.
        return " ".join([text, *notes])

    def needs_name(what: str) -> str:
        if not name:
            raise InputError(f"This import needs a {what}", f"type the {what} in the second field")
        return name

    if kind == "fees":
        from assistant.rates.fees import import_fees

        info = import_fees(store, paths[0], needs_name("payer name"), notes=notes)
        return noted(f"Imported {info.codes} rates for {info.payer}.")
    if kind == "volumes":
        from assistant.rates.fees import import_volumes

        counts = import_volumes(store, paths[0], notes=notes)
        return noted(
            "Imported volumes for " + ", ".join(f"{p} ({n} codes)" for p, n in counts.items()) + "."
        )
    if kind == "medicare":
        from assistant.rates.cms_pfs import import_medicare

        done = import_medicare(store, paths[0], name=name or "medicare")
        notes.extend(done.warnings)
        return noted(f"Imported {done.codes} Medicare rates as '{done.name}'.")
    if kind == "benchmark":
        from assistant.rates.fees import import_survey

        count = import_survey(store, paths[0], needs_name("benchmark name"), notes=notes)
        return noted(f"Imported {count} rates as '{name}'.")
    if kind == "market":
        from assistant.rates.tic import import_market

        summary = import_market(store, paths[0], needs_name("market name"))
        return f"Imported market rates for {len(summary.rates)} codes as market:{name}:p50."
    if kind == "remits":
        from assistant.remits.service import import_paths

        report = import_paths(services.conn, paths, payer=name or None)
        refused = "; ".join(f"{Path(p).name}: {why}" for p, why in report.refused)
        done_text = f"Imported {len(report.imported)} remittance file(s)."
        if refused:
            raise InputError(done_text + f" Refused: {refused}", "check those files are X12 835")
        return done_text
    raise InputError(f"Unknown import '{kind}'", f"choose one of: {', '.join(IMPORT_KINDS)}")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "export"
