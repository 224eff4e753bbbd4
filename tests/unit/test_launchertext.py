"""A launcher's text (launchertext.py): both forms run the shim, the compiled body is the
text compiled, another Python runs the text, and every value written is read back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import base_env
from ldwrap import launchertext
from ldwrap.launchertext import Launcher, launcher_text, parse

SRC = str(Path(launchertext.__file__).resolve().parents[1])
# A directory name no raw string literal can hold: the body stays plain code then.
NO_RAW = "/a" + "'" * 3 + "b"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def run(path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(path), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=base_env(PATH="/usr/bin:/bin", **env),
    )


def python_link(tmp_path: Path, name: str) -> str:
    """sys.executable under another path, as a venv's bin/python is."""
    p = tmp_path / name / "python3"
    p.parent.mkdir(parents=True)
    p.symlink_to(sys.executable)
    return str(p)


@pytest.mark.parametrize("shell", [False, True])
@pytest.mark.parametrize("where", ["plain", "with space", "it's 100%"])
def test_both_forms_run_the_shim(tmp_path: Path, shell: bool, where: str) -> None:
    py = python_link(tmp_path, where)
    ld = write(tmp_path / "bin" / "ld.lld", launcher_text(python=py, shell=shell))
    assert ld.read_text().startswith("#!/bin/sh\n" if shell or " " in py else f"#!{py} -IS\n")
    p = run(ld, "-o", "out", "a.o", LDWRAP_DRY_RUN="1", LDWRAP_LINKER="/bin/true")
    assert p.returncode == 0, p.stderr
    assert p.stderr == "ldwrap: /bin/true -o out a.o\n"
    got = parse(ld.read_text())
    assert (got.python, got.package_parent) == (py, SRC)


def _text_and_blob(text: str) -> tuple[str, str, str]:
    """The body a launcher carries as text, its compiled form (hex) and the version guard."""
    _, body = launchertext.split(text)
    run_line = next(line for line in text.splitlines() if line.startswith("exec(loads("))
    blob = run_line.split("bytes.fromhex('", 1)[1].split("'", 1)[0]
    version = run_line.split("if sys.version == ", 1)[1].rsplit(" else TEXT)", 1)[0]
    return body, blob, version


def test_the_compiled_body_is_the_text_compiled() -> None:
    import ast
    import marshal

    body, blob, version = _text_and_blob(launcher_text(bundle="/x/.ldwrap-shim.bundle"))
    assert ast.literal_eval(version) == sys.version
    code = marshal.loads(bytes.fromhex(blob))
    again = compile(body, "<ldwrap launcher>", "exec", optimize=2)
    assert (code.co_code, code.co_consts, code.co_names) == (
        again.co_code,
        again.co_consts,
        again.co_names,
    )
    # Everything the other readers of a launcher look for is in the text, line by line.
    assert parse(launcher_text()).package_parent == SRC


@pytest.mark.parametrize("guard", ["this Python", "another Python"])
def test_another_python_runs_the_text(tmp_path: Path, guard: str) -> None:
    text = launcher_text()
    if guard == "another Python":
        text = text.replace(f"sys.version == {sys.version!r}", "sys.version == 'another'")
    ld = write(tmp_path / "bin" / "ld.lld", text)
    p = run(ld, "-o", "out", "a.o", LDWRAP_DRY_RUN="1", LDWRAP_LINKER="/bin/true")
    assert p.returncode == 0, p.stderr
    assert p.stderr == "ldwrap: /bin/true -o out a.o\n"


def test_a_body_no_raw_string_can_hold_stays_code(tmp_path: Path) -> None:
    parent = str(tmp_path / "a'''b")
    text = launcher_text(package_parent=parent)
    assert "TEXT = r'''" not in text and f"sys.path.insert(0, {parent!r})" in text
    assert launchertext.split(text) == ("", text)


@pytest.mark.parametrize("python", ["/usr/bin/python3", "/opt/my python/bin/python3", "/p" * 70])
@pytest.mark.parametrize("shell", [False, True])
@pytest.mark.parametrize("bundle", [None, "/x/.ldwrap-shim.bundle", "/it's/a b.bundle"])
@pytest.mark.parametrize("deps", [(), ("/site",), ("/a", "/b c")])
@pytest.mark.parametrize("parent", ["/usr/lib/python3/dist-packages", NO_RAW, "/w\\x"])
def test_what_is_written_is_read_back(
    python: str, shell: bool, bundle: str | None, deps: tuple[str, ...], parent: str
) -> None:
    text = launcher_text(python, parent, shell, bundle, deps)
    # A path a shebang cannot carry (a space, too long) gets the sh form.
    sh = shell or " " in python or len(python) > 120
    assert parse(text) == Launcher(python, parent, deps, bundle, sh)


def test_a_text_that_is_no_launcher_names_nothing() -> None:
    assert parse("#!/bin/sh\necho hi\n") == Launcher(None, None, (), None, True)
    assert parse("") == Launcher(None, None)
