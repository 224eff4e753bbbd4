"""link/execute.py: the exec both runners share, and how a failed exec ends the shim (the
shell's convention: 126 found but not runnable, 127 not found). The exec is recorded instead
of run where the test would otherwise replace pytest's own process; the last test execs a
file that is no program, which fails for real."""

from __future__ import annotations

import errno
import signal
from pathlib import Path

import pytest

from ldwrap.link import oslite
from ldwrap.link.execute import E2BIG, PYTHON_IGNORED, cannot_run, exec_now

from .conftest import shim_fails


def test_e2big_is_the_kernels_number() -> None:
    assert errno.E2BIG == E2BIG


def test_the_signals_python_ignores_at_start_up() -> None:
    assert set(PYTHON_IGNORED) == {signal.SIGPIPE, signal.SIGXFSZ}


class Execve(Exception):
    """Raised by the recording execve in place of the exec."""


def test_exec_now_gives_the_linker_the_default_dispositions(
    monkeypatch: pytest.MonkeyPatch, keep_signals: None
) -> None:
    seen: list[object] = []

    def record(path: str, argv: list[str], env: dict[str, str]) -> None:
        seen.append((path, argv, env, [signal.getsignal(s) for s in PYTHON_IGNORED]))
        raise Execve

    for sig in PYTHON_IGNORED:
        signal.signal(sig, signal.SIG_IGN)
    monkeypatch.setattr(oslite, "execve", record)
    with pytest.raises(Execve):
        exec_now("/bin/ld", ["/bin/ld", "m.o"], {"A": "1"})
    assert seen == [("/bin/ld", ["/bin/ld", "m.o"], {"A": "1"}, [signal.SIG_DFL] * 2)]


def test_exec_now_returns_only_by_raising(
    monkeypatch: pytest.MonkeyPatch, keep_signals: None
) -> None:
    def fail(path: str, argv: list[str], env: dict[str, str]) -> None:
        raise OSError(errno.ENOENT, "No such file or directory")

    monkeypatch.setattr(oslite, "execve", fail)
    with pytest.raises(OSError) as e:
        exec_now("/nowhere/ld", ["ld"], {})
    assert e.value.errno == errno.ENOENT


@pytest.mark.parametrize(
    ("number", "status"),
    [
        (errno.EACCES, 126),  # not executable
        (errno.ENOEXEC, 126),  # no program
        (errno.E2BIG, 126),  # found, but the command is too long for the kernel
        (errno.ENOENT, 127),
        (errno.ENOTDIR, 127),
        (errno.ELOOP, 127),
        (errno.ENAMETOOLONG, 127),
    ],
)
def test_cannot_run_exits_as_the_shell_does(
    capsys: pytest.CaptureFixture[str], number: int, status: int
) -> None:
    with pytest.raises(SystemExit) as e:
        cannot_run("/bin/ld.x", OSError(number, "why it failed"))
    assert e.value.code == status
    assert capsys.readouterr() == ("", "ldwrap: cannot run /bin/ld.x: why it failed\n")


def test_exec_failure_is_reported(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    clean_env: None,
    keep_signals: None,
) -> None:
    # No recorder: this exec really fails (an executable file that is no program).
    bad = tmp_path / "bad" / "ld.lld"
    bad.parent.mkdir()
    bad.write_bytes(b"\x00\x01\x02 not a program")
    bad.chmod(0o755)
    monkeypatch.setenv("PATH", str(bad.parent))
    code, err = shim_fails([str(tmp_path / "shims" / "ld.lld"), "--version"], capsys)
    assert code == 126
    assert f"cannot run {bad}" in err
