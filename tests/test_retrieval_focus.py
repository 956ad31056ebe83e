"""Query focusing and document resolution on every wording of the cuad_dev sets (real text)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.retrieval.focus import focus_query

REPO = Path(__file__).resolve().parent.parent
DATASETS = REPO / "evals" / "datasets" / "cuad_dev"
WORDINGS = ("consider", "in", "plain", "bare")
# Confusable on purpose: two NETGEAR/Ingram contracts, two Kiromic ones, three agency agreements.
CONTRACTS = (
    "NETGEAR,INC_04_21_2003-EX-10.16-DISTRIBUTOR AGREEMENT",
    "NETGEAR,INC_04_21_2003-EX-10.16- AMENDMENT #2 TO THE DISTRIBUTION AGREEMENT",
    "KIROMICBIOPHARMA,INC_04_08_2020-EX-10.28-JOINT VENTURE AGREEMENT",
    "KIROMICBIOPHARMA,INC_05_11_2020-EX-10.23-CONSULTING AGREEMENT",
    "AFSALABANCORPINC_08_01_1996-EX-1.1-AGENCY AGREEMENT",
    "BLUEHILLSBANCORP,INC_05_20_2014-EX-1.1-AGENCY AGREEMENT",
    "ALCOSTORESINC_12_14_2005-EX-10.26-AGENCY AGREEMENT",
)


def _tests(wording: str) -> list[dict[str, object]]:
    tests: list[dict[str, object]] = []
    for split in ("tune", "test"):
        data = json.loads((DATASETS / f"{split}-{wording}.json").read_text(encoding="utf-8"))
        tests.extend(data["tests"])
    return tests


def _bare_questions() -> dict[tuple[str, str], str]:
    return {(str(t["contract"]), str(t["cuad_category"])): str(t["query"]) for t in _tests("bare")}


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z0-9]+", text)}


SOURCES = sorted(p.name for p in (REPO.parent / "shared" / "data" / "cuad_dev" / "txt").glob("*"))


@pytest.mark.parametrize(
    ("query", "question", "naming", "form"),
    [
        (
            "Consider the AGENCY AGREEMENT between General Electric Capital Corporation and "
            "Duckwall-Alco Stores, Inc.; Who are the parties to this contract?",
            "Who are the parties to this contract?",
            "AGENCY AGREEMENT between General Electric Capital Corporation and Duckwall-Alco "
            "Stores, Inc.",
            "prefix",
        ),
        (
            'In the Collaboration Agreement between F. Hoffmann-La Roche Ltd ("Roche Basel"); '
            'Foundation Medicine, Inc. ("FMI"): Which jurisdiction\'s law governs this contract?',
            "Which jurisdiction's law governs this contract?",
            'Collaboration Agreement between F. Hoffmann-La Roche Ltd ("Roche Basel"); '
            'Foundation Medicine, Inc. ("FMI")',
            "prefix",
        ),
        (
            "What audit rights does a party have under the contract with NETTAXI Online "
            "Communities, Inc.?",
            "What audit rights does a party have under this contract?",
            "NETTAXI Online Communities, Inc",
            "inline",
        ),
        (
            "What limits apply to a party's liability under HUBEIMINKANGPHARMACEUTICALLTD_09_19_"
            "2006-EX-10.1-OUTSOURCING AGREEMENT.txt?",
            "What limits apply to a party's liability under this contract?",
            "HUBEIMINKANGPHARMACEUTICALLTD_09_19_2006-EX-10.1-OUTSOURCING AGREEMENT.txt",
            "file",
        ),
        (
            "What does WA_1_Redacted.pdf say about appeals?",
            "What does this contract say about appeals?",
            "WA_1_Redacted.pdf",
            "file",
        ),
        (
            "What is the timely filing limit in the TN contract?",
            "What is the timely filing limit in this contract?",
            "TN",
            "inline",
        ),
        (
            "Does Aetna's contract allow retro denials?",
            "Does this contract allow retro denials?",
            "Aetna",
            "inline",
        ),
        (
            "Cigna agreement: how long do we have to appeal?",
            "how long do we have to appeal?",
            "Cigna agreement",
            "prefix",
        ),
        (
            "Who are the parties to this contract?",
            "Who are the parties to this contract?",
            None,
            "none",
        ),
        (
            "What happens at 10:30 on renewal day?",
            "What happens at 10:30 on renewal day?",
            None,
            "none",
        ),
        ("Section 4: Term", "Section 4: Term", None, "none"),
    ],
)
def test_focus_forms(query: str, question: str, naming: str | None, form: str) -> None:
    got = focus_query(query, SOURCES)
    assert (got.question, got.naming, got.form) == (question, naming, form)


@pytest.mark.parametrize("wording", WORDINGS)
def test_focus_every_dataset_query(wording: str) -> None:
    """Every query of the wording comes apart into its naming part and its bare question: the
    question keeps every word of the bare one and no word that only the naming part has."""
    bare = _bare_questions()
    failures = []
    for t in _tests(wording):
        got = focus_query(str(t["query"]), SOURCES)
        expected = bare[(str(t["contract"]), str(t["cuad_category"]))]
        if wording == "bare":
            ok = got.naming is None and got.question == expected
        else:
            leftover = _words(got.question) - _words(expected) - {"under", "in", "of", "to"}
            ok = (
                got.naming is not None
                and _words(expected) <= _words(got.question)
                and not (leftover - {"this", "contract"})
            )
        if not ok:
            failures.append((t["query"], got))
    assert not failures, f"{len(failures)} queries mis-focused, e.g. {failures[:3]}"


@pytest.fixture(scope="module")
def seven_contracts(tmp_path_factory: pytest.TempPathFactory, shared_data: Path):  # type: ignore[no-untyped-def]
    """The confusable contracts of CONTRACTS in one workspace (hashing embedder: resolution
    does not look at vectors)."""
    from assistant.config import Settings
    from assistant.services import Services
    from tests.conftest import HashingEmbedder

    embedder = HashingEmbedder()
    svc = Services(
        Settings(workspace=tmp_path_factory.mktemp("focus") / "ws"),
        embedder_factory=lambda: embedder,
    )
    files = [shared_data / "cuad_dev" / "txt" / f"{c}.txt" for c in CONTRACTS]
    outcomes = svc.ingestor().ingest(files, kind="contract")
    assert all(o.status == "added" for o in outcomes)
    return svc


@pytest.mark.parametrize("wording", ("consider", "in", "plain"))
def test_resolution_names_the_one_contract(seven_contracts, wording: str) -> None:  # type: ignore[no-untyped-def]
    retriever = seven_contracts.retriever()
    docs = {d.doc_id: d for d in retriever.documents.list()}
    by_source = {d.source: d.doc_id for d in docs.values()}
    sources = [d.source for d in docs.values()]
    wrong = []
    for t in _tests(wording):
        if t["contract"] not in CONTRACTS:
            continue
        query = str(t["query"])
        named = retriever.resolve(focus_query(query, sources), query, docs)
        expected = by_source[f"{t['contract']}.txt"]
        # "the contract with NETGEAR" fits both NETGEAR contracts: search both, nothing else.
        shares_party = wording == "plain" and "NETGEAR" in query
        if named != [expected] and not (shares_party and expected in named and len(named) == 2):
            wrong.append((query, [docs[i].source for i in named]))
    assert not wrong, f"{len(wrong)} queries resolved wrongly, e.g. {wrong[:3]}"


def test_search_focuses_inside_the_resolved_contract(seven_contracts) -> None:  # type: ignore[no-untyped-def]
    retriever = seven_contracts.retriever()
    query = (
        "Consider the CONSULTING AGREEMENT between Gianluca Rotino and Kiromic, Inc; "
        "Which jurisdiction's law governs this contract?"
    )
    hits = retriever.search(query, k=5)
    assert hits and {h.source for h in hits} == {f"{CONTRACTS[3]}.txt"}


def test_payer_names_and_aliases_resolve(fake_services, tmp_path: Path, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    from assistant.rates.store import RateStore

    txt = shared_data / "cuad_dev" / "txt"
    ing = fake_services.ingestor()
    ing.ingest([txt / f"{CONTRACTS[4]}.txt"], payer="UnitedHealthcare", kind="contract")
    ing.ingest([txt / f"{CONTRACTS[5]}.txt"], payer="Cigna", kind="contract")
    rates = RateStore(fake_services.conn)
    rates.add_payer("UnitedHealthcare")
    rates.add_alias("UHC", "UnitedHealthcare")
    r = fake_services.retriever()
    for query in (
        "What insurance must a party maintain in the UHC contract?",
        "what does unitedhealthcare's agreement say about assignment",
        "UHC: who are the parties?",
    ):
        hits = r.search(query, k=3)
        assert hits and {h.payer for h in hits} == {"UnitedHealthcare"}, query
    assert r.route("What are Cigna's audit rights?", [d.doc_id for d in r.documents.list()])
