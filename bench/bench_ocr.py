"""Measure loading and chunking on the real contracts: text pages/s, OCR s/page, chunk sizes.

Usage: python bench/bench_ocr.py [PDF ...]   (default: the TN contracts in ../shared/data)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from assistant.ingest.chunking import chunk_document
from assistant.ingest.loaders import load_document

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DEFAULT = sorted((SHARED / "payer_contracts").glob("*.pdf"))


def main(paths: list[Path]) -> None:
    for path in paths:
        started = time.perf_counter()
        text_only = load_document(path, ocr=False)
        text_seconds = time.perf_counter() - started
        started = time.perf_counter()
        doc = load_document(path)
        ocr_seconds = time.perf_counter() - started - text_seconds
        scanned = len(doc.ocr_pages)
        started = time.perf_counter()
        chunks = chunk_document(doc, path.stem)
        chunk_seconds = time.perf_counter() - started
        sizes = sorted(len(c.text) for c in chunks)
        deciles = statistics.quantiles(sizes, n=10)
        print(f"{path.name}: {len(text_only.pages)} pages")
        print(f"  text extraction  {len(text_only.pages) / text_seconds:6.1f} pages/s")
        if scanned:
            print(f"  OCR              {ocr_seconds / scanned:6.1f} s/page ({scanned} pages)")
        print(f"  chunking         {chunk_seconds * 1000:6.0f} ms, {len(chunks)} chunks")
        print(
            f"  chunk chars      min {sizes[0]}, p10 {deciles[0]:.0f}, median "
            f"{statistics.median(sizes):.0f}, p90 {deciles[-1]:.0f}, max {sizes[-1]}; "
            f"{sum(c.section is not None for c in chunks)} with a section, "
            f"{sum(bool(c.headings) for c in chunks)} with headings"
        )


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]] or DEFAULT)
