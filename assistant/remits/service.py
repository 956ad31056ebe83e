"""Remittance services for the CLI, the agent and the rate tools: import, reimbursement, denials."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from assistant.errors import InputError, NotFoundError
from assistant.remits.analysis import (
    DenialReport,
    ReimbursementReport,
    SettledClaim,
    Settlement,
    UnderpaymentReport,
    cents,
    count_volumes,
    find_underpayments,
    settle_reversals,
    summarize_denials,
    summarize_reimbursement,
)
from assistant.remits.models import Remittance
from assistant.remits.parser import read_remittances
from assistant.remits.reasons import load_reason_codes
from assistant.remits.store import RemitStore
from assistant.workspace import transaction

_IMPORT_HINT = "import them with `payer-assistant import remits FILE_OR_FOLDER --payer NAME`"


@dataclass(frozen=True)
class FileImport:
    """What importing one file did. `imbalances` name each payment that does not reconcile."""

    file: str
    payments: int
    duplicates: int
    claims: int
    lines: int
    total_paid: Decimal
    imbalances: tuple[str, ...]
    warnings: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "payments": self.payments,
            "duplicates": self.duplicates,
            "claims": self.claims,
            "lines": self.lines,
            "total_paid": cents(self.total_paid),
            "imbalances": list(self.imbalances),
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class ImportReport:
    """Files imported and files refused (with the reason), in the order given."""

    imported: tuple[FileImport, ...]
    refused: tuple[tuple[str, str], ...]
    skipped: tuple[str, ...]

    def summary(self) -> str:
        """One sentence for the app: what was imported, in the CLI table's terms."""
        from assistant.rates.money import money_display

        paid = sum((f.total_paid for f in self.imported), Decimal(0))
        return (
            f"Imported {len(self.imported)} remittance file(s): "
            f"{sum(f.payments for f in self.imported)} payment(s), "
            f"{sum(f.claims for f in self.imported)} claim(s), "
            f"{money_display(cents(paid))} paid."
        )

    def warnings(self) -> tuple[str, ...]:
        """Payments that do not reconcile and what the parser doubts, one sentence each."""
        return (
            *(f"{f.file} does not balance: {m}" for f in self.imported for m in f.imbalances),
            *(f"{f.file}, {m}" for f in self.imported for m in f.warnings),
        )

    def notes(self) -> tuple[str, ...]:
        """Everything below the CLI's table, for the app: warnings, refusals, skipped files."""
        return (
            *self.warnings(),
            *(f"not imported: {why}" for _, why in self.refused),
            *([f"Skipped {len(self.skipped)} file(s) that are not X12."] if self.skipped else []),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "imported": [f.to_json() for f in self.imported],
            "refused": [{"file": f, "error": e} for f, e in self.refused],
            "skipped": list(self.skipped),
        }


def expand_paths(paths: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """Files named directly, plus the X12 files of named folders (recursively).

    Files inside a folder that do not start with an ISA header are skipped and listed, so a
    folder of remittances with a README beside them imports cleanly.
    """
    files: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.name.startswith("."):
                    continue
                (files if _looks_like_x12(child) else skipped).append(child)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"No such file or folder: {path}", "check the path and try again")
    return files, [str(s) for s in skipped]


def _looks_like_x12(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(16).lstrip().startswith(b"ISA")


def import_file(
    conn: sqlite3.Connection, path: Path, payer: str | None = None, strict: bool = False
) -> FileImport:
    """Import one 835 file in one transaction: all of its payments, or nothing.

    A payment already stored (same payer id and trace number) is skipped, so re-importing a
    file is a no-op. A payment whose BPR total differs from Σ claim payments − Σ PLB is
    imported with a warning naming the difference, or refused when `strict`.
    """
    payments = duplicates = claims = lines = 0
    total = Decimal(0)
    unbalanced: list[tuple[str, str]] = []
    warnings: list[str] = []
    # Parse the file and turn it into rows before taking the write lock (rows go to the
    # connection's private TEMP tables), so other writers wait for one copy per table, not
    # for the parse of a large file.
    remittances = list(read_remittances(path))
    store = RemitStore(conn)
    fresh = []
    for remittance in remittances:
        if store.contains(remittance):
            changed = _differs_from_stored(conn, remittance)
            if changed:
                raise InputError(
                    f"{path.name}: payment {remittance.trace_number} was imported before "
                    f"and this file changes it ({changed}); nothing imported from this file",
                    "a corrected remittance re-sent under the same trace number is not "
                    "merged silently: ask the payer which one stands (the stored one is kept)",
                )
            duplicates += 1
            continue
        if remittance.imbalance != 0:
            message = (
                f"payment {remittance.trace_number}: BPR total {remittance.total_paid} "
                f"but claims minus provider adjustments come to "
                f"{remittance.claims_paid - remittance.provider_adjustment_total} "
                f"(difference {remittance.imbalance})"
            )
            if strict:
                raise InputError(
                    f"{path.name} does not balance: {message}",
                    "import it without --strict to keep it with a warning, "
                    "or ask the payer for a corrected remittance",
                )
            unbalanced.append((remittance.trace_number, message))
        fresh.append(remittance)
    store.stage(payer, fresh)
    with transaction(conn):
        # A concurrent import of the same file may have stored some of them meanwhile.
        late = store.commit_staged()
    for remittance in fresh:
        if remittance.trace_number in late:
            duplicates += 1
            continue
        payments += 1
        claims += len(remittance.claims)
        lines += remittance.line_count
        total += remittance.total_paid
        warnings.extend(remittance.warnings)
    imbalances = [message for trace, message in unbalanced if trace not in late]
    return FileImport(
        path.name, payments, duplicates, claims, lines, total, tuple(imbalances), tuple(warnings)
    )


def _differs_from_stored(conn: sqlite3.Connection, remittance: Remittance) -> str | None:
    """How `remittance` differs from the stored payment with its trace number, or None."""
    from assistant.remits.store import payer_key

    row = conn.execute(
        "SELECT id, total_paid, source_file FROM remits_payments "
        "WHERE payer_key = ? AND trace_number = ?",
        (payer_key(remittance), remittance.trace_number),
    ).fetchone()
    if row is None:
        return None
    stored_claims = sorted(
        (claim_id, Decimal(paid))
        for claim_id, paid in conn.execute(
            "SELECT claim_id, paid FROM remits_claims WHERE payment_id = ?", (row[0],)
        )
    )
    claims = sorted((c.claim_id, c.paid) for c in remittance.claims)
    if Decimal(row[1]) != remittance.total_paid:
        return f"total {row[1]} in {row[2]}, {remittance.total_paid} here"
    if stored_claims != claims:
        return f"its claims or claim payments differ from those imported from {row[2]}"
    return None


def import_paths(
    conn: sqlite3.Connection,
    paths: Sequence[Path],
    payer: str | None = None,
    strict: bool = False,
) -> ImportReport:
    """Import each file on its own; a refused file is reported and the others still import."""
    files, skipped = expand_paths(paths)
    if not files:
        raise InputError(
            "No X12 835 files found in " + ", ".join(str(p) for p in paths),
            "pass 835 files or a folder holding them",
        )
    imported: list[FileImport] = []
    refused: list[tuple[str, str]] = []
    for path in files:
        try:
            imported.append(import_file(conn, path, payer, strict))
        except InputError as error:
            refused.append((str(path), str(error.message)))
    return ImportReport(tuple(imported), tuple(refused), tuple(skipped))


def remit_payers(conn: sqlite3.Connection) -> list[str]:
    """Payers with imported remittances."""
    return RemitStore(conn).payers()


def _settle(
    conn: sqlite3.Connection,
    payer: str,
    since: date | None,
    until: date | None,
    also: str | None = None,
) -> tuple[str, Settlement]:
    """Reversal-settled claims of `payer` (or, failing that name, of `also`)."""
    store = RemitStore(conn)
    name = store.resolve_payer(payer) or (store.resolve_payer(also) if also else None)
    if name is None:
        known = ", ".join(store.payers()) or "none yet"
        raise NotFoundError(
            f"No remittances for payer '{payer}' (payers with remittances: {known})",
            f"{_IMPORT_HINT}, or use one of the names listed",
        )
    return name, settle_reversals(store.payments(name, since, until))


def underpayments(
    conn: sqlite3.Connection,
    payer: str,
    since: date | None = None,
    until: date | None = None,
) -> UnderpaymentReport:
    """Lines `payer` allowed below its contracted fee schedule (payment dates since…until)."""
    from assistant.rates.store import RateStore

    rates = RateStore(conn)
    canonical = rates.resolve_payer(payer)
    schedule = rates.fee_schedule(canonical)
    # Remittances may be filed under the rates' canonical name or under the alias asked for.
    name, settlement = _settle(conn, payer, since, until, also=canonical)
    return find_underpayments(name, settlement.claims, schedule, since, until)


def denials(
    conn: sqlite3.Connection,
    payer: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> DenialReport:
    """Denial rates, adjustment reasons and monthly denials for one payer or all of them."""
    names = [payer] if payer else remit_payers(conn)
    if not names:
        raise NotFoundError("No remittances imported yet", _IMPORT_HINT)
    claims: list[SettledClaim] = []
    for name in names:
        claims.extend(_settle(conn, name, since, until)[1].claims)
    return summarize_denials(claims, load_reason_codes(), since, until)


def actual_reimbursement(
    conn: sqlite3.Connection,
    payer: str,
    since: date | None = None,
    until: date | None = None,
) -> ReimbursementReport:
    """What `payer` really allowed and paid per code: mean and median per unit, units, totals."""
    name, settlement = _settle(conn, payer, since, until)
    return summarize_reimbursement(name, settlement.claims)


def volumes_from_remits(
    conn: sqlite3.Connection,
    payer: str,
    since: date | None = None,
    until: date | None = None,
) -> dict[tuple[str, str], Decimal]:
    """Units billed to `payer` per (code, modifier), for the rate tools' `--volumes-from remits`."""
    return count_volumes(_settle(conn, payer, since, until)[1].claims)
