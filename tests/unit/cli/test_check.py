"""The ``check`` command on bad input: exit code 2 and one line, and the rule for the
environment (the output forms and the JSON
schema on real binaries are in tests/integration/loader/test_check.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest
from click.testing import CliRunner

from helpers.builder import Builder
from ldwrap.cli.check import check
from ldwrap.loader.resolve import Options
from ldwrap.loader.startup import startup_options


@pytest.fixture
def build(tmp_path: Path) -> Builder:
    return Builder(tmp_path)


def test_bad_input_exit_two_one_line(build: Builder) -> None:
    text = build.file("notelf.txt", b"hello\n")
    res = CliRunner().invoke(check, [str(text)])
    assert res.exit_code == 2
    assert res.output.strip().count("\n") == 0 and "not an ELF file" in res.output
    res2 = CliRunner().invoke(check, [str(build.root / "missing")])
    assert res2.exit_code == 2 and "No such file or directory" in res2.output


@pytest.mark.parametrize("root", ["nonexistent", "afile"])
def test_bad_root_is_blamed_not_the_file(build: Builder, root: str) -> None:
    build.file("afile", b"")
    path = str(build.root / root)
    res = CliRunner().invoke(check, ["--root", path, "/bin/true", "/bin/false"])
    assert res.exit_code == 2
    assert res.output.splitlines() == [
        f"ldwrap check: error: --root {path}: "
        + ("no such directory" if root == "nonexistent" else "not a directory")
    ]


ENV = {"LD_LIBRARY_PATH": "/env/lib", "LD_PRELOAD": "/env/libp.so"}


@pytest.mark.parametrize(
    ("env", "given", "honour", "started", "compared"),
    [
        # By default the environment is ignored, and compared with.
        (ENV, None, False, (None, None), ("/env/lib", "/env/libp.so")),
        ({}, None, False, (None, None), None),
        ({"LD_LIBRARY_PATH": ""}, None, False, (None, None), None),
        # --ld-library-path is the run-time value, with or without the environment.
        (ENV, "/given", False, ("/given", None), ("/given", "/env/libp.so")),
        ({"LD_LIBRARY_PATH": "/env/lib"}, "/given", False, ("/given", None), None),
        # --env: the environment is the run time; nothing to compare with.
        (ENV, None, True, ("/env/lib", "/env/libp.so"), None),
        (ENV, "/given", True, ("/given", "/env/libp.so"), None),
    ],
)
def test_startup_options(
    env: dict[str, str],
    given: Optional[str],
    honour: bool,
    started: tuple[Optional[str], Optional[str]],
    compared: Optional[tuple[str, str]],
) -> None:
    opts, env_opts = startup_options(env, given, honour, Options(secure=True))
    assert (opts.ld_library_path, opts.preload, opts.secure) == (*started, True)
    if compared is None:
        assert env_opts is None
    else:
        assert env_opts is not None
        assert (env_opts.ld_library_path, env_opts.preload, env_opts.secure) == (*compared, True)
