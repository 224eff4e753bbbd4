"""The option grammar of bfd, gold, lld and mold as measured on the linkers themselves
(binutils 2.40, lld 14, mold 1.10; the project's grammar reference), transcribed by hand and
kept apart from `ldwrap/link/_grammar_data.py` on purpose, so that the two can disagree.
The unit tests check `classify` against these tables (tests/unit/link/test_grammar.py); an
integration test checks the tables against each installed linker's --help
(tests/integration/grammar/).

- REFERENCE / ROWS: the long options; a cell lists the dash counts with which `-name VALUE`
  consumes the next element ("1": `-name`, "2": `--name`, "-": neither). (gold's `-dT X` is
  the cluster `-d -T X`, so it consumes too.)
- LETTER_LIKE: multi-letter options that begin with a letter taking a value.
- SEPARATE_ROWS: per flavour, the names the reference says take a separate value.
"""

from __future__ import annotations

from ldwrap.link.grammar import BFD, FLAVOURS, GOLD, LLD, MOLD, UNKNOWN

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


def _rows() -> list[tuple[str, dict[str, str]]]:
    rows = []
    for line in REFERENCE.strip().splitlines():
        name, *cells = line.split()
        rows.append((name, dict(zip(FLAVOURS, cells))))
    return rows


ROWS = _rows()


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


# Per flavour: the names the reference table above says take a separate value.
SEPARATE_ROWS = {f: {n for n, cells in ROWS if cells[f] != "-"} for f in FLAVOURS}
