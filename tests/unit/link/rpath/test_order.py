"""The order of ldwrap's rpath entries is the order the link names their directories: -L
directories and library files interleaved, NIX_LDFLAGS_BEFORE's words first, NIX_LDFLAGS and
NIX_LDFLAGS_AFTER's after the caller's. Full argv from `prepare` over a store of
library-named files; the real linker it finds is a placeholder: nothing is linked."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import Store

from ..conftest import Dry


@pytest.fixture
def tree(tmp_path: Path) -> Store:
    return Store(tmp_path)


# (id, caller args, NIX_LDFLAGS* env, expected rpath order) over the packages c (libimpl.so),
# b (libfoo.so.1), a (liba.so.1), q (libqux.so); {x} is package x's lib directory.
ORDER_CASES = [
    ("l-dir-then-file", ["-L{c}", "-limpl", "{b}/libfoo.so.1"], {}, ["c", "b"]),
    ("file-then-l-dir", ["{b}/libfoo.so.1", "-L{c}", "-limpl"], {}, ["b", "c"]),
    ("files-in-order", ["-L{c}", "-limpl", "{q}/libqux.so", "{a}/liba.so.1"], {}, ["c", "q", "a"]),
    (
        "l-before-its-lib",
        ["{q}/libqux.so", "-L{c}", "{a}/liba.so.1", "-limpl"],
        {},
        ["q", "c", "a"],
    ),
    ("nix-ldflags-after", ["{b}/libfoo.so.1", "-limpl"], {"NIX_LDFLAGS": "-L{c}"}, ["b", "c"]),
    (
        "nix-ldflags-before",
        ["{b}/libfoo.so.1", "-limpl"],
        {"NIX_LDFLAGS_BEFORE": "-L{c}"},
        ["c", "b"],
    ),
    (
        "nix-file-after",
        ["-L{c}", "-limpl"],
        {"NIX_LDFLAGS_AFTER": "{q}/libqux.so", "NIX_LDFLAGS_BEFORE": "{a}/liba.so.1"},
        ["a", "c", "q"],
    ),
]


@pytest.mark.parametrize(
    ("args", "env", "order"), [c[1:] for c in ORDER_CASES], ids=[c[0] for c in ORDER_CASES]
)
def test_rpath_order_is_argv_order(
    dry: Dry, tree: Store, args: list[str], env: dict[str, str], order: list[str]
) -> None:
    dirs = {
        "c": tree.lib("c", "libimpl.so"),
        "b": tree.lib("b", "libfoo.so.1"),
        "a": tree.lib("a", "liba.so.1"),
        "q": tree.lib("q", "libqux.so"),
    }
    caller = [a.format(**dirs) for a in args]
    extra = {k: v.format(**dirs) for k, v in env.items()}
    got = dry(caller, extra)
    words = {k: v.format(**dirs).split() for k, v in extra.items()}
    expected = [
        *words.get("NIX_LDFLAGS_BEFORE", []),
        *caller,
        *words.get("NIX_LDFLAGS", []),
        *words.get("NIX_LDFLAGS_AFTER", []),
    ]
    for pkg in order:
        expected += ["-rpath", dirs[pkg]]
    assert got == expected


def test_a_directory_both_ways_is_added_once_at_its_first_place(dry: Dry, tree: Store) -> None:
    foo = tree.lib("foo", "libfoo.so")
    bar = tree.lib("bar", "libbar.so")
    got = dry([f"{bar}/libbar.so", f"-L{foo}", "-lfoo", f"-L{bar}", "-lbar"], {})
    assert got[-4:] == ["-rpath", bar, "-rpath", foo]
    got = dry([f"-L{foo}", "-lfoo", f"-L{bar}", "-lbar", f"{bar}/libbar.so"], {})
    assert got[-4:] == ["-rpath", foo, "-rpath", bar]
