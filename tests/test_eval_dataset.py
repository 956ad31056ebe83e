"""`eval --dataset`: both formats through the CLI on real CUAD contracts, the scripted model, bad
input (exit 2, every bad line by number, nothing run), JUnit, --fail-under, `eval compare`, and a
run that leaves the workspace's conversations as they were."""

from __future__ import annotations

import ast
import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from assistant.agent.answer import Answer, Citation
from assistant.agent.conversations import ConversationStore
from assistant.agent.events import AgentEvent, AnswerReady
from assistant.cli import main
from assistant.config import Settings
from assistant.evals.dataset import AnswerDataset, DatasetError, RetrievalDataset, load_dataset
from assistant.evals.dataset_report import compare_runs, to_junit
from assistant.evals.dataset_run import answer_metrics, run_answer_set, scratch_conversations
from assistant.evals.spans import OffsetMap
from assistant.services import Services

CONTRACTS = (
    "VERSOTECHNOLOGIESINC_12_28_2007-EX-99.3-INTELLECTUAL PROPERTY AGREEMENT",
    "TRANSMONTAIGNEPARTNERSLLC_03_13_2020-EX-10.9-SERVICES AGREEMENT",
    "PrecheckHealthServicesInc_20200320_8-K_EX-99.2_12070169_EX-99.2_Distributor Agreement",
)
QUESTIONS = {
    "Governing Law": "Which state's or country's law governs the interpretation of the contract?",
    "Parties": "Who are the parties that signed the contract?",
}


def build_legalbench(cuad_dev: Path, out: Path) -> Path:
    """A LegalBench-RAG file over CONTRACTS: Governing Law and Parties excerpts of
    master_clauses_dev.csv, located in the txt files with str.find (excerpts not found verbatim
    are left out)."""
    rows = {
        Path(r["Filename"]).stem: r
        for r in csv.DictReader((cuad_dev / "master_clauses_dev.csv").open(encoding="utf-8"))
    }
    tests = []
    for name in CONTRACTS:
        text = (cuad_dev / "txt" / f"{name}.txt").read_text(encoding="utf-8")
        title = ast.literal_eval(rows[name]["Document Name"])[0]
        for category, question in QUESTIONS.items():
            snippets = []
            for excerpt in ast.literal_eval(rows[name][category]):
                at = text.find(excerpt)
                if at >= 0:
                    span = [at, at + len(excerpt)]
                    snippets.append({"file_path": f"txt/{name}.txt", "span": span})
            if snippets:
                query = f"Consider the {title.strip()} ({name}); {question}"
                tests.append({"query": query, "kind": category, "snippets": snippets})
    path = out / "cuad_dev_mini.json"
    path.write_text(json.dumps({"tests": tests}, indent=2), encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> dict[str, Path]:
    """A workspace holding the three contracts (the real embedding model) and the LegalBench-RAG
    file built over them."""
    root = tmp_path_factory.mktemp("mini")
    cuad_dev = shared_data / "cuad_dev"
    dataset = build_legalbench(cuad_dev, root)
    services = Services(Settings(workspace=root / "ws"))
    outcomes = services.ingestor().ingest(
        [cuad_dev / "txt" / f"{n}.txt" for n in CONTRACTS], kind="contract"
    )
    assert not [o for o in outcomes if o.error]
    services.conn.close()
    return {"ws": root / "ws", "dataset": dataset, "corpus": cuad_dev, "root": root}


# LegalBench-RAG ------------------------------------------------------------------------------


def test_retrieval_set_runs_end_to_end_with_spans_in_the_corpus_files(
    mini: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        capsys,
        "--workspace", str(mini["ws"]),
        "eval", "--dataset", str(mini["dataset"]), "--corpus", str(mini["corpus"]),
        "-k", "3", "--json",
    )  # fmt: skip
    assert code == 0
    run = json.loads(out)  # stdout is exactly one JSON object
    tests = json.loads(mini["dataset"].read_text())["tests"]
    assert run["kind"] == "retrieval"
    assert [i["query"] for i in run["items"]] == [t["query"] for t in tests]
    files = {s["file_path"] for t in tests for s in t["snippets"]}
    for item in run["items"]:
        assert 1 <= len(item["results"]) <= 3
        for r in item["results"]:
            assert r["file_path"] in files
            start, end = r["span"]
            text = (mini["corpus"] / r["file_path"]).read_text(encoding="utf-8")
            assert 0 <= start < end <= len(text)
    # Each query names its contract: the routed search finds the clause for most of them.
    assert run["metrics"]["hit_at_3"] >= 0.5
    assert {"recall_at_3", "precision_at_3", "mrr", "Parties.hit_at_3"} <= set(run["metrics"])


def test_a_file_missing_from_the_workspace_is_named_with_its_ingest_command(
    mini: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = json.loads(mini["dataset"].read_text())
    data["tests"][1]["snippets"][0]["file_path"] = "txt/NOT-INGESTED.txt"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"tests": data["tests"]}, indent=2), encoding="utf-8")
    code, out, err = run_cli(capsys, "--workspace", str(mini["ws"]), "eval", "--dataset", str(bad))
    assert code == 2
    assert out == ""
    flat = " ".join(err.split())
    assert "txt/NOT-INGESTED.txt is not in the workspace" in flat
    line = next(n for n, t in enumerate(bad.read_text().splitlines(), 1) if "query" in t)
    assert f"line {line}:" not in flat  # the first test is fine
    assert "ingest" in flat and "NOT-INGESTED.txt" in flat


def test_offset_map_follows_a_dropped_byte_order_mark_and_crlf() -> None:
    corpus = "\ufeffA clause.\r\nGoverning law: Delaware.\r\n"
    stored = corpus.replace("\ufeff", "").replace("\r\n", "\n")
    to_corpus = OffsetMap(stored, corpus)
    start = stored.index("Delaware")
    assert corpus[to_corpus(start) : to_corpus(start + 8)] == "Delaware"
    assert OffsetMap("same", "same")(3) == 3


# Answers: the scripted model -----------------------------------------------------------------

GOV_LAW_QUOTE = "shall be construed and interpreted according to the laws of the State of Georgia"


def _script(path: Path, mini: dict[str, Path]) -> Path:
    name = CONTRACTS[0]
    text = (mini["corpus"] / "txt" / f"{name}.txt").read_text(encoding="utf-8")
    assert GOV_LAW_QUOTE in " ".join(text.split())
    lines = [
        {
            "question": "What law governs the Verso IP agreement?",
            "replies": [
                {"tool_calls": [{"name": "search_contracts", "args": {"query": "governing law"}}]},
                {
                    "content": "It is governed by the laws of the State of Georgia [1].\n\n"
                    "<citations>\n"
                    f"[1] source: {name}.txt | page: none | section: none | "
                    f'quote: "{GOV_LAW_QUOTE}"\n'
                    "</citations>"
                },
            ],
        },
        {"question": "And who are the parties?", "replies": [{"content": "Verso and XYZ."}]},
        {"question": "Does it cap liability?", "error": "model server went away"},
        {
            "question": "What is the payment term?",
            "replies": [{"content": "The contracts do not say anything about payment terms."}],
        },
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


def _answers(path: Path) -> Path:
    name = f"{CONTRACTS[0]}.txt"
    rows = [
        {"id": "law", "question": "What law governs the Verso IP agreement?", "kind": "lookup",
         "document": name, "must_contain": ["Georgia"], "must_not_contain": ["Delaware"]},
        {"id": "parties", "question": "And who are the parties?", "kind": "followup",
         "followup_of": "law", "must_contain": ["Verso"], "owner": "kept and ignored"},
        {"id": "cap", "question": "Does it cap liability?", "must_contain": ["cap|limit"]},
        {"id": "pay", "question": "What is the payment term?", "kind": "absent"},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_answer_set_with_the_scripted_model_scores_fails_and_goes_on(
    mini: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    script = _script(tmp_path / "script.jsonl", mini)
    dataset = _answers(tmp_path / "answers.jsonl")
    report, junit = tmp_path / "report.md", tmp_path / "run.xml"
    code, out, _ = run_cli(
        capsys,
        "--workspace", str(mini["ws"]),
        "eval", "--dataset", str(dataset), "--model", f"script:{script}", "--json",
        "--report", str(report), "--junit", str(junit),
    )  # fmt: skip
    assert code == 0
    run = json.loads(out)
    assert run["kind"] == "answers" and run["model"] == f"script:{script}"
    items = {i["id"]: i for i in run["items"]}
    assert [i["id"] for i in run["items"]] == ["law", "parties", "cap", "pay"]
    law = items["law"]
    assert law["passed"], law["checks"]
    assert law["tool_calls"] == ["search_contracts"]
    assert law["checks"]["quotes_verified"] is True and law["checks"]["correct"] is True
    assert law["citations"][0]["source"] == f"{CONTRACTS[0]}.txt"
    assert items["parties"]["passed"]
    cap = items["cap"]
    assert not cap["passed"] and "model server went away" in cap["checks"]["error"]
    assert items["pay"]["passed"] and items["pay"]["checks"]["abstained"] is True
    assert run["metrics"]["errors"] == 1
    assert run["metrics"]["passed"] == 0.75
    assert run["metrics"]["absent.abstained"] == 1.0
    # The report lists the failure with its check; the JUnit file validates.
    text = report.read_text()
    assert "| cap |" in text and "model server went away" in text
    _assert_valid_junit(junit, tests=4, failures=0, errors=1)
    # The user's conversations are as they were: the run's turns are gone.
    services = Services(Settings(workspace=mini["ws"]))
    assert ConversationStore(services.conn).list() == []


def _assert_valid_junit(path: Path, tests: int, failures: int, errors: int) -> None:
    from junitparser import Error, Failure, JUnitXml

    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    for case in suites[0].findall("testcase"):
        assert case.get("classname") and case.get("name") and float(case.get("time", "x")) >= 0
        assert len([c for c in case if c.tag in ("failure", "error", "skipped")]) <= 1
    xml = JUnitXml.fromfile(str(path))
    suite = next(iter(xml))
    assert (suite.tests, suite.failures, suite.errors) == (tests, failures, errors)
    cases = list(suite)
    assert len(cases) == tests
    got = [r for c in cases for r in c.result]
    assert sum(isinstance(r, Error) for r in got) == errors
    assert sum(isinstance(r, Failure) and not isinstance(r, Error) for r in got) == failures


def test_fail_under_exits_1_when_missed_and_0_when_met(
    mini: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    script = _script(tmp_path / "script.jsonl", mini)
    dataset = _answers(tmp_path / "answers.jsonl")
    base = ["--workspace", str(mini["ws"]), "eval", "--dataset", str(dataset)]
    base += ["--model", f"script:{script}"]
    code, out, err = run_cli(capsys, *base, "--fail-under", "passed=0.9")
    assert code == 1 and "passed = 0.75, under 0.9" in " ".join(err.split())
    assert "cap" in out  # the table and the failures are still printed
    code, _, _ = run_cli(capsys, *base, "--fail-under", "passed=0.75", "--fail-under", "errors=1")
    assert code == 0
    code, _, err = run_cli(capsys, *base, "--fail-under", "errors=0")
    assert code == 1 and "above 0" in err
    code, _, err = run_cli(capsys, *base, "--fail-under", "passed")
    assert code == 2 and "METRIC=VALUE" in err


def test_compare_shows_the_items_whose_verdict_changed(
    mini: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    script = _script(tmp_path / "script.jsonl", mini)
    dataset = _answers(tmp_path / "answers.jsonl")
    runs = []
    for label, model in (("scripted", f"script:{script}"), ("offline", "offline")):
        _, out, _ = run_cli(
            capsys, "--workspace", str(mini["ws"]), "eval", "--dataset", str(dataset),
            "--model", model, "--json",
        )  # fmt: skip
        path = tmp_path / f"{label}.json"
        path.write_text(out, encoding="utf-8")
        runs.append(path)
    old, new = (json.loads(p.read_text()) for p in runs)
    expected = {
        i["id"]
        for i, j in zip(old["items"], new["items"], strict=True)
        if i["passed"] != j["passed"]
    }
    assert expected, "the two models should disagree on some item"
    code, out, _ = run_cli(capsys, "eval", "compare", str(runs[0]), str(runs[1]), "--json")
    assert code == 0
    diff = json.loads(out)
    assert {c["item"] for c in diff["changed"]} == expected
    passed = next(m for m in diff["metrics"] if m["metric"] == "passed")
    assert passed["delta"] == pytest.approx(new["metrics"]["passed"] - old["metrics"]["passed"])
    code, out, _ = run_cli(capsys, "eval", "compare", str(runs[0]), str(runs[1]))
    assert code == 0 and "changed verdict" in out and sorted(expected)[0] in out


# Bad input -----------------------------------------------------------------------------------


def _bad_lines(tmp_path: Path) -> Path:
    lines = [
        '{"id": "a", "question": "What is the term?"}',
        '{"id": "b", "question": "What is the term?"',  # 2: malformed
        '{"id": "c"}',  # 3: missing question
        '{"id": "d", "question": "And then?", "followup_of": "zz"}',  # 4: no earlier id
        '{"id": "a", "question": "Again?"}',  # 5: duplicate id
        '{"id": "e", "question": "Q?", "kind": "opinion"}',  # 6: unknown kind
        '{"id": "f", "question": "Q?", "gold_pages": [0]}',  # 7: 0 is not a page
        '{"id": "g", "question": "And before?", "followup_of": "h"}',  # 8: h comes later
        '{"id": "h", "question": "Fine."}',
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_answer_lines_are_all_listed_by_number_and_nothing_runs(
    mini: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run_cli(
        capsys, "--workspace", str(mini["ws"]), "eval", "--dataset", str(_bad_lines(tmp_path)),
        "--json",
    )  # fmt: skip
    assert code == 2
    payload = json.loads(out)
    problems = payload["problems"]
    assert [p.split(":")[0] for p in problems] == [f"line {n}" for n in (2, 3, 4, 5, 6, 7, 8)]
    assert "question: missing" in problems[1]
    assert "'zz' names no earlier id" in problems[2]
    assert "'a' is used twice" in problems[3]
    assert "'h' names no earlier id" in problems[6]
    assert "nothing was run" in err
    services = Services(Settings(workspace=mini["ws"]))
    assert ConversationStore(services.conn).list() == []


def test_bad_legalbench_tests_are_listed_by_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "tests": [
                    {"query": "fine", "snippets": [{"file_path": "a.txt", "span": [0, 5]}]},
                    {"query": "no snippets", "snippets": []},
                    {"query": "reversed", "snippets": [{"file_path": "a.txt", "span": [9, 2]}]},
                    {"snippets": [{"file_path": "a.txt", "span": [0, 1]}]},
                ]
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    problems = [str(p) for p in info.value.problems]
    assert len(problems) == 3
    text = path.read_text().splitlines()
    assert problems[0].startswith(f"line {_line(text, 'no snippets')}: test 2: snippets")
    assert problems[1].startswith(f"line {_line(text, 'reversed')}: test 3: snippets.0.span")
    assert "test 4: query: missing" in problems[2]


def _line(lines: list[str], needle: str) -> int:
    return next(n for n, t in enumerate(lines, 1) if needle in t)


def test_the_shared_sets_load_as_they_are(shared_data: Path) -> None:
    qa = load_dataset(shared_data / "questions" / "contract_qa_dev.jsonl")
    assert isinstance(qa, AnswerDataset) and len(qa.items) == 30
    first = qa.items[0]
    assert first.document_name == "WA_1_Redacted.pdf" and first.pages == [20]
    assert {i.kind for i in qa.items} == {"lookup", "numeric", "checklist", "absent"}
    by_id = {i.id: i for i in qa.items}
    # "(absence)" in gold_location: the right answer is that the documents have no such clause.
    assert by_id["cqa-017"].kind == "absent" and by_id["cqa-014"].kind == "absent"
    assert by_id["cqa-025"].pages == [50, 66, 21, 36]
    assert sum(bool(i.evidence_quote) for i in qa.items) == 26
    cuad = load_dataset(shared_data / "cuad" / "retrieval_queries_legalbenchrag_format.json")
    assert isinstance(cuad, RetrievalDataset) and len(cuad.tests) == 70
    assert cuad.tests[0].kind == "Parties" and cuad.tests[0].test_id == "cuad-001"


# Conversations and followups (no model) ------------------------------------------------------


class RecordingAssistant:
    """Answers every question plainly and records which conversation each was asked in."""

    model_name = "recording"

    def __init__(self, services: Services) -> None:
        self.store = ConversationStore(services.conn)
        self.asked: list[tuple[str, str | None]] = []

    def new_conversation(self, title: str) -> str:
        return self.store.create(title, self.model_name)

    def stream(
        self, question: str, conversation_id: str | None = None, payer: str | None = None
    ) -> Iterator[AgentEvent]:
        self.asked.append((question, conversation_id))
        yield AnswerReady(
            Answer(
                answer="See the agreement.",
                citations=[Citation(source="x.txt", page=None, quote="nowhere")],
                model=self.model_name,
            )
        )


def test_followups_share_their_question_s_conversation_and_none_is_left(
    fake_services: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ConversationStore(fake_services.conn)
    kept = store.create("the user's own", "offline")
    recording = RecordingAssistant(fake_services)
    monkeypatch.setattr("assistant.agent.factory.make_assistant", lambda services, model: recording)
    path = tmp_path / "f.jsonl"
    rows = [
        {"id": "q1", "question": "First?"},
        {"id": "q2", "question": "Then?", "kind": "followup", "followup_of": "q1"},
        {"id": "q3", "question": "Other?"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    data = load_dataset(path)
    assert isinstance(data, AnswerDataset)
    items = run_answer_set(fake_services, data, "recording")
    (_, c1), (_, c2), (_, c3) = recording.asked
    assert c1 == c2 and c3 != c1
    # A quote that is on no stored page fails verification.
    assert items[0]["checks"]["quotes_verified"] is False and not items[0]["passed"]
    assert answer_metrics(items)["quotes_verified"] == 0.0
    assert [c.id for c in store.list()] == [kept]


def test_scratch_conversations_cleans_up_after_an_interrupted_run(fake_services: Any) -> None:
    store = ConversationStore(fake_services.conn)
    with pytest.raises(KeyboardInterrupt), scratch_conversations(fake_services.conn):
        store.create("eval turn", "offline")
        raise KeyboardInterrupt
    assert store.list() == []


def test_junit_of_a_retrieval_run_marks_misses_as_failures(tmp_path: Path) -> None:
    run = {
        "dataset": "x.json", "kind": "retrieval", "model": "m", "seconds": 1.0,
        "metrics": {"hit_at_5": 0.5},
        "items": [
            {"query": "q1", "results": [], "checks": {"hit": False, "recall": 0.0,
             "precision": 0.0, "reciprocal_rank": 0.0, "kind": "Parties"}},
            {"query": "q2", "results": [], "checks": {"hit": True, "recall": 1.0,
             "precision": 0.2, "reciprocal_rank": 1.0, "kind": "Parties"}},
        ],
    }  # fmt: skip
    path = tmp_path / "r.xml"
    path.write_text(to_junit(run), encoding="utf-8")
    _assert_valid_junit(path, tests=2, failures=1, errors=0)
    other = json.loads(json.dumps(run))
    other["items"][0]["checks"]["hit"] = True
    diff = compare_runs(run, other)
    assert [c["item"] for c in diff["changed"]] == ["1: q1"]


def test_a_bad_model_script_names_its_lines(tmp_path: Path) -> None:
    from assistant.agent.scripted import load_script
    from assistant.errors import InputError

    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"question": "ok?", "replies": [{"content": "yes"}]}\n'
        "not json\n"
        '{"question": "nothing to say"}\n'
        '{"question": "q", "replies": [{"content": "x", "mood": "odd"}]}\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        load_script(path)
    message = info.value.message
    assert "line 3: give 'replies' or 'error'" in message
    assert "line 2: not JSON" in message and "line 1:" not in message
    assert "line 4: replies.0.mood: Extra inputs are not permitted" in message
