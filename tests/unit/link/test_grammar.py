"""The option grammar of bfd, gold, lld and mold: which element is a value, which an input.

Table-driven. The tables measured on the linkers (the long options, ROWS, and the
multi-letter options that begin with a value letter, LETTER_LIKE) are in
helpers/grammar_reference.py, kept apart from `_grammar_data.py` on purpose, so that the two
can disagree; the check of those tables against each installed linker's --help is in
tests/integration/grammar/.
"""

from __future__ import annotations

import pytest

from helpers.grammar_reference import LETTER_LIKE, ROWS
from ldwrap.link.grammar import BFD, FLAVOURS, GOLD, LLD, MOLD, UNKNOWN, classify

# Cells the reference marks "-" because the linker rejects the option outright (so no value
# can be misread either way): lld 16-only names under lld 14, and mold 1.10's missing
# --library (a fatal "unknown option" in mold).
REJECTED = {(LLD, "android-memtag-mode"), (LLD, "load-pass-plugin"), (MOLD, "library")}


VALUE = "-L/evil/lib"  # a value that would be a disaster if read as a -L


# The two tables below check every long option of the reference (some 1,300 spellings) with
# one test per linker: an item per spelling cost pytest more than the checks themselves. A
# failure lists every spelling read wrong.


def _long_cases(flavour: str) -> list[tuple[str, bool]]:
    """(spelling, whether `spelling VALUE` consumes VALUE) for each long option, one and two
    dashes."""
    return [
        ("-" * dashes + name, str(dashes) in cells[flavour])
        for name, cells in ROWS
        if (flavour, name) not in REJECTED
        for dashes in (1, 2)
    ]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_long_option_consumes_next_element_exactly_when_the_linker_does(flavour: str) -> None:
    wrong = {}
    for spelling, consumes in _long_cases(flavour):
        name, value, used = classify(flavour, [spelling, VALUE, "x.o"], 0)
        if consumes:
            # Only --library / --library-path themselves may name their value a library (path).
            right = (used, value) == (2, VALUE) and name is not None
            right = right and (
                name not in ("library-path", "library") or name == spelling.lstrip("-")
            )
        else:
            right = used == 1 and value != VALUE
        if not right:
            wrong[spelling] = (consumes, (name, value, used))
    assert wrong == {}


def _eq_spellings(flavour: str) -> list[str]:
    """Each long option that takes a value, with one and two dashes."""
    return [
        "-" * dashes + name
        for name, cells in ROWS
        for dashes in (1, 2)
        if str(dashes) in cells[flavour] and (flavour, name) != (GOLD, "dT")
    ]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_long_option_with_equals_takes_its_value_from_the_same_element(flavour: str) -> None:
    wrong = {}
    for spelling in _eq_spellings(flavour):
        name, value, used = classify(flavour, [spelling + "=/v/libx.so", VALUE], 0)
        if (value, used) != ("/v/libx.so", 1) or name is None:
            wrong[spelling] = (name, value, used)
    assert wrong == {}


# Single letters: (letter, flavours where `-X v` consumes, flavours where `-Xv` is joined).
LETTERS = [
    ("A", {BFD}, {BFD}),
    ("a", {BFD}, {BFD}),
    ("b", {BFD, GOLD, LLD, MOLD}, {BFD, GOLD}),
    ("C", {MOLD}, {MOLD}),
    ("c", {BFD}, {BFD}),
    ("e", set(FLAVOURS), set(FLAVOURS)),
    ("F", set(FLAVOURS), {BFD, GOLD, MOLD}),
    ("f", set(FLAVOURS), {BFD, GOLD, MOLD}),
    ("h", set(FLAVOURS), set(FLAVOURS)),
    ("I", {BFD, GOLD, MOLD}, {BFD, GOLD, MOLD}),
    ("L", set(FLAVOURS), set(FLAVOURS)),
    ("l", set(FLAVOURS), set(FLAVOURS)),
    ("m", set(FLAVOURS), set(FLAVOURS)),
    ("O", set(FLAVOURS), set(FLAVOURS)),
    ("o", set(FLAVOURS), set(FLAVOURS)),
    ("P", {BFD}, {BFD}),
    ("R", set(FLAVOURS), set(FLAVOURS)),
    ("T", set(FLAVOURS), set(FLAVOURS)),
    ("u", set(FLAVOURS), set(FLAVOURS)),
    ("Y", {BFD, GOLD}, {BFD, GOLD}),
    ("y", set(FLAVOURS), set(FLAVOURS)),
    ("z", set(FLAVOURS), set(FLAVOURS)),
]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(("letter", "separate", "joined"), LETTERS, ids=[c[0] for c in LETTERS])
def test_single_letter_separate_value(
    flavour: str, letter: str, separate: set[str], joined: set[str]
) -> None:
    name, value, used = classify(flavour, ["-" + letter, "/v/x", "y.o"], 0)
    if flavour in separate:
        assert (value, used) == ("/v/x", 2)
    else:
        assert used == 1 and name == UNKNOWN


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(("letter", "separate", "joined"), LETTERS, ids=[c[0] for c in LETTERS])
def test_single_letter_joined_value(
    flavour: str, letter: str, separate: set[str], joined: set[str]
) -> None:
    # "/v" starts no long option name, so no abbreviation can take the token over.
    name, value, used = classify(flavour, ["-" + letter + "/v", "y.o"], 0)
    assert used == 1
    if flavour in joined:
        assert value == "/v"
    else:
        assert name == UNKNOWN


@pytest.mark.parametrize(
    ("flavour", "args", "expected"),
    [
        # -L and -l in every spelling, and what they are called.
        *[(f, ["-L", "/d"], ("library-path", "/d", 2)) for f in FLAVOURS],
        *[(f, ["-L/d"], ("library-path", "/d", 1)) for f in FLAVOURS],
        *[(f, ["--library-path", "/d"], ("library-path", "/d", 2)) for f in FLAVOURS],
        *[(f, ["--library-path=/d"], ("library-path", "/d", 1)) for f in FLAVOURS],
        *[(f, ["-L=/d"], ("library-path", "=/d", 1)) for f in FLAVOURS],
        *[(f, ["-library-path", "/d"], ("library-path", "/d", 2)) for f in (GOLD, LLD, MOLD)],
        (BFD, ["-library-path", "/d"], ("library", "ibrary-path", 1)),
        *[(f, ["-lfoo"], ("library", "foo", 1)) for f in FLAVOURS],
        *[(f, ["-l", "foo"], ("library", "foo", 2)) for f in FLAVOURS],
        *[(f, ["-l:libfoo.so.1"], ("library", ":libfoo.so.1", 1)) for f in FLAVOURS],
        *[(f, ["-l", ":libfoo.so.1"], ("library", ":libfoo.so.1", 2)) for f in FLAVOURS],
        *[(f, ["--library", "foo"], ("library", "foo", 2)) for f in (BFD, GOLD, LLD)],
        *[(f, ["--library=foo"], ("library", "foo", 1)) for f in (BFD, GOLD, LLD)],
        *[(f, ["-library", "foo"], ("library", "foo", 2)) for f in (GOLD, LLD)],
        (BFD, ["-library", "foo"], ("library", "ibrary", 1)),  # bfd's -l pre-pass
        (MOLD, ["-library", "foo"], ("library", "ibrary", 1)),  # mold: -l ibrary
        # Values that look like -L / -l stay values.
        *[(f, ["-soname", "-L/tmp"], ("soname", "-L/tmp", 2)) for f in FLAVOURS],
        *[(f, ["-h", "-lfoo"], ("soname", "-lfoo", 2)) for f in FLAVOURS],
        *[(f, ["-rpath", "-lfoo"], ("rpath", "-lfoo", 2)) for f in FLAVOURS],
        *[(f, ["-z", "-lfoo"], ("z", "-lfoo", 2)) for f in FLAVOURS],
        *[(f, ["-o", "-L/x"], ("output", "-L/x", 2)) for f in FLAVOURS],
        *[
            (f, ["--dynamic-linker", "/lib/ld.so"], ("dynamic-linker", "/lib/ld.so", 2))
            for f in FLAVOURS
        ],
        *[
            (f, ["-dynamic-linker", "/lib/ld.so"], ("dynamic-linker", "/lib/ld.so", 2))
            for f in FLAVOURS
        ],
        *[
            (f, ["-I", "/lib/ld.so"], ("dynamic-linker", "/lib/ld.so", 2))
            for f in (BFD, GOLD, MOLD)
        ],
        (LLD, ["-I", "/lib/ld.so"], (UNKNOWN, None, 1)),
        *[(f, ["--plugin", "/p/liblto.so"], ("plugin", "/p/liblto.so", 2)) for f in FLAVOURS],
        *[(f, ["-plugin", "/p/liblto.so"], ("plugin", "/p/liblto.so", 2)) for f in FLAVOURS],
        *[(f, ["-plugin-opt", "x"], ("plugin-opt", "x", 2)) for f in FLAVOURS],
        *[(f, ["-soname=libx.so"], ("soname", "libx.so", 1)) for f in FLAVOURS],
        # Emulation.
        *[(f, ["-m", "elf_i386"], ("m", "elf_i386", 2)) for f in FLAVOURS],
        *[(f, ["-melf_i386"], ("m", "elf_i386", 1)) for f in FLAVOURS],
        # rpath spellings.
        *[(f, [sp, "/r"], ("rpath", "/r", 2)) for f in FLAVOURS for sp in ("-rpath", "--rpath")],
        *[(f, ["-R", "/r"], ("R", "/r", 2)) for f in FLAVOURS],
        *[(f, ["-R/r"], ("R", "/r", 1)) for f in FLAVOURS],
        *[(f, ["--rpath=/r"], ("rpath", "/r", 1)) for f in FLAVOURS],
        # Static / dynamic switches.
        *[
            (f, [sp], ("Bstatic", None, 1))
            for f in FLAVOURS
            for sp in ("-Bstatic", "--Bstatic", "-dn", "--dn")
        ],
        *[
            (f, [sp], ("Bdynamic", None, 1))
            for f in FLAVOURS
            for sp in ("-Bdynamic", "--Bdynamic", "-dy", "--dy")
        ],
        *[
            (f, [sp], ("Bstatic", None, 1))
            for f in (BFD, LLD)
            for sp in ("-non_shared", "--non_shared")
        ],
        *[
            (f, [sp], ("Bdynamic", None, 1))
            for f in (BFD, LLD)
            for sp in ("-call_shared", "--call_shared")
        ],
        (GOLD, ["-non_shared"], ("output", "n_shared", 1)),  # gold: -n -o n_shared
        (GOLD, ["-call_shared"], (UNKNOWN, None, 1)),
        (GOLD, ["--non_shared"], (UNKNOWN, None, 1)),
        (MOLD, ["-non_shared"], (UNKNOWN, None, 1)),
        (MOLD, ["--call_shared"], (UNKNOWN, None, 1)),
        *[(f, [sp], ("static", None, 1)) for f in FLAVOURS for sp in ("-static", "--static")],
        *[
            (f, [sp], (st, None, 1))
            for f in FLAVOURS
            for sp in ("--push-state", "-push-state", "--pop-state", "-pop-state")
            for st in [sp.lstrip("-")]
        ],
        *[
            (f, [sp], (sp.lstrip("-"), None, 1))
            for f in FLAVOURS
            for sp in ("--as-needed", "-as-needed", "--no-as-needed", "-no-as-needed")
        ],
        (BFD, ["-a", "archive"], ("a", "archive", 2)),
        (BFD, ["-ashared"], ("a", "shared", 1)),
        # Relocatable.
        *[(f, ["-r"], ("relocatable", None, 1)) for f in FLAVOURS],
        *[(f, ["-relocatable"], ("relocatable", None, 1)) for f in FLAVOURS],
        *[(f, ["--relocatable"], ("relocatable", None, 1)) for f in (BFD, LLD, MOLD)],
        (GOLD, ["--relocatable"], (UNKNOWN, None, 1)),
        *[(f, ["-i"], ("relocatable", None, 1)) for f in (BFD, GOLD)],
        *[(f, ["-i"], (UNKNOWN, None, 1)) for f in (LLD, MOLD)],
        *[(f, ["-Ur"], ("relocatable", None, 1)) for f in FLAVOURS],
        # Shared, pie.
        *[
            (f, [sp], ("shared", None, 1))
            for f in FLAVOURS
            for sp in ("-shared", "--shared", "-Bshareable")
        ],
        *[(f, [sp], ("pie", None, 1)) for f in FLAVOURS for sp in ("-pie", "--pie")],
        *[(f, ["--no-dynamic-linker"], ("no-dynamic-linker", None, 1)) for f in (BFD, LLD, MOLD)],
        (GOLD, ["--no-dynamic-linker"], (UNKNOWN, None, 1)),
        (GOLD, ["-no-dynamic-linker"], ("output", "-dynamic-linker", 1)),
        # Queries.
        *[(f, [sp], ("version", None, 1)) for f in FLAVOURS for sp in ("--version", "-v")],
        *[(f, ["--help"], ("help", None, 1)) for f in FLAVOURS],
        # New dtags.
        *[(f, ["--disable-new-dtags"], ("disable-new-dtags", None, 1)) for f in FLAVOURS],
        *[(f, ["-enable-new-dtags"], ("enable-new-dtags", None, 1)) for f in FLAVOURS],
        (GOLD, ["-disable-new-dtags"], (UNKNOWN, None, 1)),
        # Inputs.
        *[(f, ["/x/libz.so.1"], (None, "/x/libz.so.1", 1)) for f in FLAVOURS],
        *[(f, ["-"], (None, "-", 1)) for f in FLAVOURS],
        *[(f, ["--"], ("--", None, 1)) for f in FLAVOURS],
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_classify(flavour: str, args: list[str], expected: tuple[object, ...]) -> None:
    assert classify(flavour, [*args, "next.o"], 0) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # getopt_long_only: a unique prefix of a long name is that name, and takes its value.
        (["-son", "X"], ("soname", "X", 2)),
        (["--son", "X"], ("soname", "X", 2)),
        (["--son=X"], ("soname", "X", 1)),
        (["--rpath-l", "X"], ("rpath-link", "X", 2)),
        (["--rpath-l=X"], ("rpath-link", "X", 1)),
        (["-Ma", "X"], ("Map", "X", 2)),
        (["--Ma", "X"], ("Map", "X", 2)),
        (["--M", "X"], ("Map", "X", 2)),
        (["-Bst"], ("Bstatic", None, 1)),
        (["--version-s", "F"], ("version-script", "F", 2)),
        (["--library-p", "D"], ("library-path", "D", 2)),
        (["-ent", "X"], ("entry", "X", 2)),  # not -e nt
        (["-Tb", "X"], ("Tbss", "X", 2)),  # not -T b
        (["-uni"], ("unique", None, 1)),
        (["-hel"], ("help", None, 1)),
        (["--out", "F"], ("out-implib", "F", 2)),  # output is two-dash-only: tried second
        (["-orphan-handling", "warn"], ("orphan-handling", "warn", 2)),
        # Ambiguous abbreviations are errors in bfd: nothing consumed.
        *[
            ([sp, "X"], (UNKNOWN, None, 1))
            for sp in ("-rp", "-un", "-ex", "-hash", "-so", "-dyn", "-dynamic-l", "-as", "--o")
        ],
        # Two-dash-only names: one dash falls back to the short option.
        (["-output", "F"], ("output", "utput", 1)),
        (["-omagic"], ("output", "magic", 1)),
        (["--omagic"], ("omagic", None, 1)),
        (["-export-dynamic-symbol", "S"], ("e", "xport-dynamic-symbol", 1)),
        (["--export-dynamic-symbol", "S"], ("export-dynamic-symbol", "S", 2)),
        (["-mri-script", "X"], ("m", "ri-script", 1)),
        # -G: small-data size before a digit, else --shared.
        (["-G", "8"], ("G", "8", 2)),
        (["-G8"], ("G", "8", 1)),
        (["-G", "x.o"], ("shared", None, 1)),
        (["-G"], ("shared", None, 1)),
        # Flag clusters still parse (with a deprecation warning in bfd).
        (["-sS"], ("-sS", None, 1)),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_bfd_specials(args: list[str], expected: tuple[object, ...]) -> None:
    assert classify(BFD, [*args, "next.o"] if len(args) == 1 else args, 0) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # An unknown single-dash word is split into short options.
        (["-so", "X"], ("output", "X", 2)),
        (["-son", "X"], ("output", "n", 1)),
        (["-sonamelibx.so.1"], ("output", "namelibx.so.1", 1)),
        (["-Sh", "X"], ("soname", "X", 2)),
        (["-dT", "X"], ("script", "X", 2)),
        (["-dll"], ("library", "l", 1)),
        (["-depaudit", "X"], ("e", "paudit", 1)),
        (["-output", "F"], ("output", "F", 2)),  # gold alone has -output
        (["-G", "8"], ("shared", None, 1)),  # a flag: 8 is an input
        (["-G"], ("shared", None, 1)),
        (["-G8"], (UNKNOWN, None, 1)),
        # No abbreviations.
        (["--son", "X"], (UNKNOWN, None, 1)),
        (["--rpath-l", "X"], (UNKNOWN, None, 1)),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_gold_specials(args: list[str], expected: tuple[object, ...]) -> None:
    assert classify(GOLD, args, 0) == expected


@pytest.mark.parametrize(
    ("flavour", "args", "expected"),
    [
        # lld: an unknown single-dash word starting with a JoinedOrSeparate letter is that
        # letter with a joined value.
        (LLD, ["-export-dynamic-symbol", "X"], ("e", "xport-dynamic-symbol", 1)),
        (LLD, ["-lto-emit-asm"], ("library", "to-emit-asm", 1)),
        (LLD, ["-undefined-glob"], ("u", "ndefined-glob", 1)),
        (LLD, ["-hash-size"], ("soname", "ash-size", 1)),
        (LLD, ["-omagic"], ("output", "magic", 1)),
        (LLD, ["-output", "F"], ("output", "utput", 1)),
        (LLD, ["-G", "x.o"], ("G", "x.o", 2)),  # consumed and ignored
        (LLD, ["-b", "binary"], ("b", "binary", 2)),
        (LLD, ["-bbinary"], (UNKNOWN, None, 1)),  # Separate only
        (LLD, ["-Flib.so"], (UNKNOWN, None, 1)),
        (LLD, ["--threads", "2"], ("threads", "2", 2)),
        (LLD, ["-orphan-handling", "warn"], ("orphan-handling", "warn", 2)),
        (LLD, ["--son", "X"], (UNKNOWN, None, 1)),  # no abbreviations
        # mold: single letters win over these single-dash long names.
        (MOLD, ["-entry", "X"], ("e", "ntry", 1)),
        (MOLD, ["-undefined", "X"], ("u", "ndefined", 1)),
        (MOLD, ["-filter", "X"], ("f", "ilter", 1)),
        (MOLD, ["-max-cache-size"], ("m", "ax-cache-size", 1)),
        (MOLD, ["-mllvm"], ("m", "llvm", 1)),
        (MOLD, ["-orphan-handling", "X"], ("output", "rphan-handling", 1)),
        (MOLD, ["-output", "F"], ("output", "utput", 1)),
        (MOLD, ["-C", "dir"], ("C", "dir", 2)),
        (MOLD, ["--unique", "x"], ("unique", "x", 2)),
        (MOLD, ["-G", "8"], (UNKNOWN, None, 1)),
        (MOLD, ["--son", "X"], (UNKNOWN, None, 1)),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_lld_and_mold_specials(flavour: str, args: list[str], expected: tuple[object, ...]) -> None:
    assert classify(flavour, args, 0) == expected


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_option_at_the_end_takes_no_value_and_does_not_crash(flavour: str) -> None:
    for opt in ("-L", "-l", "-soname", "--library-path", "-rpath", "-o", "-m"):
        name, value, used = classify(flavour, ["a.o", opt], 1)
        assert (value, used) == (None, 1) and name is not None


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_walk_over_a_gcc_link_line_finds_every_input(flavour: str) -> None:
    args = [
        "-plugin",
        "/usr/lib/gcc/x86_64-linux-gnu/12/liblto_plugin.so",
        "-plugin-opt=/usr/lib/gcc/x86_64-linux-gnu/12/lto-wrapper",
        "--build-id",
        "--eh-frame-hdr",
        "-m",
        "elf_x86_64",
        "--hash-style=gnu",
        "--as-needed",
        "-dynamic-linker",
        "/lib64/ld-linux-x86-64.so.2",
        "-pie",
        "-o",
        "a.out",
        "Scrt1.o",
        "-L/s/lib",
        "m.o",
        "-rpath",
        "/zz",
        "-lm",
        "--push-state",
        "--as-needed",
        "-lgcc_s",
        "--pop-state",
        "crtn.o",
    ]
    inputs = []
    i = 0
    while i < len(args):
        name, value, used = classify(flavour, args, i)
        if name is None:
            inputs.append(value)
        i += used
    assert inputs == ["Scrt1.o", "m.o", "crtn.o"]


@pytest.mark.parametrize(
    ("flavour", "spelling", "expected"), LETTER_LIKE, ids=[f"{f}:{s}" for f, s, _ in LETTER_LIKE]
)
def test_multi_letter_option_starting_with_a_value_letter(
    flavour: str, spelling: str, expected: tuple[object, ...]
) -> None:
    assert classify(flavour, [spelling, "V", "x.o"], 0) == expected


def test_gold_el_before_the_emulation_keeps_the_emulation() -> None:
    # gcc for aarch64 passes `-X -EL -maarch64linux`: the emulation must stay an option.
    args = ["-X", "-EL", "-maarch64linux", "-o", "a", "app.o"]
    assert [classify(GOLD, args, i) for i in (0, 1, 2)] == [
        ("X", None, 1),
        ("EL", None, 1),
        ("m", "aarch64linux", 1),
    ]
