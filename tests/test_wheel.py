"""The built wheel runs on its own: prompts, knowledge, evaluation data and styles are inside it.

The wheel is built from this checkout and installed into a fresh virtual environment whose only
other path is the test environment's site-packages (for the dependencies, not for `assistant`:
that directory's .pth files, the editable install among them, are not processed). Every command
runs from a folder outside the checkout, so nothing can be read from it."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(dist), str(REPO)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    (wheel,) = dist.glob("payer_assistant-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )  # fmt: skip
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return python


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PAYER_ASSISTANT_HOME")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    return env


def run(python: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = clean_env()
    return subprocess.run(
        [str(python), "-m", "assistant", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_the_wheel_carries_its_data_files(wheel_python: Path) -> None:
    names = zipfile.ZipFile(next((wheel_python.parents[2] / "dist").glob("*.whl"))).namelist()
    for needed in (
        "assistant/_data/prompts/offline_answers.yaml",
        "assistant/_data/knowledge/checklist.yaml",
        "assistant/_data/knowledge/carc_rarc.yaml",
        "assistant/_data/evals/thresholds.yaml",
        "assistant/ui/styles/app.tcss",
    ):
        assert needed in names, needed
    assert any(n.startswith("assistant/_data/knowledge/guidance/") for n in names)


def test_the_installed_wheel_answers_from_outside_the_checkout(
    wheel_python: Path, tmp_path: Path
) -> None:
    where = run(wheel_python, tmp_path, "--help")
    assert where.returncode == 0, where.stderr
    assert "payer-assistant" in where.stdout.lower() or "Usage" in where.stdout

    located = subprocess.run(
        [str(wheel_python), "-c", "import assistant; print(assistant.__file__)"],
        cwd=tmp_path, env=clean_env(), capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert str(REPO) not in located.stdout
    assert str(wheel_python.parents[1]) in located.stdout

    contract = tmp_path / "acme-contract.txt"
    contract.write_text(
        "1. Timely Filing. Provider shall submit each claim within ninety (90) days after the "
        "date of service.\n\n2. Term. This Agreement has an initial term of two (2) years.\n",
        encoding="utf-8",
    )
    ws = tmp_path / "ws"
    ingest = run(wheel_python, tmp_path, "--workspace", str(ws), "ingest", str(contract),
                 "--payer", "Acme")  # fmt: skip
    assert ingest.returncode == 0, ingest.stderr
    ask = run(wheel_python, tmp_path, "--workspace", str(ws), "ask", "--json",
              "What is the timely filing limit with Acme?")  # fmt: skip
    assert ask.returncode == 0, ask.stderr
    assert "90" in ask.stdout and "acme-contract.txt" in ask.stdout
