"""The app, the CLI and the agent share one service layer: the same file imports to the same
store state either way, a proposal text means one Proposal everywhere, and the UI reaches
importers only through services."""

from __future__ import annotations

import ast
import json
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.agent.tools import ToolBox, _proposal
from assistant.cli import main
from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.rates.demo import load_demo_practice
from assistant.rates.proposals import build_proposal, parse_proposal_text
from assistant.services import Services
from assistant.tool_results import jsonable
from assistant.ui import workspace_data
from assistant.ui.workspace_data import ImportRequest
from assistant.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent


def cli(workspace: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(["--workspace", str(workspace), *args])
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out, captured.err


def words(text: str) -> str:
    """Text with its line wrapping undone (rich wraps long messages at the console width)."""
    return " ".join(text.split())


def store_state(workspace: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every rates and remittance row, without the import timestamps."""
    conn = sqlite3.connect(Workspace(workspace).db_path)
    try:
        tables = [
            row[0]
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if row[0].startswith(("rates_", "remits_"))
        ]
        state = {}
        for table in tables:
            columns = [
                c[1] for c in conn.execute(f"PRAGMA table_info({table})") if c[1] != "imported_at"
            ]
            rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            state[table] = sorted(rows, key=repr)
        return state
    finally:
        conn.close()


@pytest.fixture
def files(tmp_path: Path, shared_data: Path) -> dict[str, Path]:
    fees = tmp_path / "humana.csv"
    fees.write_text("code,modifier,rate\n99213,,88.00\n99214,,121.50\n99215,25,170.10\n")
    volumes = tmp_path / "volumes.csv"
    volumes.write_text("payer,code,modifier,units\nHumana,99213,,400\nHumana,99214,,250\n")
    survey = tmp_path / "survey.csv"
    survey.write_text("code,modifier,rate\n99213,,95.00\n99214,,130.00\n")
    cms = shared_data / "cms_pfs" / "2026"
    return {
        "fees": fees,
        "volumes": volumes,
        "survey": survey,
        "rvu": cms / "PPRRVU2026_Jul_nonQPP.csv",
        "gpci": cms / "GPCI2026.csv",
        "tic": shared_data
        / "tic"
        / "examples"
        / "in-network-rates"
        / "in-network-rates-multiple-plans-sample.json",
        "remit_a": shared_data / "x12_835" / "lfh_managed-care.835",
        "remit_b": shared_data / "x12_835" / "lfh_secondary-payment.835",
    }


def imports(f: dict[str, Path]) -> list[tuple[ImportRequest, list[str]]]:
    """Each import as the app's dialog asks for it and as the CLI is told it."""
    return [
        (
            ImportRequest("fees", str(f["fees"]), name="Humana", effective="2026-01-01"),
            ["import", "fees", str(f["fees"]), "--payer", "Humana", "--effective", "2026-01-01"],
        ),
        (
            ImportRequest("volumes", str(f["volumes"])),
            ["import", "volumes", str(f["volumes"])],
        ),
        (
            ImportRequest(
                "medicare",
                str(f["rvu"]),
                gpci=str(f["gpci"]),
                locality="OH-00",
                conversion_factor="33.4009",
            ),
            ["import", "medicare", str(f["rvu"]), "--gpci", str(f["gpci"]), "--locality", "OH-00"]
            + ["--cf", "33.4009"],
        ),
        (
            ImportRequest("medicare", str(f["rvu"]), name="medicare-facility", setting="facility"),
            ["import", "medicare", str(f["rvu"]), "--name", "medicare-facility"]
            + ["--setting", "facility"],
        ),
        (
            ImportRequest("benchmark", str(f["survey"]), name="survey-2025"),
            ["import", "benchmark", str(f["survey"]), "--name", "survey-2025"],
        ),
        (
            ImportRequest("market", str(f["tic"]), name="ohio"),
            ["import", "market", str(f["tic"]), "--name", "ohio"],
        ),
        (
            ImportRequest("remits", f"{f['remit_a']} {f['remit_b']}"),
            ["import", "remits", str(f["remit_a"]), str(f["remit_b"])],
        ),
    ]


def test_app_and_cli_imports_leave_the_same_store(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    app_ws, cli_ws = tmp_path / "app", tmp_path / "cli"
    services = Services(Settings(workspace=app_ws))
    for request, args in imports(files):
        outcome = workspace_data.import_data(services, request)
        code, out, _ = cli(cli_ws, capsys, *args)
        assert code == 0, args
        if request.kind != "remits":  # the CLI prints remittances as a table
            assert words(outcome.summary) in words(out), args
    services.close()
    app, by_cli = store_state(app_ws), store_state(cli_ws)
    assert app == by_cli
    # The options took effect: an effective date, Ohio's GPCIs, the facility setting.
    assert [r[2] for r in app["rates_schedules"]] == ["2026-01-01"]
    details = {r[0]: json.loads(r[3]) for r in app["rates_benchmarks"]}
    assert "OH" in json.dumps(details["medicare"]) and "33.4009" in json.dumps(details["medicare"])
    assert "facility" in json.dumps(details["medicare-facility"])
    rates = {(r[0], r[1]): r[3] for r in app["rates_benchmark_rates"] if r[1] == "99213"}
    assert rates[("medicare", "99213")] != rates[("medicare-facility", "99213")]
    assert app["remits_payments"]


# ImportRequest field -> the CLI parameter that means the same (on `import fees` for the table
# options, which volumes and benchmark share) and the dialog's row for it.
CLI_OPTIONS = {
    "effective": ("fees", "effective", "effective"),
    "sheet": ("fees", "sheet", "sheet"),
    "decimal_comma": ("fees", "decimal_comma", "decimal-comma"),
    "gpci": ("medicare", "gpci", "gpci"),
    "locality": ("medicare", "locality", "locality"),
    "setting": ("medicare", "setting", "setting"),
    "conversion_factor": ("medicare", "cf", "cf"),
    "billing_class": ("market", "billing_class", "billing-class"),
    "strict": ("remits", "strict", "strict"),
}
# The file(s), the payer or name (the dialog's Name row), and --json (only the CLI prints).
ALWAYS_SHOWN = {"file", "paths", "rvu_file", "payer", "name", "json_out", "as_json"}


def test_the_dialog_has_every_cli_import_option_with_its_default() -> None:
    import dataclasses

    from typer.main import get_command

    from assistant.cli import app
    from assistant.ui.screens.load import OPTIONS

    group: Any = get_command(app).commands["import"]  # type: ignore[attr-defined]
    defaults = {f.name: f.default for f in dataclasses.fields(ImportRequest)}
    for field, (command, param, _) in CLI_OPTIONS.items():
        cli_default = next(p.default for p in group.commands[command].params if p.name == param)
        assert defaults[field] == cli_default, field
    for kind in ("fees", "volumes", "medicare", "benchmark", "market", "remits"):
        for p in group.commands[kind].params:
            in_dialog = p.name in ALWAYS_SHOWN or any(
                param == p.name and kind in OPTIONS[row] for _, param, row in CLI_OPTIONS.values()
            )
            assert in_dialog, f"import {kind}: its option {p.name} is not in the import dialog"


@pytest.mark.parametrize(
    ("request_", "args"),
    [
        (
            ImportRequest("fees", "humana.csv", name="Humana", effective="31/12/2026"),
            ["import", "fees", "humana.csv", "--payer", "Humana", "--effective", "31/12/2026"],
        ),
        (
            ImportRequest("medicare", "rvu", gpci="gpci"),
            ["import", "medicare", "rvu", "--gpci", "gpci"],
        ),
        (
            ImportRequest("fees", "missing.csv", name="Humana"),
            ["import", "fees", "missing.csv", "--payer", "Humana"],
        ),
        (
            ImportRequest("fees", "bad.csv", name="Humana"),
            ["import", "fees", "bad.csv", "--payer", "Humana"],
        ),
    ],
    ids=["bad-effective-date", "gpci-without-locality", "missing-file", "bad-rate"],
)
def test_a_failed_import_says_what_the_cli_says_and_keeps_the_data(
    tmp_path: Path,
    files: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    request_: ImportRequest,
    args: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "humana.csv").write_text(files["fees"].read_text())
    (tmp_path / "bad.csv").write_text("code,modifier,rate\n99213,,eighty\n")
    (tmp_path / "rvu").write_text(files["rvu"].read_text())
    (tmp_path / "gpci").write_text(files["gpci"].read_text())
    app_ws, cli_ws = tmp_path / "app", tmp_path / "cli"
    services = Services(Settings(workspace=app_ws))
    first = ImportRequest("fees", str(files["fees"]), name="Humana")
    workspace_data.import_data(services, first)
    assert cli(cli_ws, capsys, "import", "fees", str(files["fees"]), "--payer", "Humana")[0] == 0
    before = store_state(app_ws)

    with pytest.raises(AssistantError) as failed:
        workspace_data.import_data(services, request_)
    code, _, err = cli(cli_ws, capsys, *args)
    services.close()

    assert code != 0 and failed.value.hint
    assert words(f"Error: {failed.value.message}") in words(err)
    assert words(f"→ {failed.value.hint}") in words(err)
    assert "Traceback" not in err
    assert store_state(app_ws) == before == store_state(cli_ws)


# One proposal parser -------------------------------------------------------------------------

# Each offer as typed in the Rates view (and `model --proposal`), and as the agent's model tool
# receives it (its arguments are what a chat model writes from the same words).
OFFERS: list[tuple[str, dict[str, Any]]] = [
    ("+3%", {"across_the_board": "+3%"}),
    ("-2.5", {"across_the_board": -2.5}),
    ("E/M +3%", {"carve_outs": ["E/M +3%"]}),
    ("0; office-em=3", {"across_the_board": 0, "carve_outs": ["office-em=3"]}),
    ("0; em=3", {"across_the_board": 0, "carve_outs": ["em=3"]}),
    ("105% of Medicare", {"pct_of_medicare": 105}),
    ("110%medicare; 99213,99214=5", {"pct_of_medicare": "110", "carve_outs": ["99213,99214=5"]}),
    (
        "2; preventive 105% of Medicare",
        {"across_the_board": 2, "carve_outs": ["preventive 105% of Medicare"]},
    ),
]


@pytest.fixture
def practice(tmp_path: Path) -> Services:
    services = Services(Settings(workspace=tmp_path / "ws"))
    load_demo_practice(services.conn)
    return services


def test_app_cli_and_agent_read_a_proposal_alike(
    practice: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    box = ToolBox(practice)
    worths = set()
    for text, tool_args in OFFERS:
        proposal = parse_proposal_text(text)
        assert workspace_data.parse_proposal(text) == proposal, text
        assert (
            _proposal(
                tool_args.get("across_the_board"),
                tool_args.get("pct_of_medicare"),
                tool_args.get("carve_outs"),
            )
            == proposal
        ), text
        app = workspace_data.model(practice, "Aetna", text).to_json()
        tool = jsonable(box.model_proposal("Aetna", **tool_args))
        code, out, err = cli(
            practice.settings.workspace,
            capsys,
            "model",
            "--payer",
            "Aetna",
            "--proposal",
            text,
            "--json",
        )
        assert code == 0, err
        assert app == tool == json.loads(out), text
        worths.add(app["total_delta"])
    assert len(worths) == len(OFFERS) - 1  # 'E/M +3%' and '0; office-em=3' are one offer


def test_cli_options_and_the_one_line_form_are_one_proposal(
    practice: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = practice.settings.workspace
    by_options = cli(
        ws, capsys, "model", "-p", "Aetna", "--pct-of", "medicare", "110",
        "--carve-out", "E/M +3%", "--json",
    )  # fmt: skip
    by_text = cli(
        ws, capsys, "model", "-p", "Aetna", "--proposal", "110% of Medicare; e/m=3", "--json"
    )
    assert by_options[0] == by_text[0] == 0
    assert json.loads(by_options[1]) == json.loads(by_text[1])
    both = cli(ws, capsys, "model", "-p", "Aetna", "--proposal", "3", "--across-the-board", "3")
    assert both[0] != 0 and "not both" in words(both[2])


@pytest.mark.parametrize("text", ["lots", "E/M", "3 medicare", "", "em=lots", "-150"])
def test_a_bad_proposal_is_refused_alike_everywhere(
    practice: Services, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    with pytest.raises(AssistantError) as app:
        workspace_data.model(practice, "Aetna", text)
    code, _, err = cli(
        practice.settings.workspace, capsys, "model", "-p", "Aetna", "--proposal", text
    )
    assert code != 0 and words(app.value.message) in words(err)


def test_talking_points_offer_is_read_by_the_same_parser(practice: Services) -> None:
    from assistant.reports.talking_points import _offer_args

    for text, _ in OFFERS:
        if "edicare" in text:  # the talking points' offer is a change; Medicare is its target
            continue
        args = _offer_args(text)
        assert _proposal(
            args.get("across_the_board"), None, args.get("carve_outs")
        ) == parse_proposal_text(text), text


# The UI reaches importers only through services --------------------------------------------

IMPORTERS = {
    "assistant.rates.fees",
    "assistant.rates.cms_pfs",
    "assistant.rates.tic",
    "assistant.rates.tables",
    "assistant.remits.parser",
    "assistant.ingest.loaders",
    "assistant.ingest.chunking",
    "assistant.ingest.ocr",
    "assistant.negotiation.costs",
}


def offences(source: str, where: str) -> list[str]:
    """Where `source` reaches an importer, or an Ingestor's `ingest`, other than by a service."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [a.name for a in node.names]
            if {node.module, *(f"{node.module}.{n}" for n in names)} & IMPORTERS:
                found.append(f"{where}:{node.lineno} imports {node.module}")
            from_service = node.module == "assistant.services" or node.module.endswith(".service")
            found += [
                f"{where}:{node.lineno} imports {name} from {node.module}"
                for name in names
                if name == "ensure_guidance"
                or (name.startswith("import_") or name == "Ingestor")
                and not from_service
            ]
        elif isinstance(node, ast.Import):
            found += [
                f"{where}:{node.lineno} imports {a.name}" for a in node.names if a.name in IMPORTERS
            ]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "ingest"
            and isinstance(node.value, ast.Call)
        ):
            found.append(f"{where}:{node.lineno} calls an Ingestor's ingest, not the service")
    return found


def test_the_ui_calls_no_importer_directly() -> None:
    found = []
    for path in sorted((REPO / "assistant" / "ui").rglob("*.py")):
        found += offences(path.read_text(), str(path.relative_to(REPO)))
    assert found == []


@pytest.mark.parametrize(
    "source",
    [
        "def f(s):\n    from assistant.rates.fees import import_fees\n",
        "import assistant.rates.cms_pfs\n",
        "from assistant.rates import tic\n",
        "def f(s):\n    s.ingestor().ingest([])\n",
        "from assistant.ingest.service import ensure_guidance\n",
    ],
)
def test_the_check_sees_each_way_round_the_services(source: str) -> None:
    assert offences(source, "sample")


def test_proposal_worth_is_a_figure(practice: Services) -> None:
    """'E/M +3%' is worth what +3% on office E/M codes is worth, and only those codes move."""
    result = workspace_data.model(practice, "Aetna", "E/M +3%")
    moved = {r.code for r in result.rows if r.proposed_rate != r.current_rate}
    assert moved and all("99202" <= code <= "99215" for code in moved)
    assert result.total_delta == sum(
        (r.proposed_revenue - r.current_revenue for r in result.rows), Decimal(0)
    )


@settings(max_examples=80, deadline=None)
@given(
    pct=st.decimals(min_value=Decimal("-99"), max_value=Decimal("300"), places=2),
    codes=st.sampled_from(["E/M", "office-em", "em", "preventive", "99213", "99213,99214"]),
)
def test_every_spelling_of_an_offer_is_one_proposal(pct: Decimal, codes: str) -> None:
    signed = f"{pct:+}"
    carve_out = build_proposal(across_the_board=0, carve_outs=[f"{codes}={pct}"])
    for text in (
        f"{codes} {signed}%",
        f"{codes}={signed}%",
        f"0; {codes}={pct}",
        f"{codes} at {signed}%",
    ):
        assert parse_proposal_text(text) == carve_out, text
    base = build_proposal(across_the_board=pct)
    assert parse_proposal_text(f"{signed}%") == parse_proposal_text(f"{pct}") == base
    if pct >= 0:
        of = build_proposal(pct_of=("medicare", pct))
        for text in (f"{pct}% of Medicare", f"{pct}%medicare", f"{pct} percent of medicare"):
            assert parse_proposal_text(text) == of, text
