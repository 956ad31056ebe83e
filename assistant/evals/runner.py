"""Runs the suites on the workspaces they need and gates them by evals/thresholds.yaml.

Each suite works on documents its gold answers are about, so it runs on a workspace of its own
under the work folder (by default `<workspace>/evals/`), built on first use and reused after
(unchanged files are skipped): `cuad/` for retrieval, `demo/` (the demo workspace) and
`injection/` (the demo practice plus documents carrying injected instructions) for answers. The
checklist suite reads its files directly. The configured embedding model is used throughout;
the configured model (or --model) answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import AssistantError, InputError
from assistant.evals.datasets import EVALS_DIR, THRESHOLDS_FILE, load_thresholds
from assistant.evals.results import GatedSuite, SuiteResult, gate

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.evals.answers import Target
    from assistant.retrieval.embeddings import Embedder
    from assistant.services import Services

SUITES = ("retrieval", "checklist", "answers")
Say = Callable[[str], None]


def default_cuad_dir() -> Path:
    """../shared/data/cuad next to the checkout, where this machine keeps it."""
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "cuad"


@dataclass(frozen=True)
class EvalPlan:
    """What to run, with which model, on which files and workspaces."""

    suites: tuple[str, ...]
    model: str
    work_dir: Path
    """Folder of the eval workspaces (cuad/, demo/, injection/)."""
    cuad_dir: Path
    evals_dir: Path = EVALS_DIR
    demo_workspace: Path | None = None
    """An existing demo workspace to use instead of `work_dir/demo` (e.g. `make demo`'s)."""
    thresholds_file: Path | None = None
    """None: evals/thresholds.yaml."""

    @property
    def thresholds(self) -> Path:
        return self.thresholds_file or self.evals_dir / THRESHOLDS_FILE


def check_suites(names: Sequence[str]) -> tuple[str, ...]:
    """The suites asked for, in run order; every suite when none is named."""
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        raise InputError(f"No evaluation suite named '{unknown[0]}'", "use " + ", ".join(SUITES))
    return tuple(s for s in SUITES if s in names) if names else SUITES


class Workspaces:
    """The eval workspaces' services, sharing one embedding model (loaded once)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._first: Services | None = None

    def _embedder(self) -> Embedder:
        assert self._first is not None
        return self._first.embedder

    def open(self, root: Path) -> Services:
        from assistant.config import Settings
        from assistant.services import Services

        settings = Settings(workspace=root, embedding_model=self.settings.embedding_model)
        if self._first is None:
            self._first = Services(settings)
            return self._first
        return Services(settings, embedder_factory=self._embedder)


def demo_target(services: Services, model: str) -> Target:
    from assistant.agent.factory import make_assistant
    from assistant.evals.answers import Target
    from assistant.ingest.store import DocumentStore

    return Target(make_assistant(services, model), DocumentStore(services.conn))


def build_demo(services: Services) -> None:
    from assistant.demo import build_demo_workspace

    failed = [o for o in build_demo_workspace(services) if o.error]
    if failed:
        raise AssistantError(f"Could not index {failed[0].source}: {failed[0].error}")


def run_suite(
    name: str, plan: EvalPlan, workspaces: Workspaces, say: Say = lambda _: None
) -> SuiteResult:
    if name == "checklist":
        from assistant.demo import demo_contracts_dir
        from assistant.evals.checklist import run_checklist
        from assistant.evals.datasets import load_terms

        say("checklist: reviewing the CUAD sample and the demo contracts")
        return run_checklist(plan.cuad_dir, load_terms(plan.evals_dir), demo_contracts_dir())
    if name == "retrieval":
        from assistant.evals.retrieval import cuad_queries, index_cuad, run_retrieval

        queries = cuad_queries(plan.cuad_dir)
        services = workspaces.open(plan.work_dir / "cuad")
        say(f"retrieval: indexing the CUAD contracts in {services.workspace.root}")
        index_cuad(services, plan.cuad_dir)
        say(f"retrieval: {len(queries.tests)} queries")
        return run_retrieval(services, queries)
    from assistant.evals.answers import prepare_injection, run_answers
    from assistant.evals.dataset_run import scratch_conversations
    from assistant.evals.datasets import load_answer_set

    answers = load_answer_set(plan.evals_dir)
    demo = workspaces.open(plan.demo_workspace or plan.work_dir / "demo")
    say(f"answers: building the demo workspace in {demo.workspace.root} (first run only)")
    build_demo(demo)
    injection = workspaces.open(plan.work_dir / "injection")
    say(f"answers: building the injection workspace in {injection.workspace.root}")
    prepare_injection(injection, plan.evals_dir, answers.documents)
    targets = {
        "demo": demo_target(demo, plan.model),
        "injection": demo_target(injection, plan.model),
    }
    # Latency is a turn's, not the embedding model's first load.
    demo.embedder.embed_query("warm up")
    say(f"answers: {len(answers.cases)} questions to the '{plan.model}' model")
    # The suite's turns are deleted afterwards: with --demo-workspace pointing at the user's
    # demo workspace, its conversation list stays as the user left it.
    with scratch_conversations(demo.conn), scratch_conversations(injection.conn):
        return run_answers(answers.cases, targets)


def run_plan(settings: Settings, plan: EvalPlan, say: Say = lambda _: None) -> list[GatedSuite]:
    """Run the plan's suites in order and gate each by its thresholds."""
    thresholds = load_thresholds(plan.thresholds)
    workspaces = Workspaces(settings)
    return [
        gate(run_suite(name, plan, workspaces, say), thresholds.get(name, {}))
        for name in plan.suites
    ]
