"""Stand-ins for the real linkers (the fixtures are in tests/conftest.py).

- The recording linker: a tiny program that writes its argv to the file named by $RECORD,
  NUL-separated, and exits with $RECORD_EXIT. It stands in for the real linker only in tests
  whose property is about the argument vector (a real linker cannot tell us its argv byte for
  byte). Two builds of it: a Python script for the fast tier, which needs no compiler, and a
  C program built with gcc for the integration tests, whose argv costs nothing more than what
  the shim passed (a script's interpreter line adds to it, which matters at the kernel's limit).
- The placeholder linkers: executable files under every linker name, for in-process tests of
  `prepare`, `dry-run` and `explain`, which only look for the real linker on PATH and never
  run it (a placeholder that is run anyway fails loudly, exit 99).
- Wrapper scripts: a build tool's own wrapper standing between two shims.

Every test about linking uses the real ld.bfd, ld.lld or mold (tests/integration/).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from helpers.records import clean_env

RECORDER_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Write argv[1..] to $RECORD, each followed by a NUL; copy every readable @file argument's
   content to $RECORD.<index>, so a test can see a response file the shim removed since. */
int main(int argc, char **argv) {
    const char *out = getenv("RECORD");
    if (!out) return 99;
    FILE *f = fopen(out, "wb");
    if (!f) return 98;
    for (int i = 1; i < argc; i++) {
        fwrite(argv[i], 1, strlen(argv[i]) + 1, f);
        if (argv[i][0] == '@') {
            FILE *in = fopen(argv[i] + 1, "rb");
            if (!in) continue;
            char name[4096];
            snprintf(name, sizeof name, "%s.%d", out, i);
            FILE *copy = fopen(name, "wb");
            char buf[65536];
            size_t n;
            while (copy && (n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, copy);
            if (copy) fclose(copy);
            fclose(in);
        }
    }
    fclose(f);
    const char *code = getenv("RECORD_EXIT");
    return code ? atoi(code) : 0;
}
"""

RECORDER_PY = r"""
import os, sys

# Write argv[1..] to $RECORD, each followed by a NUL; copy every readable @file argument's
# content to $RECORD.<index>, so a test can see a response file the shim removed since.
out = os.environb.get(b"RECORD")
if out is None:
    sys.exit(99)
args = [os.fsencode(a) for a in sys.argv[1:]]
try:
    f = open(out, "wb")
except OSError:
    sys.exit(98)
with f:
    f.write(b"".join(a + b"\0" for a in args))
for i, a in enumerate(args, 1):
    if a[:1] != b"@":
        continue
    try:
        fd = os.open(a[1:], os.O_RDONLY)  # a directory opens too; reading it fails
    except OSError:
        continue
    try:
        with open(out + b".%d" % i, "wb") as copy:
            while True:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    break
                copy.write(chunk)
    except OSError:
        pass
    os.close(fd)
code = os.environ.get("RECORD_EXIT")
sys.exit(int(code) if code else 0)
"""

LINKER_NAMES = ("ld", "ld.bfd", "ld.gold", "ld.lld", "ld.mold", "mold")
# The names a Debian machine with binutils (and its aarch64 cross binutils), lld and mold has.
PLACEHOLDER_NAMES = (
    *LINKER_NAMES,
    "lld",
    "aarch64-linux-gnu-ld",
    "aarch64-linux-gnu-ld.bfd",
    "aarch64-linux-gnu-ld.gold",
)
PLACEHOLDER = """#!/bin/sh
# A placeholder for the real linker: the tests that put it on PATH only ask where the linker is.
echo "$0: a placeholder for the real linker, not to be run" >&2
exit 99
"""


def _linker_names(binary: Path, d: Path) -> Path:
    """d/bin, where every linker name is a hard link to binary (so that the name, not the
    file's, tells the flavour)."""
    bindir = d / "bin"
    bindir.mkdir()
    for name in LINKER_NAMES:
        os.link(binary, bindir / name)
    return bindir


def build_recorder(d: Path) -> Path:
    """Build the C recording linker in d with gcc; returns a directory where every linker
    name is it."""
    src = d / "recorder.c"
    src.write_text(RECORDER_C)
    binary = d / "recorder"
    subprocess.run(["gcc", "-O1", "-o", str(binary), str(src)], check=True, env=clean_env())
    return _linker_names(binary, d)


def write_recorder(d: Path) -> Path:
    """Write the Python recording linker in d; returns a directory where every linker name is
    it."""
    program = d / "recorder.py"
    program.write_text(RECORDER_PY)
    binary = d / "recorder"
    # Through sh, so neither the interpreter's path (spaces, length) nor PATH matters;
    # -I -S: no site packages, no PYTHON* variables of the link's environment.
    python, script = shlex.quote(sys.executable), shlex.quote(str(program))
    binary.write_text(f'#!/bin/sh\nexec {python} -I -S {script} "$@"\n')
    binary.chmod(0o755)
    return _linker_names(binary, d)


def write_placeholders(d: Path) -> Path:
    """Write a placeholder linker under every name of PLACEHOLDER_NAMES in d; returns d."""
    for name in PLACEHOLDER_NAMES:
        p = d / name
        p.write_text(PLACEHOLDER)
        p.chmod(0o755)
    return d


def build_wrappers(d: Path, shims: Path) -> Path:
    """Scripts in d under every linker name that exec ldwrap's launcher of the same name."""
    for name in LINKER_NAMES:
        p = d / name
        p.write_text(f'#!/bin/sh\nexec "{shims / name}" "$@"\n')
        p.chmod(0o755)
    return d
