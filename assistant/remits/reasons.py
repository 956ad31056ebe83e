"""Plain meanings of CARC group/reason and RARC remark codes, read from knowledge/carc_rarc.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.resources import knowledge_dir

DEFAULT_PATH = knowledge_dir() / "carc_rarc.yaml"


@dataclass(frozen=True)
class ReasonCodes:
    """Lookup of the reason codes' meanings; unknown codes say so rather than guess."""

    groups: dict[str, str]
    carc: dict[str, str]
    rarc: dict[str, str]

    def describe(self, reason: str) -> str:
        """E.g. "45" -> "Charge above the contracted or allowed amount (…)"."""
        meaning = self.carc.get(reason)
        if meaning is None:
            return f"Reason code {reason} (see the X12 CARC list)"
        return meaning

    def describe_group(self, group: str) -> str:
        return self.groups.get(group, f"Group {group}")

    def describe_remark(self, code: str) -> str:
        return self.rarc.get(code, f"Remark code {code} (see the X12 RARC list)")


def load_reason_codes(path: Path = DEFAULT_PATH) -> ReasonCodes:
    """Read the YAML file of meanings (groups, carc, rarc mappings of code -> meaning)."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return ReasonCodes(
        groups={str(k): str(v) for k, v in data["groups"].items()},
        carc={str(k): str(v) for k, v in data["carc"].items()},
        rarc={str(k): str(v) for k, v in data["rarc"].items()},
    )
