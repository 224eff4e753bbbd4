"""The ``check`` command on real binaries (built with gcc, or the system's own): output forms,
JSON schema, exit codes. Bad input is in tests/unit/cli/test_check.py."""

from __future__ import annotations

import json

from click.testing import CliRunner

from helpers.builder import Builder
from ldwrap.cli.check import check

RESOLVED_VIA = {"rpath", "ld_library_path", "runpath", "ld_so_cache", "default_dirs",
                "already_loaded", "preload", "direct", "interpreter", "not_found", "dropped"}


def test_json_schema_and_exit_zero() -> None:
    res = CliRunner().invoke(check, ["--json", "--no-env", "/bin/true", "/usr/bin/env"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert [d["file"] for d in data] == ["/bin/true", "/usr/bin/env"]
    for doc in data:
        assert doc["ok"] is True
        libs = doc["libraries"]
        assert libs[0]["found_via"] == "interpreter"
        for lib in libs:
            assert set(lib) >= {"name", "path", "found_via", "needed_by", "tried"}
            assert lib["found_via"] in RESOLVED_VIA
            assert lib["path"] is None or lib["path"].startswith("/")
        libc = next(x for x in libs if x["name"] == "libc.so.6" and x["loaded"])
        assert libc["found_via"] == "ld_so_cache"
        assert libc["tried"][-1]["result"] == "found"


def test_missing_library_exit_one_with_trail(build: Builder) -> None:
    r = build.root
    lib = build.lib("gone/libgone.so")
    exe = build.exe("bin/exe", deps=[lib], rpath=f"{r}/nothere")
    res = CliRunner().invoke(check, ["--no-env", str(exe)])
    assert res.exit_code == 1
    assert "libgone.so => not found" in res.output
    assert f"tried {r}/nothere/libgone.so (rpath of {exe}: missing)" in res.output
    js = CliRunner().invoke(check, ["--json", "--no-env", str(exe)])
    gone = next(x for x in json.loads(js.output)[0]["libraries"] if x["name"] == "libgone.so")
    assert gone["path"] is None and gone["found_via"] == "not_found"
    assert any(t["source"] == "ld_so_cache" and t["result"] == "no entry" for t in gone["tried"])


def test_tree_and_all(build: Builder) -> None:
    r = build.root
    libb = build.lib("l/libb.so")
    liba = build.lib("l/liba.so", deps=[libb])
    exe = build.exe("bin/exe", deps=[liba, libb], rpath=f"{r}/l")
    tree = CliRunner().invoke(check, ["--tree", "--no-env", str(exe)]).output.splitlines()
    assert tree[0] == str(exe)
    assert f"├── liba.so => {r}/l/liba.so [rpath of {exe}]" in tree
    # libb is loaded by the executable (BFS), so under liba it appears only with --all.
    assert not any("│   └── libb.so" in line for line in tree)
    full = CliRunner().invoke(check, ["--tree", "--all", "--no-env", str(exe)]).output
    assert "libb.so => " in full and "already loaded, matched by name" in full


def test_ld_library_path_option_and_no_env(build: Builder) -> None:
    r = build.root
    lib = build.lib("l/libx.so")
    exe = build.exe("bin/exe", deps=[lib])
    env = {"LD_LIBRARY_PATH": f"{r}/l"}
    assert CliRunner(env=env).invoke(check, [str(exe)]).exit_code == 0
    assert CliRunner(env=env).invoke(check, ["--no-env", str(exe)]).exit_code == 1
    ok = CliRunner().invoke(check, ["--no-env", "--ld-library-path", f"{r}/l", str(exe)])
    assert ok.exit_code == 0 and "[ld library path]" in ok.output
