"""link/_grammar_data.py: the option sets the shim reads, generated from
scripts/grammar_tables.txt (tests/unit/scripts/test_gen_grammar.py checks that the module is
current, tests/unit/link/test_grammar.py what the grammar makes of it). Here, what the sets
must be for grammar.py to read them: one per flavour, long names only, no option both taking
a value and not, and the tables and the list of GNU ld's long names in agreement."""

from __future__ import annotations

import re

import pytest

from ldwrap.link._grammar_data import (
    BFD_LONG_NAMES,
    ONE_DASH_FLAGS,
    SEPARATE_ONE_DASH,
    SEPARATE_TWO_DASHES,
)
from ldwrap.link.grammar import BFD, FLAVOURS

TABLES = {
    "SEPARATE_ONE_DASH": SEPARATE_ONE_DASH,
    "SEPARATE_TWO_DASHES": SEPARATE_TWO_DASHES,
    "ONE_DASH_FLAGS": ONE_DASH_FLAGS,
}
# A long option's name as the linkers spell them: no dashes in front, no `=VALUE`, no blanks.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]+")


@pytest.mark.parametrize("table", TABLES)
def test_one_set_per_flavour(table: str) -> None:
    sets = TABLES[table]
    assert tuple(sets) == FLAVOURS
    assert all(isinstance(s, frozenset) for s in sets.values())


@pytest.mark.parametrize("table", TABLES)
def test_long_names_only(table: str) -> None:
    # Single letters are grammar.py's own tables.
    bad = sorted(n for s in TABLES[table].values() for n in s if not NAME.fullmatch(n))
    assert bad == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_one_dash_name_takes_a_value_or_not_never_both(flavour: str) -> None:
    assert SEPARATE_ONE_DASH[flavour] & ONE_DASH_FLAGS[flavour] == frozenset()


def test_the_bfd_names_are_sorted_and_each_spelled_once() -> None:
    words = BFD_LONG_NAMES.split()
    assert len(words) > 200  # the list was read
    assert words == sorted(words)
    assert len(set(words)) == len(words)
    assert all(NAME.fullmatch(w) for w in words)


def test_every_bfd_option_is_among_its_long_names() -> None:
    # The list is every long name GNU ld has (its abbreviations are matched against it): an
    # option of the tables that it lacks means one of the two is wrong.
    named = SEPARATE_ONE_DASH[BFD] | SEPARATE_TWO_DASHES[BFD] | ONE_DASH_FLAGS[BFD]
    assert sorted(named - set(BFD_LONG_NAMES.split())) == []
