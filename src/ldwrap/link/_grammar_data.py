"""Option grammar of GNU ld (bfd), gold, lld and mold, kept as data.

Which options take a separate value decides which argv element is a value and which is an
input, a `-L` or a `-l`. The table comes from running each linker on every spelling; a cell
lists the dash counts with which `-name VALUE` consumes the next element ("1": `-name`, "2":
`--name`).
"""

# name                                  bfd gold lld mold
SEPARATE_TABLE = """
android-memtag-mode                      -   -   2   -
assert                                   12  12  -   -
audit                                    12  -   -   -
auxiliary                                12  12  12  12
build-id-chunk-size-for-treehash         -   12  -   -
build-id-min-file-size-for-treehash      -   12  -   -
call-graph-ordering-file                 -   -   12  -
chroot                                   -   -   2   12
compress-debug-sections                  12  12  12  12
ctf-share-types                          12  -   -   -
debug                                    -   12  -   -
default-script                           12  -   -   -
defsym                                   12  12  12  12
depaudit                                 12  -   -   -
dependency-file                          12  12  2   12
directory                                -   -   -   12
dT                                       12  -   -   -
dynamic-linker                           12  12  12  12
dynamic-list                             12  12  12  12
entry                                    12  12  12  2
error-handling-script                    12  -   2   -
error-limit                              -   -   12  -
exclude-libs                             12  12  12  12
export-dynamic-symbol                    2   12  2   2
export-dynamic-symbol-list               2   -   2   2
filter                                   12  12  12  2
fini                                     12  12  12  12
flto-partition                           12  -   -   -
format                                   12  12  12  12
fuse-ld                                  12  12  -   -
gpsize                                   12  -   -   -
hash-bucket-empty-fraction               -   12  -   -
hash-size                                12  -   -   -
hash-style                               12  12  12  12
icf                                      -   12  -   12
icf-iterations                           -   12  -   -
ignore-unresolved-symbol                 12  -   -   -
image-base                               -   -   2   12
incremental-base                         -   12  -   -
incremental-patch                        -   12  -   -
init                                     12  12  12  12
just-symbols                             12  12  12  -
keep-unique                              -   12  12  -
library                                  2   12  12  2
library-path                             2   12  12  12
load-pass-plugin                         -   -   2   -
lto-cs-profile-file                      -   -   -   12
lto-partitions                           -   -   -   12
lto-sample-profile                       -   -   -   12
Map                                      12  12  12  12
max-cache-size                           2   -   -   2
mips-got-size                            -   -   12  -
mllvm                                    -   -   12  -
mri-script                               2   -   -   -
oformat                                  2   2   2   2
opt-remarks-filename                     -   -   2   2
opt-remarks-format                       -   -   2   2
opt-remarks-hotness-threshold            -   -   2   2
opt-remarks-passes                       -   -   2   2
orphan-handling                          12  12  12  -
out-implib                               12  -   -   -
output                                   2   12  2   2
pack-dyn-relocs                          -   -   2   -
package-metadata                         -   -   -   12
plugin                                   12  12  12  12
plugin-opt                               12  12  12  12
print-symbol-counts                      -   12  -   -
print-symbol-order                       -   -   12  -
reproduce                                -   -   2   -
require-defined                          12  -   -   12
retain-symbols-file                      12  12  12  12
rosegment-gap                            -   12  -   -
rpath                                    12  12  12  12
rpath-link                               12  12  12  12
rsp-quoting                              -   -   2   -
script                                   12  12  12  12
section-ordering-file                    -   12  -   -
section-start                            12  12  12  12
shuffle-sections                         -   -   2   -
soname                                   12  12  12  12
sort-section                             12  12  12  12
spare-dynamic-tags                       12  12  -   12
split-stack-adjust-size                  -   12  12  -
stub-group-size                          -   12  -   -
symbol-ordering-file                     -   -   2   -
sysroot                                  12  12  12  12
target2                                  -   12  12  -
task-link                                12  -   -   -
Tbss                                     12  12  12  12
Tdata                                    12  12  12  12
thinlto-cache-dir                        -   -   -   12
thinlto-cache-policy                     -   -   2   12
thinlto-jobs                             -   -   -   12
thread-count                             -   12  -   12
thread-count-final                       -   12  -   -
thread-count-initial                     -   12  -   -
thread-count-middle                      -   12  -   -
threads                                  -   -   2   -
time-trace-granularity                   -   -   2   -
Tldata-segment                           12  -   -   -
trace-symbol                             12  12  12  12
Trodata-segment                          12  12  -   -
Ttext                                    12  12  12  12
Ttext-segment                            12  12  12  -
undefined                                12  12  12  2
undefined-glob                           -   -   2   -
unique                                   -   -   -   12
unresolved-symbols                       12  12  12  12
version-exports-section                  12  -   -   -
version-script                           12  12  12  12
warn-backrefs-exclude                    -   -   2   -
wrap                                     12  12  12  12
"""

# Every long option name GNU ld 2.40 knows under its ELF emulations (from `ld.bfd --help`).
# Only needed to copy getopt_long_only's unique-prefix abbreviations (`-son X` is `-soname X`).
BFD_LONG_NAMES = """
Bdynamic Bgroup Bno-symbolic Bshareable Bstatic Bsymbolic Bsymbolic-functions EB EL Map Qy Tbss
Tdata Tldata-segment Trodata-segment Ttext Ttext-segment Ur accept-unknown-input-arch add-
stdcall-alias allow-multiple-definition allow-shlib-undefined architecture as-needed assert
audit auxiliary build-id call_shared check-sections compat-implib compress-debug-sections copy-
dt-needed-entries cref ctf-share-types ctf-variables dT dc default-imported-symver default-
script default-symver defsym demangle depaudit dependency-file disable-auto-image-base disable-
auto-import disable-large-address-aware disable-long-section-names disable-multiple-abs-defs
disable-new-dtags disable-reloc-section disable-runtime-pseudo-reloc disable-stdcall-fixup
discard-all discard-locals discard-none dll dn dp dy dynamic-linker dynamic-list dynamic-list-
cpp-new dynamic-list-cpp-typeinfo dynamic-list-data eh-frame-hdr embedded-relocs emit-relocs
enable-auto-image-base enable-auto-import enable-extra-pe-debug enable-extra-pep-debug enable-
long-section-names enable-new-dtags enable-non-contiguous-regions enable-non-contiguous-regions-
warnings enable-reloc-section enable-runtime-pseudo-reloc enable-stdcall-fixup end-group entry
error-handling-script error-unresolved-symbols exclude-all-symbols exclude-libs export-all-
symbols export-dynamic export-dynamic-symbol export-dynamic-symbol-list fatal-warnings filter
fini flto flto-partition force-exe-suffix force-group-allocation format fuse-ld gc-keep-exported
gc-sections gpsize hash-size hash-style help ignore-unresolved-symbol init just-symbols kill-at
large-address-aware ld-generated-unwind-info library library-path map-whole-files max-cache-size
mri-script nmagic no-accept-unknown-input-arch no-allow-shlib-undefined no-as-needed no-check-
sections no-copy-dt-needed-entries no-ctf-variables no-define-common no-demangle no-dynamic-
linker no-eh-frame-hdr no-export-dynamic no-fatal-warnings no-gc-sections no-keep-memory no-ld-
generated-unwind-info no-map-whole-files no-omagic no-pie no-print-gc-sections no-print-map-
discarded no-relax no-strip-discarded no-undefined no-undefined-version no-warn-execstack no-
warn-mismatch no-warn-rwx-segments no-warn-search-mismatch no-warnings no-whole-archive
noinhibit-exec non_shared nostdlib oformat omagic orphan-handling out-implib output package-
metadata pic-executable pie plugin plugin-opt pop-state print-gc-sections print-map print-map-
discarded print-memory-usage print-output-format print-sysroot push-state qmagic reduce-memory-
overheads relax relocatable require-defined retain-symbols-file rpath rpath-link script section-
start shared soname sort-common sort-section spare-dynamic-tags split-by-file split-by-reloc
start-group static stats strip-all strip-debug strip-discarded support-old-code sysroot target-
help task-link trace trace-symbol traditional-format undefined undefined-version unique
unresolved-symbols verbose version version-exports-section version-script warn-alternate-em
warn-common warn-constructors warn-duplicate-exports warn-execstack warn-multiple-gp warn-once
warn-rwx-segments warn-section-align warn-textrel warn-unresolved-symbols whole-archive wrap
"""


# The table above as sets, precomputed: parsing it costs 0.16 ms, on every link. A unit test
# checks that these are exactly the table's (and prints the new text when they are not).
# Flavour -> options that take a separate value after one dash (`-name VALUE`).
SEPARATE_ONE_DASH = {
    "bfd": frozenset(
        (
            "Map",
            "Tbss",
            "Tdata",
            "Tldata-segment",
            "Trodata-segment",
            "Ttext",
            "Ttext-segment",
            "assert",
            "audit",
            "auxiliary",
            "compress-debug-sections",
            "ctf-share-types",
            "dT",
            "default-script",
            "defsym",
            "depaudit",
            "dependency-file",
            "dynamic-linker",
            "dynamic-list",
            "entry",
            "error-handling-script",
            "exclude-libs",
            "filter",
            "fini",
            "flto-partition",
            "format",
            "fuse-ld",
            "gpsize",
            "hash-size",
            "hash-style",
            "ignore-unresolved-symbol",
            "init",
            "just-symbols",
            "orphan-handling",
            "out-implib",
            "plugin",
            "plugin-opt",
            "require-defined",
            "retain-symbols-file",
            "rpath",
            "rpath-link",
            "script",
            "section-start",
            "soname",
            "sort-section",
            "spare-dynamic-tags",
            "sysroot",
            "task-link",
            "trace-symbol",
            "undefined",
            "unresolved-symbols",
            "version-exports-section",
            "version-script",
            "wrap",
        )
    ),
    "gold": frozenset(
        (
            "Map",
            "Tbss",
            "Tdata",
            "Trodata-segment",
            "Ttext",
            "Ttext-segment",
            "assert",
            "auxiliary",
            "build-id-chunk-size-for-treehash",
            "build-id-min-file-size-for-treehash",
            "compress-debug-sections",
            "debug",
            "defsym",
            "dependency-file",
            "dynamic-linker",
            "dynamic-list",
            "entry",
            "exclude-libs",
            "export-dynamic-symbol",
            "filter",
            "fini",
            "format",
            "fuse-ld",
            "hash-bucket-empty-fraction",
            "hash-style",
            "icf",
            "icf-iterations",
            "incremental-base",
            "incremental-patch",
            "init",
            "just-symbols",
            "keep-unique",
            "library",
            "library-path",
            "orphan-handling",
            "output",
            "plugin",
            "plugin-opt",
            "print-symbol-counts",
            "retain-symbols-file",
            "rosegment-gap",
            "rpath",
            "rpath-link",
            "script",
            "section-ordering-file",
            "section-start",
            "soname",
            "sort-section",
            "spare-dynamic-tags",
            "split-stack-adjust-size",
            "stub-group-size",
            "sysroot",
            "target2",
            "thread-count",
            "thread-count-final",
            "thread-count-initial",
            "thread-count-middle",
            "trace-symbol",
            "undefined",
            "unresolved-symbols",
            "version-script",
            "wrap",
        )
    ),
    "lld": frozenset(
        (
            "Map",
            "Tbss",
            "Tdata",
            "Ttext",
            "Ttext-segment",
            "auxiliary",
            "call-graph-ordering-file",
            "compress-debug-sections",
            "defsym",
            "dynamic-linker",
            "dynamic-list",
            "entry",
            "error-limit",
            "exclude-libs",
            "filter",
            "fini",
            "format",
            "hash-style",
            "init",
            "just-symbols",
            "keep-unique",
            "library",
            "library-path",
            "mips-got-size",
            "mllvm",
            "orphan-handling",
            "plugin",
            "plugin-opt",
            "print-symbol-order",
            "retain-symbols-file",
            "rpath",
            "rpath-link",
            "script",
            "section-start",
            "soname",
            "sort-section",
            "split-stack-adjust-size",
            "sysroot",
            "target2",
            "trace-symbol",
            "undefined",
            "unresolved-symbols",
            "version-script",
            "wrap",
        )
    ),
    "mold": frozenset(
        (
            "Map",
            "Tbss",
            "Tdata",
            "Ttext",
            "auxiliary",
            "chroot",
            "compress-debug-sections",
            "defsym",
            "dependency-file",
            "directory",
            "dynamic-linker",
            "dynamic-list",
            "exclude-libs",
            "fini",
            "format",
            "hash-style",
            "icf",
            "image-base",
            "init",
            "library-path",
            "lto-cs-profile-file",
            "lto-partitions",
            "lto-sample-profile",
            "package-metadata",
            "plugin",
            "plugin-opt",
            "require-defined",
            "retain-symbols-file",
            "rpath",
            "rpath-link",
            "script",
            "section-start",
            "soname",
            "sort-section",
            "spare-dynamic-tags",
            "sysroot",
            "thinlto-cache-dir",
            "thinlto-cache-policy",
            "thinlto-jobs",
            "thread-count",
            "trace-symbol",
            "unique",
            "unresolved-symbols",
            "version-script",
            "wrap",
        )
    ),
}

# Flavour -> options that take a separate value after two dashes (`--name VALUE`).
SEPARATE_TWO_DASHES = {
    "bfd": frozenset(
        (
            "Map",
            "Tbss",
            "Tdata",
            "Tldata-segment",
            "Trodata-segment",
            "Ttext",
            "Ttext-segment",
            "assert",
            "audit",
            "auxiliary",
            "compress-debug-sections",
            "ctf-share-types",
            "dT",
            "default-script",
            "defsym",
            "depaudit",
            "dependency-file",
            "dynamic-linker",
            "dynamic-list",
            "entry",
            "error-handling-script",
            "exclude-libs",
            "export-dynamic-symbol",
            "export-dynamic-symbol-list",
            "filter",
            "fini",
            "flto-partition",
            "format",
            "fuse-ld",
            "gpsize",
            "hash-size",
            "hash-style",
            "ignore-unresolved-symbol",
            "init",
            "just-symbols",
            "library",
            "library-path",
            "max-cache-size",
            "mri-script",
            "oformat",
            "orphan-handling",
            "out-implib",
            "output",
            "plugin",
            "plugin-opt",
            "require-defined",
            "retain-symbols-file",
            "rpath",
            "rpath-link",
            "script",
            "section-start",
            "soname",
            "sort-section",
            "spare-dynamic-tags",
            "sysroot",
            "task-link",
            "trace-symbol",
            "undefined",
            "unresolved-symbols",
            "version-exports-section",
            "version-script",
            "wrap",
        )
    ),
    "gold": frozenset(
        (
            "Map",
            "Tbss",
            "Tdata",
            "Trodata-segment",
            "Ttext",
            "Ttext-segment",
            "assert",
            "auxiliary",
            "build-id-chunk-size-for-treehash",
            "build-id-min-file-size-for-treehash",
            "compress-debug-sections",
            "debug",
            "defsym",
            "dependency-file",
            "dynamic-linker",
            "dynamic-list",
            "entry",
            "exclude-libs",
            "export-dynamic-symbol",
            "filter",
            "fini",
            "format",
            "fuse-ld",
            "hash-bucket-empty-fraction",
            "hash-style",
            "icf",
            "icf-iterations",
            "incremental-base",
            "incremental-patch",
            "init",
            "just-symbols",
            "keep-unique",
            "library",
            "library-path",
            "oformat",
            "orphan-handling",
            "output",
            "plugin",
            "plugin-opt",
            "print-symbol-counts",
            "retain-symbols-file",
            "rosegment-gap",
            "rpath",
            "rpath-link",
            "script",
            "section-ordering-file",
            "section-start",
            "soname",
            "sort-section",
            "spare-dynamic-tags",
            "split-stack-adjust-size",
            "stub-group-size",
            "sysroot",
            "target2",
            "thread-count",
            "thread-count-final",
            "thread-count-initial",
            "thread-count-middle",
            "trace-symbol",
            "undefined",
            "unresolved-symbols",
            "version-script",
            "wrap",
        )
    ),
    "lld": frozenset(
        (
            "Map",
            "Tbss",
            "Tdata",
            "Ttext",
            "Ttext-segment",
            "android-memtag-mode",
            "auxiliary",
            "call-graph-ordering-file",
            "chroot",
            "compress-debug-sections",
            "defsym",
            "dependency-file",
            "dynamic-linker",
            "dynamic-list",
            "entry",
            "error-handling-script",
            "error-limit",
            "exclude-libs",
            "export-dynamic-symbol",
            "export-dynamic-symbol-list",
            "filter",
            "fini",
            "format",
            "hash-style",
            "image-base",
            "init",
            "just-symbols",
            "keep-unique",
            "library",
            "library-path",
            "load-pass-plugin",
            "mips-got-size",
            "mllvm",
            "oformat",
            "opt-remarks-filename",
            "opt-remarks-format",
            "opt-remarks-hotness-threshold",
            "opt-remarks-passes",
            "orphan-handling",
            "output",
            "pack-dyn-relocs",
            "plugin",
            "plugin-opt",
            "print-symbol-order",
            "reproduce",
            "retain-symbols-file",
            "rpath",
            "rpath-link",
            "rsp-quoting",
            "script",
            "section-start",
            "shuffle-sections",
            "soname",
            "sort-section",
            "split-stack-adjust-size",
            "symbol-ordering-file",
            "sysroot",
            "target2",
            "thinlto-cache-policy",
            "threads",
            "time-trace-granularity",
            "trace-symbol",
            "undefined",
            "undefined-glob",
            "unresolved-symbols",
            "version-script",
            "warn-backrefs-exclude",
            "wrap",
        )
    ),
    "mold": frozenset(
        (
            "Map",
            "Tbss",
            "Tdata",
            "Ttext",
            "auxiliary",
            "chroot",
            "compress-debug-sections",
            "defsym",
            "dependency-file",
            "directory",
            "dynamic-linker",
            "dynamic-list",
            "entry",
            "exclude-libs",
            "export-dynamic-symbol",
            "export-dynamic-symbol-list",
            "filter",
            "fini",
            "format",
            "hash-style",
            "icf",
            "image-base",
            "init",
            "library",
            "library-path",
            "lto-cs-profile-file",
            "lto-partitions",
            "lto-sample-profile",
            "max-cache-size",
            "oformat",
            "opt-remarks-filename",
            "opt-remarks-format",
            "opt-remarks-hotness-threshold",
            "opt-remarks-passes",
            "output",
            "package-metadata",
            "plugin",
            "plugin-opt",
            "require-defined",
            "retain-symbols-file",
            "rpath",
            "rpath-link",
            "script",
            "section-start",
            "soname",
            "sort-section",
            "spare-dynamic-tags",
            "sysroot",
            "thinlto-cache-dir",
            "thinlto-cache-policy",
            "thinlto-jobs",
            "thread-count",
            "trace-symbol",
            "undefined",
            "unique",
            "unresolved-symbols",
            "version-script",
            "wrap",
        )
    ),
}
