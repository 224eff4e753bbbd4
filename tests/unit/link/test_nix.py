"""Reading nixpkgs' variables under their plain and host-suffixed names (nix.read is pure:
the environment and the machine name are passed in), and what the words read become in the
command `ldwrap.link.plan.prepare` builds (the full argv; the real linker it finds is a
placeholder, the `linker_path` fixture: nothing is linked)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import Store
from ldwrap.link.nix import pick_salt, read, split_words

from .conftest import Dry

X86 = "x86_64_unknown_linux_gnu"
ARM = "aarch64_unknown_linux_gnu"


def test_salt_outside_nix_reads_plain_names() -> None:
    assert pick_salt({}, "x86_64") == (X86, ("",))
    assert pick_salt({}, "i686") == ("i686_unknown_linux_gnu", ("",))


def test_salt_from_markers_and_roles() -> None:
    env = {
        f"NIX_BINTOOLS_WRAPPER_TARGET_HOST_{ARM}": "1",
        f"NIX_BINTOOLS_WRAPPER_TARGET_BUILD_{X86}": "1",
    }
    assert pick_salt(env, "aarch64") == (ARM, ("",))
    assert pick_salt(env, "x86_64") == (X86, ("_FOR_BUILD",))
    # A target no wrapper in this shell serves: only its own suffixed names count.
    assert pick_salt(env, "riscv64") == ("riscv64_unknown_linux_gnu", ())


def test_salt_with_other_libc() -> None:
    env = {"NIX_BINTOOLS_WRAPPER_TARGET_HOST_x86_64_unknown_linux_musl": "1"}
    assert pick_salt(env, "x86_64") == ("x86_64_unknown_linux_musl", ("",))
    env = {"NIX_BINTOOLS_WRAPPER_TARGET_HOST_i586_pc_linux_gnu": "1"}
    assert pick_salt(env, "i686") == ("i586_pc_linux_gnu", ("",))


def test_all_roles_gathered_in_nix_order() -> None:
    env = {f"NIX_BINTOOLS_WRAPPER_TARGET_{r}_{X86}": "1" for r in ("HOST", "BUILD", "TARGET")}
    env.update(
        {
            f"NIX_LDFLAGS_{X86}": "-ls",
            "NIX_LDFLAGS": "-lh",
            "NIX_LDFLAGS_FOR_BUILD": "-lb",
            "NIX_LDFLAGS_FOR_TARGET": "-lt",
        }
    )
    nix = read(env, None, "x86_64")
    # The salted name first, then the roles in nixpkgs' order: build, host, target.
    assert nix.ldflags == ["-ls", "-lb", "-lh", "-lt"]


def test_flags_set_reads_only_the_gathered_names() -> None:
    env = {
        f"NIX_BINTOOLS_WRAPPER_TARGET_HOST_{X86}": "1",
        f"NIX_BINTOOLS_WRAPPER_FLAGS_SET_{X86}": "1",
        f"NIX_LDFLAGS_{X86}": "-lgathered",
        "NIX_LDFLAGS": "-lagain",
    }
    assert read(env, None, "x86_64").ldflags == ["-lgathered"]


def test_cc_applied_signals() -> None:
    assert read({f"NIX_LINK_TYPE_{X86}": "dynamic"}, None, "x86_64").cc_applied
    assert not read({f"NIX_LINK_TYPE_{X86}": ""}, None, "x86_64").cc_applied
    # For another target's cc-wrapper it says nothing about this link.
    assert not read({f"NIX_LINK_TYPE_{ARM}": "dynamic"}, None, "x86_64").cc_applied
    v2 = {"NIX_WRAPPER_VERSION": "2", "NIX_WRAPPER_OPERATION": "link"}
    assert read({**v2, "wrapper_NIX_LINK_TYPE": "static"}, None, "x86_64").cc_applied
    assert not read(v2, None, "x86_64").cc_applied
    # A hook's own process (operation not "link") starts afresh from the roles.
    other = {
        "NIX_WRAPPER_VERSION": "2",
        "NIX_WRAPPER_OPERATION": "",
        "wrapper_NIX_LDFLAGS": "-lstale",
        "NIX_LDFLAGS": "-lm",
    }
    assert read(other, None, "x86_64").ldflags == ["-lm"]


def test_values() -> None:
    env = {
        "NIX_HARDENING_ENABLE": "bindnow pie relro",
        "NIX_SET_BUILD_ID": "1",
        "NIX_DONT_SET_RPATH": "1",
        "NIX_DYNAMIC_LINKER": " /s/ld.so ",
        "NIX_IGNORE_LD_THROUGH_GCC": "1",
    }
    nix = read(env, None, "x86_64")
    assert (
        nix.hardening,
        nix.set_build_id,
        nix.dont_set_rpath,
        nix.dynamic_linker,
        nix.ignore_ld_through_gcc,
    ) == (["relro", "bindnow"], True, True, "/s/ld.so", True)
    off = read({"NIX_SET_BUILD_ID": "0", "NIX_DONT_SET_RPATH": "true"}, None, "x86_64")
    assert (off.set_build_id, off.dont_set_rpath, off.dynamic_linker) == (False, False, None)


def test_split_words_is_bash_ifs() -> None:
    # No-break space and form feed are not IFS characters: they stay inside a word.
    assert split_words(" a\tb\nc  d\u00a0e\x0cf ") == ["a", "b", "c", "d\u00a0e\x0cf"]


I686 = "i686_unknown_linux_gnu"


@pytest.mark.parametrize(
    ("markers", "arch", "own", "want"),
    [
        # gcc -m32 in an x86_64 shell: the x86_64 wrapper serves it, with its host role.
        ((f"HOST_{X86}",), "i686", "x86_64", (X86, ("",))),
        ((f"BUILD_{X86}",), "i686", "x86_64", (X86, ("_FOR_BUILD",))),
        # A wrapper for the link's own target is marked: that one.
        ((f"HOST_{X86}", f"HOST_{I686}"), "i686", "x86_64", (I686, ("",))),
        # A prefixed aarch64 linker in an x86_64 shell: the aarch64 wrapper when marked ...
        ((f"HOST_{X86}", f"TARGET_{ARM}"), "aarch64", "aarch64", (ARM, ("_FOR_TARGET",))),
        # ... and no other wrapper's variables when none is.
        ((f"HOST_{X86}",), "aarch64", "aarch64", (ARM, ())),
        # No own machine given: as before, only the link's target counts.
        ((f"HOST_{X86}",), "i686", None, (I686, ())),
    ],
)
def test_salt_falls_back_to_the_serving_wrapper(
    markers: tuple[str, ...], arch: str, own: str | None, want: tuple[str, tuple[str, ...]]
) -> None:
    env = {f"NIX_BINTOOLS_WRAPPER_TARGET_{m}": "1" for m in markers}
    assert pick_salt(env, arch, own) == want


def test_m32_link_reads_the_x86_64_wrappers_plain_variables() -> None:
    env = {
        f"NIX_BINTOOLS_WRAPPER_TARGET_HOST_{X86}": "1",
        "NIX_DONT_SET_RPATH": "1",
        "NIX_LDFLAGS": "-lplain",
        f"NIX_LDFLAGS_{X86}": "-lsalted",
    }
    nix = read(env, "elf_i386", "x86_64")
    assert (nix.salt, nix.dont_set_rpath, nix.ldflags) == (X86, True, ["-lsalted", "-lplain"])


# --- through prepare: the words read, in the command --------------------------------------


def test_machine_is_x86_64() -> None:
    # The cases below take X86 for this machine's nixpkgs suffix salt; CI runs on x86_64.
    assert os.uname().machine == "x86_64"


# (id, env, caller args, expected argv after the linker's path)
CASES: list[tuple[str, dict[str, str], list[str], list[str]]] = [
    (
        "hardening order fixed",
        {"NIX_HARDENING_ENABLE": "bindnow fortify stackprotector pic relro"},
        ["m.o"],
        ["-z", "relro", "-z", "now", "m.o"],
    ),
    ("compiler-only hardening", {"NIX_HARDENING_ENABLE": "fortify pic format"}, ["m.o"], ["m.o"]),
    ("ldflags tabs and newlines", {"NIX_LDFLAGS": "\t-la\n-lb \n"}, ["m.o"], ["m.o", "-la", "-lb"]),
    (
        "ldflags never globbed or unquoted",
        {"NIX_LDFLAGS": "*.o '$HOME' \"x y\""},
        ["m.o"],
        ["m.o", "*.o", "'$HOME'", '"x', 'y"'],
    ),
    ("build id only for exactly 1", {"NIX_SET_BUILD_ID": "yes"}, ["m.o"], ["m.o"]),
    (
        "host-suffixed names",
        {
            f"NIX_LDFLAGS_{X86}": "-lsfx",
            f"NIX_LDFLAGS_BEFORE_{X86}": "-zb",
            f"NIX_HARDENING_ENABLE_{X86}": "bindnow",
            f"NIX_SET_BUILD_ID_{X86}": "1",
            f"NIX_DYNAMIC_LINKER_{X86}": "/s/ld.so",
            f"NIX_LDFLAGS_AFTER_{X86}": "-la",
        },
        ["m.o"],
        [
            "-z",
            "now",
            "-zb",
            "-dynamic-linker",
            "/s/ld.so",
            "m.o",
            "-lsfx",
            "-la",
            "--build-id=sha1",
        ],
    ),
    (
        "suffixed value first, then the host role's plain name",
        {
            f"NIX_BINTOOLS_WRAPPER_TARGET_HOST_{X86}": "1",
            f"NIX_LDFLAGS_{X86}": "-lsfx",
            "NIX_LDFLAGS": "-lplain",
            "NIX_LDFLAGS_FOR_BUILD": "-lbuild",
        },
        ["m.o"],
        ["m.o", "-lsfx", "-lplain"],
    ),
    (
        "a build-role wrapper reads the _FOR_BUILD names",
        {
            f"NIX_BINTOOLS_WRAPPER_TARGET_BUILD_{X86}": "1",
            "NIX_LDFLAGS": "-lplain",
            "NIX_LDFLAGS_FOR_BUILD": "-lbuild",
        },
        ["m.o"],
        ["m.o", "-lbuild"],
    ),
    (
        "the salt follows the link's emulation",
        {"NIX_LDFLAGS_i686_unknown_linux_gnu": "-l32", f"NIX_LDFLAGS_{X86}": "-l64"},
        ["-m", "elf_i386", "m.o"],
        ["-m", "elf_i386", "m.o", "-l32"],
    ),
    (
        "cc-wrapper already applied LDFLAGS, BEFORE and the dynamic linker",
        {
            f"NIX_LINK_TYPE_{X86}": "dynamic",
            "NIX_LDFLAGS": "-lm",
            "NIX_LDFLAGS_BEFORE": "-zb",
            "NIX_DYNAMIC_LINKER": "/s/ld.so",
            "NIX_LDFLAGS_AFTER": "-la",
            "NIX_HARDENING_ENABLE": "relro",
            "NIX_SET_BUILD_ID": "1",
        },
        ["m.o"],
        ["-z", "relro", "m.o", "-la", "--build-id=sha1"],
    ),
    (
        "wrapper protocol 2: the cc-wrapper's selected values, nothing twice",
        {
            "NIX_WRAPPER_VERSION": "2",
            "NIX_WRAPPER_OPERATION": "link",
            "wrapper_NIX_LINK_TYPE": "dynamic",
            "wrapper_NIX_LDFLAGS": "-lm",
            "wrapper_NIX_LDFLAGS_AFTER": "-la",
            "wrapper_NIX_HARDENING_ENABLE": "bindnow",
            "wrapper_NIX_SET_BUILD_ID": "1",
            "NIX_LDFLAGS_AFTER": "-lignored",
        },
        ["m.o"],
        ["-z", "now", "m.o", "-la", "--build-id=sha1"],
    ),
    (
        "wrapper protocol 2 without a link type applies everything",
        {
            "NIX_WRAPPER_VERSION": "2",
            "NIX_WRAPPER_OPERATION": "link",
            "wrapper_NIX_LDFLAGS": "-lm",
            "wrapper_NIX_LDFLAGS_BEFORE": "-zb",
        },
        ["m.o"],
        ["-zb", "m.o", "-lm"],
    ),
]


@pytest.mark.parametrize(("env", "args", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_read_into_the_command(
    dry: Dry, tmp_path: Path, env: dict[str, str], args: list[str], want: list[str]
) -> None:
    (tmp_path / "m.o").write_bytes(b"")  # so that a glob of *.o would have matched
    assert dry(args, env) == want


def test_m32_link_in_an_x86_64_shell_obeys_its_wrapper(dry: Dry, tmp_path: Path) -> None:
    # nixpkgs' wrapper has one suffix salt, its own target: gcc -m32 through the x86_64 wrapper
    # reads the x86_64 roles, so plain NIX_DONT_SET_RPATH and NIX_LDFLAGS apply.
    lib32 = Store(tmp_path).libdir("foo32-1.0")
    (lib32 / "libfoo.so").write_text("OUTPUT_FORMAT(elf32-i386)\nGROUP ( libfoo.so.1 )\n")
    marked = {f"NIX_BINTOOLS_WRAPPER_TARGET_HOST_{X86}": "1", "NIX_LDFLAGS": "-lm"}
    args = ["-m", "elf_i386", "-L", str(lib32), "-lfoo"]
    assert dry(args, {**marked, "NIX_DONT_SET_RPATH": "1"}) == [*args, "-lm"]
    assert dry(args, marked) == [*args, "-lm", "-rpath", str(lib32)]
    # A wrapper for i686 marked too: it serves the link, with its own variables.
    i686 = {
        **marked,
        "NIX_BINTOOLS_WRAPPER_TARGET_HOST_i686_unknown_linux_gnu": "1",
        "NIX_LDFLAGS_i686_unknown_linux_gnu": "-li686",
        f"NIX_LDFLAGS_{X86}": "-lx86",
    }
    assert dry(args, i686) == [*args, "-li686", "-lm", "-rpath", str(lib32)]
