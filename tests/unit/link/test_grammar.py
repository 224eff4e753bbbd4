"""The option grammar of bfd, gold, lld and mold: which element is a value, which an input.

Table-driven. The long-option table below is transcribed from the project's grammar
reference (measured on binutils 2.40, lld 14, mold 1.10): a cell lists the dash counts with
which `-name VALUE` consumes the next element ("1": `-name`, "2": `--name`, "-": neither).
It is kept apart from `_grammar_data.py` on purpose, so that the two can disagree. (gold's
`-dT X` is the cluster `-d -T X`, so it consumes too.)
"""

from __future__ import annotations

import pytest

from ldwrap.link.grammar import BFD, FLAVOURS, GOLD, LLD, MOLD, UNKNOWN, classify

# name                                bfd  gold lld  mold
REFERENCE = """
android-memtag-mode                   -    -    -    -
assert                                12   12   -    -
audit                                 12   -    -    -
auxiliary                             12   12   12   12
build-id-chunk-size-for-treehash      -    12   -    -
build-id-min-file-size-for-treehash   -    12   -    -
call-graph-ordering-file              -    -    12   -
chroot                                -    -    2    12
compress-debug-sections               12   12   12   12
ctf-share-types                       12   -    -    -
debug                                 -    12   -    -
default-script                        12   -    -    -
defsym                                12   12   12   12
depaudit                              12   -    -    -
dependency-file                       12   12   2    12
directory                             -    -    -    12
dT                                    12   1    -    -
dynamic-linker                        12   12   12   12
dynamic-list                          12   12   12   12
entry                                 12   12   12   2
error-handling-script                 12   -    2    -
error-limit                           -    -    12   -
exclude-libs                          12   12   12   12
export-dynamic-symbol                 2    12   2    2
export-dynamic-symbol-list            2    -    2    2
filter                                12   12   12   2
fini                                  12   12   12   12
flto-partition                        12   -    -    -
format                                12   12   12   12
fuse-ld                               12   12   -    -
gpsize                                12   -    -    -
hash-bucket-empty-fraction            -    12   -    -
hash-size                             12   -    -    -
hash-style                            12   12   12   12
icf                                   -    12   -    12
icf-iterations                        -    12   -    -
ignore-unresolved-symbol              12   -    -    -
image-base                            -    -    2    12
incremental-base                      -    12   -    -
incremental-patch                     -    12   -    -
init                                  12   12   12   12
just-symbols                          12   12   12   -
keep-unique                           -    12   12   -
library                               2    12   12   -
library-path                          2    12   12   12
load-pass-plugin                      -    -    -    -
lto-cs-profile-file                   -    -    -    12
lto-partitions                        -    -    -    12
lto-sample-profile                    -    -    -    12
Map                                   12   12   12   12
max-cache-size                        2    -    -    2
mips-got-size                         -    -    12   -
mllvm                                 -    -    12   -
mri-script                            2    -    -    -
oformat                               2    2    2    2
opt-remarks-filename                  -    -    2    2
opt-remarks-format                    -    -    2    2
opt-remarks-hotness-threshold         -    -    2    2
opt-remarks-passes                    -    -    2    2
optimize                              -    1    -    -
orphan-handling                       12   12   12   -
out-implib                            12   -    -    -
pack-dyn-relocs                       -    -    2    -
package-metadata                      -    -    -    12
plugin                                12   12   12   12
plugin-opt                            12   12   12   12
print-symbol-counts                   -    12   -    -
print-symbol-order                    -    -    12   -
reproduce                             -    -    2    -
require-defined                       12   -    -    12
retain-symbols-file                   12   12   12   12
rosegment-gap                         -    12   -    -
rpath                                 12   12   12   12
rpath-link                            12   12   12   12
rsp-quoting                           -    -    2    -
script                                12   12   12   12
section-ordering-file                 -    12   -    -
section-start                         12   12   12   12
shuffle-sections                      -    -    2    -
soname                                12   12   12   12
sort-section                          12   12   12   12
spare-dynamic-tags                    12   12   -    12
split-stack-adjust-size               -    12   12   -
stub-group-size                       -    12   -    -
symbol-ordering-file                  -    -    2    -
sysroot                               12   12   12   12
target2                               -    12   12   -
task-link                             12   -    -    -
Tbss                                  12   12   12   12
Tdata                                 12   12   12   12
thinlto-cache-dir                     -    -    -    12
thinlto-cache-policy                  -    -    2    12
thinlto-jobs                          -    -    -    12
thread-count                          -    12   -    12
thread-count-final                    -    12   -    -
thread-count-initial                  -    12   -    -
thread-count-middle                   -    12   -    -
threads                               -    -    2    -
time-trace-granularity                -    -    2    -
Tldata-segment                        12   -    -    -
trace-symbol                          12   12   12   12
Trodata-segment                       12   12   -    -
Ttext                                 12   12   12   12
Ttext-segment                         12   12   12   -
undefined                             12   12   12   2
undefined-glob                        -    -    2    -
unique                                -    -    -    12
unresolved-symbols                    12   12   12   12
version-exports-section               12   -    -    -
version-script                        12   12   12   12
warn-backrefs-exclude                 -    -    2    -
wrap                                  12   12   12   12
"""

# Cells the reference marks "-" because the linker rejects the option outright (so no value
# can be misread either way): lld 16-only names under lld 14, and mold 1.10's missing
# --library (a fatal "unknown option" in mold).
REJECTED = {(LLD, "android-memtag-mode"), (LLD, "load-pass-plugin"), (MOLD, "library")}


def _rows() -> list[tuple[str, dict[str, str]]]:
    rows = []
    for line in REFERENCE.strip().splitlines():
        name, *cells = line.split()
        rows.append((name, dict(zip(FLAVOURS, cells))))
    return rows


ROWS = _rows()
VALUE = "-L/evil/lib"  # a value that would be a disaster if read as a -L


def _long_cases() -> list[object]:
    cases: list[object] = []
    for name, cells in ROWS:
        for flavour in FLAVOURS:
            if (flavour, name) in REJECTED:
                continue
            for dashes in (1, 2):
                consumes = str(dashes) in cells[flavour]
                cases.append(
                    pytest.param(
                        flavour, "-" * dashes + name, consumes, id=f"{flavour}:{'-' * dashes}{name}"
                    )
                )
    return cases


@pytest.mark.parametrize(("flavour", "spelling", "consumes"), _long_cases())
def test_long_option_consumes_next_element_exactly_when_the_linker_does(
    flavour: str, spelling: str, consumes: bool
) -> None:
    name, value, used = classify(flavour, [spelling, VALUE, "x.o"], 0)
    if consumes:
        assert (used, value) == (2, VALUE)
        # Only --library / --library-path themselves may name their value a library (path).
        assert name is not None
        assert name not in ("library-path", "library") or name == spelling.lstrip("-")
    else:
        assert used == 1
        assert value != VALUE


def _eq_cases() -> list[object]:
    cases: list[object] = []
    for name, cells in ROWS:
        for flavour in FLAVOURS:
            for dashes in (1, 2):
                if str(dashes) in cells[flavour] and (flavour, name) != (GOLD, "dT"):
                    cases.append(
                        pytest.param(
                            flavour, "-" * dashes + name, id=f"{flavour}:{'-' * dashes}{name}="
                        )
                    )
    return cases


@pytest.mark.parametrize(("flavour", "spelling"), _eq_cases())
def test_long_option_with_equals_takes_its_value_from_the_same_element(
    flavour: str, spelling: str
) -> None:
    name, value, used = classify(flavour, [spelling + "=/v/libx.so", VALUE], 0)
    assert (value, used) == ("/v/libx.so", 1)
    assert name is not None


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


# Multi-letter options that begin with a letter taking a value (or, in bfd and gold, a flag
# letter that may start a group): read whole, or as that letter with the rest as its value?
# Each row was measured by running the linker on `-shared -o out.so SPELLING sent.o` and
# reading which file it wrote, which library or emulation it could not find, and what it
# consumed. `-EL` comes from gcc's aarch64 link line: `-X -EL -maarch64linux`.
LETTER_LIKE = [
    # -EB / -EL: one option in every linker (mold knows only -EL), never `-E -L next`.
    *[(f, sp, (sp.lstrip("-"), None, 1)) for f in FLAVOURS for sp in ("-EL", "--EL")],
    *[(f, sp, (sp.lstrip("-"), None, 1)) for f in (BFD, GOLD, LLD) for sp in ("-EB", "--EB")],
    *[(MOLD, sp, (UNKNOWN, None, 1)) for sp in ("-EB", "--EB")],
    # gold reads every long name of its --help whole after one dash, but -oformat and -omagic.
    (GOLD, "-nostdlib", ("nostdlib", None, 1)),
    (GOLD, "-noinhibit-exec", ("noinhibit-exec", None, 1)),
    (GOLD, "-no-add-needed", ("no-add-needed", None, 1)),
    (GOLD, "-threads", ("threads", None, 1)),
    (GOLD, "-tls-optimize", ("tls-optimize", None, 1)),
    (GOLD, "-ld-generated-unwind-info", ("ld-generated-unwind-info", None, 1)),
    (GOLD, "-long-plt", ("long-plt", None, 1)),
    (GOLD, "-map-whole-files", ("map-whole-files", None, 1)),
    (GOLD, "-mmap-output-file", ("mmap-output-file", None, 1)),
    (GOLD, "-optimize", ("optimize", "V", 2)),
    (GOLD, "-oformat", ("output", "format", 1)),
    (GOLD, "-omagic", ("output", "magic", 1)),
    (GOLD, "-no-omagic", ("no-omagic", None, 1)),
    # bfd: -lX and -mX are taken before parsing, whatever follows the letter.
    (BFD, "-ld-generated-unwind-info", ("library", "d-generated-unwind-info", 1)),
    (BFD, "-large-address-aware", ("library", "arge-address-aware", 1)),
    (BFD, "-map-whole-files", ("m", "ap-whole-files", 1)),
    (BFD, "-max-cache-size", ("m", "ax-cache-size", 1)),
    (BFD, "-major-image-version", ("m", "ajor-image-version", 1)),
    (BFD, "-major-os-version", ("m", "ajor-os-version", 1)),
    (BFD, "-major-subsystem-version", ("m", "ajor-subsystem-version", 1)),
    (BFD, "-minor-image-version", ("m", "inor-image-version", 1)),
    (BFD, "-minor-os-version", ("m", "inor-os-version", 1)),
    (BFD, "-minor-subsystem-version", ("m", "inor-subsystem-version", 1)),
    (BFD, "-mri-script", ("m", "ri-script", 1)),
    (BFD, "-oformat", ("output", "format", 1)),
    (BFD, "-omagic", ("output", "magic", 1)),
    (BFD, "-output", ("output", "utput", 1)),
    (BFD, "-output-def", ("output", "utput-def", 1)),
    (BFD, "-orphan-handling", ("orphan-handling", "V", 2)),
    (BFD, "-out-implib", ("out-implib", "V", 2)),
    (BFD, "-hash-size", ("hash-size", "V", 2)),
    (BFD, "-hash-style", ("hash-style", "V", 2)),
    (BFD, "-help", ("help", None, 1)),
    (BFD, "-library", ("library", "ibrary", 1)),
    (BFD, "-library-path", ("library", "ibrary-path", 1)),
    (BFD, "-as-needed", ("as-needed", None, 1)),
    (BFD, "-accept-unknown-input-arch", ("accept-unknown-input-arch", None, 1)),
    (BFD, "-allow-multiple-definition", ("allow-multiple-definition", None, 1)),
    (BFD, "-allow-shlib-undefined", ("allow-shlib-undefined", None, 1)),
    (BFD, "-assert", ("assert", "V", 2)),
    (BFD, "-audit", ("audit", "V", 2)),
    (BFD, "-auxiliary", ("auxiliary", "V", 2)),
    # lld: both-prefix names are whole; lld-only (`--`) names are the letter and a value.
    (LLD, "-merge-exidx-entries", ("merge-exidx-entries", None, 1)),
    (LLD, "-mmap-output-file", ("m", "map-output-file", 1)),
    (LLD, "-mllvm", ("mllvm", "V", 2)),
    (LLD, "-eh-frame-hdr", ("eh-frame-hdr", None, 1)),
    (LLD, "-export-dynamic", ("export-dynamic", None, 1)),
    (LLD, "-execute-only", ("e", "xecute-only", 1)),
    (LLD, "-error-handling-script", ("e", "rror-handling-script", 1)),
    (LLD, "-build-id", ("build-id", None, 1)),
    (LLD, "-library", ("library", "V", 2)),
    (LLD, "-library-path", ("library-path", "V", 2)),
    *[
        (LLD, "-" + n, ("library", n[1:], 1))
        for n in (
            "lto-O",
            "lto-aa-pipeline",
            "lto-basic-block-sections",
            "lto-cs-profile-file",
            "lto-cs-profile-generate",
            "lto-debug-pass-manager",
            "lto-emit-asm",
            "lto-legacy-pass-manager",
            "lto-newpm-passes",
            "lto-partitions",
            "lto-pgo-warn-mismatch",
            "lto-sample-profile",
            "lto-unique-basic-block-section-names",
            "lto-whole-program-visibility",
        )
    ],
    *[
        (LLD, "-" + n, ("output", n[1:], 1))
        for n in (
            "oformat",
            "omagic",
            "opt-remarks-filename",
            "opt-remarks-format",
            "opt-remarks-hotness-threshold",
            "opt-remarks-passes",
            "opt-remarks-with-hotness",
            "optimize-bb-jumps",
            "output",
        )
    ],
    (LLD, "-orphan-handling", ("orphan-handling", "V", 2)),
    (LLD, "-hash-style", ("hash-style", "V", 2)),
    (LLD, "-help", ("help", None, 1)),
    (LLD, "-as-needed", ("as-needed", None, 1)),
    (LLD, "-auxiliary", ("auxiliary", "V", 2)),
    (MOLD, "-oformat", ("output", "format", 1)),
    (MOLD, "-omagic", ("output", "magic", 1)),
    (MOLD, "-output", ("output", "utput", 1)),
    (MOLD, "-library-path", ("library-path", "V", 2)),
    (MOLD, "-hash-style", ("hash-style", "V", 2)),
    (MOLD, "-help", ("help", None, 1)),
    (MOLD, "-as-needed", ("as-needed", None, 1)),
    (MOLD, "-auxiliary", ("auxiliary", "V", 2)),
    *[(f, sp, (sp.lstrip("-"), "V", 2)) for f in FLAVOURS for sp in ("-Tbss", "-Tdata", "-Ttext")],
]


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


LINKER_OF = {BFD: "ld.bfd", GOLD: "ld.gold", LLD: "ld.lld", MOLD: "mold"}
# Letters that take a value and name something the shim acts on: a wrong split there changes
# the decision (lld has no -a or -I, mold no -a).
TRACKED = {BFD: "lLomhRITa", LLD: "lLomhRT", MOLD: "lLomhRIT"}
# bfd names that only PE emulations know, or that bfd 2.40 cannot disambiguate: bfd rejects
# them under ELF, so the link fails whichever way they are read.
BFD_REJECTS = {"heap", "add-stdcall-alias", "architecture", "image-base"}


def _help_names(linker: str) -> set[str]:
    """The option names (without dashes) the installed linker's --help lists."""
    import re
    import subprocess

    text = subprocess.run([linker, "--help"], capture_output=True, text=True, check=False).stdout
    names: set[str] = set()
    for line in text.splitlines():
        head = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]
        for part in head.split(", "):
            m = re.match(r"^-{1,2}([A-Za-z0-9][A-Za-z0-9_-]*[A-Za-z0-9])", part.strip())
            if m:
                names.add(m.group(1))
    return names


# Per flavour: the names the reference table above says take a separate value.
SEPARATE_ROWS = {f: {n for n, cells in ROWS if cells[f] != "-"} for f in FLAVOURS}


@pytest.mark.parametrize("flavour", (BFD, LLD, MOLD))
def test_every_help_option_on_a_tracked_letter_is_in_a_table(flavour: str) -> None:
    # The installed linker's own --help: a new option on l, L, o, m, h, R, I, T or a must get
    # a measured row before the shim reads it. (gold: every name, in the test below.)
    listed = {s.lstrip("-") for f, s, _ in LETTER_LIKE if f == flavour}
    names = _help_names(LINKER_OF[flavour])
    assert len(names) > 100  # the help text was read
    missing = {n for n in names if n[0] in TRACKED[flavour]} - listed - SEPARATE_ROWS[flavour]
    if flavour == BFD:
        missing -= BFD_REJECTS
    assert missing == set()


def test_gold_reads_every_long_name_of_its_help_whole() -> None:
    # gold splits an unknown one-dash word into short options (`-so X` is `-s -o X`), but every
    # name its --help lists it reads whole, except the two it knows only with two dashes and
    # one it does not know with one.
    split = {"oformat": ("output", "format", 1), "omagic": ("output", "magic", 1)}
    aliases = {"Bshareable": "shared", "dn": "Bstatic", "dy": "Bdynamic", "pic-executable": "pie"}
    # `-output F` is gold's alone (the reference table lists the names shared with others).
    consuming = {n for n in SEPARATE_ROWS[GOLD] if "1" in dict(ROWS)[n][GOLD]} | {"output"}
    wrong = {}
    for n in sorted(_help_names("ld.gold")):
        got = classify(GOLD, ["-" + n, "V", "x.o"], 0)
        if n in split:
            want: tuple[object, ...] = split[n]
        elif n == "disable-new-dtags":
            want = (UNKNOWN, None, 1)
        elif n in consuming:
            want = (n, "V", 2)
        else:
            want = (aliases.get(n, n), None, 1)
        if got != want:
            wrong[n] = got
    assert wrong == {}
