"""Errors that carry a message a practice manager can act on, and a hint saying what to do next."""

from __future__ import annotations


class AssistantError(Exception):
    """Base error: `message` says what went wrong, `hint` what to do about it.

    Only the edges (CLI, UI) turn these into output; everything below raises them.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class InputError(AssistantError):
    """A file or argument the user gave cannot be used as it is."""


class NotFoundError(AssistantError):
    """A named thing (payer, document, benchmark, model) does not exist in the workspace."""


class ConfigError(AssistantError):
    """The configuration (workspace, model, server URL) is wrong or incomplete."""


class ServiceUnavailable(AssistantError):
    """A service the user configured (Chroma server, model provider) cannot be reached."""


class MissingData(NotFoundError):
    """An answer needs data the workspace lacks (volumes, fees, a benchmark, remittances).

    Raised instead of computing from nothing, so no answer shows $0.00, 0% or "top 0 codes"
    when the real reason is missing input; the hint names the command that adds it.
    """
