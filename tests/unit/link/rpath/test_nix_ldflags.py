"""NIX_LDFLAGS_BEFORE, NIX_LDFLAGS and NIX_LDFLAGS_AFTER take part in the rpath decision as
nixpkgs' ld-wrapper has them do: their -L directories and library files count like the
caller's. Full argv from `prepare` (the code path behind the shim and dry-run) over a store of
library-named files; the real linker it finds is a placeholder (the `linker_path` fixture):
nothing is linked. The real links are in tests/integration/nix/test_parity.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import Store
from ldwrap.link.plan import prepare

from ..conftest import Dry

SALT = "x86_64_unknown_linux_gnu"  # the cases' host suffix; test_nix.py checks the machine


@pytest.fixture
def tree(tmp_path: Path) -> Store:
    return Store(tmp_path)


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
    dry: Dry, tree: Store, env: dict[str, str], args: list[str], want: list[str]
) -> None:
    dirs = {
        "foo": tree.lib("foo", "libfoo.so"),
        "bar": tree.lib("bar", "libbar.so"),
        "sta": tree.lib("sta", "libsta.a"),
    }
    env = {k: v.format(**dirs) for k, v in env.items()}
    assert dry([a.format(**dirs) for a in args], env) == [w.format(**dirs) for w in want]


def test_nix_ldflags_directory_shows_in_the_plan(
    tree: Store, tmp_path: Path, linker_path: str
) -> None:
    foo = tree.lib("foo", "libfoo.so")
    inv = prepare(
        "ld.lld",
        ["main.o", "-lfoo"],
        {"PATH": linker_path, "NIX_STORE": str(tree.root), "NIX_LDFLAGS": f"-L{foo}"},
        str(tmp_path),
    )
    directories = inv.as_dict()["directories"]
    assert isinstance(directories, list)
    assert [(d["path"], d["verdict"]) for d in directories] == [(foo, "added")]
