"""loader/treereport.py: the finding lines, the summary line and the JSON object of a tree
audit (a hermetic audit of hand-assembled files inside a root, as in test_tree.py)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from helpers.elfbytes import library, program
from ldwrap.loader.audit import DUPLICATE, UNRESOLVED, UNUSED
from ldwrap.loader.finding import Finding
from ldwrap.loader.resolve import Options, Resolver
from ldwrap.loader.tree import Counts, FileAudit, TreeAudit
from ldwrap.loader.treereport import audit_json, finding_text, render_file, summary_line, tally


def test_finding_text() -> None:
    own = Finding(UNUSED, "/p/app: RUNPATH entry /x does not exist", False, obj="/p/app")
    other = Finding("empty_path_element", "/l/libo.so: RUNPATH ':' ...", True, obj="/l/libo.so")
    assert finding_text("/p/app", own) == (
        "/p/app: warning: RUNPATH entry /x does not exist [unused_entry]"
    )
    assert finding_text("/p/app", other) == (
        "/p/app: error: /l/libo.so: RUNPATH ':' ... [empty_path_element]"
    )


@pytest.mark.parametrize(
    ("counts", "kinds", "errors", "expected"),
    [
        (Counts(files=1, elf=1, judged=1), Counter(), 0,
         "ldwrap check: 1 file: 1 ELF file judged; no findings"),
        (Counts(files=2290, elf=921, judged=912, not_loadable=9, not_elf=1369, symlinks=536),
         Counter({UNUSED: 3, UNRESOLVED: 1}), 1,
         "ldwrap check: 2290 files: 912 ELF files judged, 9 ELF not loadable (objects, core "
         "files, debug information), 1369 not ELF, skipped, 536 symlinks not followed; 1 error, "
         "3 warnings "
         "(unresolved 1, unused_entry 3)"),
        (Counts(files=5, elf=5, judged=2, foreign=2, unreadable=1), Counter({DUPLICATE: 1}), 0,
         "ldwrap check: 5 files: 2 ELF files judged, 1 malformed ELF, 2 ELF for another "
         "machine, not judged without --root, 1 could not be read; 0 errors, 1 warning "
         "(duplicate_entry 1)"),
    ],
)  # fmt: skip
def test_summary_line(counts: Counts, kinds: Counter[str], errors: int, expected: str) -> None:
    assert summary_line(counts, kinds, errors) == expected


@pytest.fixture
def audited(tmp_path: Path) -> tuple[TreeAudit, list[FileAudit]]:
    r = tmp_path / "root"
    library(r / "lib64" / "ld-linux-x86-64.so.2")
    library(r / "lib64" / "libc.so.6")
    program(r / "opt" / "bin" / "app", needed=["libmiss.so.1", "libc.so.6"], runpath="/opt/lib")
    (r / "opt" / "lib").mkdir()
    audit = TreeAudit(Resolver(Options(root=str(r))), None, {}, print, keep_verdicts=True)
    return audit, list(audit.run([("/opt", True)]))


def test_render_file_verbose_says_where_it_looked_and_what_to_do(
    audited: tuple[TreeAudit, list[FileAudit]],
) -> None:
    _, (app,) = audited
    assert render_file(app) == [
        "/opt/bin/app: error: libmiss.so.1 is not found [unresolved]",
        "/opt/bin/app: warning: RUNPATH entry /opt/lib holds none of the libraries the loader "
        "looks for through it (libmiss.so.1, libc.so.6) [unused_entry]",
    ]
    verbose = render_file(app, verbose=True)
    assert verbose[1] == "    searched: RUNPATH (/opt/lib), /lib64, /usr/lib64"  # no cache there
    assert verbose[2].startswith("    fix: relink through ldwrap with -L<directory of")
    assert verbose[4] == "    fix: relink app without it, or remove it from the RUNPATH"


def test_audit_json(audited: tuple[TreeAudit, list[FileAudit]]) -> None:
    audit, audits = audited
    out = json.loads(json.dumps(audit_json(["/opt"], audits, audit.counts, verbose=False)))
    assert out["schema"] == 1 and out["paths"] == ["/opt"]
    assert out["summary"] == {
        "files": 1,
        "elf_files": 1,
        "judged": 1,
        "not_elf": 0,
        "not_loadable": 0,
        "foreign": 0,
        "symlinks": 0,
        "unreadable": 0,
        "errors": 1,
        "warnings": 1,
        "kinds": {"unresolved": 1, "unused_entry": 1},
    }
    first, second = out["findings"]
    assert first["file"] == "/opt/bin/app" and first["severity"] == "error"
    assert (first["kind"], first["library"], first["fails"]) == (UNRESOLVED, "libmiss.so.1", True)
    assert (second["kind"], second["entry"], second["tag"], second["path"]) == (
        UNUSED,
        "/opt/lib",
        "RUNPATH",
        "/opt/lib",
    )
    assert "files" not in out
    full = audit_json(["/opt"], audits, audit.counts, verbose=True)
    (one,) = full["files"]
    assert one["file"] == "/opt/bin/app" and one["schema"] == 1
    assert [f["kind"] for f in one["findings"]] == [UNRESOLVED, UNUSED]
    assert tally(audits) == Counter({UNRESOLVED: 1, UNUSED: 1})
