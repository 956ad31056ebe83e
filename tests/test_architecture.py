"""The layering rules hold by tool: import-linter contracts, and heavy imports stay lazy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_help_loads_no_heavy_library() -> None:
    code = (
        "import sys\n"
        "from assistant import cli\n"
        "heavy = {'torch', 'chromadb', 'sentence_transformers', 'langchain', 'pypdf', 'textual'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
