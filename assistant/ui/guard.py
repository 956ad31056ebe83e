"""Run workspace calls from workers so that any failure becomes a message, never a crash."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from assistant.errors import AssistantError

T = TypeVar("T")
UNEXPECTED_HINT = "try again; if it keeps happening, restart the app and report the message"


def guarded(
    call: Callable[[], T],
    failed: Callable[[str, str | None], object],
    what: str = "It stopped",
    hint: str = UNEXPECTED_HINT,
) -> T | None:
    """`call()`, or None after telling `failed(message, hint)` what went wrong."""
    try:
        return call()
    except AssistantError as error:
        failed(error.message, error.hint)
    except Exception as error:  # a bug below must not take the app down
        failed(f"{what}: {error}", hint)
    return None
