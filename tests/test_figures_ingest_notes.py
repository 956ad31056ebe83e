"""A folder ingest skips README/notes files (the demo contracts folder has one); naming one
indexes it."""

from __future__ import annotations

from pathlib import Path

from assistant.demo import demo_contracts_dir
from assistant.ingest.service import expand_paths, is_folder_note


def test_folder_walk_skips_readme_and_notes_unless_named(tmp_path: Path) -> None:
    for name in ("contract.md", "README.md", "notes.txt", "Readme.TXT", "readme-first.md"):
        (tmp_path / name).write_text("text", encoding="utf-8")
    found = [p.name for p in expand_paths([tmp_path])]
    assert found == ["contract.md", "readme-first.md"]
    assert expand_paths([tmp_path / "README.md"]) == [tmp_path / "README.md"]
    assert is_folder_note(Path("CHANGELOG.md")) and not is_folder_note(Path("aetna.md"))


def test_the_demo_contracts_folder_ingests_only_contracts() -> None:
    names = [p.name for p in expand_paths([demo_contracts_dir()])]
    assert "README.md" not in names and "aetna-agreement.md" in names
