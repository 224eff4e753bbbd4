"""Pure rules: ELF identification, DST expansion, path splitting, loader config."""

from __future__ import annotations

import struct
from dataclasses import replace
from typing import Optional

import pytest

from ldwrap.link.targets import (
    ELFCLASS32,
    ELFCLASS64,
    ELFDATA2LSB,
    EM_386,
    EM_AARCH64,
    EM_X86_64,
)
from ldwrap.loader.config import LoaderConfig, legacy_power_set, table_config
from ldwrap.loader.elf import (
    Target,
    Verdict,
    check_ident,
)
from ldwrap.loader.resolve import expand_dst, path_dirs

X64 = Target(ELFCLASS64, ELFDATA2LSB, EM_X86_64)
CFG = LoaderConfig(
    "glibc",
    "/lib64/ld-linux-x86-64.so.2",
    X64,
    ("/lib/x86_64-linux-gnu/", "/usr/lib/x86_64-linux-gnu/", "/lib/", "/usr/lib/"),
    "lib/x86_64-linux-gnu",
    "haswell",
    (),
    (),
    "/etc/ld.so.cache",
    (0x303,),
    0x303,
    1,
    "test",
)


def header(
    cls: int = 2,
    data: int = 1,
    osabi: int = 0,
    e_type: int = 3,
    machine: int = EM_X86_64,
    phentsize: Optional[int] = None,
) -> bytes:
    ident = b"\x7fELF" + bytes([cls, data, 1, osabi, 0]) + b"\0" * 7
    if cls == 2:
        rest = struct.pack(
            "<HHIQQQIHHHHHH", e_type, machine, 1, 0, 64, 0, 0, 64, phentsize or 56, 0, 64, 0, 0
        )
    else:
        rest = struct.pack(
            "<HHIIIIIHHHHHH", e_type, machine, 1, 0, 52, 0, 0, 52, phentsize or 32, 0, 40, 0, 0
        )
    return (ident + rest).ljust(128, b"\0")  # real files are longer than one header


@pytest.mark.parametrize(
    "data,verdict,msg",
    [
        (header(), Verdict.OK, ""),
        (header(cls=1), Verdict.WRONG_CLASS, "wrong ELF class: ELFCLASS32"),
        (header(machine=EM_AARCH64), Verdict.WRONG_MACHINE, "ELF file machine mismatch"),
        (header(data=2), Verdict.FATAL, "ELF file data encoding not little-endian"),
        (header(osabi=9), Verdict.FATAL, "ELF file OS ABI invalid"),
        (header(e_type=1), Verdict.FATAL, "only ET_DYN and ET_EXEC can be loaded"),
        (header(phentsize=40), Verdict.FATAL, "ELF file's phentsize not the expected size"),
        (b"\x7fELF\x02", Verdict.FATAL, "file too short"),
        (b"INPUT(-lfoo)" + b" " * 60, Verdict.FATAL, "invalid ELF header"),
    ],
)
def test_check_ident(data: bytes, verdict: Verdict, msg: str) -> None:
    res = check_ident(data, X64)
    assert (res.verdict, res.message) == (verdict, msg)


def test_check_ident_i386_loader() -> None:
    i386 = Target(ELFCLASS32, ELFDATA2LSB, EM_386)
    assert check_ident(header(cls=1, machine=EM_386), i386).verdict is Verdict.OK
    assert check_ident(header(), i386).verdict is Verdict.WRONG_CLASS


@pytest.mark.parametrize(
    "text,expected",
    [
        ("$ORIGIN/../lib", "/o/../lib"),
        ("${ORIGIN}/x", "/o/x"),
        ("/p/$LIB", "/p/lib/x86_64-linux-gnu"),
        ("/p/${LIB}/$PLATFORM", "/p/lib/x86_64-linux-gnu/haswell"),
        ("/p/$ORIGINX", "/p/$ORIGINX"),  # not a token: identifier continues
        ("/p/$FOO", "/p/$FOO"),
        ("/p/$LIB_x", "/p/$LIB_x"),
    ],
)
def test_expand_dst(text: str, expected: str) -> None:
    assert expand_dst(text, "/o", CFG) == expected


def test_expand_dst_unknown_value_drops_element() -> None:
    assert expand_dst("/p/$PLATFORM", "/o", replace(CFG, platform=None)) is None


def test_expand_dst_secure_rules() -> None:
    assert expand_dst("/x/$ORIGIN", "/o", CFG, secure=True) is None
    assert expand_dst("$ORIGIN/lib", "/o", CFG, secure=True) == "/o/lib"
    # For the executable, the result must lie in a trusted directory.
    assert expand_dst("$ORIGIN/lib", "/o", CFG, secure=True, owner_is_main=True) is None
    assert expand_dst("$ORIGIN", "/usr/lib", CFG, secure=True, owner_is_main=True) == "/usr/lib"


def test_path_dirs() -> None:
    assert path_dirs("/a/::rel//:/a:/", "/o", CFG, False, False, False) == [
        "/a/",
        "./",
        "rel/",
        "/",
    ]
    assert path_dirs("/a;/b:/c", "/o", CFG, True, False, False) == ["/a/", "/b/", "/c/"]
    assert path_dirs("/a;/b", "/o", CFG, False, False, False) == ["/a;/b/"]
    assert path_dirs("", "/o", CFG, False, False, False) == []
    assert path_dirs("/q/$PLATFORM:/r", "/o", replace(CFG, platform=None), False, False, False) == [
        "/r/"
    ]


def test_legacy_power_set_order() -> None:
    assert legacy_power_set(["tls", "haswell", "x86_64"]) == (
        "tls/haswell/x86_64",
        "tls/haswell",
        "tls/x86_64",
        "tls",
        "haswell/x86_64",
        "haswell",
        "x86_64",
    )


def test_table_fallbacks() -> None:
    def no_dirs(_: str) -> bool:
        return False

    def nothing(_: str) -> Optional[str]:
        return None

    fed = table_config("/lib64/ld-linux-x86-64.so.2", X64, no_dirs, nothing)
    assert fed.system_dirs == ("/lib64/", "/usr/lib64/") and fed.lib == "lib64"
    deb = table_config(
        "/lib64/ld-linux-x86-64.so.2", X64, lambda p: p == "/lib/x86_64-linux-gnu", nothing
    )
    assert deb.system_dirs[:2] == ("/lib/x86_64-linux-gnu/", "/usr/lib/x86_64-linux-gnu/")
    # A system root with only usr/lib/<triplet> (a hand-made cross root) is Debian's layout
    # too: its loader searches all four.
    a64 = Target(ELFCLASS64, ELFDATA2LSB, EM_AARCH64)
    usr_only = table_config(
        "/lib/ld-linux-aarch64.so.1", a64, lambda p: p == "/usr/lib/aarch64-linux-gnu", nothing
    )
    assert usr_only.system_dirs == (
        "/lib/aarch64-linux-gnu/",
        "/usr/lib/aarch64-linux-gnu/",
        "/lib/",
        "/usr/lib/",
    )
    # The cross toolchain's root (/usr/aarch64-linux-gnu) has neither: /lib and /usr/lib.
    assert table_config("/lib/ld-linux-aarch64.so.1", a64, no_dirs, nothing).system_dirs == (
        "/lib/",
        "/usr/lib/",
    )
    i386 = Target(ELFCLASS32, ELFDATA2LSB, EM_386)
    biarch = table_config("/lib/ld-linux.so.2", i386, lambda p: p == "/lib32", nothing)
    assert biarch.system_dirs == ("/lib32/", "/usr/lib32/", "/lib/", "/usr/lib/")
    assert biarch.cache_flags == (0x0001, 0x0003)
    nix_interp = "/nix/store/abc-glibc-2.39/lib/ld-linux-x86-64.so.2"
    nix = table_config(nix_interp, X64, no_dirs, nothing)
    assert nix.system_dirs == ("/nix/store/abc-glibc-2.39/lib/",)
    assert nix.cache_path == "/nix/store/abc-glibc-2.39/etc/ld.so.cache"
    musl = table_config(
        "/lib/ld-musl-x86_64.so.1",
        X64,
        no_dirs,
        lambda p: "/opt/a\n/opt/b\n" if p == "/etc/ld-musl-x86_64.path" else None,
    )
    assert (musl.flavour, musl.system_dirs, musl.cache_path) == (
        "musl",
        ("/opt/a/", "/opt/b/"),
        None,
    )
    musl_default = table_config("/lib/ld-musl-x86_64.so.1", X64, no_dirs, nothing)
    assert musl_default.system_dirs == ("/lib/", "/usr/local/lib/", "/usr/lib/")
