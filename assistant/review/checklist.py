"""The review checklist: items loaded from knowledge/checklist.yaml, with compiled patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError, NotFoundError
from assistant.resources import knowledge_dir

DEFAULT_CHECKLIST = knowledge_dir() / "checklist.yaml"
_REQUIRED = ("id", "name", "covers", "why", "red_flags", "ask", "patterns")


@dataclass(frozen=True)
class Rule:
    """When evidence for an item is a red flag, and what to say about it."""

    flag: str
    pattern: re.Pattern[str] | None = None
    below: tuple[str, float] | None = None
    present: bool = False
    missing: str | None = None
    when: str | None = None
    """With `missing`: flag only when some evidence states this field (e.g. an audit right)."""


@dataclass(frozen=True)
class ChecklistItem:
    """One thing to check in a payer contract, and how to find it."""

    id: str
    name: str
    covers: str
    why: str
    red_flags: tuple[str, ...]
    ask: str
    patterns: tuple[re.Pattern[str], ...]
    exclude: tuple[re.Pattern[str], ...] = ()
    rules: tuple[Rule, ...] = ()
    located: str = "anywhere"
    """Where a contract states this item: "opening" (the preamble, before any numbered
    section), "body" (the agreement's own articles, before the signatures; not attachments) or
    "anywhere". A page without text counts against an item only if the item could be there."""

    def matches(self, sentence: str) -> bool:
        """True when `sentence` states this item (a pattern hits and no exclusion does)."""
        return any(p.search(sentence) for p in self.patterns) and not any(
            x.search(sentence) for x in self.exclude
        )


@dataclass(frozen=True)
class Checklist:
    items: tuple[ChecklistItem, ...]

    def item(self, item_id: str) -> ChecklistItem:
        for item in self.items:
            if item.id == item_id:
                return item
        known = ", ".join(i.id for i in self.items)
        raise NotFoundError(f"No checklist item '{item_id}'", f"use one of: {known}")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)


_FRAGMENT = re.compile(r"\(\?&(\w+)\)")
"""`(?&name)` in a pattern stands for the checklist's fragment `name` (PCRE's call syntax)."""

Fragments = dict[str, str]


def _expand(pattern: str, fragments: Fragments, where: str) -> str:
    def fragment(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in fragments:
            known = ", ".join(sorted(fragments)) or "none"
            raise ConfigError(
                f"{where} uses an unknown fragment (?&{name})",
                f"define it under `fragments:` (defined: {known})",
            )
        return f"(?:{fragments[name]})"

    return _FRAGMENT.sub(fragment, pattern)


def _fragments(raw: Any, origin: str) -> Fragments:
    """The shared pieces of patterns, each expanded with the fragments defined before it."""
    fragments: Fragments = {}
    for name, pattern in (raw or {}).items():
        fragments[str(name)] = _expand(str(pattern), fragments, f"{origin} fragment {name}")
    return fragments


def _compile(pattern: str, where: str, fragments: Fragments | None = None) -> re.Pattern[str]:
    try:
        return re.compile(_expand(pattern, fragments or {}, where), re.IGNORECASE)
    except re.error as exc:
        raise ConfigError(f"Bad pattern in {where}: {exc}", "fix the regular expression") from exc


def _rule(raw: dict[str, Any], where: str, fragments: Fragments) -> Rule:
    below = raw.get("below")
    return Rule(
        flag=str(raw["flag"]),
        pattern=_compile(raw["pattern"], where, fragments) if "pattern" in raw else None,
        below=(str(below["field"]), float(below["value"])) if below else None,
        present=bool(raw.get("present", False)),
        missing=raw.get("missing"),
        when=raw.get("when"),
    )


def _located(value: Any, where: str) -> str:
    if value not in ("opening", "body", "anywhere"):
        raise ConfigError(
            f"{where}: located is {value!r}", "use located: opening, body or anywhere"
        )
    return str(value)


def parse_checklist(data: dict[str, Any], origin: str = "checklist") -> Checklist:
    """Build a Checklist from the parsed YAML; raise ConfigError naming what is wrong."""
    fragments = _fragments(data.get("fragments"), origin)
    items = []
    for raw in data.get("items") or []:
        missing = [key for key in _REQUIRED if not raw.get(key)]
        if missing:
            raise ConfigError(
                f"{origin}: item {raw.get('id', '?')!r} lacks {', '.join(missing)}",
                "every checklist item needs id, name, covers, why, red_flags, ask and patterns",
            )
        where = f"{origin} item {raw['id']}"
        items.append(
            ChecklistItem(
                id=raw["id"],
                name=raw["name"],
                covers=" ".join(str(raw["covers"]).split()),
                why=" ".join(str(raw["why"]).split()),
                red_flags=tuple(raw["red_flags"]),
                ask=" ".join(str(raw["ask"]).split()),
                patterns=tuple(_compile(p, where, fragments) for p in raw["patterns"]),
                exclude=tuple(_compile(p, where, fragments) for p in raw.get("exclude") or ()),
                rules=tuple(_rule(r, where, fragments) for r in raw.get("rules") or ()),
                located=_located(raw.get("located", "anywhere"), where),
            )
        )
    if not items:
        raise ConfigError(f"{origin} has no items", "restore knowledge/checklist.yaml")
    ids = [i.id for i in items]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{origin} repeats an item id", "item ids must be unique")
    return Checklist(items=tuple(items))


def load_checklist(path: Path | None = None) -> Checklist:
    """The checklist from `path` (default: knowledge/checklist.yaml in this project)."""
    import yaml

    source = path or DEFAULT_CHECKLIST
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"Cannot read the review checklist {source.name}: {exc.strerror}",
            "restore knowledge/checklist.yaml from the repository",
        ) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source.name} is not valid YAML: {exc}", "fix the file") from exc
    return parse_checklist(data, source.name)
