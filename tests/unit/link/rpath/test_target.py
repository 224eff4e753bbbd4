"""The target a link is for, when it has no `-m`: a target-prefixed linker name links for its
prefix (`aarch64-linux-gnu-ld` is an aarch64 linker), so only libraries built for that target
may earn an rpath. Full argv from `prepare`, the code path behind the shim and `dry-run`.

The policy reads only a library's ELF header, so the libraries are x86_64 and aarch64 ELF
files built by hand (helpers/elf.py); the real linkers are placeholders (the `linker_path`
fixture) named by LDWRAP_LINKER, as a cross build would: nothing is linked. The candidates
for another target (a 32-bit library, a script naming its OUTPUT_FORMAT) are library-named
files holding just the first bytes the policy reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import Store
from helpers.elf import EM_AARCH64, EM_X86_64, build_elf
from ldwrap.link.plan import prepare
from ldwrap.link.verdicts import INCOMPATIBLE

from ..conftest import Dry


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A store with libfoo.so built for x86_64 in one package and for aarch64 in another."""
    root = tmp_path_factory.mktemp("target")
    store = Store(root)
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


# --- candidates built for another target, by their first bytes -----------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Store:
    return Store(tmp_path)


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
    tree: Store,
    tmp_path: Path,
    linker_path: str,
    cands: list[tuple[str, bytes]],
    emulation: str | None,
    added: list[str],
) -> None:
    dirs = {pkg: tree.lib(pkg, "libfoo.so", content=data) for pkg, data in cands}
    args = [*(["-m", emulation] if emulation else []), *(f"-L{d}" for d in dirs.values()), "-lfoo"]
    inv = prepare("ld.lld", args, {"PATH": linker_path, "NIX_STORE": str(tree.root)}, str(tmp_path))
    want: list[str] = []
    for pkg in added:
        want += ["-rpath", dirs[pkg]]
    assert inv.argv[1:] == [*args, *want]
    assert inv.plan is not None
    skipped = {d.path for d in inv.plan.decisions if d.verdict == INCOMPATIBLE}
    assert skipped == {d for p, d in dirs.items() if p not in added}


def test_a_library_file_by_path_for_another_target_gets_no_rpath(dry: Dry, tree: Store) -> None:
    d = tree.lib("lib32", "libfoo.so", content=ELF32_386)
    assert dry(["main.o", f"{d}/libfoo.so"], {}) == ["main.o", f"{d}/libfoo.so"]
