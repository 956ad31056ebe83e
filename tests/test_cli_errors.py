"""Usage and input mistakes at the CLI edge: click's two lines and exit 2, never a traceback.

These run the real console entry point in a subprocess, so they test the typer and click
classes actually installed (typer 0.29 raises its own vendored click exceptions).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app

REPO = Path(__file__).resolve().parent.parent


def _entry_point() -> list[str]:
    script = shutil.which("payer-assistant")
    return [script] if script else [sys.executable, "-m", "assistant"]


def run_cli(*args: str, workspace: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "PAYER_ASSISTANT_HOME": str(workspace),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    env.pop("OPENAI_API_KEY", None)
    return subprocess.run(
        [*_entry_point(), *args], capture_output=True, text=True, env=env, timeout=120
    )


USAGE_MISTAKES = [
    pytest.param(("gapp",), "No such command 'gapp'", id="misspelled-command"),
    pytest.param(("gap",), "Missing option '--payer'", id="missing-payer"),
    pytest.param(("search", "timely filing", "-k", "0"), "'-k'", id="k-zero"),
    pytest.param(("top", "--limit", "abc"), "'--limit'", id="limit-not-a-number"),
    pytest.param(("top", "--limit", "0"), "'--limit'", id="limit-zero"),
    pytest.param(
        ("model", "--payer", "Aetna", "--pct-of", "medicare"),
        "'--pct-of' requires 2 arguments",
        id="pct-of-one-value",
    ),
    pytest.param(("import", "fees"), "Missing argument", id="import-without-file"),
    pytest.param(("gap", "--payer", "Aetna", "--bogus"), "No such option", id="unknown-option"),
]


@pytest.mark.parametrize(("args", "expected"), USAGE_MISTAKES)
def test_usage_mistakes_print_clicks_lines_and_exit_2(
    args: tuple[str, ...], expected: str, tmp_path: Path
) -> None:
    done = run_cli(*args, workspace=tmp_path / "ws")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("Error: ")
    assert expected in lines[-1]
    assert done.stdout == ""


@pytest.mark.parametrize(("args", "expected"), USAGE_MISTAKES)
def test_usage_mistakes_with_json_print_one_error_object(
    args: tuple[str, ...], expected: str, tmp_path: Path
) -> None:
    # Before a trailing option that takes values, else --json would be read as one of them.
    at = args.index("--pct-of") if "--pct-of" in args else len(args)
    done = run_cli(*args[:at], "--json", *args[at:], workspace=tmp_path / "ws")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    obj = json.loads(done.stdout)
    assert set(obj) == {"error", "hint"}
    assert expected in obj["error"]


def test_no_arguments_shows_help_and_exits_2(tmp_path: Path) -> None:
    done = run_cli(workspace=tmp_path / "ws")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "Usage:" in done.stdout + done.stderr


def test_help_still_exits_0(tmp_path: Path) -> None:
    done = run_cli("gap", "--help", workspace=tmp_path / "ws")
    assert done.returncode == 0
    assert "--payer" in done.stdout


def test_an_input_error_is_one_message_and_exit_1(tmp_path: Path) -> None:
    done = run_cli("import", "fees", str(tmp_path / "missing.csv"), "--payer", "Aetna",
                   workspace=tmp_path / "ws")  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("Error: File not found")


def test_a_provider_without_its_package_or_key_is_one_line_with_the_fix(tmp_path: Path) -> None:
    done = run_cli("--model", "openai:gpt-4.1-mini", "ask", "hello", workspace=tmp_path / "ws")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    text = done.stderr.replace("\n", "")
    # The hint's brackets are printed, not eaten as rich markup.
    assert "payer-assistant[openai]" in text or "OPENAI_API_KEY" in text


def test_an_unknown_provider_is_named_in_one_message(tmp_path: Path) -> None:
    done = run_cli("--model", "nosuchprovider:x", "ask", "hello", workspace=tmp_path / "ws")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0].startswith("Error: Cannot use model 'nosuchprovider:x'")


def test_control_characters_in_errors_are_not_sent_to_the_terminal(tmp_path: Path) -> None:
    done = run_cli("import", "fees", str(tmp_path / "a\x1b]0;pwned\x07.csv"), "--payer", "A",
                   workspace=tmp_path / "ws")  # fmt: skip
    assert done.returncode == 1
    assert "\x1b]0;" not in done.stderr
    assert "\x07" not in done.stderr


def test_cli_runner_sees_the_same_vendored_usage_error() -> None:
    # CliRunner goes through typer's own main, so this checks the classes typer raises are the
    # ones cli.main catches.
    from assistant import cli

    result = CliRunner().invoke(app, ["gap"])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    from typer._click.exceptions import UsageError

    assert issubclass(UsageError, cli._CLICK_ERRORS)


def test_printed_tables_and_rules_carry_no_terminal_escape_from_the_data() -> None:
    import io

    from rich.table import Table

    from assistant.commands.common import SafeConsole

    out = io.StringIO()
    console = SafeConsole(file=out, force_terminal=True, width=80)
    hostile = "Timely filing\x1b[2J\x1b]0;owned\x07 90 days\r"
    table = Table("title")
    table.add_row(hostile)
    console.print(table)
    console.rule(hostile)
    console.print(hostile, markup=False, highlight=False)
    text = out.getvalue()
    assert "\x1b[2J" not in text
    assert "\x1b]0;" not in text
    assert "\x07" not in text
    assert text.count("Timely filing") == 3


def _csv(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_import_flags_warnings_and_missing_data_end_to_end(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    comma = _csv(tmp_path, "eu.csv", 'code,rate\n99213,"73,26"\n')
    refused = run_cli("import", "fees", comma, "--payer", "Aetna", "--json", workspace=ws)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "--decimal-comma" in json.loads(refused.stdout)["error"]

    done = run_cli(
        "import", "fees", comma, "--payer", "Aetna", "--decimal-comma", "--json", workspace=ws
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "payer": "Aetna", "codes": 1, "effective": None, "source": "eu.csv", "warnings": []
    }  # fmt: skip

    volumes = _csv(tmp_path, "v.csv", "payer,code,units\nAetna,99213,10\nHumana,99213,4\n")
    plain = run_cli("import", "volumes", volumes, workspace=ws)
    assert plain.returncode == 0, plain.stderr
    assert "Imported volumes for Aetna (1 codes)." in plain.stdout
    assert plain.stderr.startswith("Warning: v.csv: volumes of Humana not imported")

    as_json = json.loads(run_cli("import", "volumes", volumes, "--json", workspace=ws).stdout)
    assert as_json["payers"] == {"Aetna": 1}
    assert len(as_json["warnings"]) == 1 and "Humana" in as_json["warnings"][0]

    run_cli("import", "fees", _csv(tmp_path, "c.csv", "code,rate\n99213,80\n"), "--payer",
            "Cigna", workspace=ws)  # fmt: skip
    missing = run_cli("top", "--payer", "Cigna", "--json", workspace=ws)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    error = json.loads(missing.stdout)
    assert error["error"].startswith("No volumes imported for Cigna")
    assert "payer-assistant import volumes FILE" in error["hint"]
    assert "$0.00" not in missing.stdout + missing.stderr


def test_a_truncated_tic_gzip_is_one_line_not_an_abort_traceback(tmp_path: Path) -> None:
    import gzip

    raw = gzip.compress(b'{"in_network": [' + b'{"billing_code": "99213"},' * 200 + b"{}]}")
    path = tmp_path / "rates.json.gz"
    path.write_bytes(raw[: len(raw) // 2])
    done = run_cli("import", "market", str(path), "--name", "m", workspace=tmp_path / "ws")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "Abort" not in done.stderr
    assert done.stderr.startswith("Error: rates.json.gz is a truncated or damaged gzip file")


def test_cf_zero_and_overflowing_numbers_are_refused_at_the_cli(tmp_path: Path) -> None:
    rvu = str(REPO.parent / "shared" / "data" / "cms_pfs" / "2025" / "PPRRVU2025_Oct.csv")
    for cf in ("0", "1e30"):
        done = run_cli("import", "medicare", rvu, "--cf", cf, workspace=tmp_path / "ws")
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        assert done.stderr.startswith("Error: ")
    done = run_cli("solve", "--payer", "Aetna", "--target-increase", "1e30",
                   workspace=tmp_path / "ws")  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
