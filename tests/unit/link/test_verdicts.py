"""link/verdicts.py: the words `explain` shows and `dry-run --json` gives for each candidate
directory. They are told apart by their text, so each is one distinct line; the first group is
ENTRIES, and each of those has its place in the command (landing.py)."""

from __future__ import annotations

import ast
from pathlib import Path

from ldwrap.link import landing, verdicts

VERDICTS = {
    name: value
    for name, value in vars(verdicts).items()
    if name.isupper() and isinstance(value, str)
}


def test_every_verdict_is_one_distinct_line() -> None:
    assert len(VERDICTS) == 23  # the module was read
    assert len(set(VERDICTS.values())) == len(VERDICTS)
    for name, text in VERDICTS.items():
        assert text and "\n" not in text and text == text.strip(), name


def test_the_entries_are_the_first_group() -> None:
    v = verdicts
    assert v.ENTRIES == (v.ADDED, v.COPY, v.DRIVER, v.OWN_ORIGIN, v.OWN_ABSOLUTE)
    names = list(VERDICTS)
    assert names[: len(v.ENTRIES)] == ["ADDED", "COPY", "DRIVER", "OWN_ORIGIN", "OWN_ABSOLUTE"]


def test_every_entry_has_its_place_in_the_command() -> None:
    assert set(landing.SPOTS) == set(verdicts.ENTRIES)


def test_a_leaf_module() -> None:
    tree = ast.parse(Path(verdicts.__file__).read_text())
    assert [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))] == []
