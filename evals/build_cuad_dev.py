"""Build the LegalBench-RAG retrieval sets of ../shared/data/cuad_dev, one file per split x wording.

Run: python evals/build_cuad_dev.py   (deterministic: the same data gives byte-identical files)

Every (contract, category) of `CATEGORIES` that CUAD labels in a contract becomes one query in
each wording (see `WORDINGS`). Gold spans are found by locating each label excerpt of
master_clauses_dev.csv in the contract's txt (exactly, else with whitespace normalised); an
excerpt that cannot be found is dropped, and a (contract, category) left without any span is
skipped. The split (tune/test, by document) is read from evals/splits.yaml, never chosen here.

Files written: evals/datasets/cuad_dev/<split>-<wording>.json, in LegalBench-RAG format
({"tests": [{"query", "snippets": [{"file_path", "span"}]}]}, `file_path` relative to
../shared/data/cuad_dev), each test also carrying `cuad_category`, `contract` (the file stem),
`wording` and, for the `bare` wording, `"scope": "single-document"`.

The `bare` wording names no document: it is asked in a workspace that holds that one contract
alone. bench/bench_retrieval.py runs it on the shared 80-contract workspace with the search scoped
to that contract (`doc_ids=[it]`), which is what a one-contract workspace searches.
"""

from __future__ import annotations

import ast
import csv
import json
import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "cuad_dev"
OUT = REPO / "evals" / "datasets" / "cuad_dev"

# CUAD category -> its question in CUAD's style (as ../shared/data/cuad asks it), with `{doc}`
# where a plain question names the document. Categories the product reads in payer contracts.
CATEGORIES: dict[str, tuple[str, str]] = {
    "Parties": ("Who are the parties to this contract?", "Who are the parties to {doc}?"),
    "Agreement Date": ("When was this contract signed?", "When was {doc} signed?"),
    "Effective Date": ("When does this contract take effect?", "When does {doc} take effect?"),
    "Expiration Date": (
        "When does the initial term of this contract expire?",
        "When does the initial term of {doc} expire?",
    ),
    "Renewal Term": (
        "How and for how long does this contract renew?",
        "How and for how long does {doc} renew?",
    ),
    "Notice Period To Terminate Renewal": (
        "How much notice is needed to prevent renewal?",
        "How much notice is needed to prevent renewal of {doc}?",
    ),
    "Governing Law": (
        "Which jurisdiction's law governs this contract?",
        "Which jurisdiction's law governs {doc}?",
    ),
    "Most Favored Nation": (
        "Does this contract contain a most-favored-customer / MFN pricing term?",
        "Does {doc} contain a most-favored-customer / MFN pricing term?",
    ),
    "Exclusivity": (
        "Does this contract grant any exclusive rights or exclusive dealing commitments?",
        "Does {doc} grant any exclusive rights or exclusive dealing commitments?",
    ),
    "Non-Compete": (
        "Does this contract restrict a party from competing?",
        "Does {doc} restrict a party from competing?",
    ),
    "Termination For Convenience": (
        "Can a party terminate this contract without cause, and how?",
        "Can a party terminate {doc} without cause, and how?",
    ),
    "Change Of Control": (
        "What happens on a change of control of a party?",
        "What happens under {doc} on a change of control of a party?",
    ),
    "Anti-Assignment": (
        "What restrictions apply to assigning this contract?",
        "What restrictions apply to assigning {doc}?",
    ),
    "Audit Rights": (
        "What audit rights does a party have?",
        "What audit rights does a party have under {doc}?",
    ),
    "Cap On Liability": (
        "What limits apply to a party's liability?",
        "What limits apply to a party's liability under {doc}?",
    ),
    "Uncapped Liability": (
        "Which liabilities are excluded from the liability cap?",
        "Which liabilities are excluded from the liability cap in {doc}?",
    ),
    "Insurance": (
        "What insurance must a party maintain?",
        "What insurance must a party maintain under {doc}?",
    ),
    "Post-Termination Services": (
        "What obligations continue after this contract ends?",
        "What obligations continue after {doc} ends?",
    ),
}

MISSING: list[str] = []
"""Label excerpts not found in their txt (reported, then dropped)."""

WORDINGS = ("consider", "in", "plain", "bare")
"""consider: "Consider the <type> between <A> and <B>; <question>" (LegalBench-RAG's own form);
in: "In the <type> between <A> and <B>: <question>" (../shared/data/cuad's form);
plain: the question naming one party ("the contract with <A>") or the file ("<file>.txt"),
alternating by contract; bare: the question alone, asked where that contract is the only one."""

# Words that mark a party entry as an entity's name rather than a defined-term alias.
_ENTITY = re.compile(
    r"\b(?:inc|corp|corporation|llc|l\.l\.c|ltd|limited|company|co|partnership|association|plc|"
    r"lp|l\.p|gmbh|s\.a|n\.a|bank|trust|group|holdings|enterprises|technologies)\b\.?",
    re.IGNORECASE,
)
_ALIAS_NOISE = re.compile(r"hereinafter|referred to|together with|collectively|\"|“|”", re.I)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _labels(cell: str) -> list[str]:
    try:
        value = ast.literal_eval(cell) if cell.strip() else []
    except (ValueError, SyntaxError):
        return []
    return [str(v) for v in value if str(v).strip()]


def locate(excerpt: str, text: str) -> tuple[int, int] | None:
    """Where `excerpt` first occurs in `text`: exactly, else comparing letters and digits only
    (CUAD's excerpts and txt differ in line breaks, double spaces and quote characters)."""
    at = text.find(excerpt)
    if at >= 0:
        return at, at + len(excerpt)
    wanted = "".join(c.lower() for c in excerpt if c.isalnum())
    if len(wanted) < 3:
        return None
    positions = [i for i, c in enumerate(text) if c.isalnum()]
    letters = "".join(text[i].lower() for i in positions)
    at = letters.find(wanted)
    if at < 0:
        return None
    return positions[at], positions[at + len(wanted) - 1] + 1


def pieces(excerpt: str) -> list[str]:
    """CUAD joins the parts of a discontiguous excerpt with "<omitted>"."""
    return [p.strip() for p in excerpt.split("<omitted>") if p.strip()]


def parties(labels: list[str], text: str) -> list[str]:
    """The two parties' names in order of first appearance: entries that look like an entity's
    or a person's name, not a defined-term alias ("Seller", "Customer")."""
    found: list[tuple[int, str]] = []
    for raw in labels:
        name = _clean(raw).strip(" ,;")
        if not name or len(name) > 80 or _ALIAS_NOISE.search(name):
            continue
        words = name.split()
        if not (_ENTITY.search(name) or (len(words) >= 2 and all(w[:1].isupper() for w in words))):
            continue
        span = locate(raw, text)
        found.append((span[0] if span else len(text), name))
    found.sort()
    names: list[str] = []
    for _, name in found:
        # "Capital Resources" and "Capital Resources, Inc." are one party.
        if not any(name.lower() in n.lower() or n.lower() in name.lower() for n in names):
            names.append(name)
    if len(names) < 2:
        # Fall back on whatever the label lists, first two distinct entries.
        for raw in labels:
            name = _clean(raw).strip(" ,;")
            if name and name.lower() not in {n.lower() for n in names} and len(name) <= 80:
                names.append(name)
    return names[:2]


def doc_type(labels: list[str]) -> str:
    name = _clean(labels[0]) if labels else "agreement"
    name = re.sub(r"[\s(\"“,]+[a-z]?$", "", name).strip()
    return name or "agreement"


def query(wording: str, category: str, kind: str, names: list[str], stem: str, n: int) -> str:
    bare, named = CATEGORIES[category]
    a = names[0] if names else stem
    b = names[1] if len(names) > 1 else "the other party"
    if wording == "consider":
        return f"Consider the {kind} between {a} and {b}; {bare}"
    if wording == "in":
        return f"In the {kind} between {a} and {b}: {bare}"
    if wording == "plain":
        doc = f"the contract with {a}" if n % 2 == 0 else f"{stem}.txt"
        return named.format(doc=doc)
    return bare


def build() -> dict[str, list[dict[str, object]]]:
    splits = yaml.safe_load((REPO / "evals" / "splits.yaml").read_text(encoding="utf-8"))
    split_of = {stem: split for split in ("tune", "test") for stem in splits["cuad_dev"][split]}
    csv.field_size_limit(sys.maxsize)
    with (DATA / "master_clauses_dev.csv").open(encoding="utf-8", newline="") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: r["Filename"])
    out: dict[str, list[dict[str, object]]] = {
        f"{s}-{w}": [] for s in ("tune", "test") for w in WORDINGS
    }
    for n, row in enumerate(rows):
        stem = Path(row["Filename"]).stem
        split = split_of.get(stem)
        txt = DATA / "txt" / f"{stem}.txt"
        if split is None or not txt.is_file():
            raise SystemExit(f"{stem}: not in evals/splits.yaml or no txt; fix the split first")
        text = txt.read_text(encoding="utf-8")
        names = parties(_labels(row["Parties"]), text)
        kind = doc_type(_labels(row["Document Name"]))
        for category in CATEGORIES:
            spans = []
            for excerpt in (p for e in _labels(row.get(category, "")) for p in pieces(e)):
                span = locate(excerpt, text)
                if span is None:
                    MISSING.append(f"{stem} / {category}: {excerpt[:60]!r}")
                if span is not None and list(span) not in spans:
                    spans.append(list(span))
            if not spans:
                continue
            for wording in WORDINGS:
                test: dict[str, object] = {
                    "query": query(wording, category, kind, names, stem, n),
                    "cuad_category": category,
                    "contract": stem,
                    "wording": wording,
                    "snippets": [
                        {"file_path": f"txt/{stem}.txt", "span": span} for span in sorted(spans)
                    ],
                }
                if wording == "bare":
                    test["scope"] = "single-document"
                out[f"{split}-{wording}"].append(test)
    return out


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, tests in build().items():
        path = OUT / f"{name}.json"
        lines = ",\n".join(json.dumps(t, ensure_ascii=False) for t in tests)
        path.write_text('{"tests": [\n' + lines + "\n]}\n", encoding="utf-8")
        print(f"{path.relative_to(REPO)}: {len(tests)} queries")
    print(f"{len(MISSING)} label excerpts not found in their txt (dropped):")
    for line in MISSING:
        print("  " + line)


if __name__ == "__main__":
    main()
