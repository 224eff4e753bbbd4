"""Where ldwrap follows nixpkgs' ld-wrapper exactly, and three cases mold's own test suite
found: NIX_LDFLAGS* in the rpath decision, rpath order, the store root, --no-dynamic-linker,
`mold -run`, the recursion guard, and libraries built for another target.

Table cases assert the full argv from `prepare` (the code path behind the shim and dry-run);
the real linker it finds is a placeholder (the `linker_path` fixture). The real links, which
start the programs, are in tests/integration/nix/test_parity.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import (
    make_store,
)
from ldwrap.link.linkers import CHAIN_VAR, MAX_DEPTH
from ldwrap.link.plan import ShimError, prepare
from ldwrap.link.rpath import INCOMPATIBLE, STORE_ROOT

SALT = "x86_64_unknown_linux_gnu"
LIBC = "/lib/x86_64-linux-gnu/libc.so.6"


class Tree:
    """A fake store: `<tmp>/nix/store/<hash>-<pkg>/lib` with files named like libraries; path
    is the PATH of placeholder linkers prepare finds (nothing is linked here)."""

    def __init__(self, tmp: Path, path: str) -> None:
        self.tmp = tmp
        self.path = path
        self.s = make_store(tmp)
        self.store = str(self.s.root)

    def lib(self, pkg: str, *files: str, content: bytes = b"") -> str:
        d = self.s.libdir(pkg)
        for f in files:
            (d / f).write_bytes(content)
        return str(d)


@pytest.fixture
def tree(tmp_path: Path, linker_path: str) -> Tree:
    return Tree(tmp_path, linker_path)


def argv(tree: Tree, args: list[str], env: dict[str, str], name: str = "ld.lld") -> list[str]:
    full = {"PATH": tree.path, "NIX_STORE": tree.store, **env}
    inv = prepare(name, list(args), full, str(tree.tmp))
    return inv.argv[1:]


# --- 1. NIX_LDFLAGS_BEFORE / NIX_LDFLAGS / NIX_LDFLAGS_AFTER take part ------------------------

# (id, env with {foo}/{bar} placeholders, caller args, expected argv after the linker)
LDFLAGS_CASES: list[tuple[str, dict[str, str], list[str], list[str]]] = [
    (
        "NIX_LDFLAGS -L, caller -l",
        {"NIX_LDFLAGS": "-L{foo}"},
        ["main.o", "-lfoo"],
        ["main.o", "-lfoo", "-L{foo}", "-rpath", "{foo}"],
    ),
    (
        "NIX_LDFLAGS -L and -l",
        {"NIX_LDFLAGS": "-L{foo} -lfoo"},
        ["main.o"],
        ["main.o", "-L{foo}", "-lfoo", "-rpath", "{foo}"],
    ),
    (
        "NIX_LDFLAGS -L as two words",
        {"NIX_LDFLAGS": "-L {foo}"},
        ["main.o", "-lfoo"],
        ["main.o", "-lfoo", "-L", "{foo}", "-rpath", "{foo}"],
    ),
    (
        "NIX_LDFLAGS_BEFORE",
        {"NIX_LDFLAGS_BEFORE": "-L{foo}"},
        ["main.o", "-lfoo"],
        ["-L{foo}", "main.o", "-lfoo", "-rpath", "{foo}"],
    ),
    (
        "NIX_LDFLAGS_AFTER",
        {"NIX_LDFLAGS_AFTER": "-L{foo}"},
        ["main.o", "-lfoo"],
        ["main.o", "-lfoo", "-L{foo}", "-rpath", "{foo}"],
    ),
    (
        "host-suffixed name",
        {f"NIX_LDFLAGS_{SALT}": "-L{foo}"},
        ["main.o", "-lfoo"],
        ["main.o", "-lfoo", "-L{foo}", "-rpath", "{foo}"],
    ),
    (
        "order: BEFORE, the caller, NIX_LDFLAGS",
        {"NIX_LDFLAGS_BEFORE": "-L{bar}", "NIX_LDFLAGS": "-L{foo}"},
        ["main.o", "-lfoo", "-lbar"],
        ["-L{bar}", "main.o", "-lfoo", "-lbar", "-L{foo}", "-rpath", "{bar}", "-rpath", "{foo}"],
    ),
    (
        "the caller's -L before NIX_LDFLAGS'",
        {"NIX_LDFLAGS": "-L{bar}"},
        ["-L{foo}", "main.o", "-lfoo", "-lbar"],
        ["-L{foo}", "main.o", "-lfoo", "-lbar", "-L{bar}", "-rpath", "{foo}", "-rpath", "{bar}"],
    ),
    (
        "--library-path spelling",
        {"NIX_LDFLAGS": "--library-path={foo}"},
        ["main.o", "-lfoo"],
        ["main.o", "-lfoo", "--library-path={foo}", "-rpath", "{foo}"],
    ),
    # A cc-wrapper already passed NIX_LDFLAGS (as -Wl, flags, so they are the caller's): the
    # variable is not added again and its -L does not count a second time.
    (
        "cc-wrapper applied (salt)",
        {"NIX_LDFLAGS": "-L{foo}", f"NIX_LINK_TYPE_{SALT}": "dynamic"},
        ["main.o", "-lfoo"],
        ["main.o", "-lfoo"],
    ),
    (
        "cc-wrapper applied (v2)",
        {
            "NIX_WRAPPER_VERSION": "2",
            "NIX_WRAPPER_OPERATION": "link",
            "wrapper_NIX_LINK_TYPE": "dynamic",
            "wrapper_NIX_LDFLAGS": "-L{foo}",
        },
        ["main.o", "-lfoo"],
        ["main.o", "-lfoo"],
    ),
    (
        "cc-wrapper applied: NIX_LDFLAGS_AFTER still counts",
        {"NIX_LDFLAGS_AFTER": "-L{foo}", f"NIX_LINK_TYPE_{SALT}": "dynamic"},
        ["main.o", "-lfoo"],
        ["main.o", "-lfoo", "-L{foo}", "-rpath", "{foo}"],
    ),
    (
        "static-only library there",
        {"NIX_LDFLAGS": "-L{sta}"},
        ["main.o", "-lsta"],
        ["main.o", "-lsta", "-L{sta}"],
    ),
    (
        "outside the store",
        {"NIX_LDFLAGS": "-L/opt/x/lib"},
        ["main.o", "-lfoo"],
        ["main.o", "-lfoo", "-L/opt/x/lib"],
    ),
    (
        "NIX_DONT_SET_RPATH",
        {"NIX_LDFLAGS": "-L{foo}", "NIX_DONT_SET_RPATH": "1"},
        ["main.o", "-lfoo"],
        ["main.o", "-lfoo", "-L{foo}"],
    ),
]


@pytest.mark.parametrize(
    ("env", "args", "want"), [c[1:] for c in LDFLAGS_CASES], ids=[c[0] for c in LDFLAGS_CASES]
)
def test_nix_ldflags_take_part_in_the_rpath(
    tree: Tree, env: dict[str, str], args: list[str], want: list[str]
) -> None:
    dirs = {
        "foo": tree.lib("foo", "libfoo.so"),
        "bar": tree.lib("bar", "libbar.so"),
        "sta": tree.lib("sta", "libsta.a"),
    }
    env = {k: v.format(**dirs) for k, v in env.items()}
    assert argv(tree, [a.format(**dirs) for a in args], env) == [w.format(**dirs) for w in want]


def test_nix_ldflags_directory_shows_in_the_plan(tree: Tree, tmp_path: Path) -> None:
    foo = tree.lib("foo", "libfoo.so")
    inv = prepare(
        "ld.lld",
        ["main.o", "-lfoo"],
        {"PATH": tree.path, "NIX_STORE": tree.store, "NIX_LDFLAGS": f"-L{foo}"},
        str(tmp_path),
    )
    assert [(d["path"], d["verdict"]) for d in inv.as_dict()["directories"]] == [(foo, "added")]


def test_the_prepared_link_record_does_not_reach_the_linker(tree: Tree, tmp_path: Path) -> None:
    env = {
        "PATH": tree.path,
        "NIX_STORE": tree.store,
        "NIX_WRAPPER_VERSION": "2",
        "NIX_WRAPPER_OPERATION": "link",
        "wrapper_NIX_LINK_TYPE": "dynamic",
        "wrapper_NIX_LDFLAGS": "-lm",
        "KEEP": "1",
    }
    inv = prepare("ld.lld", ["main.o"], env, str(tmp_path))
    assert {k: v for k, v in inv.env.items() if k != CHAIN_VAR} == {
        "PATH": tree.path,
        "NIX_STORE": tree.store,
        "KEEP": "1",
    }


# --- 2. rpath order is argv order: -L directories and library files interleaved ------------

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
    tree: Tree, args: list[str], env: dict[str, str], order: list[str]
) -> None:
    dirs = {
        "c": tree.lib("c", "libimpl.so"),
        "b": tree.lib("b", "libfoo.so.1"),
        "a": tree.lib("a", "liba.so.1"),
        "q": tree.lib("q", "libqux.so"),
    }
    caller = [a.format(**dirs) for a in args]
    extra = {k: v.format(**dirs) for k, v in env.items()}
    got = argv(tree, caller, extra)
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


def test_a_directory_both_ways_is_added_once_at_its_first_place(tree: Tree) -> None:
    foo = tree.lib("foo", "libfoo.so")
    bar = tree.lib("bar", "libbar.so")
    got = argv(tree, [f"{bar}/libbar.so", f"-L{foo}", "-lfoo", f"-L{bar}", "-lbar"], {})
    assert got[-4:] == ["-rpath", bar, "-rpath", foo]
    got = argv(tree, [f"-L{foo}", "-lfoo", f"-L{bar}", "-lbar", f"{bar}/libbar.so"], {})
    assert got[-4:] == ["-rpath", foo, "-rpath", bar]


# --- 3. the store root is not a store path ------------------------------------------------


@pytest.mark.parametrize("how", ["file", "-L"])
def test_a_library_in_the_store_root_adds_nothing(tree: Tree, tmp_path: Path, how: str) -> None:
    (Path(tree.store) / "libfoo.so").write_bytes(b"")
    args = (
        ["main.o", f"{tree.store}/libfoo.so"]
        if how == "file"
        else ["main.o", f"-L{tree.store}", "-lfoo"]
    )
    inv = prepare("ld.lld", args, {"PATH": tree.path, "NIX_STORE": tree.store}, str(tmp_path))
    assert inv.argv[1:] == args
    assert [d.verdict for d in inv.plan.decisions] == [STORE_ROOT]  # type: ignore[union-attr]


def test_the_store_root_with_a_trailing_slash_adds_nothing(tree: Tree) -> None:
    (Path(tree.store) / "libfoo.so").write_bytes(b"")
    args = ["main.o", f"-L{tree.store}/", "-lfoo"]
    assert argv(tree, args, {"NIX_STORE": tree.store + "/"}) == args


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


# --- 4. --no-dynamic-linker ---------------------------------------------------------------

M32 = "/m32/ld-linux.so.2"
INTERP_CASES: list[tuple[str, dict[str, str], list[str], list[str]]] = [
    (
        "NIX_DYNAMIC_LINKER",
        {"NIX_DYNAMIC_LINKER": "/l/ld.so"},
        ["main.o"],
        ["-dynamic-linker", "/l/ld.so", "main.o"],
    ),
    (
        "--no-dynamic-linker",
        {"NIX_DYNAMIC_LINKER": "/l/ld.so"},
        ["main.o", "--no-dynamic-linker"],
        ["main.o", "--no-dynamic-linker"],
    ),
    (
        "--no-dynamic-linker first",
        {"NIX_DYNAMIC_LINKER": "/l/ld.so"},
        ["--no-dynamic-linker", "-shared", "main.o"],
        ["--no-dynamic-linker", "-shared", "main.o"],
    ),
    (
        "-no-dynamic-linker",
        {"NIX_DYNAMIC_LINKER": "/l/ld.so"},
        ["-no-dynamic-linker", "main.o"],
        ["-no-dynamic-linker", "main.o"],
    ),
    (
        "32-bit",
        {"LDWRAP_DYNAMIC_LINKER_M32": M32},
        ["-m", "elf_i386", "main.o"],
        ["-m", "elf_i386", "main.o", "-dynamic-linker", M32],
    ),
    (
        "32-bit, --no-dynamic-linker",
        {"LDWRAP_DYNAMIC_LINKER_M32": M32},
        ["-m", "elf_i386", "--no-dynamic-linker", "main.o"],
        ["-m", "elf_i386", "--no-dynamic-linker", "main.o"],
    ),
    (
        "other flags stay",
        {
            "NIX_DYNAMIC_LINKER": "/l/ld.so",
            "NIX_SET_BUILD_ID": "1",
            "NIX_LDFLAGS_BEFORE": "-z noexecstack",
        },
        ["main.o", "--no-dynamic-linker"],
        ["-z", "noexecstack", "main.o", "--no-dynamic-linker", "--build-id=sha1"],
    ),
]


@pytest.mark.parametrize(
    ("env", "args", "want"), [c[1:] for c in INTERP_CASES], ids=[c[0] for c in INTERP_CASES]
)
@pytest.mark.parametrize("name", ["ld.bfd", "ld.lld", "ld.mold"])  # gold has no such option
def test_no_dynamic_linker(
    tree: Tree, env: dict[str, str], args: list[str], want: list[str], name: str
) -> None:
    assert argv(tree, args, env, name) == want


# --- 6. and 7. mold -run, and the recursion guard ---------------------------------------------


def _fake(path: Path, target: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if target is None:
        path.write_text("#!/bin/sh\nexit 0\n")
        path.chmod(0o755)
    else:
        path.symlink_to(target)
    return path


@pytest.mark.parametrize("run", ["-run", "--run"])
@pytest.mark.parametrize("name", ["mold", "ld.mold", "ld"])
def test_mold_run_passes_through_untouched(tree: Tree, tmp_path: Path, run: str, name: str) -> None:
    foo = tree.lib("foo", "libfoo.so")
    sysbin = tmp_path / "sys"
    mold = _fake(sysbin / "mold")
    _fake(sysbin / "ld.mold", "mold")
    _fake(sysbin / "ld", "mold")  # `ld` that is mold: the same rule
    args = [run, "gcc", "-o", "app", "main.c", f"-L{foo}", "-lfoo"]
    env = {
        "PATH": str(sysbin),
        "NIX_STORE": tree.store,
        "NIX_SET_BUILD_ID": "1",
        "NIX_HARDENING_ENABLE": "relro",
    }
    inv = prepare(f"/shims/{name}", args, env, str(tmp_path))
    assert inv.argv == [str(sysbin / name), *args]
    assert CHAIN_VAR not in inv.env
    assert inv.env == env
    assert os.path.realpath(inv.argv[0]) == str(mold)


def test_run_is_a_link_argument_for_other_linkers(tree: Tree) -> None:
    # Only mold has a run mode; to lld `-run` is an unknown flag of an ordinary link.
    foo = tree.lib("foo", "libfoo.so")
    got = argv(tree, ["-run", "x", f"-L{foo}", "-lfoo"], {})
    assert got[-2:] == ["-rpath", foo]


def _foreign_pid() -> int:
    """A pid that is neither this process nor its parent or grandparent."""
    from ldwrap.link.linkers import _parent_of

    near = {os.getpid(), os.getppid(), _parent_of(os.getppid())}
    return next(p for p in range(2, 1 << 22) if p not in near)


def _chain_env(tree: Tree, chain: str) -> dict[str, str]:
    return {"PATH": tree.path, "NIX_STORE": tree.store, CHAIN_VAR: chain}


def test_a_shim_reached_from_a_foreign_process_links_as_usual(tree: Tree, tmp_path: Path) -> None:
    # A program the linker started (mold -run make, ...) inherits LDWRAP_CHAIN; its own links
    # are not nested in ours and get their rpaths.
    foo = tree.lib("foo", "libfoo.so")
    real = f"{tree.path}/ld.lld"
    chain = f"{_foreign_pid()}:/usr/bin/mold"
    inv = prepare("ld.lld", [f"-L{foo}", "-lfoo"], _chain_env(tree, chain), str(tmp_path))
    assert inv.argv == [real, f"-L{foo}", "-lfoo", "-rpath", foo]
    assert inv.env[CHAIN_VAR] == f"{os.getpid()}:/usr/bin/mold:{real}"


def test_a_shim_reached_from_our_own_process_is_nested(tree: Tree, tmp_path: Path) -> None:
    foo = tree.lib("foo", "libfoo.so")
    chain = f"{os.getppid()}:/wrapper/ld.lld"
    inv = prepare("ld.lld", [f"-L{foo}", "-lfoo"], _chain_env(tree, chain), str(tmp_path))
    assert inv.argv[1:] == [f"-L{foo}", "-lfoo"]
    assert inv.why_unchanged == "an outer ldwrap already added its flags"


def test_a_real_loop_still_ends_with_a_clear_error(tree: Tree, tmp_path: Path) -> None:
    # Even through foreign processes, a chain that keeps growing is a loop.
    chain = f"{_foreign_pid()}:" + ":".join(f"/loop/{i}/ld.lld" for i in range(MAX_DEPTH))
    with pytest.raises(ShimError, match="leads back to ldwrap"):
        prepare("ld.lld", ["-lfoo"], _chain_env(tree, chain), str(tmp_path))


def test_a_chain_without_a_pid_is_not_nested(tree: Tree, tmp_path: Path) -> None:
    foo = tree.lib("foo", "libfoo.so")
    inv = prepare("ld.lld", [f"-L{foo}", "-lfoo"], _chain_env(tree, "/old/ld.lld"), str(tmp_path))
    assert inv.argv[-2:] == ["-rpath", foo]


# --- 8. candidates built for another target -------------------------------------------------

ELF64_X86 = b"\x7fELF\x02\x01\x01" + b"\0" * 9 + b"\x03\x00" + b"\x3e\x00" + b"\0" * 44
ELF32_386 = b"\x7fELF\x01\x01\x01" + b"\0" * 9 + b"\x03\x00" + b"\x03\x00" + b"\0" * 32
ELF64_ARM = b"\x7fELF\x02\x01\x01" + b"\0" * 9 + b"\x03\x00" + b"\xb7\x00" + b"\0" * 44
SCRIPT32 = b"/* GNU ld script */\nOUTPUT_FORMAT(elf32-i386)\nGROUP ( libfoo.so.1 )\n"
SCRIPT64 = b"/* GNU ld script */\nOUTPUT_FORMAT(elf64-x86-64)\nGROUP ( libfoo.so.1 )\n"
SCRIPT_PLAIN = b"GROUP ( libfoo.so.1 )\n"
SCRIPT_3 = b'OUTPUT_FORMAT("elf64-x86-64", "elf64-x86-64", "elf64-x86-64")\nGROUP(x)\n'

# (id, candidates as (pkg, content) in -L order, emulation, the packages that get an rpath)
TARGET_CASES: list[tuple[str, list[tuple[str, bytes]], str | None, list[str]]] = [
    (
        "mold's incompatible-libs",
        [("script", SCRIPT32), ("lib32", ELF32_386), ("lib64", ELF64_X86)],
        None,
        ["lib64"],
    ),
    (
        "the same for -m elf_i386",
        [("script", SCRIPT32), ("lib32", ELF32_386), ("lib64", ELF64_X86)],
        "elf_i386",
        ["script", "lib32"],
    ),
    ("other machine", [("arm", ELF64_ARM), ("x86", ELF64_X86)], None, ["x86"]),
    ("-m elf_x86_64", [("arm", ELF64_ARM), ("x86", ELF64_X86)], "elf_x86_64", ["x86"]),
    ("glibc-style script matches", [("libc", SCRIPT64)], None, ["libc"]),
    ("script with three formats", [("libc", SCRIPT_3)], None, ["libc"]),
    ("script without OUTPUT_FORMAT matches", [("plain", SCRIPT_PLAIN)], None, ["plain"]),
    ("unknown emulation: nothing skipped", [("arm", ELF64_ARM)], "elf_unknown", ["arm"]),
    ("empty file: nothing to tell", [("empty", b"")], None, ["empty"]),
]


@pytest.mark.parametrize(
    ("cands", "emulation", "added"), [c[1:] for c in TARGET_CASES], ids=[c[0] for c in TARGET_CASES]
)
def test_a_library_for_another_target_gets_no_rpath(
    tree: Tree,
    tmp_path: Path,
    cands: list[tuple[str, bytes]],
    emulation: str | None,
    added: list[str],
) -> None:
    dirs = {pkg: tree.lib(pkg, "libfoo.so", content=data) for pkg, data in cands}
    args = [*(["-m", emulation] if emulation else []), *(f"-L{d}" for d in dirs.values()), "-lfoo"]
    inv = prepare("ld.lld", args, {"PATH": tree.path, "NIX_STORE": tree.store}, str(tmp_path))
    want: list[str] = []
    for pkg in added:
        want += ["-rpath", dirs[pkg]]
    assert inv.argv[1:] == [*args, *want]
    skipped = {d.path for d in inv.plan.decisions if d.verdict == INCOMPATIBLE}  # type: ignore[union-attr]
    assert skipped == {d for p, d in dirs.items() if p not in added}


def test_a_library_file_by_path_for_another_target_gets_no_rpath(tree: Tree) -> None:
    d = tree.lib("lib32", "libfoo.so", content=ELF32_386)
    assert argv(tree, ["main.o", f"{d}/libfoo.so"], {}) == ["main.o", f"{d}/libfoo.so"]
