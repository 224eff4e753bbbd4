"""bootstrap.load, the bundle's loader, called in this process on a bundle-shaped record of
made-up modules (package `bfake`): what it runs, what it leaves lazy, and why it declines. The
launcher's own use of it, on the real bundle, is in test_bundle.py."""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ldwrap import bootstrap

if TYPE_CHECKING:
    from ldwrap.bootstrap import Entry, LazyEntry


@pytest.fixture(autouse=True)
def _forget_fake_modules() -> Iterator[None]:
    yield
    for name in [n for n in sys.modules if n == "bfake" or n.startswith("bfake.")]:
        del sys.modules[name]


def entry(tmp: Path, name: str, source: str, package: bool = False) -> Entry:
    file = tmp / (name.replace(".", "/") + ("/__init__.py" if package else ".py"))
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(source)
    st = os.stat(file)
    code = compile(source, str(file), "exec")
    return (name, str(file), package, st.st_mtime_ns, st.st_size, code)


def bundle_file(tmp: Path, lazy: dict[str, str]) -> tuple[str, int, dict[str, LazyEntry]]:
    """A file holding the lazy modules' code one after the other, as the bundle's tail does:
    its path, where the tail starts, and the lazy index."""
    head = b"record two stands here"
    index: dict[str, LazyEntry] = {}
    blobs = b""
    for name, source in lazy.items():
        file = tmp / (name.replace(".", "/") + ".py")
        file.write_text(source)
        st = os.stat(file)
        blob = marshal.dumps(compile(source, str(file), "exec"))
        index[name] = (str(file), False, st.st_mtime_ns, st.st_size, len(blobs), len(blob))
        blobs += blob
    path = tmp / "bundle"
    path.write_bytes(head + blobs)
    return str(path), len(head), index


def test_the_modules_run_in_order_as_imported_ones(tmp_path: Path) -> None:
    entries = [
        entry(tmp_path, "bfake", "", package=True),
        entry(tmp_path, "bfake.base", "VALUE = 41\n"),
        entry(tmp_path, "bfake.top", "from . import base\nVALUE = base.VALUE + 1\n"),
    ]
    path, base, lazy = bundle_file(tmp_path, {"bfake.later": "LATER = 'from the bundle'\n"})
    assert bootstrap.load((None, entries, lazy), path, base) == bootstrap.USED
    top = sys.modules["bfake.top"]
    assert top.VALUE == 42
    assert top.__spec__ is not None
    assert top.__spec__.name == "bfake.top" and top.__spec__.origin == top.__file__
    assert sys.modules["bfake"].top is top
    assert sys.modules["bfake"].__path__ == [str(tmp_path / "bfake")]
    # The lazy module is filled on first use, from the bundle's bytes.
    later = sys.modules["bfake.later"]
    assert "LATER" not in later.__dict__
    assert later.LATER == "from the bundle"


def test_a_lazy_module_whose_source_changed_runs_its_source(tmp_path: Path) -> None:
    entries = [entry(tmp_path, "bfake", "", package=True)]
    path, base, lazy = bundle_file(tmp_path, {"bfake.later": "LATER = 'bundled'\n"})
    Path(str(lazy["bfake.later"][0])).write_text("LATER = 'edited source'\n")
    assert bootstrap.load((None, entries, lazy), path, base) == bootstrap.USED
    assert sys.modules["bfake.later"].LATER == "edited source"


def test_a_changed_or_missing_source_declines_and_runs_nothing(tmp_path: Path) -> None:
    entries = [entry(tmp_path, "bfake", "", package=True), entry(tmp_path, "bfake.a", "X = 1\n")]
    file = Path(str(entries[1][1]))
    file.write_text("X = 22\n")
    got = bootstrap.load((None, entries, {}), "/nonexistent", 0)
    assert got == f"{file} changed after the bundle was written"
    assert "bfake" not in sys.modules
    file.unlink()
    assert bootstrap.load((None, entries, {}), "/nonexistent", 0) == f"{file} is gone"


def test_a_module_that_fails_leaves_sys_modules_as_it_was(tmp_path: Path) -> None:
    entries = [
        entry(tmp_path, "bfake", "", package=True),
        entry(tmp_path, "bfake.ok", "X = 1\n"),
        entry(tmp_path, "bfake.bad", "raise ValueError('broken on purpose')\n"),
    ]
    got = bootstrap.load((None, entries, {}), "/nonexistent", 0)
    assert got == "running bfake.bad failed: ValueError: broken on purpose"
    assert not [n for n in sys.modules if n.startswith("bfake")]
