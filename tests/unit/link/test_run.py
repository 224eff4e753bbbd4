"""link/run.py: the runner chooses between exec and a child process, and retries a command
too long for the kernel. The exec and spawn.py's entry points are recorded instead of run (a
real exec would replace pytest's process; spawn.py's own tests and tests/unit/link/test_shim.py
run them)."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from ldwrap.link import run, spawn
from ldwrap.link.config import Config
from ldwrap.link.model import Extras, Invocation, RealLinker


class Ran(Exception):
    """Raised by a recorder where the real call would not return."""

    def __init__(self, what: str, *args: object) -> None:
        super().__init__(what)
        self.what, self.args_seen = what, args


def _invocation(env: dict[str, str] | None = None) -> Invocation:
    config = Config.from_env(env or {})
    inv = Invocation("ld.lld", ["m.o"], config, RealLinker("/bin/ld.lld"), "lld")
    inv.argv = ["/bin/ld.lld", "m.o", "-rpath", "/s/lib"]
    inv.env = {"PATH": "/bin"}
    return inv


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """exec_now and spawn.py's entry points record their call and end it (they never return)."""

    def exec_now(path: str, argv: list[str], env: dict[str, str]) -> None:
        raise Ran("exec", path, argv, env)

    def finish(inv: Invocation, argv: list[str], files: object) -> None:
        raise Ran("finish", argv, list(getattr(files, "paths", [])))

    def retry_with_files(inv: Invocation, argv: list[str]) -> None:
        raise Ran("retry", argv)

    monkeypatch.setattr(run, "exec_now", exec_now)
    monkeypatch.setattr(spawn, "finish", finish)
    monkeypatch.setattr(spawn, "retry_with_files", retry_with_files)


def _ran(inv: Invocation) -> Ran:
    with pytest.raises(Ran) as e:
        run.run(inv)
    return e.value


def test_a_link_with_nothing_left_to_do_execs(calls: None) -> None:
    inv = _invocation()
    got = _ran(inv)
    assert (got.what, got.args_seen) == ("exec", ("/bin/ld.lld", inv.argv, inv.env))


@pytest.mark.parametrize(
    ("env", "shrink"),
    [({"LDWRAP_VERIFY": "warn"}, []), ({"LDWRAP_VERIFY": "error"}, []), ({}, ["/s/lib"])],
    ids=["verify-warn", "verify-error", "shrink"],
)
def test_a_post_link_hook_runs_the_linker_as_a_child(
    calls: None, env: dict[str, str], shrink: list[str]
) -> None:
    inv = _invocation(env)
    inv.shrink_candidates = shrink
    got = _ran(inv)
    assert (got.what, got.args_seen) == ("finish", (inv.argv, []))


def test_rewritten_response_files_run_as_a_child_and_are_passed_by_name(
    calls: None, tmp_path: Path
) -> None:
    inv = _invocation()
    inv.env["TMPDIR"] = str(tmp_path)  # where the linker's response files are written
    inv.rsp_writeback = [(1, 2)]  # "m.o" came from an @file purity rewrote
    got = _ran(inv)
    argv, paths = got.args_seen
    assert got.what == "finish" and isinstance(argv, list) and isinstance(paths, list)
    assert argv == ["/bin/ld.lld", f"@{paths[0]}", "-rpath", "/s/lib"]
    assert [Path(p).parent for p in paths] == [tmp_path]
    assert Path(paths[0]).read_text().split() == ["m.o"]


def test_response_files_that_cannot_be_written_stay_inline_and_exec(
    calls: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(self: object, args: list[str]) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(spawn._TempFiles, "write", no_space)
    inv = _invocation()
    inv.rsp_writeback = [(1, 2)]
    got = _ran(inv)
    assert (got.what, got.args_seen) == ("exec", ("/bin/ld.lld", inv.argv, inv.env))


def _too_long(monkeypatch: pytest.MonkeyPatch, number: int = errno.E2BIG) -> None:
    def exec_now(path: str, argv: list[str], env: dict[str, str]) -> None:
        raise OSError(number, "Argument list too long")

    monkeypatch.setattr(run, "exec_now", exec_now)


def test_a_command_too_long_retries_with_our_additions_in_files(
    calls: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _too_long(monkeypatch)
    inv = _invocation()
    inv.extras = Extras()
    inv.extras.after = ["-rpath", "/s/lib"]
    with pytest.raises(Ran) as e:
        run.exec_argv(inv.real.path, inv.argv, inv.env, inv)
    assert (e.value.what, e.value.args_seen) == ("retry", (inv.argv,))


@pytest.mark.parametrize("with_inv", [False, True], ids=["no-invocation", "nothing-added"])
def test_a_command_too_long_without_additions_to_move_cannot_run(
    calls: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    with_inv: bool,
) -> None:
    _too_long(monkeypatch)
    inv = _invocation()
    with pytest.raises(SystemExit) as e:
        run.exec_argv(inv.real.path, inv.argv, inv.env, inv if with_inv else None)
    assert e.value.code == 126
    assert capsys.readouterr().err == "ldwrap: cannot run /bin/ld.lld: Argument list too long\n"


def test_another_exec_failure_is_not_retried(
    calls: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _too_long(monkeypatch, errno.ENOENT)
    inv = _invocation()
    inv.extras = Extras()
    inv.extras.after = ["-rpath", "/s/lib"]
    with pytest.raises(SystemExit) as e:
        run.exec_argv(inv.real.path, inv.argv, inv.env, inv)
    assert e.value.code == 127
    assert "cannot run /bin/ld.lld" in capsys.readouterr().err
