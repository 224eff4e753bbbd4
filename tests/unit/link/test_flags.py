"""link/flags.py: the flags ldwrap adds around the caller's arguments, and their order.

nixpkgs' ld-wrapper's order: hardening, NIX_LDFLAGS_BEFORE, -dynamic-linker, the caller's
arguments, NIX_LDFLAGS, NIX_LDFLAGS_AFTER, the 32-bit dynamic linker, the -rpaths,
--build-id (ldwrap's own --enable/--disable-new-dtags sits with the "before" flags). The
tables through `ldwrap.link.plan.prepare` (the code path behind both the shim and `ldwrap
dry-run`) assert the full argv; the real linker prepare finds is a placeholder (the
`linker_path` fixture): nothing is linked. `compose` and `ldflags_words` on their own take
hand-built requests and settings. How the NIX_* variables are read is in test_nix.py, where
LD_RUN_PATH's entries land in test_landing.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import Store
from ldwrap.link.config import Config
from ldwrap.link.flags import compose, ldflags_words
from ldwrap.link.landing import Landing
from ldwrap.link.model import DYNAMIC, STATIC, STATIC_PIE, LinkRequest, NixEnv

from .conftest import Dry

M32 = "/m32/ld-linux.so.2"


# (id, env, caller args, expected argv after the linker's path)
CASES: list[tuple[str, dict[str, str], list[str], list[str]]] = [
    ("nothing", {}, ["m.o", "-o", "a"], ["m.o", "-o", "a"]),
    ("relro", {"NIX_HARDENING_ENABLE": "relro"}, ["m.o"], ["-z", "relro", "m.o"]),
    ("bindnow", {"NIX_HARDENING_ENABLE": "bindnow"}, ["m.o"], ["-z", "now", "m.o"]),
    (
        "ldflags before",
        {"NIX_LDFLAGS_BEFORE": "-z noexecstack"},
        ["m.o"],
        ["-z", "noexecstack", "m.o"],
    ),
    ("ldflags", {"NIX_LDFLAGS": "-L/s/lib  -lm"}, ["m.o"], ["m.o", "-L/s/lib", "-lm"]),
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
    lib32 = Store(tmp_path).libdir("foo32-1.0")
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


# --- --no-dynamic-linker ------------------------------------------------------------------

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
    dry: Dry, env: dict[str, str], args: list[str], want: list[str], name: str
) -> None:
    assert dry(args, env, name) == want


# --- compose and ldflags_words on their own -----------------------------------------------


def _request(
    link_type: str = DYNAMIC, relocatable: bool = False, no_interp: bool = False, m32: bool = False
) -> LinkRequest:
    req = LinkRequest()
    req.link_type = link_type
    req.relocatable = relocatable
    req.no_interp = no_interp
    req.emulation = "elf_i386" if m32 else None
    return req


def _nix(**values: object) -> NixEnv:
    nix = NixEnv()
    for name, value in values.items():
        setattr(nix, name, value)
    return nix


def _config(dtags: str | None = None, m32: str | None = None, style: str = "") -> Config:
    env = {"LDWRAP_DTAGS": dtags or "", "LDWRAP_DYNAMIC_LINKER_M32": m32 or ""}
    return Config.from_env({**env, "NIX_BUILD_ID_STYLE": style}, nix_store_exists=False)


def _landing(before: list[str], after: list[str]) -> Landing:
    out = Landing()
    out.before, out.after = before, after
    return out


DL = "/s/ld.so"
OURS_BEFORE = ["-rpath", "$ORIGIN/../lib/"]
OURS_AFTER = ["-rpath", "/s/lib"]
WORDS = (["-zb"], ["-lm"])  # ldflags_words: before and after the caller's arguments

# (id, request, config, NixEnv, expected (before, after)); every case has ldwrap's entries
# on both sides and NIX_LDFLAGS* words, so each shows where they stand among the rest.
COMPOSE: list[tuple[str, LinkRequest, Config, NixEnv, tuple[list[str], list[str]]]] = [
    ("nothing else", _request(), _config(), _nix(), (["-zb", *OURS_BEFORE], ["-lm", *OURS_AFTER])),
    (
        "hardening, in the order given",
        _request(),
        _config(),
        _nix(hardening=["bindnow", "relro"]),
        (["-z", "now", "-z", "relro", "-zb", *OURS_BEFORE], ["-lm", *OURS_AFTER]),
    ),
    (
        "hardening for -r too",
        _request(relocatable=True),
        _config(),
        _nix(hardening=["relro"]),
        (["-z", "relro", "-zb", *OURS_BEFORE], ["-lm", *OURS_AFTER]),
    ),
    (
        "dtags runpath after hardening",
        _request(),
        _config(dtags="runpath"),
        _nix(hardening=["relro"]),
        (["-z", "relro", "--enable-new-dtags", "-zb", *OURS_BEFORE], ["-lm", *OURS_AFTER]),
    ),
    (
        "dtags rpath",
        _request(),
        _config(dtags="rpath"),
        _nix(),
        (["--disable-new-dtags", "-zb", *OURS_BEFORE], ["-lm", *OURS_AFTER]),
    ),
    (
        "no dtags for -r",
        _request(relocatable=True),
        _config(dtags="runpath"),
        _nix(),
        (["-zb", *OURS_BEFORE], ["-lm", *OURS_AFTER]),
    ),
    (
        "dynamic linker between NIX_LDFLAGS_BEFORE and ours",
        _request(),
        _config(),
        _nix(dynamic_linker=DL),
        (["-zb", "-dynamic-linker", DL, *OURS_BEFORE], ["-lm", *OURS_AFTER]),
    ),
    (
        "no dynamic linker for a static link",
        _request(STATIC),
        _config(),
        _nix(dynamic_linker=DL),
        (["-zb", *OURS_BEFORE], ["-lm", *OURS_AFTER]),
    ),
    (
        "no dynamic linker for -static-pie",
        _request(STATIC_PIE),
        _config(),
        _nix(dynamic_linker=DL),
        (["-zb", *OURS_BEFORE], ["-lm", *OURS_AFTER]),
    ),
    (
        "no dynamic linker for -r",
        _request(relocatable=True),
        _config(),
        _nix(dynamic_linker=DL),
        (["-zb", *OURS_BEFORE], ["-lm", *OURS_AFTER]),
    ),
    (
        "no dynamic linker with --no-dynamic-linker",
        _request(no_interp=True),
        _config(),
        _nix(dynamic_linker=DL),
        (["-zb", *OURS_BEFORE], ["-lm", *OURS_AFTER]),
    ),
    (
        "a cc-wrapper applied the words before and the dynamic linker",
        _request(),
        _config(),
        _nix(dynamic_linker=DL, cc_applied=True),
        (OURS_BEFORE, ["-lm", *OURS_AFTER]),
    ),
    (
        "32-bit dynamic linker between the words after and ours",
        _request(m32=True),
        _config(m32=M32),
        _nix(dynamic_linker=DL),
        (
            ["-zb", "-dynamic-linker", DL, *OURS_BEFORE],
            ["-lm", "-dynamic-linker", M32, *OURS_AFTER],
        ),
    ),
    (
        "no 32-bit dynamic linker for a 64-bit link",
        _request(),
        _config(m32=M32),
        _nix(),
        (["-zb", *OURS_BEFORE], ["-lm", *OURS_AFTER]),
    ),
    (
        "no 32-bit dynamic linker unset",
        _request(m32=True),
        _config(),
        _nix(),
        (["-zb", *OURS_BEFORE], ["-lm", *OURS_AFTER]),
    ),
    (
        "no 32-bit dynamic linker for a static link",
        _request(STATIC, m32=True),
        _config(m32=M32),
        _nix(),
        (["-zb", *OURS_BEFORE], ["-lm", *OURS_AFTER]),
    ),
    (
        "no 32-bit dynamic linker with --no-dynamic-linker",
        _request(no_interp=True, m32=True),
        _config(m32=M32),
        _nix(),
        (["-zb", *OURS_BEFORE], ["-lm", *OURS_AFTER]),
    ),
    (
        "build id last",
        _request(),
        _config(),
        _nix(set_build_id=True),
        (["-zb", *OURS_BEFORE], ["-lm", *OURS_AFTER, "--build-id=sha1"]),
    ),
    (
        "build id in the configured style",
        _request(),
        _config(style="uuid"),
        _nix(set_build_id=True),
        (["-zb", *OURS_BEFORE], ["-lm", *OURS_AFTER, "--build-id=uuid"]),
    ),
    (
        "build id for a static link",
        _request(STATIC),
        _config(),
        _nix(set_build_id=True),
        (["-zb", *OURS_BEFORE], ["-lm", *OURS_AFTER, "--build-id=sha1"]),
    ),
    (
        "no build id for -r",
        _request(relocatable=True),
        _config(),
        _nix(set_build_id=True),
        (["-zb", *OURS_BEFORE], ["-lm", *OURS_AFTER]),
    ),
]


@pytest.mark.parametrize(
    ("req", "config", "nix", "want"), [c[1:] for c in COMPOSE], ids=[c[0] for c in COMPOSE]
)
def test_compose(
    req: LinkRequest, config: Config, nix: NixEnv, want: tuple[list[str], list[str]]
) -> None:
    extras = compose(req, config, nix, _landing(OURS_BEFORE, OURS_AFTER), WORDS)
    assert (extras.before, extras.after) == want


RPATHS = ["-rpath", "/r", "--rpath=/q", "-L/l", "-R", "/k"]

# (id, link type, cc-wrapper applied, expected (before, after)) for NIX_LDFLAGS_BEFORE=-zb,
# NIX_LDFLAGS=RPATHS and NIX_LDFLAGS_AFTER=-la.
WORD_CASES: list[tuple[str, str, bool, tuple[list[str], list[str]]]] = [
    ("all three", DYNAMIC, False, (["-zb"], [*RPATHS, "-la"])),
    ("a static link keeps -rpath", STATIC, False, (["-zb"], [*RPATHS, "-la"])),
    # nixpkgs' filterRpathFlags: -rpath in every spelling goes, -R stays.
    ("-static-pie drops -rpath", STATIC_PIE, False, (["-zb"], ["-L/l", "-R", "/k", "-la"])),
    ("a cc-wrapper applied BEFORE and NIX_LDFLAGS", DYNAMIC, True, ([], ["-la"])),
    ("both", STATIC_PIE, True, ([], ["-la"])),
]


@pytest.mark.parametrize(
    ("link_type", "cc_applied", "want"), [c[1:] for c in WORD_CASES], ids=[c[0] for c in WORD_CASES]
)
def test_ldflags_words(link_type: str, cc_applied: bool, want: tuple[list[str], list[str]]) -> None:
    nix = _nix(ldflags_before=["-zb"], ldflags=list(RPATHS), ldflags_after=["-la"])
    nix.cc_applied = cc_applied
    assert ldflags_words(_request(link_type), nix) == want


def test_ldflags_words_leave_the_nix_settings_alone() -> None:
    nix = _nix(ldflags_before=["-zb"], ldflags=list(RPATHS), ldflags_after=["-la"])
    before, after = ldflags_words(_request(), nix)
    before.append("x")
    after.append("y")
    assert (nix.ldflags_before, nix.ldflags, nix.ldflags_after) == (["-zb"], RPATHS, ["-la"])
