"""The launchers `ldwrap install` writes: both forms run the shim, and a launcher whose
interpreter or package is gone says so in one line that names ldwrap (or, for the shebang
form, whose kernel error only `launcher_problem` can explain)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import base_env
from ldwrap import launcher
from ldwrap.launcher import launcher_problem, launcher_text, parse_launcher
from ldwrap.link.linkers import is_shim

SRC = str(Path(launcher.__file__).resolve().parents[1])


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
    assert parse_launcher(ld.read_text()) == (py, SRC)


@pytest.mark.parametrize("where", ["gone", "gone dir", "it's 100%"])
def test_sh_launcher_names_a_missing_interpreter(tmp_path: Path, where: str) -> None:
    py = str(tmp_path / where / "python3")
    ld = write(tmp_path / "bin" / "ld", launcher_text(python=py, shell=True))
    p = run(ld, "-o", "out")
    assert p.returncode == 127
    assert p.stderr == (
        f"ldwrap: {ld}: its Python ({py}) no longer exists; reinstall ldwrap, "
        f"then run `ldwrap install {ld.parent}` again\n"
    )
    assert launcher_problem(str(ld)) == f"{ld} runs {py}, which no longer exists"


def test_shebang_launcher_with_its_interpreter_gone(tmp_path: Path) -> None:
    # The kernel's ENOENT is all the caller sees (gcc: `collect2: fatal error: execvp: No such
    # file or directory`); launcher_problem, used by `ldwrap doctor`, names the cause.
    py = python_link(tmp_path, "venv")
    ld = write(tmp_path / "bin" / "ld", launcher_text(python=py))
    os.unlink(py)
    with pytest.raises(FileNotFoundError):
        run(ld)
    assert launcher_problem(str(ld)) == f"{ld} runs {py}, which no longer exists"


@pytest.mark.parametrize("shell", [False, True])
def test_a_missing_package_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shell: bool
) -> None:
    monkeypatch.setattr(launcher, "_dependency_dirs", list)  # nothing else to import from
    gone = str(tmp_path / "site-packages")
    ld = write(tmp_path / "bin" / "ld.lld", launcher_text(package_parent=gone, shell=shell))
    p = run(ld, "-o", "out")
    assert p.returncode == 127
    assert p.stderr == (
        f"ldwrap: {ld}: cannot load ldwrap from {gone} (No module named "
        f"'ldwrap'); reinstall ldwrap, then run `ldwrap install {ld.parent}` "
        "again\n"
    )
    assert launcher_problem(str(ld)) == f"{ld} loads ldwrap from {gone}, which no longer holds it"


def test_a_long_interpreter_path_keeps_the_mark_in_the_first_bytes(tmp_path: Path) -> None:
    py = python_link(tmp_path, "x" * 200)
    ld = write(tmp_path / "bin" / "ld", launcher_text(python=py))
    assert ld.read_text().startswith("#!/bin/sh\n")
    assert is_shim(str(ld))
    assert launcher_problem(str(ld)) is None


def _text_and_blob(text: str) -> tuple[str, str, str]:
    """The body a launcher carries as text, its compiled form (hex) and the version guard."""
    _, body = launcher.split_launcher(text)
    run_line = next(line for line in text.splitlines() if line.startswith("exec(loads("))
    blob = run_line.split("bytes.fromhex('", 1)[1].split("'", 1)[0]
    version = run_line.split("if sys.version == ", 1)[1].rsplit(" else TEXT)", 1)[0]
    return body, blob, version


def test_the_compiled_body_is_the_text_compiled() -> None:
    import ast
    import marshal

    from ldwrap.bundle import without_lines

    body, blob, version = _text_and_blob(launcher_text(bundle="/x/.ldwrap-shim.bundle"))
    assert ast.literal_eval(version) == sys.version
    code = marshal.loads(bytes.fromhex(blob))
    again = without_lines(compile(body, "<ldwrap launcher>", "exec", optimize=2))
    assert (code.co_code, code.co_consts, code.co_names) == (
        again.co_code,
        again.co_consts,
        again.co_names,
    )
    # Everything the other readers of a launcher look for is in the text, line by line.
    assert parse_launcher(launcher_text()) == (sys.executable, SRC)


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
    assert launcher.split_launcher(text) == ("", text)
