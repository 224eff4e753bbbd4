"""Parsing a linker's argv into a LinkRequest, table-driven, for every flavour."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import examples
from ldwrap.link.argv import lld_flavour, parse
from ldwrap.link.grammar import BFD, FLAVOURS, GOLD, LLD, MOLD
from ldwrap.link.model import DYNAMIC, STATIC, STATIC_PIE, LibRequest

ALL = FLAVOURS


def _id(v: object) -> str | None:
    """Readable test ids for argv lists."""
    if isinstance(v, list) and all(isinstance(a, str) for a in v):
        return " ".join(v) or "(none)"
    return None


def specs(libs: list[LibRequest]) -> list[tuple[str, bool]]:
    return [(lib.spec, lib.static) for lib in libs]


# --- library directories -------------------------------------------------------------------

L_SPELLINGS = [
    (ALL, ["-L", "/a"], ["/a"]),
    (ALL, ["-L/a"], ["/a"]),
    (ALL, ["-Lrel/dir"], ["rel/dir"]),
    (ALL, ["-L", "rel"], ["rel"]),
    (ALL, ["--library-path", "/a"], ["/a"]),
    (ALL, ["--library-path=/a"], ["/a"]),
    ((GOLD, LLD, MOLD), ["-library-path", "/a"], ["/a"]),
    ((GOLD, LLD, MOLD), ["-library-path=/a"], ["/a"]),
    ((BFD,), ["-library-path", "/a"], []),  # bfd: -l ibrary-path, and /a is an input
    ((BFD,), ["--library-p", "/a"], ["/a"]),  # bfd abbreviation
    (ALL, ["-L/a", "-L", "/b", "--library-path=/c"], ["/a", "/b", "/c"]),  # order kept
    (ALL, ["-L/a", "-L/a"], ["/a", "/a"]),  # duplicates are the policy's business
    (ALL, ["-lfoo", "-L/late"], ["/late"]),  # -L after -l still counts
]


@pytest.mark.parametrize(
    ("flavour", "args", "dirs"),
    [(f, a, d) for fl, a, d in L_SPELLINGS for f in fl],
    ids=_id,
)
def test_library_directories(flavour: str, args: list[str], dirs: list[str]) -> None:
    assert parse(flavour, args).lib_dirs == dirs


# Sysroot-relative -L (=dir and $SYSROOT), per flavour: what each linker really searches.
SYSROOT_CASES = [
    # (args, bfd, gold, lld, mold)
    (["--sysroot=/SR", "-L=/sub"], "/SR/sub", "=/sub", "/SR/sub", "/SR/sub"),
    (["--sysroot=/SR", "-L", "=/sub"], "/SR/sub", "=/sub", "/SR/sub", "/SR/sub"),
    (["--sysroot=/SR", "--library-path==/sub"], "/SR/sub", "=/sub", "/SR/sub", "/SR/sub"),
    (["--sysroot=/SR/", "-L=/sub"], "/SR/sub", "=/sub", "/SR/sub", "/SR/sub"),
    (["-L=/sub", "--sysroot=/SR"], "/SR/sub", "=/sub", "/SR/sub", "/SR/sub"),  # position-free
    (["--sysroot=/A", "--sysroot=/B", "-L=/s"], "/B/s", "=/s", "/B/s", "/B/s"),  # last wins
    # bfd ignores the separate spellings of --sysroot (value consumed, sysroot not applied).
    (["--sysroot", "/SR", "-L=/sub"], "/sub", "=/sub", "/SR/sub", "/SR/sub"),
    (["-sysroot", "/SR", "-L=/sub"], "/sub", "=/sub", "/SR/sub", "/SR/sub"),
    (["-sysroot=/SR", "-L=/sub"], "/sub", "=/sub", "/SR/sub", "/SR/sub"),
    # No sysroot: bfd and lld drop the "=", gold and mold search the literal name.
    (["-L=/sub"], "/sub", "=/sub", "/sub", "=/sub"),
    (["-L=rel"], "rel", "=rel", "rel", "=rel"),
    # $SYSROOT: bfd and mold expand it; gold and lld search it literally.
    (["--sysroot=/SR", "-L$SYSROOT/sub"], "/SR/sub", "$SYSROOT/sub", "$SYSROOT/sub", "/SR/sub"),
    (["-L$SYSROOT/sub"], "$SYSROOT/sub", "$SYSROOT/sub", "$SYSROOT/sub", "$SYSROOT/sub"),
    # An absolute -L is never prefixed.
    (["--sysroot=/SR", "-L/sub"], "/sub", "/sub", "/sub", "/sub"),
]


@pytest.mark.parametrize(
    ("args", "flavour", "expected"),
    [(c[0], f, c[1 + i]) for c in SYSROOT_CASES for i, f in enumerate(FLAVOURS)],
    ids=_id,
)
def test_sysroot_relative_directories(args: list[str], flavour: str, expected: str) -> None:
    assert parse(flavour, args).lib_dirs == [expected]


# --- requested libraries ---------------------------------------------------------------------

L_LIB_CASES = [
    (ALL, ["-lfoo"], [("foo", False)]),
    (ALL, ["-l", "foo"], [("foo", False)]),
    (ALL, ["-l:libfoo.so.1"], [(":libfoo.so.1", False)]),
    (ALL, ["-l", ":libfoo.so.1"], [(":libfoo.so.1", False)]),
    ((BFD, GOLD, LLD), ["--library=foo"], [("foo", False)]),
    ((BFD, GOLD, LLD), ["--library", "foo"], [("foo", False)]),
    ((BFD, GOLD, LLD), ["--library=:libfoo.so"], [(":libfoo.so", False)]),
    ((GOLD, LLD), ["-library", "foo"], [("foo", False)]),
    ((BFD, MOLD), ["-library", "foo"], [("ibrary", False)]),
    (ALL, ["-la", "-lb", "-la"], [("a", False), ("b", False), ("a", False)]),
    # Values of options are never libraries.
    (ALL, ["-soname", "-lfoo", "-z", "-lbar", "-o", "-lbaz"], []),
    (ALL, ["-rpath", "-lfoo", "--dynamic-linker", "-lbar"], []),
]


@pytest.mark.parametrize(
    ("flavour", "args", "libs"),
    [(f, a, r) for fl, a, r in L_LIB_CASES for f in fl],
    ids=_id,
)
def test_requested_libraries(flavour: str, args: list[str], libs: list[tuple[str, bool]]) -> None:
    assert specs(parse(flavour, args).libs) == libs


# Static/dynamic state: the static flag of each -l, in order.
STATE_CASES = [
    (ALL, ["-la", "-Bstatic", "-lb", "-Bdynamic", "-lc"], [False, True, False]),
    (ALL, ["-dn", "-la", "-dy", "-lb"], [True, False]),
    (ALL, ["--Bstatic", "-la", "--Bdynamic", "-lb"], [True, False]),
    ((BFD, LLD), ["-non_shared", "-la", "-call_shared", "-lb"], [True, False]),
    ((BFD, LLD, MOLD), ["-la", "-static", "-lb"], [False, True]),
    (ALL, ["-Bstatic", "--push-state", "-Bdynamic", "-la", "--pop-state", "-lb"], [False, True]),
    (ALL, ["--push-state", "-Bstatic", "-la", "--pop-state", "-lb"], [True, False]),
    (ALL, ["-push-state", "-Bstatic", "-pop-state", "-la"], [False]),
    (ALL, ["--pop-state", "-la"], [False]),  # an unbalanced pop changes nothing
    (
        ALL,
        [
            "-Bstatic",
            "--push-state",
            "--push-state",
            "-Bdynamic",
            "--pop-state",
            "-la",
            "--pop-state",
            "-lb",
        ],
        [True, True],
    ),
    (
        (BFD,),
        ["-a", "archive", "-la", "-a", "shared", "-lb", "-adefault", "-lc"],
        [True, False, False],
    ),
    # gold's -static is whole-link: every -l is static, also those before it.
    ((GOLD,), ["-la", "-static", "-lb"], [True, True]),
    # -static-pie (as spelled by a caller) is static too.
    (ALL, ["-static-pie", "-la"], [True]),
]


@pytest.mark.parametrize(
    ("flavour", "args", "static"),
    [(f, a, s) for fl, a, s in STATE_CASES for f in fl],
    ids=_id,
)
def test_static_dynamic_state(flavour: str, args: list[str], static: list[bool]) -> None:
    assert [lib.static for lib in parse(flavour, args).libs] == static


# --- link type, relocatable, shared, emulation --------------------------------------------

LINK_TYPE_CASES = [
    ([], DYNAMIC),
    (["-static"], STATIC),
    (["--static"], STATIC),
    (["-static-pie"], STATIC_PIE),
    (["-static", "-static-pie"], STATIC_PIE),
    (["-static-pie", "-static"], STATIC),  # last wins
    # gcc and clang lower -static-pie to these three; any order.
    (["-static", "-pie", "--no-dynamic-linker"], STATIC_PIE),
    (["-pie", "--no-dynamic-linker", "-static", "-z", "text"], STATIC_PIE),
    (["-static", "-pie"], STATIC),
    (["-static", "-pie", "-no-pie", "--no-dynamic-linker"], STATIC),
    (["-pie", "--no-dynamic-linker"], DYNAMIC),
    (["-Bstatic", "-pie", "--no-dynamic-linker"], DYNAMIC),  # -Bstatic is not -static
]


@pytest.mark.parametrize(("args", "link_type"), LINK_TYPE_CASES, ids=_id)
@pytest.mark.parametrize("flavour", (BFD, LLD, MOLD))
def test_link_type(flavour: str, args: list[str], link_type: str) -> None:
    assert parse(flavour, args).link_type == link_type


def test_gold_has_no_no_dynamic_linker_so_static_pie_is_never_lowered_for_it() -> None:
    # gold splits -no-dynamic-linker into -n -o -dynamic-linker; --no-dynamic-linker is an error.
    assert parse(GOLD, ["-static", "-pie", "--no-dynamic-linker"]).link_type == STATIC


RELOCATABLE_CASES = [
    (ALL, ["-r"], True),
    (ALL, ["-relocatable"], True),
    (ALL, ["-Ur"], True),
    ((BFD, LLD, MOLD), ["--relocatable"], True),
    ((BFD, GOLD), ["-i"], True),
    (ALL, ["-shared"], False),
    (ALL, ["-o", "-r"], False),  # a value, not the flag
]


@pytest.mark.parametrize(
    ("flavour", "args", "expected"),
    [(f, a, e) for fl, a, e in RELOCATABLE_CASES for f in fl],
    ids=_id,
)
def test_relocatable(flavour: str, args: list[str], expected: bool) -> None:
    req = parse(flavour, args)
    assert req.relocatable is expected


EMULATION_CASES = [
    (["-m", "elf_i386"], "elf_i386", True),
    (["-melf_i386"], "elf_i386", True),
    (["-m", "elf_x86_64"], "elf_x86_64", False),
    (["-m", "elf_i386", "-melf_x86_64"], "elf_x86_64", False),  # last wins
    (["-melf_x86_64", "-m", "elf_i386"], "elf_i386", True),
    (["-soname", "-melf_i386"], None, False),  # a value (bfd's pre-scan aside)
    ([], None, False),
]


@pytest.mark.parametrize(("args", "emulation", "is_32"), EMULATION_CASES, ids=_id)
@pytest.mark.parametrize("flavour", (GOLD, LLD, MOLD))
def test_emulation(flavour: str, args: list[str], emulation: str | None, is_32: bool) -> None:
    req = parse(flavour, args)
    assert (req.emulation, req.is_32bit) == (emulation, is_32)


@pytest.mark.parametrize(("args", "emulation", "is_32"), EMULATION_CASES[:5])
def test_emulation_bfd(args: list[str], emulation: str | None, is_32: bool) -> None:
    req = parse(BFD, args)
    assert (req.emulation, req.is_32bit) == (emulation, is_32)


# --- caller's rpaths, library files, queries, -flavor, -- -----------------------------------

RPATH_CASES = [
    (ALL, ["-rpath", "/a"], ["/a"]),
    (ALL, ["--rpath", "/a"], ["/a"]),
    (ALL, ["-rpath=/a"], ["/a"]),
    (ALL, ["--rpath=/a"], ["/a"]),
    (ALL, ["-R", "/a"], ["/a"]),
    (ALL, ["-R/a"], ["/a"]),
    (ALL, ["-rpath", "/a:/b", "-R", "/c"], ["/a:/b", "/c"]),
    (ALL, ["-rpath-link", "/a"], []),  # link-time only
    ((BFD,), ["--rpa", "/a"], []),  # ambiguous in bfd (rpath, rpath-link): rejected
]


@pytest.mark.parametrize(
    ("flavour", "args", "rpaths"),
    [(f, a, r) for fl, a, r in RPATH_CASES for f in fl],
    ids=_id,
)
def test_caller_rpaths(flavour: str, args: list[str], rpaths: list[str]) -> None:
    assert parse(flavour, args).rpaths == rpaths


LIB_FILE_CASES = [
    (["/s/lib/libx.so"], ["/s/lib/libx.so"]),
    (["/s/lib/libx.so.1"], ["/s/lib/libx.so.1"]),
    (["rel/libx.so.1.2"], ["rel/libx.so.1.2"]),
    (["libx.so"], ["libx.so"]),
    (["/s/lib/libx.a", "m.o", "/s/lib/libx.sox"], []),
    # Values of options that name files are never library files.
    (["-dynamic-linker", "/lib64/ld-linux-x86-64.so.2"], []),
    (["--dynamic-linker=/lib/ld.so.1"], []),
    (["-soname", "libme.so.1"], []),
    (["-plugin", "/usr/lib/liblto_plugin.so"], []),
    (["--plugin", "/usr/lib/liblto_plugin.so"], []),
    (["-plugin-opt", "/x/liby.so"], []),
    (["-o", "libout.so.1"], []),
    (["--version-script", "/x/libv.so"], []),
]


@pytest.mark.parametrize(("args", "files"), LIB_FILE_CASES, ids=_id)
@pytest.mark.parametrize("flavour", ALL)
def test_library_files(flavour: str, args: list[str], files: list[str]) -> None:
    assert parse(flavour, args).lib_files == files


@pytest.mark.parametrize(
    ("flavour", "args"),
    [(f, ["-I", "/lib/ld.so.2"]) for f in (BFD, GOLD, MOLD)]
    + [(f, ["-h", "libme.so.1"]) for f in ALL],
)
def test_short_spellings_of_interp_and_soname_are_not_files(flavour: str, args: list[str]) -> None:
    assert parse(flavour, args).lib_files == []


@pytest.mark.parametrize("flavour", ALL)
@pytest.mark.parametrize(
    ("args", "query"),
    [
        (["--version"], True),
        (["-v"], True),
        (["-V"], True),
        (["--help"], True),
        (["-o", "--version"], False),
        (["-lfoo"], False),
    ],
)
def test_queries(flavour: str, args: list[str], query: bool) -> None:
    assert parse(flavour, args).query is query


@pytest.mark.parametrize(
    ("args", "flavour", "libs"),
    [
        (["-flavor", "gnu", "-lfoo"], "gnu", ["foo"]),
        (["-flavor", "GNU", "-lfoo"], "GNU", ["foo"]),
        (["-lfoo"], None, ["foo"]),
    ],
)
def test_lld_flavor_pair_is_kept_apart(
    args: list[str], flavour: str | None, libs: list[str]
) -> None:
    assert lld_flavour(args) == flavour
    assert [lib.spec for lib in parse(LLD, args).libs] == libs


def test_bfd_ignores_everything_after_dashdash() -> None:
    req = parse(BFD, ["-L/a", "--", "-L/b", "-lfoo", "/x/libz.so"])
    assert (req.lib_dirs, req.libs, req.lib_files, req.dashdash) == (["/a"], [], [], True)


def test_gold_reads_everything_after_dashdash_as_input_files() -> None:
    req = parse(GOLD, ["-L/a", "--", "-L/b", "/x/libz.so.1"])
    assert (req.lib_dirs, req.lib_files, req.dashdash) == (["/a"], ["/x/libz.so.1"], True)


@pytest.mark.parametrize("flavour", ALL)
def test_output(flavour: str) -> None:
    req = parse(flavour, ["-o", "prog", "--enable-new-dtags", "--disable-new-dtags"])
    assert req.output == "prog"


@pytest.mark.parametrize("flavour", ALL)
def test_a_gcc_link_line(flavour: str) -> None:
    args = [
        "-plugin",
        "/usr/lib/gcc/x86_64-linux-gnu/12/liblto_plugin.so",
        "-plugin-opt=-pass-through=-lgcc",
        "--build-id",
        "-m",
        "elf_x86_64",
        "-dynamic-linker",
        "/lib64/ld-linux-x86-64.so.2",
        "-pie",
        "-o",
        "a.out",
        "Scrt1.o",
        "-L/s/foo/lib",
        "-L/usr/lib/gcc/x86_64-linux-gnu/12",
        "m.o",
        "-rpath",
        "/zz",
        "-lfoo",
        "-lgcc",
        "--push-state",
        "--as-needed",
        "-lgcc_s",
        "--pop-state",
        "-lc",
    ]
    req = parse(flavour, args)
    assert req.lib_dirs == ["/s/foo/lib", "/usr/lib/gcc/x86_64-linux-gnu/12"]
    assert [lib.spec for lib in req.libs] == ["foo", "gcc", "gcc_s", "c"]
    assert req.rpaths == ["/zz"]
    assert (req.link_type, req.emulation, req.output, req.lib_files) == (
        DYNAMIC,
        "elf_x86_64",
        "a.out",
        [],
    )


# Tokens that exercise every branch of the four grammars, plus arbitrary text.
_VOCAB = [
    "-L",
    "-l",
    "-L/d",
    "-lx",
    "-l:x.so",
    "--library",
    "--library-path",
    "-o",
    "-soname",
    "-h",
    "-m",
    "-melf_i386",
    "-static",
    "-static-pie",
    "-Bstatic",
    "-Bdynamic",
    "--push-state",
    "--pop-state",
    "-r",
    "-i",
    "-G",
    "-flavor",
    "gnu",
    "--",
    "-",
    "@x",
    "=",
    "-L=",
    "-l=",
    "--sysroot",
    "--sysroot=/s",
    "-sysroot",
    "-rpath",
    "-R",
    "-z",
    "-so",
    "-son",
    "-sS",
    "-a",
    "-dynamic-linker",
    "-plugin",
    "--version",
    "/x/libz.so.1",
    "m.o",
    "-pie",
    "--no-dynamic-linker",
    "-Tb",
    "--out",
    "-non_shared",
    "-$SYSROOT",
    "-L$SYSROOT/x",
]


@settings(max_examples=examples(300), deadline=None)
@given(
    st.sampled_from(FLAVOURS),
    st.lists(st.one_of(st.sampled_from(_VOCAB), st.text(max_size=6)), max_size=12),
)
def test_parse_never_fails_and_collects_only_from_the_argv(flavour: str, args: list[str]) -> None:
    req = parse(flavour, args)
    text = "\0".join(args)
    for d in req.lib_dirs:
        # From the argv, or under the --sysroot given (whatever its value).
        assert d.lstrip("=") in text or (req.sysroot is not None and d.startswith(req.sysroot))
    for lib in req.libs:
        assert lib.spec in text


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("flag", ["-v", "-V"])
def test_short_version_flag_with_inputs_is_a_link(flavour: str, flag: str) -> None:
    # `gcc -v` passes -v to the linker of a real link: it prints the version and links.
    assert parse(flavour, [flag, "-o", "a.out", "m.o", "-lfoo"]).query is False
    assert parse(flavour, [flag, "-lfoo"]).query is False


# --- --as-needed: the libraries the linker may leave out of DT_NEEDED -----------------------

AS_NEEDED_CASES = [
    (ALL, ["-la", "--as-needed", "-lb"], {"libb.so"}),
    (ALL, ["-as-needed", "-la"], {"liba.so"}),
    (ALL, ["--as-needed", "-la", "--no-as-needed", "-lb"], {"liba.so"}),
    (ALL, ["--as-needed", "-no-as-needed", "-la"], set()),
    (ALL, ["-la", "-lb"], set()),
    # The shared libraries named by path count by their file name; archives do not.
    (ALL, ["--as-needed", "/x/libz.so.1", "/x/libq.a", "-l:libc.so.6"], {"libz.so.1", "libc.so.6"}),
    # A library asked for in static mode never becomes DT_NEEDED.
    (ALL, ["--as-needed", "-Bstatic", "-la", "-Bdynamic", "-lb"], {"libb.so"}),
    # --push-state / --pop-state save and restore it (Debian's gcc around -lgcc_s).
    (ALL, ["--push-state", "--as-needed", "-lgcc_s", "--pop-state", "-lc"], {"libgcc_s.so"}),
    (
        ALL,
        ["--as-needed", "--push-state", "--no-as-needed", "-la", "--pop-state", "-lb"],
        {"libb.so"},
    ),
    (ALL, ["--pop-state", "--as-needed", "-la"], {"liba.so"}),  # an unbalanced pop: no change
    # An option's value is no flag.
    (ALL, ["-o", "--as-needed", "-la"], set()),
]


@pytest.mark.parametrize(
    ("flavour", "args", "names"),
    [(f, a, n) for fl, a, n in AS_NEEDED_CASES for f in fl],
    ids=_id,
)
def test_as_needed_state(flavour: str, args: list[str], names: set[str]) -> None:
    assert parse(flavour, args).as_needed == names
