"""The plain LangChain baseline on a questions file: retrieve and show passages, no tools.

What a team would build first with the same parts: pypdf page text (Markdown read whole) ->
RecursiveCharacterTextSplitter(500) -> langchain-chroma over MiniLM; the "answer" is the three
nearest passages, cited by source and page (a Markdown passage by the section heading above it).
It cannot compute a figure and never abstains. Scored with `bench_answers.py`'s definitions
(correct = every `must_contain` in the answer; gold page = a citation on a gold page ±1), so its
figures sit beside the offline model's in the README.

Run: python bench/bench_answers_baseline.py evals/datasets/questions/test.jsonl \
       --docs assistant/demo_data/contracts ../shared/data/payer_contracts [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_answers import ABSTAINED, REPO, cites_gold, contains, load  # noqa: E402

sys.path.insert(0, str(REPO))
TOP = 3
HEADING = re.compile(r"^#+\s*(?:Section\s+)?(\d+(?:\.\d+)*)", re.M)


def documents(folders: list[Path]) -> list[Any]:
    """One LangChain Document per PDF page or Markdown file (READMEs and notes left out)."""
    from langchain_core.documents import Document
    from pypdf import PdfReader

    docs = []
    for folder in folders:
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() == ".pdf":
                for number, page in enumerate(PdfReader(path).pages, 1):
                    text = page.extract_text() or ""
                    docs.append(Document(text, metadata={"source": path.name, "page": number}))
            elif path.suffix.lower() == ".md" and path.stem.lower() not in {"readme", "source"}:
                text = path.read_text(encoding="utf-8")
                docs.append(Document(text, metadata={"source": path.name, "page": -1}))
    return docs


def section_at(text: str, offset: int) -> str | None:
    """The number of the last Markdown section heading before `offset`."""
    found = None
    for match in HEADING.finditer(text, 0, offset + 1):
        found = match.group(1)
    return found


def build(folders: list[Path], persist: Path) -> Any:
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.retrieval.embeddings import load_embedder

    embedder = load_embedder()

    class Same(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed_documents(texts)

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed_query(text)

    docs = documents(folders)
    whole = {d.metadata["source"]: d.page_content for d in docs if d.metadata["page"] == -1}
    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=0, add_start_index=True)
    chunks = splitter.split_documents(docs)
    for chunk in chunks:
        source = chunk.metadata["source"]
        if source in whole:
            chunk.metadata["section"] = section_at(whole[source], chunk.metadata["start_index"])
    return Chroma.from_documents(chunks, Same(), persist_directory=str(persist))


def citation(hit: Any) -> dict[str, Any]:
    page = hit.metadata.get("page")
    return {
        "source": hit.metadata["source"],
        "page": None if page in (None, -1) else int(page),
        "section": hit.metadata.get("section"),
    }


def run(questions: Path, folders: list[Path]) -> dict[str, Any]:
    cases = load(questions)
    with tempfile.TemporaryDirectory() as tmp:
        store = build(folders, Path(tmp))
        rows = []
        for case in cases:
            hits = store.similarity_search(case["question"], k=TOP)
            body = "\n\n".join(h.page_content for h in hits)
            wanted = case.get("must_contain") or []
            unwanted = case.get("must_not_contain") or []
            correct = all(contains(body, m) for m in wanted) and not any(
                contains(body, m) for m in unwanted
            )
            gold = cites_gold(case, [citation(h) for h in hits])
            rows.append(
                {
                    "id": case["id"],
                    "kind": case.get("kind") or "lookup",
                    "right": correct and gold is not False,
                    "abstained": bool(ABSTAINED.search(body)),
                }
            )
    return summary(rows)


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def share(flags: list[bool]) -> float | None:
        return round(sum(flags) / len(flags), 3) if flags else None

    kinds: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        kinds[row["kind"]].append(row)
    answerable = [r for r in rows if r["kind"] != "absent"]
    return {
        "questions": len(rows),
        "right_with_gold_page": share([r["right"] for r in answerable]),
        "false_abstention": share([r["abstained"] for r in answerable]),
        "correct_abstention": share([r["abstained"] for r in kinds.get("absent", [])]),
        "per_kind": {
            kind: {
                "n": len(rs),
                "right_with_gold_page": None
                if kind == "absent"
                else share([r["right"] for r in rs]),
                "abstained": share([r["abstained"] for r in rs]),
            }
            for kind, rs in sorted(kinds.items())
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path)
    parser.add_argument("--docs", type=Path, nargs="+", required=True, help="document folders")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.questions, args.docs)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{args.questions.name}: plain LangChain baseline, {result['questions']} questions")
    for key, value in result.items():
        if key not in {"per_kind", "questions"}:
            print(f"  {key}: {value}")
    for kind, figures in result["per_kind"].items():
        print(f"  {kind}: {figures}")


if __name__ == "__main__":
    main()
