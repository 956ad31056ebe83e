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
    "medicare": "Medicare benchmark from CMS PPRRVU (+ GPCI) files",
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
    """Paths typed in one field: separated by spaces, quoted when they contain one.

    Whether they exist is the service's to say, so the app and the CLI say it alike."""
    try:
        parts = shlex.split(text)
    except ValueError as exc:
        raise InputError(
            f"Cannot read the paths: {exc}", "close the quote around the path"
        ) from None
    if not parts:
        raise InputError("No file given", "type the path of a file or folder to load")
    return [Path(p).expanduser() for p in parts]


def ingest(
    services: Services,
    paths_text: str,
    payer: str | None,
    kind: str,
    progress: Progress,
    ocr: bool = True,
) -> list[IngestOutcome]:
    """Index the files as `payer-assistant ingest` does; a bad file is reported in its outcome."""
    from assistant.ingest.service import ingest_documents

    paths = split_paths(paths_text)
    return ingest_documents(
        services.ingestor(), paths, payer or None, kind, ocr=ocr, progress=progress
    )


@dataclass(frozen=True)
class ImportRequest:
    """The import dialog's fields; each default is the matching CLI option's default."""

    kind: str
    path_text: str
    name: str | None = None
    """fees: the payer; medicare, benchmark, market: the benchmark's name; remits: the payer."""
    effective: str | None = None
    gpci: str | None = None
    locality: str | None = None
    setting: str = "nonfacility"
    conversion_factor: str | None = None
    decimal_comma: bool = False
    sheet: str | None = None
    billing_class: str = "professional"
    strict: bool = False


@dataclass(frozen=True)
class ImportOutcome:
    """What the dialog shows after an import: the CLI's sentence, and its warnings."""

    summary: str
    warnings: tuple[str, ...] = ()


def _one_path(text: str) -> Path:
    paths = split_paths(text)
    if len(paths) > 1:
        raise InputError("This import reads one file", "give one file (quote a path with spaces)")
    return paths[0]


def import_data(services: Services, request: ImportRequest) -> ImportOutcome:
    """Import rates or remittance data through the services the CLI's `import` commands call."""
    from assistant.rates import service

    kind, conn = request.kind, services.conn

    def needs_name(what: str) -> str:
        if not request.name:
            raise InputError(f"This import needs a {what}", f"type the {what} in the Name field")
        return request.name

    def optional_path(text: str | None) -> Path | None:
        return _one_path(text) if text and text.strip() else None

    comma, sheet = request.decimal_comma, request.sheet or None
    if kind == "remits":
        return _import_remits(services, request)
    path = _one_path(request.path_text)
    if kind == "fees":
        done = service.import_fees(
            conn,
            path,
            needs_name("payer name"),
            request.effective,
            decimal_comma=comma,
            sheet=sheet,
        )
    elif kind == "volumes":
        done = service.import_volumes(conn, path, decimal_comma=comma, sheet=sheet)
    elif kind == "medicare":
        done = service.import_medicare(
            conn,
            path,
            gpci=optional_path(request.gpci),
            locality=request.locality or None,
            setting=request.setting,
            conversion_factor=request.conversion_factor,
            name=request.name or service.DEFAULT_BENCHMARK,
        )
    elif kind == "benchmark":
        done = service.import_survey(
            conn, path, needs_name("benchmark name"), decimal_comma=comma, sheet=sheet
        )
    elif kind == "market":
        done = service.import_market(conn, path, needs_name("market name"), request.billing_class)
    else:
        raise InputError(f"Unknown import '{kind}'", f"choose one of: {', '.join(IMPORT_KINDS)}")
    return ImportOutcome(done.summary, done.warnings)


def _import_remits(services: Services, request: ImportRequest) -> ImportOutcome:
    from assistant.remits.service import import_paths

    report = import_paths(
        services.conn, split_paths(request.path_text), request.name or None, request.strict
    )
    if report.refused and not report.imported:
        raise InputError(
            "; ".join(why for _, why in report.refused), "check those files are X12 835"
        )
    return ImportOutcome(report.summary(), report.notes())


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "export"
