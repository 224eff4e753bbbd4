"""The recording linker and linker-name wrapper scripts (the fixtures are in tests/conftest.py).

The one fake here is the "recording linker": a tiny C program that writes its argv to the
file named by $RECORD, NUL-separated, and exits with $RECORD_EXIT. It stands in for the real
linker only in tests whose property is about the argument vector (a real linker cannot tell us
its argv byte for byte). Every test about linking uses the real ld.bfd, ld.lld or mold.
"""

from __future__ import annotations

import os
import subprocess
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

LINKER_NAMES = ("ld", "ld.bfd", "ld.gold", "ld.lld", "ld.mold", "mold")


def build_recorder(d: Path) -> Path:
    """Build the recording linker in d; returns a directory where every linker name is it."""
    src = d / "recorder.c"
    src.write_text(RECORDER_C)
    binary = d / "recorder"
    subprocess.run(["gcc", "-O1", "-o", str(binary), str(src)], check=True, env=clean_env())
    bindir = d / "bin"
    bindir.mkdir()
    for name in LINKER_NAMES:
        os.link(binary, bindir / name)
    return bindir


def build_wrappers(d: Path, shims: Path) -> Path:
    """Scripts in d under every linker name that exec ldwrap's launcher of the same name."""
    for name in LINKER_NAMES:
        p = d / name
        p.write_text(f'#!/bin/sh\nexec "{shims / name}" "$@"\n')
        p.chmod(0o755)
    return d
