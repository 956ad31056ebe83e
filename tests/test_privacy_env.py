"""Nothing leaves the machine: the OCR runtime's telemetry is off before it can start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def test_importing_the_ocr_runtime_through_the_product_writes_no_telemetry(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORT_")}
    env["HOME"] = str(tmp_path)
    subprocess.run(
        [sys.executable, "-c", "import assistant.ingest.ocr, onnxruntime"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    assert not (tmp_path / ".cache" / "Microsoft").exists()


def test_without_the_setting_the_runtime_would_write_a_device_id(tmp_path: Path) -> None:
    """The check above can fail: the installed onnxruntime on its own writes one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORT_")}
    env["HOME"] = str(tmp_path)
    subprocess.run([sys.executable, "-c", "import onnxruntime"], env=env, check=True)
    if not (tmp_path / ".cache" / "Microsoft").exists():
        pytest.skip("this onnxruntime writes no telemetry files at all")
