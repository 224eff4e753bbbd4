"""Which targets are another machine's, as `ldwrap install` and `doctor` decide it from a
compiler's `-dumpmachine` (the compilers themselves run in tests/unit/cli/test_install.py
and tests/integration/cross/)."""

from __future__ import annotations

import pytest

from ldwrap.compilers import PREFIXED, is_cross


@pytest.mark.parametrize(
    ("triple", "machine", "cross"),
    [
        ("aarch64-linux-gnu", "x86_64", True),
        ("aarch64-unknown-linux-gnu", "x86_64", True),
        ("riscv64-linux-gnu", "x86_64", True),
        ("arm-linux-gnueabihf", "x86_64", True),  # an arch ldwrap cannot place counts as cross
        ("x86_64-linux-gnu", "x86_64", False),
        ("x86_64-pc-linux-gnu", "x86_64", False),
        ("i686-linux-gnu", "x86_64", False),  # x86_64's own ld links -m32
        ("x86_64-linux-gnu", "aarch64", True),
        ("aarch64-linux-gnu", "aarch64", False),
    ],
)
def test_is_cross(triple: str, machine: str, cross: bool) -> None:
    assert is_cross(triple, machine) is cross


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("aarch64-linux-gnu-gcc", True),
        ("aarch64-linux-gnu-gcc-12", True),
        ("aarch64-linux-gnu-g++", True),
        ("aarch64-unknown-linux-gnu-cc", True),
        ("aarch64-unknown-linux-gnu-clang", True),
        ("x86_64-linux-gnu-gcc-ar-12", False),
        ("aarch64-linux-gnu-cpp", False),
        ("c89-gcc", False),
        ("gcc", False),
        ("gcc-12", False),
    ],
)
def test_prefixed_driver_names(name: str, match: bool) -> None:
    assert bool(PREFIXED.fullmatch(name)) is match
