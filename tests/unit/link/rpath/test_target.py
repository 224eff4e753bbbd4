"""The target a link is for, when it has no `-m`: a target-prefixed linker name links for its
prefix (`aarch64-linux-gnu-ld` is an aarch64 linker), so only libraries built for that target
may earn an rpath. Full argv from `prepare`, the code path behind the shim and `dry-run`.

The policy reads only a library's ELF header, so the libraries are x86_64 and aarch64 ELF
files built by hand (helpers/elf.py); the real linkers are placeholders (the `linker_path`
fixture) named by LDWRAP_LINKER, as a cross build would: nothing is linked."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import make_store
from helpers.elf import EM_AARCH64, EM_X86_64, build_elf
from ldwrap.link.plan import prepare
from ldwrap.link.targets import name_machine


@pytest.mark.parametrize(
    ("invoked", "linker", "machine"),
    [
        ("aarch64-linux-gnu-ld", "ld", "aarch64"),
        ("aarch64-linux-gnu-ld.gold", "ld.gold", "aarch64"),
        ("aarch64-unknown-linux-gnu-ld.lld", "ld.lld", "aarch64"),
        ("riscv64-linux-gnu-ld.bfd", "ld.bfd", "riscv64"),
        ("i686-linux-gnu-ld.mold", "ld.mold", "i686"),
        ("arm-linux-gnueabihf-ld", "ld", "arm"),
        ("ld", "ld", None),
        ("ld.gold", "ld.gold", None),
        ("-ld", "ld", None),
    ],
)
def test_name_machine(invoked: str, linker: str, machine: str | None) -> None:
    assert name_machine(invoked, linker) == machine


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A store with libfoo.so built for x86_64 in one package and for aarch64 in another."""
    root = tmp_path_factory.mktemp("target")
    store = make_store(root)
    x86 = store.libdir("foo-x86_64")
    a64 = store.libdir("foo-aarch64")
    build_elf(x86 / "libfoo.so", machine=EM_X86_64)
    build_elf(a64 / "libfoo.so", machine=EM_AARCH64)
    return root, x86, a64


def _dry(root: Path, argv0: str, args: list[str], real: str) -> list[str]:
    # The placeholders' directory is PATH too, as /usr/bin holds the linkers on a real machine.
    path = str(Path(real).parent)
    env = {"PATH": path, "NIX_STORE": str(root / "nix" / "store"), "LDWRAP_LINKER": real}
    inv = prepare(argv0, args, env, str(root))
    assert inv.argv[0] == real
    return inv.argv[1:]


# (invoked name, real linker's name in linker_path): every spelling of a prefixed drop-in.
NAMES = [
    ("aarch64-linux-gnu-ld", "aarch64-linux-gnu-ld"),
    ("aarch64-linux-gnu-ld.bfd", "aarch64-linux-gnu-ld.bfd"),
    ("aarch64-linux-gnu-ld.gold", "aarch64-linux-gnu-ld.gold"),
    ("aarch64-linux-gnu-ld.lld", "ld.lld"),
    ("aarch64-linux-gnu-ld.mold", "ld.mold"),
]


@pytest.mark.parametrize(("name", "real"), NAMES, ids=[n for n, _ in NAMES])
def test_a_prefixed_name_without_m_links_for_its_prefix(
    stores: tuple[Path, Path, Path], linker_path: str, name: str, real: str
) -> None:
    root, x86, a64 = stores
    args = ["-o", "app", "app.o", f"-L{x86}", f"-L{a64}", "-lfoo"]
    # The x86_64 copy comes first on the search path, but the linker skips it.
    assert _dry(root, f"/drop/{name}", args, f"{linker_path}/{real}") == [*args, "-rpath", str(a64)]


@pytest.mark.parametrize(("name", "real"), NAMES, ids=[n for n, _ in NAMES])
def test_m_wins_over_the_prefix(
    stores: tuple[Path, Path, Path], linker_path: str, name: str, real: str
) -> None:
    root, x86, a64 = stores
    args = ["-m", "elf_x86_64", "-o", "app", "app.o", f"-L{a64}", f"-L{x86}", "-lfoo"]
    assert _dry(root, f"/drop/{name}", args, f"{linker_path}/{real}") == [*args, "-rpath", str(x86)]


@pytest.mark.parametrize("name", ["ld", "ld.gold", "ld.lld"])
def test_an_unprefixed_name_links_for_this_machine(
    stores: tuple[Path, Path, Path], linker_path: str, name: str
) -> None:
    root, x86, a64 = stores
    args = ["-o", "app", "app.o", f"-L{a64}", f"-L{x86}", "-lfoo"]
    assert _dry(root, f"/drop/{name}", args, f"{linker_path}/{name}") == [*args, "-rpath", str(x86)]


def test_gold_el_keeps_the_aarch64_emulation(
    stores: tuple[Path, Path, Path], linker_path: str
) -> None:
    # gcc's aarch64 link line through the plain name: `-EL` must not swallow the emulation.
    root, x86, a64 = stores
    args = ["-X", "-EL", "-maarch64linux", "-o", "a", "app.o", f"-L{x86}", f"-L{a64}", "-lfoo"]
    assert _dry(root, "/drop/ld.gold", args, f"{linker_path}/ld.gold") == [
        *args,
        "-rpath",
        str(a64),
    ]
