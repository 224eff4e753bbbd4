"""loader/finding.py: one finding about a judged file. A value: what is not said is None (or
"" for the reason), and a finding, once made, stays as it was made (the reports and the
summary counts read the same object)."""

from __future__ import annotations

import dataclasses

import pytest

from ldwrap.loader.finding import Finding


def test_what_is_not_said_is_empty() -> None:
    f = Finding("unused_entry", "RUNPATH entry /opt/x provides nothing", False)
    assert (f.kind, f.message, f.fails) == (
        "unused_entry",
        "RUNPATH entry /opt/x provides nothing",
        False,
    )
    assert (f.library, f.index, f.obj, f.path, f.how, f.fix, f.entry, f.tag) == (None,) * 8
    assert f.reason == ""


def test_a_finding_cannot_be_changed() -> None:
    f = Finding("env_only", "libfoo.so.1 is found through LD_LIBRARY_PATH only", True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.fails = False  # type: ignore[misc]


def test_findings_are_equal_by_value() -> None:
    a = Finding("k", "m", True, library="libfoo.so.1", index=2, fix="relink")
    assert a == Finding("k", "m", True, library="libfoo.so.1", index=2, fix="relink")
    assert a != dataclasses.replace(a, index=3)
    assert len({a, dataclasses.replace(a)}) == 1  # hashable: a set of findings holds one
