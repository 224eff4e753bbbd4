"""What the shim trusts, and what it never does: search relative PATH entries, start a shell,
write files, open sockets. Checked on real runs with Python's audit hooks (PEP 578)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from helpers.records import clean_env, fsencode_all, read_record, run

PLANTED = '#!/bin/sh\necho planted > "$PWD/planted-ran"\n'


@pytest.mark.parametrize("path_entries", [["", "."], ["."], ["bin", "./bin"], ["::"]])
def test_relative_path_entries_are_never_searched(
    path_entries: list[str], tmp_path: Path, dropins: Path
) -> None:
    work = tmp_path / "work"
    (work / "bin").mkdir(parents=True)
    for p in (work / "ld.lld", work / "bin" / "ld.lld"):
        p.write_text(PLANTED)
        p.chmod(0o755)
    env = clean_env(PATH=":".join([*path_entries, str(dropins)]))
    proc = run([dropins / "ld.lld", "--version"], env, work)
    assert proc.returncode == 127
    assert b"cannot find the real ld.lld" in proc.stderr
    assert not (work / "planted-ran").exists()
    # With the real linker later on PATH, that one runs, not the planted one.
    proc = run([dropins / "ld.lld", "--version"], {**env, "PATH": env["PATH"] + ":/usr/bin"}, work)
    assert proc.returncode == 0 and b"LLD" in proc.stdout
    assert not (work / "planted-ran").exists()


# Runs shim.main under an audit hook that logs every event that starts a program, opens a
# socket or opens a file for writing, to a file descriptor opened before the hook.
AUDIT = r"""
import json, os, sys
log = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
WATCH = ("os.system", "subprocess.Popen", "os.posix_spawn", "os.exec", "os.spawn", "os.fork",
         "socket.__new__", "socket.connect", "socket.getaddrinfo", "pty.spawn")
def hook(event, args):
    write = False
    if event == "open":
        mode, flags = args[1], args[2]
        write = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
    if event in WATCH or write:
        os.write(log, (json.dumps([event, [os.fsdecode(a) if isinstance(a, (str, bytes))
                                            else repr(a) for a in args]]) + "\n").encode())
sys.addaudithook(hook)
import ldwrap.link.shim
ldwrap.link.shim.main([sys.argv[2], *sys.argv[3:]])
"""


def _events(log: Path) -> list[tuple[str, list[str]]]:
    """The logged events: each one's name and its arguments, as the hook wrote them (text)."""
    return [(name, args) for name, args in map(json.loads, log.read_text().splitlines())]


@pytest.mark.parametrize("verify", ["", "warn"])
def test_no_shell_no_network_no_writes(
    verify: str, tmp_path: Path, recorder: Path, dropins: Path
) -> None:
    lib = tmp_path / "store/p/lib"
    lib.mkdir(parents=True)
    (lib / "libfoo.so").write_bytes(b"")
    (tmp_path / "a.rsp").write_text(f"-L {lib} -lfoo 'x y'")
    env = clean_env(
        PATH=f"{dropins}:{recorder}",
        NIX_STORE=str(tmp_path / "store"),
        RECORD=str(tmp_path / "record"),
        LDWRAP_VERIFY=verify,
    )
    args = ["@a.rsp", "-o", "out", "a b"]
    log = tmp_path / "audit.log"
    proc = run(
        [sys.executable, "-c", AUDIT, str(log), str(dropins / "ld.lld"), *args], env, tmp_path
    )
    real = str(recorder / "ld.lld")
    argv = [real, *args, "-rpath", str(lib)]
    assert read_record(tmp_path / "record") == fsencode_all(argv[1:])
    events = _events(log)
    if verify:  # the child mode: one posix_spawn, then the check reads the (missing) output
        assert [e[0] for e in events] == ["os.posix_spawn"]
        assert events[0][1][:2] == [real, repr(argv)]
    else:
        assert [e[0] for e in events] == ["os.exec"]
        assert events[0][1][:2] == [real, repr(argv)]
        assert proc.returncode == 0, proc.stderr


def test_e2big_writes_only_its_response_file(tmp_path: Path, recorder: Path, dropins: Path) -> None:
    """Forced E2BIG (the exec is made to fail with it): the only file written is the
    temporary response file, in $TMPDIR, removed afterwards."""
    code = AUDIT.replace(
        "import ldwrap.link.shim\n",
        (
            "import ldwrap.link.shim, os as _os, errno\n"
            "_real = _os.execve\n"
            "def _execve(*a):\n"
            "    raise OSError(errno.E2BIG, 'Argument list too long')\n"
            "_os.execve = _execve\n"
        ),
    )
    lib = tmp_path / "store/p/lib"
    lib.mkdir(parents=True)
    (lib / "libfoo.so").write_bytes(b"")
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = clean_env(
        PATH=f"{dropins}:{recorder}",
        NIX_STORE=str(tmp_path / "store"),
        RECORD=str(tmp_path / "record"),
        TMPDIR=str(tmpdir),
    )
    log = tmp_path / "audit.log"
    proc = run(
        [sys.executable, "-c", code, str(log), str(dropins / "ld.lld"), "-L", str(lib), "-lfoo"],
        env,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    events = _events(log)
    kinds = [e[0] for e in events]
    # mkstemp's os.open (the file is then written through that descriptor); the failed
    # execve is ours.
    assert kinds == ["open", "os.posix_spawn"], events
    rsp_path = str(events[0][1][0])
    assert os.path.dirname(rsp_path) == str(tmpdir)
    assert read_record(tmp_path / "record") == [
        b"-L",
        os.fsencode(lib),
        b"-lfoo",
        b"@" + os.fsencode(rsp_path),
    ]
    assert list(tmpdir.iterdir()) == []
