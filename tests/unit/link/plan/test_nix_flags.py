"""The flags ldwrap adds besides the rpath, and their order: every case asserts the full argv
from `ldwrap.link.plan.prepare`, the code path behind both the shim and `ldwrap dry-run`. The
real linker prepare finds is a placeholder (the `linker_path` fixture): nothing is linked.

The order is nixpkgs' ld-wrapper's: hardening, NIX_LDFLAGS_BEFORE, -dynamic-linker, the
caller's arguments, NIX_LDFLAGS, NIX_LDFLAGS_AFTER, the 32-bit dynamic linker, the -rpaths,
--build-id (ldwrap's own --enable/--disable-new-dtags sits with the "before" flags, and
LD_RUN_PATH's -rpaths come just before ldwrap's)."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import make_store
from ldwrap.link.plan import ShimError, prepare

SALT = "x86_64_unknown_linux_gnu"  # this machine's nixpkgs suffix salt (the tests run on x86_64)
M32 = "/m32/ld-linux.so.2"


def dry_run(
    tmp_path: Path, path: str, args: list[str], env: dict[str, str], name: str = "ld.lld"
) -> list[str]:
    """The argv the shim would run in tmp_path with PATH=path, without the real linker's path
    (checked here: the first `name` on path)."""
    full = {"PATH": path, "NIX_STORE": str(tmp_path / "nix" / "store"), **env}
    inv = prepare(name, list(args), full, str(tmp_path))
    assert inv.argv[0] == shutil.which(name, path=path)
    return inv.argv[1:]


Dry = Callable[..., list[str]]


@pytest.fixture
def dry(tmp_path: Path, linker_path: str) -> Dry:
    """dry(args, env, name="ld.lld"): dry_run on the placeholder linkers of linker_path."""
    return functools.partial(dry_run, tmp_path, linker_path)


def test_machine_is_x86_64() -> None:
    # The salt above and the 32-bit cases assume it; CI runs on x86_64.
    import os

    assert os.uname().machine == "x86_64"


# (id, env, caller args, expected argv after the linker's path)
CASES: list[tuple[str, dict[str, str], list[str], list[str]]] = [
    ("nothing", {}, ["m.o", "-o", "a"], ["m.o", "-o", "a"]),
    ("relro", {"NIX_HARDENING_ENABLE": "relro"}, ["m.o"], ["-z", "relro", "m.o"]),
    ("bindnow", {"NIX_HARDENING_ENABLE": "bindnow"}, ["m.o"], ["-z", "now", "m.o"]),
    (
        "hardening order fixed",
        {"NIX_HARDENING_ENABLE": "bindnow fortify stackprotector pic relro"},
        ["m.o"],
        ["-z", "relro", "-z", "now", "m.o"],
    ),
    ("compiler-only hardening", {"NIX_HARDENING_ENABLE": "fortify pic format"}, ["m.o"], ["m.o"]),
    (
        "ldflags before",
        {"NIX_LDFLAGS_BEFORE": "-z noexecstack"},
        ["m.o"],
        ["-z", "noexecstack", "m.o"],
    ),
    ("ldflags", {"NIX_LDFLAGS": "-L/s/lib  -lm"}, ["m.o"], ["m.o", "-L/s/lib", "-lm"]),
    ("ldflags tabs and newlines", {"NIX_LDFLAGS": "\t-la\n-lb \n"}, ["m.o"], ["m.o", "-la", "-lb"]),
    (
        "ldflags never globbed or unquoted",
        {"NIX_LDFLAGS": "*.o '$HOME' \"x y\""},
        ["m.o"],
        ["m.o", "*.o", "'$HOME'", '"x', 'y"'],
    ),
    (
        "ldflags after",
        {"NIX_LDFLAGS_AFTER": "-lz", "NIX_LDFLAGS": "-lm"},
        ["m.o"],
        ["m.o", "-lm", "-lz"],
    ),
    (
        "dynamic linker",
        {"NIX_DYNAMIC_LINKER": "/s/ld.so"},
        ["m.o"],
        ["-dynamic-linker", "/s/ld.so", "m.o"],
    ),
    (
        "dynamic linker for -shared",
        {"NIX_DYNAMIC_LINKER": "/s/ld.so"},
        ["-shared", "m.o"],
        ["-dynamic-linker", "/s/ld.so", "-shared", "m.o"],
    ),
    (
        "no dynamic linker for -static",
        {"NIX_DYNAMIC_LINKER": "/s/ld.so"},
        ["-static", "m.o"],
        ["-static", "m.o"],
    ),
    (
        "no dynamic linker for -static-pie",
        {"NIX_DYNAMIC_LINKER": "/s/ld.so"},
        ["-static-pie", "m.o"],
        ["-static-pie", "m.o"],
    ),
    ("no dynamic linker for -r", {"NIX_DYNAMIC_LINKER": "/s/ld.so"}, ["-r", "m.o"], ["-r", "m.o"]),
    (
        "static wins when last",
        {"NIX_DYNAMIC_LINKER": "/s/ld.so"},
        ["-static-pie", "-static", "m.o"],
        ["-static-pie", "-static", "m.o"],
    ),
    (
        "static-pie drops NIX_LDFLAGS rpaths",
        {"NIX_LDFLAGS": "-rpath /s -L/s --rpath=/t -lm", "NIX_LDFLAGS_AFTER": "-rpath /u"},
        ["-static-pie", "m.o"],
        ["-static-pie", "m.o", "-L/s", "-lm"],
    ),
    ("build id", {"NIX_SET_BUILD_ID": "1"}, ["m.o"], ["m.o", "--build-id=sha1"]),
    (
        "build id style",
        {"NIX_SET_BUILD_ID": "1", "NIX_BUILD_ID_STYLE": "md5"},
        ["m.o"],
        ["m.o", "--build-id=md5"],
    ),
    ("no build id for -r", {"NIX_SET_BUILD_ID": "1"}, ["-r", "m.o"], ["-r", "m.o"]),
    (
        "no build id for --relocatable",
        {"NIX_SET_BUILD_ID": "1"},
        ["--relocatable", "m.o"],
        ["--relocatable", "m.o"],
    ),
    ("build id only for exactly 1", {"NIX_SET_BUILD_ID": "yes"}, ["m.o"], ["m.o"]),
    (
        "m32 dynamic linker",
        {"LDWRAP_DYNAMIC_LINKER_M32": M32},
        ["-m", "elf_i386", "m.o"],
        ["-m", "elf_i386", "m.o", "-dynamic-linker", M32],
    ),
    (
        "m32 joined -melf_i386",
        {"LDWRAP_DYNAMIC_LINKER_M32": M32},
        ["-melf_i386", "m.o"],
        ["-melf_i386", "m.o", "-dynamic-linker", M32],
    ),
    (
        "m32 last -m wins",
        {"LDWRAP_DYNAMIC_LINKER_M32": M32},
        ["-m", "elf_i386", "-m", "elf_x86_64", "m.o"],
        ["-m", "elf_i386", "-m", "elf_x86_64", "m.o"],
    ),
    (
        "m32 not for -static",
        {"LDWRAP_DYNAMIC_LINKER_M32": M32},
        ["-m", "elf_i386", "-static", "m.o"],
        ["-m", "elf_i386", "-static", "m.o"],
    ),
    (
        "NIX_DYNAMIC_LINKER before, 32-bit one after (the later wins)",
        {"LDWRAP_DYNAMIC_LINKER_M32": M32, "NIX_DYNAMIC_LINKER": "/s/ld.so"},
        ["-m", "elf_i386", "m.o"],
        ["-dynamic-linker", "/s/ld.so", "-m", "elf_i386", "m.o", "-dynamic-linker", M32],
    ),
    ("dtags runpath", {"LDWRAP_DTAGS": "runpath"}, ["m.o"], ["--enable-new-dtags", "m.o"]),
    ("dtags rpath", {"LDWRAP_DTAGS": "rpath"}, ["m.o"], ["--disable-new-dtags", "m.o"]),
    (
        "dtags: the caller's own choice comes later and wins",
        {"LDWRAP_DTAGS": "rpath"},
        ["m.o", "--enable-new-dtags"],
        ["--disable-new-dtags", "m.o", "--enable-new-dtags"],
    ),
    ("no dtags for -r", {"LDWRAP_DTAGS": "rpath"}, ["-r", "m.o"], ["-r", "m.o"]),
    ("bad dtags ignored", {"LDWRAP_DTAGS": "new"}, ["m.o"], ["m.o"]),
    (
        "host-suffixed names",
        {
            f"NIX_LDFLAGS_{SALT}": "-lsfx",
            f"NIX_LDFLAGS_BEFORE_{SALT}": "-zb",
            f"NIX_HARDENING_ENABLE_{SALT}": "bindnow",
            f"NIX_SET_BUILD_ID_{SALT}": "1",
            f"NIX_DYNAMIC_LINKER_{SALT}": "/s/ld.so",
            f"NIX_LDFLAGS_AFTER_{SALT}": "-la",
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
            f"NIX_BINTOOLS_WRAPPER_TARGET_HOST_{SALT}": "1",
            f"NIX_LDFLAGS_{SALT}": "-lsfx",
            "NIX_LDFLAGS": "-lplain",
            "NIX_LDFLAGS_FOR_BUILD": "-lbuild",
        },
        ["m.o"],
        ["m.o", "-lsfx", "-lplain"],
    ),
    (
        "a build-role wrapper reads the _FOR_BUILD names",
        {
            f"NIX_BINTOOLS_WRAPPER_TARGET_BUILD_{SALT}": "1",
            "NIX_LDFLAGS": "-lplain",
            "NIX_LDFLAGS_FOR_BUILD": "-lbuild",
        },
        ["m.o"],
        ["m.o", "-lbuild"],
    ),
    (
        "the salt follows the link's emulation",
        {"NIX_LDFLAGS_i686_unknown_linux_gnu": "-l32", f"NIX_LDFLAGS_{SALT}": "-l64"},
        ["-m", "elf_i386", "m.o"],
        ["-m", "elf_i386", "m.o", "-l32"],
    ),
    (
        "cc-wrapper already applied LDFLAGS, BEFORE and the dynamic linker",
        {
            f"NIX_LINK_TYPE_{SALT}": "dynamic",
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
    (
        "the full order",
        {
            "NIX_HARDENING_ENABLE": "bindnow relro",
            "LDWRAP_DTAGS": "runpath",
            "NIX_LDFLAGS_BEFORE": "-zb",
            "NIX_DYNAMIC_LINKER": "/s/ld.so",
            "NIX_LDFLAGS": "-lm",
            "NIX_LDFLAGS_AFTER": "-la",
            "LDWRAP_DYNAMIC_LINKER_M32": M32,
            "NIX_SET_BUILD_ID": "1",
        },
        ["-m", "elf_i386", "m.o"],
        [
            "-z",
            "relro",
            "-z",
            "now",
            "--enable-new-dtags",
            "-zb",
            "-dynamic-linker",
            "/s/ld.so",
            "-m",
            "elf_i386",
            "m.o",
            "-lm",
            "-la",
            "-dynamic-linker",
            M32,
            "--build-id=sha1",
        ],
    ),
    (
        "lld's -flavor stays first",
        {"NIX_HARDENING_ENABLE": "relro", "NIX_LDFLAGS_BEFORE": "-zb", "NIX_LDFLAGS": "-lm"},
        ["-flavor", "gnu", "m.o"],
        ["-flavor", "gnu", "-z", "relro", "-zb", "m.o", "-lm"],
    ),
    (
        "flags after go before a top-level --",
        {"NIX_HARDENING_ENABLE": "relro", "NIX_LDFLAGS": "-lm", "NIX_SET_BUILD_ID": "1"},
        ["m.o", "--", "x"],
        ["-z", "relro", "m.o", "-lm", "--build-id=sha1", "--", "x"],
    ),
    (
        "version query untouched",
        {"NIX_HARDENING_ENABLE": "relro", "NIX_LDFLAGS": "-lm"},
        ["--version"],
        ["--version"],
    ),
]


@pytest.mark.parametrize(("env", "args", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_order(
    dry: Dry, tmp_path: Path, env: dict[str, str], args: list[str], want: list[str]
) -> None:
    (tmp_path / "m.o").write_bytes(b"")  # so that a glob of *.o would have matched
    assert dry(args, env) == want


def test_no_build_id_for_bfd_i(dry: Dry) -> None:
    # `-i` means -r to bfd and gold only.
    for name in ("ld.bfd", "ld.gold"):
        assert dry(["-i", "m.o"], {"NIX_SET_BUILD_ID": "1"}, name) == ["-i", "m.o"]


def test_rpaths_between_m32_and_build_id(dry: Dry, tmp_path: Path) -> None:
    lib32 = make_store(tmp_path).libdir("foo32-1.0")
    # A 32-bit library (a linker script naming its format): the linker takes it for -m elf_i386.
    (lib32 / "libfoo.so").write_text("OUTPUT_FORMAT(elf32-i386)\nGROUP ( libfoo.so.1 )\n")
    env = {
        "NIX_STORE": str(tmp_path / "nix" / "store"),
        "LDWRAP_DYNAMIC_LINKER_M32": M32,
        "NIX_SET_BUILD_ID": "1",
        "NIX_LDFLAGS_AFTER": "-la",
    }
    got = dry(["-m", "elf_i386", "-L", str(lib32), "-lfoo"], env)
    assert got == [
        "-m",
        "elf_i386",
        "-L",
        str(lib32),
        "-lfoo",
        "-la",
        "-dynamic-linker",
        M32,
        "-rpath",
        str(lib32),
        "--build-id=sha1",
    ]


def test_ld_run_path_bfd_alone_left_to_bfd(dry: Dry) -> None:
    # Nothing of ldwrap's switches bfd's own LD_RUN_PATH handling off: nothing to add.
    assert dry(["m.o"], {"LD_RUN_PATH": "/r1"}, "ld.bfd") == ["m.o"]
    assert dry(["m.o"], {"LD_RUN_PATH": "/r1"}, "ld.lld") == ["m.o", "-rpath", "/r1"]


def test_ld_run_path_not_for_static_or_relocatable(dry: Dry) -> None:
    for args in (["-static", "m.o"], ["-r", "m.o"], ["-static-pie", "m.o"]):
        assert dry(args, {"LD_RUN_PATH": "/r1"}) == args


def test_bad_settings_warn(dry: Dry, tmp_path: Path, linker_path: str) -> None:
    full = {"PATH": linker_path, "LDWRAP_DTAGS": "x", "LDWRAP_LD_RUN_PATH": "yes"}
    inv = prepare("ld.lld", ["m.o"], full, str(tmp_path))
    assert inv.config.warnings == [
        "ignoring LDWRAP_DTAGS='x': use runpath or rpath",
        "ignoring LDWRAP_LD_RUN_PATH='yes': use 1 or 0",
    ]
    # A value it ignores leaves LDWRAP_LD_RUN_PATH's default (on): LD_RUN_PATH is still passed.
    assert dry(["m.o"], {"LDWRAP_LD_RUN_PATH": "yes", "LD_RUN_PATH": "/r1"}) == [
        "m.o",
        "-rpath",
        "/r1",
    ]


def test_cli_dry_run_prints_the_same(tmp_path: Path, linker_path: str) -> None:
    env = {
        "PATH": linker_path,
        "NIX_HARDENING_ENABLE": "relro",
        "NIX_LDFLAGS": "-lm",
        "NIX_STORE": str(tmp_path),
    }
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "ldwrap",
            "dry-run",
            "--as",
            "ld.lld",
            "--",
            "-flavor",
            "gnu",
            "m.o",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out == f"{linker_path}/ld.lld -flavor gnu -z relro m.o -lm\n"


def test_nix_debug_report(tmp_path: Path, linker_path: str) -> None:
    env = {
        "PATH": linker_path,
        "NIX_HARDENING_ENABLE": "relro",
        "NIX_LDFLAGS": "-lm",
        "NIX_DEBUG": "1",
        "LDWRAP_DRY_RUN": "1",
        "NIX_STORE": str(tmp_path),
    }
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from ldwrap.link.shim import main; main(['ld.lld', 'm.o', 'a b'])",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    lld = f"{linker_path}/ld.lld"
    assert r.returncode == 0
    assert r.stderr == (
        f"extra flags before to {lld}:\n  -z\n  relro\n"
        f"original flags to {lld}:\n  m.o\n  'a b'\n"
        f"extra flags after to {lld}:\n  -lm\n"
        f"ldwrap: {lld} -z relro m.o 'a b' -lm\n"
    )


def test_shim_error_is_not_internal(tmp_path: Path, linker_path: str) -> None:
    with pytest.raises(ShimError, match=r"^impure path '/etc/x\.o' used in link$"):
        prepare(
            "ld.lld",
            ["/etc/x.o"],
            {"PATH": linker_path, "NIX_ENFORCE_PURITY": "1", "NIX_STORE": "/nix/store"},
            str(tmp_path),
        )


def test_m32_link_in_an_x86_64_shell_obeys_its_wrapper(dry: Dry, tmp_path: Path) -> None:
    # nixpkgs' wrapper has one suffix salt, its own target: gcc -m32 through the x86_64 wrapper
    # reads the x86_64 roles, so plain NIX_DONT_SET_RPATH and NIX_LDFLAGS apply.
    lib32 = make_store(tmp_path).libdir("foo32-1.0")
    (lib32 / "libfoo.so").write_text("OUTPUT_FORMAT(elf32-i386)\nGROUP ( libfoo.so.1 )\n")
    marked = {f"NIX_BINTOOLS_WRAPPER_TARGET_HOST_{SALT}": "1", "NIX_LDFLAGS": "-lm"}
    args = ["-m", "elf_i386", "-L", str(lib32), "-lfoo"]
    assert dry(args, {**marked, "NIX_DONT_SET_RPATH": "1"}) == [*args, "-lm"]
    assert dry(args, marked) == [*args, "-lm", "-rpath", str(lib32)]
    # A wrapper for i686 marked too: it serves the link, with its own variables.
    i686 = {
        **marked,
        "NIX_BINTOOLS_WRAPPER_TARGET_HOST_i686_unknown_linux_gnu": "1",
        "NIX_LDFLAGS_i686_unknown_linux_gnu": "-li686",
        f"NIX_LDFLAGS_{SALT}": "-lx86",
    }
    assert dry(args, i686) == [*args, "-li686", "-lm", "-rpath", str(lib32)]
