"""loader/resolve.py's pure rules: dynamic string token expansion and search-path splitting."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ldwrap.link.targets import (
    ELFCLASS64,
    ELFDATA2LSB,
    EM_X86_64,
)
from ldwrap.loader.config import LoaderConfig
from ldwrap.loader.elf import (
    Target,
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
