"""loader/tree.py: walking trees and auditing each file, on hand-assembled ELF files inside a
root of their own (tmp_path): the loader's directories, ld.so.cache and /etc/ld.so.preload
are all taken inside it, so nothing of this machine's is read (the CLI's --root)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers.elfbytes import EM_AARCH64, ET_REL, library, program, write_elf
from ldwrap.loader.audit import BAD_ELF, UNRESOLVED, UNUSED
from ldwrap.loader.host import Host
from ldwrap.loader.neededpath import NEEDED_PATH
from ldwrap.loader.resolve import Options, Resolver
from ldwrap.loader.tree import FileAudit, TreeAudit


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "root"
    library(r / "lib64" / "ld-linux-x86-64.so.2")
    library(r / "lib64" / "libc.so.6")
    return r


def _run(
    root: Path, paths: list[tuple[str, bool]], env: dict[str, str] | None = None
) -> tuple[TreeAudit, list[FileAudit], list[str]]:
    errors: list[str] = []
    audit = TreeAudit(Resolver(Options(root=str(root))), None, env or {}, errors.append)
    return audit, list(audit.run(paths)), errors


def _kinds(audits: list[FileAudit]) -> list[tuple[str, str]]:
    return [(a.path, f.kind) for a in audits for f in a.findings]


def test_small_files_are_not_read(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file too small to be ELF is counted without a read (/proc's files say size 0, and
    /proc/kmsg would block a reader)."""
    (root / "opt").mkdir()
    (root / "opt" / "empty").write_bytes(b"")
    (root / "opt" / "tiny").write_bytes(b"\x7fELF")
    reads: list[int] = []
    real_read = os.read

    def read(fd: int, n: int) -> bytes:
        reads.append(n)
        return real_read(fd, n)

    monkeypatch.setattr("os.read", read)
    audit, audits, _ = _run(root, [("/opt", True)])
    assert audits == [] and reads == []
    assert (audit.counts.files, audit.counts.not_elf) == (2, 2)


def test_walk_counts_and_order(root: Path) -> None:
    app = root / "opt" / "app"
    program(app / "bin" / "b", needed=["libc.so.6"])
    program(app / "bin" / "a", needed=["libc.so.6"])
    library(app / "lib" / "libx.so.1", needed=["libc.so.6"])
    write_elf(app / "lib" / "x.o", e_type=ET_REL, dynamic=False)
    (app / "share").mkdir()
    (app / "share" / "README").write_text("text\n")
    (app / "lib" / "libx.so").symlink_to("libx.so.1")  # a link: not followed
    (app / "elsewhere").symlink_to(root / "lib64")  # nor a link to a directory
    os.mkfifo(app / "share" / "fifo")
    audit, audits, errors = _run(root, [("/opt/app", True)])
    assert [a.path for a in audits] == [
        "/opt/app/bin/a",
        "/opt/app/bin/b",
        "/opt/app/lib/libx.so.1",
    ]
    assert _kinds(audits) == [] and errors == []
    c = audit.counts
    assert (c.files, c.elf, c.judged, c.not_loadable, c.not_elf, c.symlinks) == (6, 4, 3, 1, 2, 2)
    assert not audit.bad_input


def test_a_missing_need_of_a_library_of_the_tree_is_told_once(root: Path) -> None:
    """The program loads libin, which misses libgone: libin's own audit says so, the
    program's does not repeat it. A library outside the trees is the program's to report."""
    lib = root / "opt" / "app" / "lib"
    library(lib / "libin.so.1", needed=["libgone.so.1", "libc.so.6"])
    library(root / "opt" / "other" / "libout.so.1", needed=["libalsogone.so.2"])
    program(root / "opt" / "app" / "bin" / "app", needed=["libin.so.1", "libout.so.1"],
            runpath="$ORIGIN/../lib:/opt/other")  # fmt: skip
    _, audits, _ = _run(root, [("/opt/app", True)])
    got = {(a.path, f.kind, f.reason) for a in audits for f in a.findings}
    assert got == {
        ("/opt/app/bin/app", UNRESOLVED, "libalsogone.so.2 (needed by /opt/other/libout.so.1) "
         "is not found"),
        ("/opt/app/lib/libin.so.1", UNRESOLVED, "libgone.so.1 is not found"),
    }  # fmt: skip


def test_a_file_named_alone_is_audited_too(root: Path) -> None:
    program(root / "opt" / "app" / "bin" / "app", needed=["libc.so.6"], runpath="/nowhere")
    audit, audits, _ = _run(root, [("/opt/app/bin/app", False)])
    assert _kinds(audits) == [("/opt/app/bin/app", UNUSED)]
    assert audit.counts.files == 1


def test_bad_elf_in_a_tree_is_a_finding_and_named_alone_bad_input(root: Path) -> None:
    good = program(root / "opt" / "b" / "bin" / "app", needed=["libc.so.6"])
    broken = root / "opt" / "b" / "bin" / "broken"
    data = good.read_bytes()
    broken.write_bytes(data[:64] + b"\xff" * 8)  # the header says PT_INTERP, PT_DYNAMIC...
    audit, audits, errors = _run(root, [("/opt/b", True)])
    assert [f.kind for a in audits for f in a.findings] == [BAD_ELF]
    assert audit.counts.judged == 1 and not audit.bad_input and errors == []
    audit, audits, errors = _run(root, [("/opt/b/bin/broken", False)])
    assert audits == [] and audit.bad_input and errors[0].startswith("/opt/b/bin/broken: ")


def test_not_elf_named_alone_is_bad_input(root: Path) -> None:
    (root / "notes.txt").write_text("x")
    audit, audits, errors = _run(root, [("/notes.txt", False)])
    assert audits == [] and audit.bad_input
    assert errors == ["/notes.txt: not an ELF file"]


def test_missing_directory_is_bad_input(root: Path) -> None:
    audit, _, errors = _run(root, [("/no/such", True)])
    assert audit.bad_input and errors == ["/no/such: No such file or directory"]


def test_files_for_another_machine_are_counted_not_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --root, an aarch64 program on an x86_64 machine is not this machine's to
    judge: in a tree it is counted; named alone it is bad input, as `check FILE` says."""
    monkeypatch.setattr("ldwrap.loader.startup.host", lambda: Host("x86_64", 1))
    tree = tmp_path / "t"
    write_elf(tree / "arm-app", machine=EM_AARCH64, interp="/lib/ld-linux-aarch64.so.1",
              needed=["libc.so.6"])  # fmt: skip
    errors: list[str] = []
    audit = TreeAudit(Resolver(Options()), None, {}, errors.append)
    assert list(audit.run([(str(tree), True)])) == []
    assert (audit.counts.foreign, audit.counts.judged, audit.bad_input) == (1, 0, False)
    audit = TreeAudit(Resolver(Options()), None, {}, errors.append)
    assert list(audit.run([(str(tree / "arm-app"), False)])) == []
    assert audit.bad_input and "built for aarch64" in errors[0]


def test_needed_path_in_a_temporary_directory_fails(root: Path) -> None:
    library(root / "tmp" / "w" / "libnosoname.so", soname=None)
    program(root / "opt" / "bin" / "app", needed=["/tmp/w/libnosoname.so", "libc.so.6"])
    _, audits, _ = _run(root, [("/opt", True)])
    (f,) = [f for a in audits for f in a.findings]
    assert (f.kind, f.fails) == (NEEDED_PATH, True)
    assert f.reason.endswith("; it is in the temporary directory /tmp")


def test_unreadable_file_in_a_tree_is_reported(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file the walk cannot open (as root every file opens: the refusal is made here)."""
    program(root / "opt" / "bin" / "locked", needed=["libc.so.6"])
    program(root / "opt" / "bin" / "open", needed=["libc.so.6"])
    real_open = os.open

    def refusing(path: str, flags: int, *args: int) -> int:
        if str(path).endswith("/locked"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr("os.open", refusing)
    audit, audits, errors = _run(root, [("/opt", True)])
    assert [a.path for a in audits] == ["/opt/bin/open"]
    assert errors == ["/opt/bin/locked: Permission denied"]
    assert audit.bad_input and audit.counts.unreadable == 1
