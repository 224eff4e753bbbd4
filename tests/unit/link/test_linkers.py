"""Which linker the shim stands for, where the real one is found, and the recursion guard
(LDWRAP_CHAIN: a nested shim adds nothing, a loop is an error; through `prepare`).

The "linkers" here are small executable files in tmp_path: `find` only checks that they are
executable regular files and not ldwrap's own launchers, so nothing is run. The cross gcc's
own linker directory (an absolute path) is tested in tests/integration/cross/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import Store
from helpers.elf import ET_EXEC, build_elf
from ldwrap.link.grammar import BFD, GOLD, LLD, MOLD
from ldwrap.link.linkers import (
    CHAIN_VAR,
    DROP_IN_NAMES,
    MAX_DEPTH,
    LinkerError,
    cross_triples,
    find,
    flavour_from_path,
    flavour_of,
    for_target,
    is_shim,
    linker_name,
)
from ldwrap.link.model import RealLinker
from ldwrap.link.plan import ShimError, prepare


@pytest.mark.parametrize(
    ("invoked", "name"),
    [
        ("ld", "ld"),
        ("ld.bfd", "ld.bfd"),
        ("ld.gold", "ld.gold"),
        ("gold", "gold"),
        ("ld.lld", "ld.lld"),
        ("lld", "lld"),
        ("rust-lld", "rust-lld"),
        ("ld.mold", "ld.mold"),
        ("mold", "mold"),
        ("x86_64-linux-gnu-ld", "ld"),
        ("x86_64-linux-gnu-ld.bfd", "ld.bfd"),
        ("x86_64-pc-linux-gnu-ld.lld", "ld.lld"),
        ("aarch64-unknown-linux-gnu-ld.gold", "ld.gold"),
        ("x86_64-linux-gnu-ld.mold", "ld.mold"),
        ("ldwrap", None),
        ("gcc", None),
        ("ld.foo", None),
        ("myld", None),
        ("ld.lld.real", None),
        ("", None),
    ],
)
def test_linker_name(invoked: str, name: str | None) -> None:
    assert linker_name(invoked) == name


@pytest.mark.parametrize(
    ("name", "flavour"),
    [
        ("ld", BFD),
        ("ld.bfd", BFD),
        ("ld.gold", GOLD),
        ("gold", GOLD),
        ("ld.lld", LLD),
        ("lld", LLD),
        ("rust-lld", LLD),
        ("ld.mold", MOLD),
        ("mold", MOLD),
    ],
)
def test_flavour_of(name: str, flavour: str) -> None:
    assert flavour_of(name) == flavour


def _exe(path: Path, text: str = "#!/bin/sh\nexit 0\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def test_plain_ld_is_refined_by_what_it_links_to(tmp_path: Path) -> None:
    gold = _exe(tmp_path / "ld.gold")
    (tmp_path / "ld").symlink_to(gold)
    _exe(tmp_path / "other" / "ld")
    assert flavour_from_path(str(tmp_path / "ld"), BFD) == GOLD
    assert flavour_from_path(str(tmp_path / "other" / "ld"), BFD) == BFD


def env_path(*dirs: object) -> dict[str, str]:
    return {"PATH": ":".join(str(d) for d in dirs)}


def test_found_on_path_in_order(tmp_path: Path) -> None:
    first = _exe(tmp_path / "a" / "ld.lld")
    _exe(tmp_path / "b" / "ld.lld")
    real = find("ld.lld", "/shim/ld.lld", env_path(tmp_path / "a", tmp_path / "b"), None)
    assert (real.path, real.lead) == (str(first), ())


@pytest.mark.parametrize("entry", ["", ".", "bin", "./bin", "../x/bin"])
def test_empty_and_relative_path_entries_are_never_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str
) -> None:
    # A planted linker in the working directory and in a relative PATH entry.
    monkeypatch.chdir(tmp_path)
    _exe(tmp_path / "ld.lld", "#!/bin/sh\necho planted\n")
    _exe(tmp_path / "bin" / "ld.lld", "#!/bin/sh\necho planted\n")
    _exe(tmp_path / "x" / "bin" / "ld.lld", "#!/bin/sh\necho planted\n")
    good = _exe(tmp_path / "sys" / "ld.lld")
    real = find("ld.lld", "/shim/ld.lld", env_path(entry, tmp_path / "sys"), None)
    assert real.path == str(good)


def test_not_executable_and_directories_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "ld.lld").write_text("not executable")
    (tmp_path / "b" / "ld.lld").mkdir(parents=True)
    good = _exe(tmp_path / "c" / "ld.lld")
    env = env_path(tmp_path / "a", tmp_path / "b", tmp_path / "c")
    assert find("ld.lld", "/shim/ld.lld", env, None).path == str(good)


def test_ldwrap_launchers_and_the_shim_itself_are_skipped(tmp_path: Path, dropins: Path) -> None:
    me = _exe(tmp_path / "me" / "ld.lld", "#!/bin/sh\n# some other wrapper\n")
    good = _exe(tmp_path / "sys" / "ld.lld")
    env = env_path(dropins, tmp_path / "me", tmp_path / "sys")
    assert find("ld.lld", str(me), env, None).path == str(good)


def test_a_symlink_to_the_shim_is_the_shim(tmp_path: Path) -> None:
    me = _exe(tmp_path / "me" / "ld.lld", "#!/bin/sh\n")
    (tmp_path / "alias").mkdir()
    (tmp_path / "alias" / "ld.lld").symlink_to(me)
    good = _exe(tmp_path / "sys" / "ld.lld")
    env = env_path(tmp_path / "alias", tmp_path / "sys")
    assert find("ld.lld", str(me), env, None).path == str(good)


def test_entries_of_the_chain_are_skipped(tmp_path: Path) -> None:
    seen = _exe(tmp_path / "a" / "ld")
    good = _exe(tmp_path / "b" / "ld")
    env = {**env_path(tmp_path / "a", tmp_path / "b"), CHAIN_VAR: f"{os.getpid()}:{seen}"}
    assert find("ld", "/shim/ld", env, None).path == str(good)


def test_a_target_prefixed_shim_prefers_that_targets_linker(tmp_path: Path) -> None:
    plain = _exe(tmp_path / "bin" / "ld")
    cross = _exe(tmp_path / "cross" / "aarch64-linux-gnu-ld")
    env = env_path(tmp_path / "bin", tmp_path / "cross")
    assert find("ld", "/shim/aarch64-linux-gnu-ld", env, None).path == str(cross)
    # Without one for that target, the plain linker serves (lld and mold serve every target).
    assert find("ld", "/shim/riscv64-linux-gnu-ld", env, None).path == str(plain)


def test_a_target_prefixed_shim_skips_itself(tmp_path: Path) -> None:
    shim = _exe(tmp_path / "shims" / "x86_64-pc-linux-gnu-ld.lld", "#!/bin/sh\n# ldwrap-shim\n")
    real = _exe(tmp_path / "bin" / "ld.lld")
    env = env_path(tmp_path / "shims", tmp_path / "bin")
    assert find("ld.lld", str(shim), env, None).path == str(real)


def test_rust_lld_fallback_for_ld_lld(tmp_path: Path) -> None:
    rl = _exe(tmp_path / "cargo" / "rust-lld")
    real = find("ld.lld", "/shim/ld.lld", env_path(tmp_path / "cargo"), None)
    assert (real.path, real.lead) == (str(rl), ("-flavor", "gnu"))


def test_no_rust_lld_fallback_for_other_names(tmp_path: Path) -> None:
    _exe(tmp_path / "cargo" / "rust-lld")
    with pytest.raises(LinkerError):
        find("ld.mold", "/shim/ld.mold", env_path(tmp_path / "cargo"), None)


def test_rustup_gcc_ld_directory_uses_the_toolchains_rust_lld(tmp_path: Path) -> None:
    bindir = tmp_path / "lib" / "rustlib" / "x86_64-unknown-linux-gnu" / "bin"
    rl = _exe(bindir / "rust-lld")
    shim = _exe(bindir / "gcc-ld" / "ld.lld", "#!/bin/sh\n# ldwrap-shim\n")
    _exe(tmp_path / "sys" / "ld.lld")
    real = find("ld.lld", str(shim), env_path(tmp_path / "sys"), None)
    assert (real.path, real.lead) == (str(rl), ("-flavor", "gnu"))


@pytest.mark.parametrize(
    ("basename", "prefix"),
    [
        ("lld", ("-flavor", "gnu")),
        ("rust-lld", ("-flavor", "gnu")),
        ("lld-14", ("-flavor", "gnu")),
        ("ld.lld", ()),
        ("ld.lld-14", ()),
        ("mold", ()),
    ],
)
def test_explicit_linker_by_path(tmp_path: Path, basename: str, prefix: tuple[str, ...]) -> None:
    p = _exe(tmp_path / basename)
    real = find("ld.lld", "/shim/ld.lld", {"PATH": ""}, str(p))
    assert (real.path, real.lead) == (str(p), prefix)


def test_explicit_linker_by_name_is_searched_on_path(tmp_path: Path) -> None:
    p = _exe(tmp_path / "bin" / "ld.mold")
    assert find("ld", "/shim/ld", env_path(tmp_path / "bin"), "ld.mold").path == str(p)


@pytest.mark.parametrize("explicit", ["/nonexistent/ld.lld", "no-such-linker"])
def test_explicit_linker_missing(explicit: str) -> None:
    with pytest.raises(LinkerError, match="not an executable"):
        find("ld.lld", "/shim/ld.lld", {"PATH": "/nonexistent"}, explicit)


def test_explicit_linker_naming_a_shim_is_refused(dropins: Path) -> None:
    other = str(dropins / "ld.lld")
    with pytest.raises(LinkerError, match="ldwrap itself"):
        find("ld.lld", "/elsewhere/ld.lld", {"PATH": ""}, other)


def test_explicit_linker_naming_the_invoked_file_is_refused(tmp_path: Path) -> None:
    me = _exe(tmp_path / "ld.lld")
    with pytest.raises(LinkerError, match="ldwrap itself"):
        find("ld.lld", str(me), {"PATH": ""}, str(me))


def test_not_found_names_what_was_searched(tmp_path: Path) -> None:
    env = env_path("", "rel", tmp_path / "a", tmp_path / "b")
    with pytest.raises(LinkerError) as e:
        find("ld.lld", "/shim/ld.lld", env, None)
    msg = str(e.value)
    assert "ld.lld" in msg and f"{tmp_path}/a:{tmp_path}/b" in msg and "rust-lld" in msg
    assert "rel" not in msg.split("(")[1].split(")")[0].split(":")
    assert "\n" not in msg


def test_is_shim(tmp_path: Path, dropins: Path) -> None:
    assert all(is_shim(str(dropins / name)) for name in DROP_IN_NAMES)
    assert not is_shim(str(_exe(tmp_path / "plain", '#!/bin/sh\nexec ld "$@"\n')))
    elf = tmp_path / "elf"
    elf.write_bytes(b"\x7fELF" + b"ldwrap-shim" * 4)  # an ELF file is never a launcher
    assert not is_shim(str(elf))
    assert not is_shim(str(tmp_path / "missing"))
    # A real linker is an ELF program: one built by hand stands in for it.
    assert not is_shim(str(build_elf(tmp_path / "ld.bfd", e_type=ET_EXEC)))


@pytest.mark.parametrize(
    ("shim", "real", "prefix"),
    [
        ("ld.mold", "mold", ()),
        ("mold", "ld.mold", ()),
        ("ld.gold", "gold", ()),
        ("ld.lld", "lld", ("-flavor", "gnu")),  # the multi-flavour binary needs its flavour
    ],
)
def test_the_same_linker_under_its_other_name(
    tmp_path: Path, shim: str, real: str, prefix: tuple[str, ...]
) -> None:
    path = _exe(tmp_path / "bin" / real)
    found = find(shim, f"/shim/{shim}", env_path(tmp_path / "bin"), None)
    assert (found.path, found.lead) == (str(path), prefix)


def test_the_invoked_name_wins_over_its_other_name(tmp_path: Path) -> None:
    _exe(tmp_path / "a" / "mold")
    own = _exe(tmp_path / "b" / "ld.mold")
    env = env_path(tmp_path / "a", tmp_path / "b")
    assert find("ld.mold", "/shim/ld.mold", env, None).path == str(own)


@pytest.mark.parametrize(
    ("emulation", "machine", "triples"),
    [
        ("aarch64linux", "x86_64", ("aarch64-linux-gnu", "aarch64-unknown-linux-gnu")),
        ("elf_x86_64", "aarch64", ("x86_64-linux-gnu", "x86_64-unknown-linux-gnu")),
        ("elf64lriscv", "x86_64", ("riscv64-linux-gnu", "riscv64-unknown-linux-gnu")),
        # The host's own linker serves its machine, and x86_64's also links -m32 and x32.
        ("elf_x86_64", "x86_64", ()),
        ("elf_i386", "x86_64", ()),
        ("elf32_x86_64", "x86_64", ()),
        ("aarch64linux", "aarch64", ()),
        (None, "x86_64", ()),
        ("", "x86_64", ()),
        ("no_such_emulation", "x86_64", ()),
        ("aarch64linux", "unknown-machine", ()),
    ],
)
def test_cross_triples(emulation: str | None, machine: str, triples: tuple[str, ...]) -> None:
    assert cross_triples(emulation, machine) == triples


_HOST_LD = RealLinker("/host/ld")


@pytest.mark.parametrize(
    ("name", "invoked", "emulation", "explicit", "expected"),
    [
        # A plain bfd or gold drop-in reached for an aarch64 link runs aarch64's own.
        ("ld", "ld", "aarch64linux", None, "cross/aarch64-linux-gnu-ld"),
        ("ld.bfd", "ld.bfd", "aarch64linux", None, "cross/aarch64-linux-gnu-ld.bfd"),
        ("ld.gold", "ld.gold", "aarch64linux", None, "cross/aarch64-linux-gnu-ld.gold"),
        ("gold", "gold", "aarch64linux", None, "cross/aarch64-linux-gnu-ld.gold"),
        # lld and mold serve every target; a native link keeps the host's.
        ("ld.lld", "ld.lld", "aarch64linux", None, "/host/ld"),
        ("ld.mold", "ld.mold", "aarch64linux", None, "/host/ld"),
        ("ld", "ld", "elf_x86_64", None, "/host/ld"),
        ("ld", "ld", "elf_i386", None, "/host/ld"),
        ("ld", "ld", None, None, "/host/ld"),
        # A prefixed drop-in already found its target's; LDWRAP_LINKER is never overridden.
        ("ld", "aarch64-linux-gnu-ld", "aarch64linux", None, "/host/ld"),
        ("ld", "ld", "aarch64linux", "/host/ld", "/host/ld"),
        # No linker for that target anywhere: the host's runs and names the problem itself.
        ("ld", "ld", "elf64lriscv", None, "/host/ld"),
    ],
)
def test_for_target(
    tmp_path: Path,
    name: str,
    invoked: str,
    emulation: str | None,
    explicit: str | None,
    expected: str,
) -> None:
    for n in ("ld", "ld.bfd", "ld.gold"):
        _exe(tmp_path / "cross" / f"aarch64-linux-gnu-{n}")
    env = env_path(tmp_path / "cross")
    got = for_target(_HOST_LD, name, f"/shim/{invoked}", emulation, env, explicit)
    want = expected if expected.startswith("/") else str(tmp_path / expected)
    assert (got.path, got.lead) == (want, ())


def test_for_target_skips_shims_and_the_chain(tmp_path: Path) -> None:
    shim = _exe(tmp_path / "shims" / "aarch64-linux-gnu-ld", "#!/bin/sh\n# ldwrap-shim\n")
    seen = _exe(tmp_path / "seen" / "aarch64-linux-gnu-ld")
    real = _exe(tmp_path / "cross" / "aarch64-linux-gnu-ld")
    env = {
        **env_path(shim.parent, seen.parent, real.parent),
        CHAIN_VAR: f"{os.getpid()}:{seen}",
    }
    got = for_target(_HOST_LD, "ld", "/shim/ld", "aarch64linux", env, None)
    assert (got.path, got.lead) == (str(real), ())


def test_prepare_runs_the_targets_linker_for_a_cross_link(tmp_path: Path) -> None:
    host = _exe(tmp_path / "bin" / "ld")
    cross = _exe(tmp_path / "bin" / "aarch64-linux-gnu-ld")
    env = {**env_path(host.parent), "LDWRAP_RPATH_PREFIXES": str(tmp_path / "store")}
    args = ["-X", "-EL", "-maarch64linux", "-o", "app", "main.o", "-lc"]
    native = ["-m", "elf_x86_64", "-o", "app", "main.o", "-lc"]
    assert prepare("/shim/ld", args, env, str(tmp_path)).argv == [str(cross), *args]
    assert prepare("/shim/ld", native, env, str(tmp_path)).argv == [str(host), *native]


# --- the recursion guard, through prepare ----------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Store:
    return Store(tmp_path)


def _foreign_pid() -> int:
    """A pid that is neither this process nor its parent or grandparent."""
    from ldwrap.link.linkers import _parent_of

    near = {os.getpid(), os.getppid(), _parent_of(os.getppid())}
    return next(p for p in range(2, 1 << 22) if p not in near)


def _chain_env(tree: Store, linker_path: str, chain: str) -> dict[str, str]:
    return {"PATH": linker_path, "NIX_STORE": str(tree.root), CHAIN_VAR: chain}


def test_a_shim_reached_from_a_foreign_process_links_as_usual(
    tree: Store, tmp_path: Path, linker_path: str
) -> None:
    # A program the linker started (mold -run make, ...) inherits LDWRAP_CHAIN; its own links
    # are not nested in ours and get their rpaths.
    foo = tree.lib("foo", "libfoo.so")
    real = f"{linker_path}/ld.lld"
    chain = f"{_foreign_pid()}:/usr/bin/mold"
    inv = prepare(
        "ld.lld", [f"-L{foo}", "-lfoo"], _chain_env(tree, linker_path, chain), str(tmp_path)
    )
    assert inv.argv == [real, f"-L{foo}", "-lfoo", "-rpath", foo]
    assert inv.env[CHAIN_VAR] == f"{os.getpid()}:/usr/bin/mold:{real}"


def test_a_shim_reached_from_our_own_process_is_nested(
    tree: Store, tmp_path: Path, linker_path: str
) -> None:
    foo = tree.lib("foo", "libfoo.so")
    chain = f"{os.getppid()}:/wrapper/ld.lld"
    inv = prepare(
        "ld.lld", [f"-L{foo}", "-lfoo"], _chain_env(tree, linker_path, chain), str(tmp_path)
    )
    assert inv.argv[1:] == [f"-L{foo}", "-lfoo"]
    assert inv.why_unchanged == "an outer ldwrap already added its flags"


def test_a_real_loop_still_ends_with_a_clear_error(
    tree: Store, tmp_path: Path, linker_path: str
) -> None:
    # Even through foreign processes, a chain that keeps growing is a loop.
    chain = f"{_foreign_pid()}:" + ":".join(f"/loop/{i}/ld.lld" for i in range(MAX_DEPTH))
    with pytest.raises(ShimError, match="leads back to ldwrap"):
        prepare("ld.lld", ["-lfoo"], _chain_env(tree, linker_path, chain), str(tmp_path))


def test_a_chain_without_a_pid_is_not_nested(tree: Store, tmp_path: Path, linker_path: str) -> None:
    foo = tree.lib("foo", "libfoo.so")
    inv = prepare(
        "ld.lld", [f"-L{foo}", "-lfoo"], _chain_env(tree, linker_path, "/old/ld.lld"), str(tmp_path)
    )
    assert inv.argv[-2:] == ["-rpath", foo]
