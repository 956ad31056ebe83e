"""The `import` command group; rates and remittance modules add their importers to it."""

from __future__ import annotations

import typer

import_app = typer.Typer(
    name="import",
    help="Import fee schedules, volumes, Medicare and market benchmarks, and remittances.",
    no_args_is_help=True,
)
