"""Fixtures shared by the tests of the link package.

- `dry`: dry(args, env, name="ld.lld"), the argv `prepare` builds in tmp_path with a store
  there, without the real linker's path (checked: the first `name` on the placeholder PATH of
  the `linker_path` fixture; nothing is linked).
- `keep_signals`: the dispositions exec resets, restored after the test (for tests that run
  the exec path in pytest's own process).
- `shim_fails(argv, capsys)`: `shim.main(argv)` in this process, which must exit; its status
  and what it printed on stderr.
"""

from __future__ import annotations

import functools
import shutil
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ldwrap.link import shim
from ldwrap.link.plan import prepare

Dry = Callable[..., list[str]]


def dry_run(
    tmp_path: Path, path: str, args: list[str], env: dict[str, str], name: str = "ld.lld"
) -> list[str]:
    """The argv the shim would run in tmp_path with PATH=path, without the real linker's path
    (checked here: the first `name` on path)."""
    full = {"PATH": path, "NIX_STORE": str(tmp_path / "nix" / "store"), **env}
    inv = prepare(name, list(args), full, str(tmp_path))
    assert inv.argv[0] == shutil.which(name, path=path)
    return inv.argv[1:]


@pytest.fixture
def dry(tmp_path: Path, linker_path: str) -> Dry:
    """dry(args, env, name="ld.lld"): dry_run on the placeholder linkers of linker_path."""
    return functools.partial(dry_run, tmp_path, linker_path)


@pytest.fixture
def keep_signals() -> Iterator[None]:
    """exec resets signal dispositions before it execs; undo that for pytest's process."""
    saved = {
        s: signal.getsignal(s)
        for s in (
            signal.SIGPIPE,
            signal.SIGXFSZ,
            signal.SIGTERM,
            signal.SIGHUP,
            signal.SIGQUIT,
            signal.SIGINT,
        )
    }
    yield
    for s, handler in saved.items():
        if handler is not None:
            signal.signal(s, handler)


def shim_fails(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as e:
        shim.main(argv)
    code = e.value.code
    assert isinstance(code, int)
    return code, capsys.readouterr().err
