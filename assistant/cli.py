"""The `payer-assistant` command line: parse, call a service, print a rich table or --json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import typer
from rich.text import Text
from typer._click import exceptions as typer_click

from assistant.commands.common import CliState, printable, stderr_console
from assistant.config import Settings
from assistant.errors import AssistantError

app = typer.Typer(
    name="payer-assistant",
    help=(
        "Prepare payer-contract negotiations locally: index contracts, analyse rates against "
        "Medicare and other payers, review contract language, and ask cited questions."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _global_options(
    ctx: typer.Context,
    workspace: Path | None = typer.Option(
        None,
        "--workspace",
        "-w",
        help="Workspace folder (default: $PAYER_ASSISTANT_HOME, else "
        "~/.local/share/payer-assistant).",
    ),
    chroma_url: str | None = typer.Option(
        None,
        "--chroma-url",
        help="Use a Chroma server at http://HOST:PORT instead of the embedded index "
        "($PAYER_ASSISTANT_CHROMA_URL).",
    ),
    model: str | None = typer.Option(
        None,
        "--model",
        help="'offline' (default, built in) or provider:name of a LangChain chat model "
        "($PAYER_ASSISTANT_MODEL).",
    ),
) -> None:
    ctx.obj = CliState(Settings.resolve(workspace=workspace, chroma_url=chroma_url, model=model))


def _register_commands() -> None:
    import importlib

    from assistant.commands.importing import import_app

    app.add_typer(import_app)

    for name in (
        "documents", "rates", "review", "compare", "remits", "agent", "evals", "ui",
        "negotiation",
    ):  # fmt: skip
        try:
            module = importlib.import_module(f"assistant.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"assistant.commands.{name}":
                continue
            raise
        module.register(app)


_register_commands()


def _report(error: AssistantError, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps({"error": error.message, "hint": error.hint}) + "\n")
    console = stderr_console()
    console.print(
        Text.assemble(("Error:", "bold red"), " ", printable(error.message)), highlight=False
    )
    if error.hint:
        console.print(Text("→ " + printable(error.hint), style="dim"), highlight=False)


# typer 0.29 raises its own vendored click classes; an older typer raises click's. Both are
# caught so the edge does not depend on which one is installed (pyproject pins typer <0.30).
_CLICK_ERRORS: tuple[type[Exception], ...] = (click.ClickException, typer_click.ClickException)
_ABORTS: tuple[type[BaseException], ...] = (click.exceptions.Abort, typer.Abort)


def _usage_error(error: Exception, as_json: bool) -> int:
    """Show a click usage error as click does (usage line, help hint, error) and return its code."""
    code = int(getattr(error, "exit_code", 2))
    if as_json:
        message = printable(getattr(error, "format_message", lambda: str(error))())
        ctx = getattr(error, "ctx", None)
        hint = (
            f"Try '{ctx.command_path} {ctx.help_option_names[0]}' for help."
            if ctx is not None and ctx.help_option_names
            else None
        )
        sys.stdout.write(json.dumps({"error": message, "hint": hint}) + "\n")
    error.show()  # type: ignore[attr-defined]
    return code


def main(argv: list[str] | None = None) -> None:
    """Entry point: AssistantError -> one message and exit 1; usage errors -> exit 2."""
    args = sys.argv[1:] if argv is None else argv
    as_json = "--json" in args
    try:
        result = app(args=args, standalone_mode=False)
    except AssistantError as error:
        _report(error, as_json)
        sys.exit(1)
    except _ABORTS:
        stderr_console().print("Aborted.")
        sys.exit(130)
    except _CLICK_ERRORS as error:
        sys.exit(_usage_error(error, as_json))
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(result if isinstance(result, int) else 0)
