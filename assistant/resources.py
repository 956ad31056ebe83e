"""Where the files that ship with the product are: prompts, knowledge (checklist, guidance, code
tables) and evaluation data, read through importlib.resources so an installed wheel finds them.

In a checkout they are the top-level prompts/, knowledge/ and evals/ folders (assistant/_data links
to them); a built wheel carries copies under assistant/_data."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def data_dir(name: str) -> Path:
    """The shipped folder `name` ("prompts", "knowledge" or "evals")."""
    return Path(str(files("assistant").joinpath("_data", name)))


def prompts_dir() -> Path:
    return data_dir("prompts")


def knowledge_dir() -> Path:
    return data_dir("knowledge")


def evals_dir() -> Path:
    return data_dir("evals")
