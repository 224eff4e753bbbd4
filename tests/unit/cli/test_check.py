"""The ``check`` command on bad input: exit code 2 and one line, and the rule for the
environment (the output forms and the JSON schema on real binaries are in
tests/integration/loader/test_check.py); on directories, the tree audit's exit status, its
lines and JSON, on hand-assembled files inside a root of their own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import pytest
from click.testing import CliRunner, Result

from helpers.builder import Builder
from helpers.elfbytes import library, program, write_elf
from ldwrap.cli.check import check
from ldwrap.loader.host import Host
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


# -- directories: the tree audit (hand-assembled files inside a root of their own, so that no
# file of this machine's is read) -------------------------------------------------------------


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "root"
    library(r / "lib64" / "ld-linux-x86-64.so.2")
    library(r / "lib64" / "libc.so.6")
    library(r / "opt" / "app" / "lib" / "libfoo.so.1", needed=["libc.so.6"])
    return r


def _check(root: Path, *args: str) -> Result:
    return CliRunner().invoke(check, ["--root", str(root), *args])


@pytest.mark.parametrize(
    ("runpath", "needed", "status", "kinds"),
    [
        ("$ORIGIN/../lib", ["libfoo.so.1"], 0, []),
        ("$ORIGIN/../lib:/opt/none", ["libfoo.so.1"], 0, ["unused_entry"]),  # warning only
        ("$ORIGIN/../lib:$ORIGIN/../lib/", ["libfoo.so.1"], 0, ["duplicate_entry"]),
        ("/opt/app/lib:", ["libfoo.so.1"], 1, ["empty_path_element"]),
        ("/tmp/x:$ORIGIN/../lib", ["libfoo.so.1"], 1, ["temp_dir_entry", "unused_entry"]),
        ("$ORIGIN/../lib", ["libfoo.so.1", "libnone.so.3"], 1, ["unresolved"]),
        ("lib:$ORIGIN/../lib", ["libfoo.so.1"], 1, ["relative_entry"]),
        ("$ORIGIN/../lib", ["/opt/app/lib/libfoo.so.1"], 0, ["needed_path", "unused_entry"]),
    ],
)
def test_audit_exit_status(
    root: Path, runpath: str, needed: list[str], status: int, kinds: list[str]
) -> None:
    program(root / "opt" / "app" / "bin" / "app", needed=[*needed, "libc.so.6"], runpath=runpath)
    res = _check(root, str(root / "opt" / "app"))
    assert res.exit_code == status, res.output
    lines = res.output.splitlines()
    assert [line.rsplit("[", 1)[1].rstrip("]") for line in lines[:-1]] == kinds
    assert lines[-1].startswith("ldwrap check: 2 files: 2 ELF files judged")


def test_audit_mixes_files_and_directories_and_says_what_it_skipped(root: Path) -> None:
    program(root / "opt" / "app" / "bin" / "app", needed=["libc.so.6"], runpath="/opt/nowhere")
    (root / "opt" / "app" / "share").mkdir()
    (root / "opt" / "app" / "share" / "doc.txt").write_text("x")
    (root / "opt" / "app" / "lib" / "libfoo.so").symlink_to("libfoo.so.1")
    single = program(root / "srv" / "tool", needed=["libc.so.6"])
    res = _check(root, str(root / "opt" / "app" / "lib"), str(single), "/opt/app/bin")
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        "/opt/app/bin/app: warning: RUNPATH entry /opt/nowhere does not exist [unused_entry]",
        "ldwrap check: 3 files: 3 ELF files judged, 1 symlink not followed; 0 errors, "
        "1 warning (unused_entry 1)",
    ]
    res = _check(root, "/opt/app")
    assert "1 not ELF, skipped" in res.output.splitlines()[-1]


def test_audit_bad_input_is_status_two_and_the_rest_is_still_audited(root: Path) -> None:
    program(root / "opt" / "app" / "bin" / "app", needed=["libnone.so.1", "libc.so.6"])
    (root / "notes.txt").write_text("x")
    res = _check(root, "/opt/app", "/no/such/dir", "/notes.txt")
    assert res.exit_code == 2
    assert "ldwrap check: error: /no/such/dir: No such file or directory" in res.output
    assert "ldwrap check: error: /notes.txt: not an ELF file" in res.output
    assert "/opt/app/bin/app: error: libnone.so.1 is not found [unresolved]" in res.output


@pytest.mark.parametrize("option", ["--tree", "--all"])
def test_audit_refuses_the_options_of_one_files_load(root: Path, option: str) -> None:
    res = _check(root, option, "/opt/app")
    assert res.exit_code == 2
    assert res.output == (
        f"ldwrap check: error: {option} shows the load of one file; it does not apply to a "
        "directory (name the file instead)\n"
    )


def test_audit_flag_audits_a_file_named_alone(root: Path) -> None:
    program(root / "opt" / "app" / "bin" / "app", needed=["libc.so.6"], runpath="/opt/none")
    plain = _check(root, "/opt/app/bin/app")
    assert plain.exit_code == 0 and plain.output.startswith("/opt/app/bin/app\n    /lib64/")
    audit = _check(root, "--audit", "/opt/app/bin/app")
    assert audit.exit_code == 0
    assert audit.output.splitlines()[0] == (
        "/opt/app/bin/app: warning: RUNPATH entry /opt/none does not exist [unused_entry]"
    )


def test_audit_json(root: Path) -> None:
    program(root / "opt" / "app" / "bin" / "app", needed=["libc.so.6"], runpath="/opt/none")
    res = _check(root, "--json", "/opt/app")
    assert res.exit_code == 0
    out = json.loads(res.output)
    assert sorted(out) == ["findings", "paths", "schema", "summary"]
    assert out["paths"] == ["/opt/app"] and out["summary"]["judged"] == 2
    assert [(f["file"], f["kind"], f["severity"]) for f in out["findings"]] == [
        ("/opt/app/bin/app", "unused_entry", "warning")
    ]
    verbose = json.loads(_check(root, "--json", "-v", "/opt/app").output)
    assert [f["file"] for f in verbose["files"]] == [
        "/opt/app/bin/app",
        "/opt/app/lib/libfoo.so.1",
    ]


def test_single_file_check_names_a_needed_path_with_its_fix(root: Path) -> None:
    library(root / "w" / "libnosoname.so", soname=None)
    (root / "w" / "Makefile").touch()  # a build tree
    program(root / "opt" / "app" / "bin" / "app", needed=["/w/libnosoname.so", "libc.so.6"])
    res = _check(root, "/opt/app/bin/app")
    assert res.exit_code == 1
    assert res.output.splitlines()[-2:] == [
        "warning: /opt/app/bin/app: DT_NEEDED '/w/libnosoname.so' is a path: the loader opens "
        "that file and ignores the run path; it is in a build tree (/w/Makefile exists)",
        "    fix: link libnosoname.so with a SONAME (-Wl,-soname,libnosoname.so), then relink "
        "/opt/app/bin/app: it then needs the bare name, found through its run path",
    ]
    (root / "w" / "Makefile").unlink()  # installed where nothing is built: a note, status 0
    res = _check(root, "/opt/app/bin/app")
    assert res.exit_code == 0
    assert res.output.splitlines()[-2].startswith("note: /opt/app/bin/app: DT_NEEDED")


def test_destdir_judges_a_staged_tree_as_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make install DESTDIR=stage` with an absolute run path: audited where it lies, the
    program misses its library (the run path names the installed place); with --destdir,
    every path is looked up in the stage first, and nothing is missing. The files name a
    loader of their own (not this machine's, so it is not asked) and need nothing of the
    system's."""
    monkeypatch.setattr("ldwrap.loader.startup.host", lambda: Host("x86_64", 1))
    stage = tmp_path / "stage"
    prefix = f"/opt/ldwrap-test-{tmp_path.name}"  # nowhere on this machine
    staged = stage / prefix.lstrip("/")
    interp = f"{prefix}/lib/ld-test.so.2"
    library(staged / "lib" / "ld-test.so.2")
    library(staged / "lib" / "libfoo.so.1")
    write_elf(staged / "bin" / "app", interp=interp, needed=["libfoo.so.1"],
              runpath=f"{prefix}/lib")  # fmt: skip
    plain = CliRunner().invoke(check, [str(stage)])
    assert plain.exit_code == 1
    assert f"{staged}/bin/app: error: libfoo.so.1 is not found [unresolved]" in plain.output
    res = CliRunner().invoke(check, ["--destdir", str(stage), str(stage)])
    assert res.exit_code == 0, res.output
    assert res.output.endswith("; no findings\n")
    one = CliRunner().invoke(check, ["--destdir", str(stage), f"{prefix}/bin/app"])
    assert f"libfoo.so.1 => {prefix}/lib/libfoo.so.1 [runpath]" in one.output


def test_root_and_destdir_exclude_each_other(tmp_path: Path) -> None:
    res = CliRunner().invoke(check, ["--root", str(tmp_path), "--destdir", str(tmp_path), "x"])
    assert res.exit_code == 2
    assert res.output == (
        "ldwrap check: error: --root and --destdir exclude each other: a root is a whole system\n"
    )
