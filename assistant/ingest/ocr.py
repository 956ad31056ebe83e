"""Offline OCR of page images with RapidOCR (models ship in the package), in reading order."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL.Image import Image

# The engine is not documented as thread-safe; one lock serialises creation and use. OCR already
# keeps both cores busy, so running two pages at once would not be faster anyway.
_ENGINE_LOCK = threading.Lock()

# A box joins a line when its vertical centre lies within this fraction of the line's height.
_SAME_LINE = 0.5
# A horizontal gap wider than this many line heights separates cells or surrounds a redaction.
_WIDE_GAP = 3.0
CELL_SEPARATOR = " | "
# One wide gap in a line is most often a blacked-out name in prose; pypdf renders those as
# spaces, so do the same. Two or more make a table row, whose cells get CELL_SEPARATOR.
_REDACTION_GAP = "  "

# Smaller images are logos, rules or signatures; OCR on them yields noise.
MIN_IMAGE_SIDE = 64


@dataclass(frozen=True)
class TextBox:
    """One recognised piece of text and its axis-aligned box in image pixels (y grows down)."""

    left: float
    top: float
    right: float
    bottom: float
    text: str

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def group_lines(boxes: Iterable[TextBox]) -> list[list[TextBox]]:
    """Group boxes into lines, top to bottom, each line's boxes left to right."""
    lines: list[list[TextBox]] = []
    for box in sorted(boxes, key=lambda b: (b.middle, b.left)):
        if lines:
            line = lines[-1]
            line_middle = sum(b.middle for b in line) / len(line)
            line_height = max(b.height for b in line)
            if abs(box.middle - line_middle) <= _SAME_LINE * max(line_height, box.height):
                line.append(box)
                continue
        lines.append([box])
    return [sorted(line, key=lambda b: b.left) for line in lines]


def join_lines(boxes: Iterable[TextBox]) -> str:
    """Text of `boxes` in reading order, one line per row of text.

    Within a line, boxes are joined by a space; across wide gaps by " | " when the line has two
    or more of them (a table row) and by two spaces when it has one (usually a redaction).
    """
    rendered = []
    for line in group_lines(boxes):
        height = max(b.height for b in line)
        wide = [box.left - before.right > _WIDE_GAP * height for before, box in pairwise(line)]
        wide_gap = CELL_SEPARATOR if sum(wide) >= 2 else _REDACTION_GAP
        parts = [line[0].text.strip()]
        for is_wide, box in zip(wide, line[1:], strict=True):
            parts.append(wide_gap if is_wide else " ")
            parts.append(box.text.strip())
        rendered.append("".join(parts).strip())
    return "\n".join(text for text in rendered if text)


@cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    # Batches of one are faster here: a batch is padded to its widest line, and contract lines
    # vary from a word to a full page width.
    return RapidOCR(rec_batch_num=1, use_cls=False)


def boxes_from_result(result: Sequence[Sequence[Any]] | None) -> list[TextBox]:
    """RapidOCR's `[[corner points], text, score]` rows as TextBoxes."""
    boxes = []
    for points, text, _score in result or ():
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        boxes.append(TextBox(min(xs), min(ys), max(xs), max(ys), str(text)))
    return boxes


def ocr_image(image: Image) -> str:
    """Recognise the text in `image`, lines in reading order; "" when it holds no text."""
    import numpy as np

    if min(image.size) < MIN_IMAGE_SIDE:
        return ""
    pixels = np.asarray(image.convert("RGB"))
    with _ENGINE_LOCK:
        result, _timings = _engine()(pixels)
    return join_lines(boxes_from_result(result))
