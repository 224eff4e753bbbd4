"""landing.py: where each entry of ldwrap's lands (before or after the caller's arguments, in
which order, past CMake's padding, beside LD_RUN_PATH) and which of them the post-link trim
may remove. Plans are decided over real temporary trees by rpath.decide; the full commands are
checked through prepare in tests/unit/link/rpath/test_install.py, and here for LD_RUN_PATH
(the real linker prepare finds is a placeholder: nothing is linked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import Store
from ldwrap.link import landing
from ldwrap.link.argv import parse
from ldwrap.link.config import Config
from ldwrap.link.fsview import FsView
from ldwrap.link.grammar import LLD
from ldwrap.link.model import RpathPlan
from ldwrap.link.rpath import decide
from ldwrap.link.verdicts import ADDED, COPY, DRIVER, OWN_ABSOLUTE, OWN_ORIGIN

from .conftest import Dry


class Tree(Store):
    """A store of library-named files under tmp (helpers.Store), and a Meson build tree for
    outputs (its install takes the caller's rpath out, so copies are made)."""

    def __init__(self, tmp: Path) -> None:
        super().__init__(tmp)
        self.build = tmp / "build"
        (self.build / "meson-private").mkdir(parents=True)


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    return Tree(tmp_path)


def test_each_kind_lands_on_its_side_in_its_rank() -> None:
    plan = RpathPlan()
    plan.entries = [
        ("/a", ADDED),
        ("/c/", COPY),
        ("/drv", DRIVER),
        ("$ORIGIN/../lib/", OWN_ORIGIN),
        ("/own/lib", OWN_ABSOLUTE),
        ("/b", ADDED),
        ("/d/", COPY),
    ]
    assert landing.sides(plan) == (
        ["$ORIGIN/../lib/", "/c/", "/d/"],
        ["/own/lib", "/a", "/drv", "/b"],
    )


@pytest.mark.parametrize(
    ("words", "values", "has", "without"),
    [
        (["-rpath", "/a", "--rpath", "/b", "-R", "/c"], ["/a", "/b", "/c"], True, ["-R", "/c"]),
        (["-rpath=/a", "--rpath=/b:/c", "-L/x"], ["/a", "/b:/c"], True, ["-L/x"]),
        (["-R", "/c"], ["/c"], False, ["-R", "/c"]),  # an rpath to GNU ld only for a directory
        (["-rpath"], [], True, []),
        (["-L/x", "-lfoo"], [], False, ["-L/x", "-lfoo"]),
    ],
)
def test_rpath_spellings(
    words: list[str], values: list[str], has: bool, without: list[str]
) -> None:
    assert landing.rpath_values(words) == values
    assert landing.has_rpath(words) == has
    assert landing.without_rpaths(words) == without  # nixpkgs' filterRpathFlags


# --- which added entries the post-link trim may remove (LDWRAP_SHRINK) ----------------------


def candidates(
    tree: Tree,
    args: list[str],
    added: list[str] | None = None,
    also: list[str] | None = None,
) -> list[str]:
    req = parse(LLD, ["-o", str(tree.build / "app"), *args])
    p = decide(req, Config.from_env(tree.env(), nix_store_exists=False), FsView(), "/")
    before, after = landing.sides(p)
    added = [*landing.flags(before), *landing.flags(after)] if added is None else added
    return landing.trimmable(req, p, added, also or [])


def test_trimmable_are_the_added_dirs_of_as_needed_libraries(tree: Tree) -> None:
    a = tree.lib("a", "liba.so")
    b = tree.lib("b", "libb.so")
    c = tree.lib("c", "libc2.so")
    args = [f"-L{a}", f"-L{b}", f"-L{c}", "-la", "--as-needed", "-lb", "-lc2"]
    # a was asked for before --as-needed: it stays in DT_NEEDED, so in the rpath.
    assert candidates(tree, args) == [b, c]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--as-needed", "-lb"], ["B"]),
        (["--as-needed", "--no-as-needed", "-lb"], []),  # not asked for under --as-needed
        # The caller's own entry stays; only ldwrap's copy of it (B/) may go.
        (["-rpath", "B", "--as-needed", "-lb"], ["B/"]),
        (["-R", "B", "--as-needed", "-lb"], ["B/"]),
        (["-rpath", "/x:B", "--as-needed", "-lb"], ["B/"]),  # inside a caller's colon list
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_trimmable_never_the_callers(tree: Tree, args: list[str], expected: list[str]) -> None:
    b = tree.lib("b", "libb.so")
    got = candidates(tree, [f"-L{b}", *(a.replace("B", b) for a in args)])
    assert got == [e.replace("B", b) for e in expected]


def test_trimmable_need_the_entry_once_among_the_added_flags(tree: Tree) -> None:
    b = tree.lib("b", "libb.so")
    args = [f"-L{b}", "--as-needed", "-lb"]
    assert candidates(tree, args, added=["-rpath", b]) == [b]
    # Another source added it too (NIX_LDFLAGS' own -rpath): it stays.
    assert candidates(tree, args, added=["-rpath", b, f"-rpath={b}"]) == []
    # LD_RUN_PATH's directories, passed on by ldwrap, stay.
    assert candidates(tree, args, added=["-rpath", b], also=[b]) == []
    # Not in the command at all (ldwrap did not add it after all).
    assert candidates(tree, args, added=[]) == []


@pytest.mark.parametrize(
    ("rpath", "copy"),
    [("{b}", "{b}/"), ("{b}/", "{b}//"), ("/x:{b}:", "{b}/")],
)
def test_trimmable_include_the_copy_not_the_callers_spelling(
    tree: Tree, rpath: str, copy: str
) -> None:
    # CMake and Meson pass -rpath for every linked directory; ldwrap's copy (DIR/) is its own
    # entry, and may go when --as-needed dropped the library; the caller's spelling stays.
    b = tree.lib("b", "libb.so")
    args = [f"-L{b}", "-rpath", rpath.format(b=b), "--as-needed", "-lb"]
    assert candidates(tree, args) == [copy.format(b=b)]
    # Not asked for under --as-needed: the library stays in DT_NEEDED, and so does the copy.
    assert candidates(tree, [f"-L{b}", "-rpath", rpath.format(b=b), "-lb"]) == []


def test_trimmable_none_for_static_or_relocatable_links(tree: Tree) -> None:
    b = tree.lib("b", "libb.so", "libb.a")
    for args in (["-r"], ["-static"], ["-Bstatic"], ["-static-pie"]):
        assert candidates(tree, [*args, f"-L{b}", "--as-needed", "-lb"]) == [], args


def test_trimmable_of_a_library_named_by_path(tree: Tree) -> None:
    b = tree.lib("b", "libb.so.1")
    assert candidates(tree, ["--as-needed", f"{b}/libb.so.1"]) == [b]
    assert candidates(tree, [f"{b}/libb.so.1", "--as-needed"]) == []


def test_the_driver_directory_is_trimmable_under_as_needed(tree: Tree) -> None:
    stubs = tree.lib("cuda", "libcuda.so", sub="lib64/stubs")
    assert candidates(tree, [f"-L{stubs}", "--as-needed", "-lcuda"]) == ["/run/opengl-driver/lib"]
    assert candidates(tree, [f"-L{stubs}", "-lcuda"]) == []


# --- LD_RUN_PATH, through prepare -----------------------------------------------------------


def test_ld_run_path_bfd_alone_left_to_bfd(dry: Dry) -> None:
    # Nothing of ldwrap's switches bfd's own LD_RUN_PATH handling off: nothing to add.
    assert dry(["m.o"], {"LD_RUN_PATH": "/r1"}, "ld.bfd") == ["m.o"]
    assert dry(["m.o"], {"LD_RUN_PATH": "/r1"}, "ld.lld") == ["m.o", "-rpath", "/r1"]


def test_ld_run_path_not_for_static_or_relocatable(dry: Dry) -> None:
    for args in (["-static", "m.o"], ["-r", "m.o"], ["-static-pie", "m.o"]):
        assert dry(args, {"LD_RUN_PATH": "/r1"}) == args
