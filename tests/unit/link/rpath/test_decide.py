"""The rpath policy: every row of nixpkgs' rule table, with ldwrap's fixes of its gaps.

Real temporary trees throughout (`<tmp>/nix/store/<hash>-name/lib` with empty files named
like libraries: the policy only asks whether a file exists). Two tests use a fake FsView,
for the absolute `/nix/store` and `/opt` that a test cannot create. The store root's cases go
through `prepare`, whose real linker is a placeholder (the `linker_path` fixture).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from helpers import Store, store_hash
from ldwrap.link import landing
from ldwrap.link.argv import parse
from ldwrap.link.config import (
    Config,
)
from ldwrap.link.fsview import FsView
from ldwrap.link.grammar import BFD, FLAVOURS, GOLD, LLD, MOLD
from ldwrap.link.landing import sides
from ldwrap.link.model import RpathPlan
from ldwrap.link.plan import prepare
from ldwrap.link.rpath import decide, normalise
from ldwrap.link.sysdirs import default_dir_checker
from ldwrap.link.verdicts import (
    ADDED,
    BUILD_TREE,
    CALLER_KEEPS,
    COPY,
    DEFAULT_DIR,
    DISABLED,
    DRIVER,
    DUPLICATE,
    MISSING,
    NO_LIBRARY,
    NOT_DYNAMIC,
    OUTSIDE,
    REINSTALLED,
    STATIC_ONLY,
    STORE_ROOT,
    STUB,
)

from ..conftest import Dry


class Tree(Store):
    """A store-like prefix under tmp with library-named files (helpers.Store), and
    directories beside it, outside the store."""

    def __init__(self, tmp: Path) -> None:
        super().__init__(tmp)
        self.tmp = tmp

    def outside(self, name: str, *files: str) -> str:
        d = self.tmp / name
        d.mkdir(parents=True, exist_ok=True)
        for f in files:
            (d / f).touch()
        return str(d)


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    return Tree(tmp_path)


class Decided:
    """A plan, with where its entries land (landing.py): `copies`, the entries before the
    caller's arguments, and `dirs`, those after."""

    def __init__(self, plan: RpathPlan) -> None:
        self.decisions = plan.decisions
        self.vouched = plan.vouched
        self.copies, self.dirs = sides(plan)


def plan(
    args: list[str],
    env: dict[str, str],
    cwd: str = "/",
    flavour: str = LLD,
    is_default_dir: Callable[[str], bool] | None = None,
    nix_store_exists: bool = False,
) -> Decided:
    config = Config.from_env(env, nix_store_exists=nix_store_exists)
    return Decided(decide(parse(flavour, args), config, FsView(), cwd, is_default_dir))


def verdicts(p: RpathPlan | Decided) -> list[tuple[str, str]]:
    return [(d.path, d.verdict) for d in p.decisions]


# --- -L spellings: every one the linker accepts is collected --------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    "spelling", ["-L {d}", "-L{d}", "--library-path {d}", "--library-path={d}"]
)
def test_every_l_spelling_is_collected(tree: Tree, flavour: str, spelling: str) -> None:
    d = tree.lib("foo", "libfoo.so")
    args = [a.format(d=d) for a in spelling.split()] + ["-lfoo"]
    assert plan(args, tree.env(), flavour=flavour).dirs == [d]


@pytest.mark.parametrize("flavour", (GOLD, LLD, MOLD))
def test_single_dash_library_path(tree: Tree, flavour: str) -> None:
    d = tree.lib("foo", "libfoo.so")
    assert plan(["-library-path", d, "-lfoo"], tree.env(), flavour=flavour).dirs == [d]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_relative_joined_l_is_resolved_against_the_working_directory(
    tree: Tree, flavour: str
) -> None:
    d = tree.lib("foo", "libfoo.so")
    cwd = os.path.dirname(d)
    assert plan(["-Llib", "-lfoo"], tree.env(), cwd=cwd, flavour=flavour).dirs == [d]
    assert plan(["-L", "./lib/", "-lfoo"], tree.env(), cwd=cwd, flavour=flavour).dirs == [d]


@pytest.mark.parametrize(
    ("flavour", "args", "added"),
    [
        (BFD, ["--sysroot={sr}", "-L=/lib"], True),
        (LLD, ["--sysroot={sr}", "-L=/lib"], True),
        (MOLD, ["--sysroot={sr}", "-L=/lib"], True),
        (LLD, ["--sysroot", "{sr}", "-L=/lib"], True),
        (BFD, ["--sysroot", "{sr}", "-L=/lib"], False),  # bfd ignores the separate form
        (GOLD, ["--sysroot={sr}", "-L=/lib"], False),  # gold has no =dir
        (BFD, ["--sysroot={sr}", "-L$SYSROOT/lib"], True),
        (MOLD, ["--sysroot={sr}", "-L$SYSROOT/lib"], True),
        (LLD, ["--sysroot={sr}", "-L$SYSROOT/lib"], False),
    ],
)
def test_sysroot_relative_l(tree: Tree, flavour: str, args: list[str], added: bool) -> None:
    d = tree.lib("sr", "libfoo.so")
    sr = os.path.dirname(d)
    full = [a.format(sr=sr) for a in args] + ["-lfoo"]
    assert plan(full, tree.env(), flavour=flavour).dirs == ([d] if added else [])


# --- which libraries a directory must hold ----------------------------------------------------


@pytest.mark.parametrize(
    ("files", "args", "added"),
    [
        (["libfoo.so"], ["-lfoo"], True),
        (["libfoo.so"], ["-l", "foo"], True),
        (["libfoo.so"], ["--library=foo"], True),
        (["libfoo.so"], ["--library", "foo"], True),
        (["libfoo.so.1"], ["-l:libfoo.so.1"], True),
        (["libfoo.so.1"], ["-l", ":libfoo.so.1"], True),
        (["libfoo.so"], ["-l:libfoo.so"], True),
        (["libfoo.a"], ["-lfoo"], False),  # only the archive: nothing to load at run time
        (["libfoo.a"], ["-l:libfoo.a"], False),
        (["libfoo.so.1"], ["-lfoo"], False),  # -lfoo never finds libfoo.so.1
        (["libfoo.so", "libfoo.a"], ["-lfoo"], True),
        (["libbar.so"], ["-lfoo"], False),
        ([], ["-lfoo"], False),
        (["libc.so"], ["-lc"], True),  # a linker script named libc.so counts
    ],
)
def test_directory_must_hold_a_requested_shared_library(
    tree: Tree, files: list[str], args: list[str], added: bool
) -> None:
    d = tree.lib("foo", *files)
    p = plan(["-L", d, *args], tree.env())
    assert p.dirs == ([d] if added else [])
    if not added:
        assert p.decisions[0].verdict == NO_LIBRARY


def test_library_in_a_subdirectory_via_l_colon(tree: Tree) -> None:
    d = tree.lib("foo", "sub/libfoo.so.1")
    assert plan(["-L", d, "-l:sub/libfoo.so.1"], tree.env()).dirs == [d + "/sub"]


def test_a_subdirectory_match_does_not_narrow_the_search_of_later_directories(
    tree: Tree,
) -> None:
    sub = tree.lib("deep", "sub/libdeep.so.1")
    later = tree.lib("foo", "libfoo.so")
    args = ["-L", sub, "-L", later, "-l:sub/libdeep.so.1", "-lfoo"]
    assert plan(args, tree.env()).dirs == [sub + "/sub", later]


def test_nonexistent_directory(tree: Tree) -> None:
    d = str(tree.root / "missing-pkg" / "lib")
    assert verdicts(plan(["-L", d, "-lfoo"], tree.env())) == [(d, NO_LIBRARY)]


def test_every_directory_holding_a_wanted_library_is_added_in_l_order(tree: Tree) -> None:
    a = tree.lib("a", "libfoo.so")
    b = tree.lib("b", "libfoo.so", "libbar.so")
    c = tree.lib("c", "libbaz.so")
    p = plan(["-L", c, "-L", b, "-L", a, "-lfoo", "-lbar", "-lbaz"], tree.env())
    assert p.dirs == [c, b, a]
    assert landing.flags(p.dirs) == ["-rpath", c, "-rpath", b, "-rpath", a]


def test_library_found_lists_what_it_found(tree: Tree) -> None:
    d = tree.lib("ab", "liba.so", "libb.so")
    (dec,) = plan(["-L", d, "-lb", "-la", "-lc"], tree.env()).decisions
    assert (dec.verdict, dec.libraries) == (ADDED, ("libb.so", "liba.so"))


# --- normalisation, duplicates, symlinks -------------------------------------------------------


def test_lexical_normalisation_inside_the_store_and_duplicates_merged(tree: Tree) -> None:
    d = tree.lib("foo", "libfoo.so")
    spellings = [d, d + "/", d + "/.", d.replace("/lib", "//lib"), d + "/../lib"]
    p = plan([*(f"-L{s}" for s in spellings), "-lfoo"], tree.env())
    assert p.dirs == [d]
    assert [v for _, v in verdicts(p)] == [ADDED] + [DUPLICATE] * 4


def test_directory_outside_the_store_is_never_added(tree: Tree) -> None:
    out = tree.outside("build/lib", "libfoo.so")
    assert verdicts(plan(["-L", out, "-lfoo"], tree.env())) == [(out, OUTSIDE)]


def test_a_sibling_of_the_store_is_outside(tree: Tree) -> None:
    out = tree.outside("nix/store-other/lib", "libfoo.so")
    assert plan(["-L", out, "-lfoo"], tree.env()).dirs == []


def test_symlink_outside_the_store_into_it_is_followed(tree: Tree) -> None:
    d = tree.lib("foo", "libfoo.so")
    link = tree.tmp / "profile-lib"
    link.symlink_to(d)
    p = plan(["-L", str(link), "-lfoo"], tree.env())
    assert p.dirs == [d]  # the store path goes into the rpath, not the link


def test_relative_symlink_target_is_resolved_from_the_links_own_directory(tree: Tree) -> None:
    d = tree.lib("foo", "libfoo.so")
    (tree.tmp / "links" / "deep").mkdir(parents=True)
    link = tree.tmp / "links" / "deep" / "lib"
    link.symlink_to(os.path.relpath(d, link.parent))
    # A decoy the same relative path away from the working directory must not matter.
    cwd = tree.tmp / "elsewhere" / "x"
    cwd.mkdir(parents=True)
    p = plan(["-L", str(link), "-lfoo"], tree.env(), cwd=str(cwd))
    assert p.dirs == [d]


def test_dotdot_after_a_symlink_is_resolved_physically(tree: Tree) -> None:
    # <tmp>/out/link -> <store>/pkg/sub/inner ; -L <tmp>/out/link/../lib is <store>/pkg/sub/lib
    target = tree.lib("pkg", sub="sub/inner")
    real_lib = tree.lib("pkg", "libfoo.so", sub="sub/lib")
    (tree.tmp / "out").mkdir()
    (tree.tmp / "out" / "link").symlink_to(target)
    # Lexically <tmp>/out/link/../lib would be <tmp>/out/lib: make that a decoy.
    tree.outside("out/lib", "libfoo.so")
    p = plan(["-L", str(tree.tmp / "out" / "link" / ".." / "lib"), "-lfoo"], tree.env())
    assert p.dirs == [real_lib]


def test_dotdot_inside_the_store_through_a_symlinked_dir(tree: Tree) -> None:
    real = tree.lib("real", "libfoo.so")
    other = tree.path("other")
    (other / "share").symlink_to(Path(real).parent / "etc")
    (Path(real).parent / "etc").mkdir()
    p = plan(["-L", str(other / "share" / ".." / "lib"), "-lfoo"], tree.env())
    assert p.dirs == [real]


def test_symlink_loop_does_not_hang(tree: Tree) -> None:
    a, b = tree.tmp / "loopa", tree.tmp / "loopb"
    a.symlink_to(b)
    b.symlink_to(a)
    assert plan(["-L", str(a), "-lfoo"], tree.env()).dirs == []


def test_normalise_keeps_absolute_paths_and_joins_relative_ones(tmp_path: Path) -> None:
    fs = FsView()
    assert normalise("/a/./b//c/", "/x", fs) == "/a/b/c"
    assert normalise("rel/d", "/x", fs) == "/x/rel/d"
    assert normalise("//double", "/x", fs) == "/double"


# --- values of options are never libraries ----------------------------------------------------


@pytest.mark.parametrize(
    "option",
    [
        ["--dynamic-linker", "{f}"],
        ["-dynamic-linker", "{f}"],
        ["--dynamic-linker={f}"],
        ["-I", "{f}"],
        ["-I{f}"],
        ["-soname", "{f}"],
        ["-h", "{f}"],
        ["--plugin", "{f}"],
        ["-plugin", "{f}"],
        ["-plugin-opt", "{f}"],
        ["-o", "{f}"],
    ],
    ids=lambda v: " ".join(v),
)
def test_option_values_are_never_library_files(tree: Tree, option: list[str]) -> None:
    f = os.path.join(tree.lib("glibc", "ld-linux.so.2"), "ld-linux.so.2")
    args = [a.format(f=f) for a in option]
    assert plan(args, tree.env(), flavour=BFD).decisions == []


# --- library files named directly -------------------------------------------------------------


@pytest.mark.parametrize("name", ["libfoo.so", "libfoo.so.1", "libfoo.so.1.2.3"])
def test_library_file_adds_its_directory(tree: Tree, name: str) -> None:
    d = tree.lib("foo", name)
    assert plan(["m.o", f"{d}/{name}"], tree.env()).dirs == [d]


def test_missing_library_file_adds_nothing(tree: Tree) -> None:
    d = tree.lib("foo")
    assert verdicts(plan([f"{d}/libgone.so"], tree.env())) == [(d, MISSING)]


def test_library_file_outside_the_store(tree: Tree) -> None:
    d = tree.outside("bld", "libx.so")
    assert verdicts(plan([f"{d}/libx.so"], tree.env())) == [(d, OUTSIDE)]


def test_relative_library_file(tree: Tree) -> None:
    d = tree.lib("foo", "libfoo.so.1")
    assert plan(["lib/libfoo.so.1"], tree.env(), cwd=os.path.dirname(d)).dirs == [d]


def test_library_file_and_l_for_the_same_directory_give_one_rpath(tree: Tree) -> None:
    d = tree.lib("foo", "libfoo.so", "libbar.so.2")
    p = plan(["-L", d, "-lfoo", f"{d}/libbar.so.2"], tree.env())
    assert p.dirs == [d]
    assert [v for _, v in verdicts(p)] == [ADDED, DUPLICATE]


# --- static, static-pie, relocatable ---------------------------------------------------------


@pytest.mark.parametrize(
    ("flavour", "args"),
    [(f, ["-Bstatic", "-lfoo"]) for f in FLAVOURS]
    + [(f, ["-dn", "-lfoo"]) for f in FLAVOURS]
    + [(f, ["-static", "-lfoo"]) for f in (BFD, LLD, MOLD)]
    + [(GOLD, ["-lfoo", "-static"])]  # gold: -static is whole-link
    + [(f, ["-Bstatic", "--push-state", "-Bdynamic", "--pop-state", "-lfoo"]) for f in FLAVOURS],
)
def test_static_only_gets_no_rpath(tree: Tree, flavour: str, args: list[str]) -> None:
    d = tree.lib("foo", "libfoo.so", "libfoo.a")
    p = plan(["-L", d, *args], tree.env(), flavour=flavour)
    assert verdicts(p) == [(d, STATIC_ONLY)]


def test_static_and_dynamic_request_of_the_same_library_is_dynamic(tree: Tree) -> None:
    d = tree.lib("foo", "libfoo.so")
    p = plan(["-L", d, "-Bstatic", "-lfoo", "-Bdynamic", "-lfoo"], tree.env())
    assert p.dirs == [d]


@pytest.mark.parametrize(
    "args",
    [
        ["-static-pie"],
        ["-static", "-pie", "--no-dynamic-linker"],
        ["-r"],
        ["--relocatable"],
        ["-Ur"],
        ["-static", "-static-pie"],
    ],
    ids=lambda v: " ".join(v),
)
def test_no_rpath_for_static_pie_or_relocatable(tree: Tree, args: list[str]) -> None:
    d = tree.lib("foo", "libfoo.so")
    p = plan(["-L", d, "-lfoo", *args], tree.env())
    assert verdicts(p) == [(d, NOT_DYNAMIC)]


def test_static_pie_then_static_last_wins(tree: Tree) -> None:
    d = tree.lib("foo", "libfoo.so")
    # -static last: a static link, whose -lfoo is static too.
    assert verdicts(plan(["-L", d, "-static-pie", "-static", "-lfoo"], tree.env())) == [
        (d, STATIC_ONLY)
    ]


# --- the caller's own rpath ------------------------------------------------------------------


def in_tree(tree: Tree, system: str | None) -> list[str]:
    """`-o` an output in a build tree of that system (None: outside any tree)."""
    build = Path(tree.outside(f"build-{system}"))
    if system == "cmake":
        (build / "CMakeCache.txt").touch()
    elif system == "meson":
        (build / "meson-private").mkdir(exist_ok=True)
    return ["-o", str(build / "sub" / "app")]


@pytest.mark.parametrize("system", ["cmake", "meson"])
@pytest.mark.parametrize(
    "given",
    [
        ["-rpath", "{d}"],
        ["-rpath", "{d}/"],
        ["--rpath={d}"],
        ["-R", "{d}"],
        ["-rpath", "/other:{d}"],
        ["-rpath", "{d}/../lib"],
    ],
    ids=lambda v: " ".join(v),
)
def test_a_directory_the_caller_passes_gets_a_copy_spelled_otherwise(
    tree: Tree, given: list[str], system: str
) -> None:
    """CMake's and Meson's installs take out the rpath they passed: only a copy of ldwrap's,
    spelled differently, survives."""
    d = tree.lib("foo", "libfoo.so")
    args = [*in_tree(tree, system), "-L", d, "-lfoo", *(g.format(d=d) for g in given)]
    p = plan(args, tree.env())
    assert verdicts(p) == [(d, COPY)]
    assert p.dirs == []
    # Never the caller's own spelling: GNU ld would drop it as a duplicate.
    assert p.copies == [d + "//" if given[-1] == "{d}/" else d + "/"]


@pytest.mark.parametrize(
    ("cache", "verdict"),
    [
        ("", COPY),
        ("CMAKE_INSTALL_RPATH_USE_LINK_PATH:BOOL=ON\n", REINSTALLED),
        ("CMAKE_INSTALL_RPATH:STRING=$ORIGIN/../lib;{d}/\n", REINSTALLED),
        ("CMAKE_INSTALL_RPATH:STRING=$ORIGIN/../lib\n", COPY),
    ],
)
def test_cmakes_install_rpath_naming_the_directory_again_needs_no_copy(
    tree: Tree, cache: str, verdict: str
) -> None:
    """CMake's install RPATH replaces its build rpath: when it names the directory again
    (the linked directories, or the directory itself), a copy would name it twice."""
    d = tree.lib("foo", "libfoo.so")
    out = in_tree(tree, "cmake")
    Path(out[1]).parents[1].joinpath("CMakeCache.txt").write_text(
        "CMAKE_INSTALL_PREFIX:PATH=/inst\n" + cache.format(d=d)
    )
    p = plan([*out, "-L", d, "-lfoo", "-rpath", f"{d}:"], tree.env())
    assert verdicts(p) == [(d, verdict)]
    assert p.copies == ([d + "/"] if verdict == COPY else [])


@pytest.mark.parametrize("given", [["-rpath", "{d}"], ["-R", "{d}/"], ["-rpath", "/x:{d}"]])
@pytest.mark.parametrize("output", [None, ["-o", "{t}/autotools/.libs/libx.so.1"]])
def test_a_directory_the_caller_keeps_is_not_named_twice(
    tree: Tree, given: list[str], output: list[str] | None
) -> None:
    """libtool, make and a user's own -rpath keep their entry through the install: a copy
    would name the directory twice."""
    d = tree.lib("foo", "libfoo.so")
    (tree.tmp / "autotools" / ".libs").mkdir(parents=True)
    (tree.tmp / "autotools" / "config.status").touch()
    out = [a.format(t=tree.tmp) for a in output or []]
    p = plan([*out, "-L", d, "-lfoo", *(g.format(d=d) for g in given)], tree.env())
    assert verdicts(p) == [(d, CALLER_KEEPS)]
    assert (p.dirs, p.copies) == ([], [])


# --- switches and prefix selection -----------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "disabled"),
    [
        ({"NIX_DONT_SET_RPATH": "1"}, True),
        ({"LDWRAP_DISABLE": "1"}, True),
        ({"NIX_DONT_SET_RPATH": "0"}, False),
        ({"LDWRAP_DISABLE": ""}, False),
        ({"NIX_DONT_SET_RPATH": "yes"}, False),
        ({"LDWRAP_DISABLE": "true"}, False),
    ],
)
def test_switches(tree: Tree, linker_path: str, extra: dict[str, str], disabled: bool) -> None:
    # Through prepare: NIX_DONT_SET_RPATH is read with the rest of the Nix environment.
    from ldwrap.link.plan import prepare

    d = tree.lib("foo", "libfoo.so")
    inv = prepare("ld.lld", ["-L", d, "-lfoo"], {"PATH": linker_path, **tree.env(**extra)}, "/")
    assert inv.plan is not None
    assert verdicts(inv.plan) == [(d, DISABLED if disabled else ADDED)]


def test_nix_store_with_trailing_slash_matches(tree: Tree) -> None:
    d = tree.lib("foo", "libfoo.so")
    assert plan(["-L", d, "-lfoo"], {"NIX_STORE": str(tree.root) + "/"}).dirs == [d]


def test_rpath_prefixes_mode(tree: Tree) -> None:
    opt = tree.outside("opt/x/lib", "libfoo.so")
    other = tree.outside("srv/lib", "libfoo.so")
    env = {"LDWRAP_RPATH_PREFIXES": f"{tree.tmp}/opt:{tree.tmp}/nothing"}
    p = plan(["-L", opt, "-L", other, "-lfoo"], env)
    assert verdicts(p) == [(opt, ADDED), (other, OUTSIDE)]


def test_nondefault_mode_skips_the_loaders_own_directories(tree: Tree) -> None:
    sysdir = tree.outside("usr/lib", "libfoo.so")
    mine = tree.outside("opt/lib", "libfoo.so")
    p = plan(["-L", sysdir, "-L", mine, "-lfoo"], {}, is_default_dir=lambda p: p == sysdir)
    assert verdicts(p) == [(sysdir, DEFAULT_DIR), (mine, ADDED)]


def test_nondefault_mode_with_a_symlink_to_a_default_directory(tree: Tree) -> None:
    sysdir = tree.outside("usr/lib", "libfoo.so")
    link = tree.tmp / "lib"
    link.symlink_to(sysdir)
    conf = tree.tmp / "ld.so.conf"
    conf.write_text(sysdir + "\n")
    p = plan(["-L", str(link), "-lfoo"], {}, is_default_dir=default_dir_checker(str(conf)))
    assert verdicts(p) == [(str(link), DEFAULT_DIR)]


class FakeFs(FsView):
    """A fake file system: only for /nix/store, which a test cannot create."""

    def __init__(self, files: set[str]) -> None:
        super().__init__()
        self.files = files

    def present(self, directory: str, names: Iterable[str], count: int) -> list[str]:
        return [n for n in names if f"{directory}/{n}" in self.files]

    def realpath(self, path: str) -> str:
        return path


def test_on_nixos_the_real_store_is_the_only_prefix() -> None:
    d = "/nix/store/" + store_hash("foo") + "-foo/lib"
    config = Config.from_env({}, nix_store_exists=True, nixos=True)
    req = parse(LLD, ["-L", d, "-L/opt/foo/lib", "-lfoo"])
    p = decide(req, config, FakeFs({d + "/libfoo.so", "/opt/foo/lib/libfoo.so"}), "/")
    assert verdicts(p) == [(d, ADDED), ("/opt/foo/lib", OUTSIDE)]


def test_beside_a_distribution_the_store_and_other_prefixes_get_rpaths() -> None:
    # Nix installed on Debian, say: the default mode stays, and a store path is a directory the
    # loader does not search like any other.
    d = "/nix/store/" + store_hash("foo") + "-foo/lib"
    config = Config.from_env({}, nix_store_exists=True, nixos=False)
    req = parse(LLD, ["-L", d, "-L/opt/foo/lib", "-L/usr/lib", "-lfoo"])
    files = {d + "/libfoo.so", "/opt/foo/lib/libfoo.so", "/usr/lib/libfoo.so"}
    p = decide(req, config, FakeFs(files), "/", is_default_dir=lambda p: p == "/usr/lib")
    assert verdicts(p) == [
        (d, ADDED),
        ("/opt/foo/lib", ADDED),
        ("/usr/lib", DEFAULT_DIR),
    ]


class MarkedFs(FakeFs):
    """FakeFs where every directory is inside a build tree, and each question is recorded."""

    def __init__(self, files: set[str]) -> None:
        super().__init__(files)
        self.asked: list[str] = []

    def build_tree(self, directory: str, top: str = "/") -> str | None:
        self.asked.append(directory)
        return "Makefile"


@pytest.mark.parametrize(
    ("env", "nixos"),
    [({}, False), ({}, True), ({"LDWRAP_RPATH_PREFIXES": "/nix/store:/opt"}, False)],
)
def test_a_store_path_is_never_a_build_tree(env: dict[str, str], nixos: bool) -> None:
    d = "/nix/store/" + store_hash("foo") + "-foo/lib"
    config = Config.from_env(env, nix_store_exists=True, nixos=nixos)
    req = parse(LLD, ["-L", d, "-L/opt/foo/lib", "-lfoo"])
    fs = MarkedFs({d + "/libfoo.so", "/opt/foo/lib/libfoo.so"})
    p = decide(req, config, fs, "/", is_default_dir=lambda p: False)
    # Outside the store the walk for build-system markers still runs (and finds one here),
    # outside the allowed prefixes too (NixOS): a build tree's library is the project's own.
    assert verdicts(p) == [(d, ADDED), ("/opt/foo/lib", BUILD_TREE)]
    assert fs.asked == ["/opt/foo/lib"]


def test_many_requested_names_use_a_directory_listing(tree: Tree) -> None:
    # Beyond a handful of names FsView lists the directory instead of probing each name.
    d = tree.lib("many", "libl7.so", "sub/libdeep.so.1")
    other = tree.lib("other", "libl3.so")
    args = ["-L", other, "-L", d, *(f"-ll{i}" for i in range(12)), "-l:sub/libdeep.so.1"]
    p = plan(args, tree.env())
    assert p.dirs == [other, d + "/sub", d]
    assert p.decisions[-1].libraries == ("libl7.so",)


# --- link-time stubs and the driver's directory ----------------------------------------------

DRIVER_DIR = "/run/opengl-driver/lib"


@pytest.mark.parametrize(
    ("env", "driver"),
    [
        # The Nix modes: nixpkgs' driver directory, as its autoAddDriverRunpath adds.
        ({}, DRIVER_DIR),
        ({"LDWRAP_DRIVER_DIR": "/opt/drv/"}, "/opt/drv"),
        ({"LDWRAP_DRIVER_DIR": "0"}, None),
    ],
)
def test_a_stubs_directory_gives_way_to_the_drivers(
    tree: Tree, env: dict[str, str], driver: str | None
) -> None:
    """CUDA's lib64/stubs/libcuda.so exists to link without a driver; loaded at run time it
    fails every call. It never goes on RUNPATH; the driver's directory goes instead."""
    stubs = tree.lib("cuda-12", "libcuda.so", "libnvidia-ml.so", sub="lib64/stubs")
    p = plan(["-L", stubs, "-lcuda", "-lnvidia-ml"], tree.env(**env))
    assert p.dirs == ([] if driver is None else [driver])
    want = [(stubs, STUB)] + ([(driver, DRIVER)] if driver else [])
    assert verdicts(p) == want
    if driver is not None:
        assert p.vouched == {driver: (f"{stubs}/libcuda.so", f"{stubs}/libnvidia-ml.so")}


def test_outside_the_nix_modes_the_loader_finds_the_driver_by_itself(tree: Tree) -> None:
    stubs = tree.outside("cuda/lib64/stubs", "libcuda.so")
    p = plan(["-L", stubs, "-lcuda"], {}, is_default_dir=lambda d: False)
    assert (p.dirs, verdicts(p)) == ([], [(stubs, STUB)])
    p = plan(["-L", stubs, "-lcuda"], {"LDWRAP_DRIVER_DIR": "/usr/lib/nvidia"})
    assert p.dirs == ["/usr/lib/nvidia"]


def test_configured_stub_directories_and_the_driver_once(tree: Tree) -> None:
    cuda = tree.lib("cuda", "libcuda.so", sub="lib64/stubs")
    other = tree.lib("nvml-stub", "libnvidia-ml.so")
    real = tree.lib("real", "libreal.so")
    env = tree.env(LDWRAP_STUB_DIRS=f"{other}:relative")
    p = plan(["-L", cuda, "-L", other, "-L", real, "-lcuda", "-lnvidia-ml", "-lreal"], env)
    assert p.dirs == [DRIVER_DIR, real]
    assert verdicts(p) == [
        (cuda, STUB),
        (DRIVER_DIR, DRIVER),
        (other, STUB),
        (real, ADDED),
    ]
    assert p.vouched[DRIVER_DIR] == (f"{cuda}/libcuda.so", f"{other}/libnvidia-ml.so")


# --- the store root, through prepare (a placeholder real linker: nothing is linked) ---------


@pytest.mark.parametrize("how", ["file", "-L"])
def test_a_library_in_the_store_root_adds_nothing(
    tree: Tree, tmp_path: Path, linker_path: str, how: str
) -> None:
    (tree.root / "libfoo.so").write_bytes(b"")
    args = (
        ["main.o", f"{tree.root}/libfoo.so"]
        if how == "file"
        else ["main.o", f"-L{tree.root}", "-lfoo"]
    )
    inv = prepare("ld.lld", args, {"PATH": linker_path, "NIX_STORE": str(tree.root)}, str(tmp_path))
    assert inv.argv[1:] == args
    assert inv.plan is not None
    assert [d.verdict for d in inv.plan.decisions] == [STORE_ROOT]


def test_the_store_root_with_a_trailing_slash_adds_nothing(dry: Dry, tree: Tree) -> None:
    (tree.root / "libfoo.so").write_bytes(b"")
    args = ["main.o", f"-L{tree.root}/", "-lfoo"]
    assert dry(args, {"NIX_STORE": str(tree.root) + "/"}) == args


def test_a_prefix_root_still_counts_outside_nix_mode(tmp_path: Path, linker_path: str) -> None:
    # LDWRAP_RPATH_PREFIXES names library directories themselves: the root is allowed.
    d = tmp_path / "opt" / "lib"
    d.mkdir(parents=True)
    (d / "libfoo.so").write_bytes(b"")
    inv = prepare(
        "ld.lld",
        ["-L", str(d), "-lfoo"],
        {"PATH": linker_path, "LDWRAP_RPATH_PREFIXES": str(d)},
        str(tmp_path),
    )
    assert inv.argv[-2:] == ["-rpath", str(d)]
