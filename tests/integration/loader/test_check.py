"""The ``check`` command on real binaries (built with gcc, or the system's own): output forms,
JSON schema, exit codes. Bad input is in tests/unit/cli/test_check.py."""

from __future__ import annotations

import json

from click.testing import CliRunner

from helpers.builder import Builder, real_loader
from ldwrap.cli.check import check

RESOLVED_VIA = {
    "rpath",
    "ld_library_path",
    "runpath",
    "ld_so_cache",
    "default_dirs",
    "already_loaded",
    "preload",
    "direct",
    "interpreter",
    "not_found",
    "dropped",
}


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


def test_json_additions_on_a_real_binary() -> None:
    res = CliRunner().invoke(check, ["--json", "/bin/true"])
    doc = json.loads(res.output)[0]
    assert doc["warnings"] == [] and doc["ld_library_path"] is None
    libc = next(x for x in doc["libraries"] if x["name"] == "libc.so.6" and x["loaded"])
    assert [s["source"] for s in libc["searched"]] == ["ld_so_cache"]
    assert libc["fix_dir"] is None and libc["environment"] is None


def test_one_missing_library_is_short_and_names_the_fix(build: Builder) -> None:
    r = build.root
    lib = build.lib("opt/x/lib/libgone.so.1")
    exe = build.exe("bin/exe", deps=[lib], rpath=f"{r}/nothere")
    env = {
        "LDWRAP_RPATH_PREFIXES": f"{r}/opt",
        "LD_LIBRARY_PATH": None,
        "LIBRARY_PATH": None,
        "NIX_STORE": None,
    }
    res = CliRunner(env=env).invoke(check, [str(exe)])
    assert res.exit_code == 1
    lines = res.output.splitlines()
    assert len(lines) <= 10, res.output
    assert "    libgone.so.1 => not found" in lines
    searched = next(x for x in lines if x.strip().startswith("searched:"))
    assert searched.strip().startswith(f"searched: RPATH of exe ({r}/nothere), ld.so.cache, ")
    assert (
        f"fix: libgone.so.1 is in {r}/opt/x/lib: relink through ldwrap with -L{r}/opt/x/lib, "
        f"or add -Wl,-rpath,{r}/opt/x/lib" in res.output
    )
    assert "tried " not in res.output
    assert real_loader(exe).returncode == 127  # it really does not start

    verbose = CliRunner(env=env).invoke(check, ["--verbose", str(exe)]).output
    assert f"tried {r}/nothere/libgone.so.1 (rpath of {exe}: missing)" in verbose
    assert len(verbose.splitlines()) > len(lines) + 3

    js = CliRunner(env=env).invoke(check, ["--json", str(exe)])
    gone = next(x for x in json.loads(js.output)[0]["libraries"] if x["name"] == "libgone.so.1")
    assert gone["path"] is None and gone["found_via"] == "not_found"
    assert any(t["source"] == "ld_so_cache" and t["result"] == "no entry" for t in gone["tried"])
    assert any(t["path"] == f"{r}/nothere/libgone.so.1" for t in gone["tried"])
    assert gone["fix_dir"] == f"{r}/opt/x/lib"
    assert gone["searched"][0] == {
        "source": "rpath",
        "owner": str(exe),
        "dirs": [f"{r}/nothere"],
        "note": "",
    }


def test_fix_names_a_sibling_directory_and_the_requesting_library(build: Builder) -> None:
    r = build.root
    libb = build.lib("b/libb.so")
    liba = build.lib("a/liba.so", deps=[libb])
    libc2 = build.lib("b/libc2.so")
    exe = build.exe("bin/exe", deps=[liba, libc2], runpath=f"{r}/a:{r}/b")
    # libb.so is needed by liba.so, whose own search (no RUNPATH) misses it; the program's
    # RUNPATH is not inherited. The directory is known from libc2.so, which resolves.
    res = CliRunner(env={"LD_LIBRARY_PATH": None}).invoke(check, [str(exe)])
    assert res.exit_code == 1
    assert (
        f"fix: libb.so is in {r}/b: relink liba.so through ldwrap with -L{r}/b, or add "
        f"-Wl,-rpath,{r}/b to its link"
    ) in res.output
    assert real_loader(exe).returncode == 127


def test_tree_and_all(build: Builder) -> None:
    r = build.root
    libb = build.lib("l/libb.so")
    liba = build.lib("l/liba.so", deps=[libb])
    exe = build.exe("bin/exe", deps=[liba, libb], rpath=f"{r}/l")
    tree = CliRunner().invoke(check, ["--tree", str(exe)]).output.splitlines()
    assert tree[0] == str(exe)
    assert f"├── liba.so => {r}/l/liba.so [rpath]" in tree
    # libb is loaded by the executable (BFS), so under liba it appears only with --all.
    assert not any("│   └── libb.so" in line for line in tree)
    full = CliRunner().invoke(check, ["--tree", "--all", str(exe)]).output
    assert "libb.so => " in full and "already loaded, matched by name" in full


def test_tree_of_a_missing_library_is_compact(build: Builder) -> None:
    r = build.root
    exe = build.exe("bin/exe", deps=[build.lib("gone/libgone.so")])
    res = CliRunner(env={"LD_LIBRARY_PATH": None}).invoke(check, ["--tree", str(exe)])
    assert res.exit_code == 1 and len(res.output.splitlines()) <= 10, res.output
    assert "├── libgone.so => not found" in res.output and "searched: " in res.output
    verbose = CliRunner().invoke(check, ["--tree", "-v", str(exe)]).output
    assert "│     tried /etc/ld.so.cache (ld_so_cache: no entry)" in verbose
    assert f"fix: libgone.so is in {r}/gone" not in res.output  # not in any place looked at


def test_ld_library_path_from_the_environment_is_not_trusted(build: Builder) -> None:
    r = build.root
    lib = build.lib("l/libx.so")
    exe = build.exe("bin/exe", deps=[lib])
    env = {"LD_LIBRARY_PATH": f"{r}/l"}
    assert real_loader(exe).returncode == 127
    assert real_loader(exe, env).returncode == 0
    for args in ([], ["--no-env"]):  # --no-env is the default, kept for old command lines
        res = CliRunner(env=env).invoke(check, [*args, str(exe)])
        assert res.exit_code == 1, res.output
        assert "    libx.so => not found [only through LD_LIBRARY_PATH]" in res.output
        assert res.output.splitlines()[-1] == (
            f"warning: libx.so is found only through LD_LIBRARY_PATH ({r}/l); "
            "the program will not start without it"
        )
    js = json.loads(CliRunner(env=env).invoke(check, ["--json", str(exe)]).output)[0]
    assert [w["kind"] for w in js["warnings"]] == ["environment_only"]
    libx = next(x for x in js["libraries"] if x["name"] == "libx.so")
    assert libx["environment"] == {
        "kind": "environment_only",
        "path": f"{r}/l/libx.so",
        "through": "LD_LIBRARY_PATH",
    }
    honoured = CliRunner(env=env).invoke(check, ["--env", str(exe)])
    assert honoured.exit_code == 0 and "[LD_LIBRARY_PATH]" in honoured.output
    assert "warning" not in honoured.output
    given = CliRunner().invoke(check, ["--ld-library-path", f"{r}/l", str(exe)])
    assert given.exit_code == 0 and "[LD_LIBRARY_PATH]" in given.output


def test_ld_preload_from_the_environment_is_not_trusted(build: Builder) -> None:
    r = build.root
    lib = build.lib("p/libp.so")
    exe = build.exe("bin/exe", deps=[lib])
    env = {"LD_PRELOAD": f"{r}/p/libp.so", "LD_LIBRARY_PATH": None}
    assert real_loader(exe, {"LD_PRELOAD": f"{r}/p/libp.so"}).returncode == 0
    res = CliRunner(env=env).invoke(check, [str(exe)])
    assert res.exit_code == 1
    assert f"libp.so is found only through LD_PRELOAD ({r}/p/libp.so)" in res.output
    assert CliRunner(env=env).invoke(check, ["--env", str(exe)]).exit_code == 0


def test_environment_that_only_moves_a_library_is_a_note(build: Builder) -> None:
    r = build.root
    lib = build.lib("a/libx.so")
    build.lib("b/libx.so")
    exe = build.exe("bin/exe", deps=[lib], runpath=f"{r}/a")
    res = CliRunner(env={"LD_LIBRARY_PATH": f"{r}/b"}).invoke(check, [str(exe)])
    assert res.exit_code == 0, res.output
    assert f"libx.so => {r}/a/libx.so [runpath]" in res.output
    assert res.output.splitlines()[-1] == (
        f"note: libx.so would be loaded from {r}/b/libx.so through LD_LIBRARY_PATH ({r}/b), "
        "which is ignored"
    )


def test_empty_runpath_element_warns_and_fails(build: Builder) -> None:
    r = build.root
    lib = build.lib("l/libx.so")
    exe = build.exe("bin/exe", deps=[lib], runpath=f"{r}/nothere:")
    # The real loader takes the empty element as the current directory.
    assert real_loader(exe, cwd=r / "l").returncode == 0
    assert real_loader(exe, cwd=r).returncode == 127
    res = CliRunner(env={"LD_LIBRARY_PATH": None}).invoke(check, [str(exe)])
    assert res.exit_code == 1
    warnings = [x for x in res.output.splitlines() if x.startswith("warning:")]
    assert warnings == [
        f"warning: {exe}: RUNPATH '{r}/nothere:' has an empty element; "
        "the loader searches it as the current directory"
    ]
    js = json.loads(CliRunner().invoke(check, ["--json", str(exe)]).output)[0]
    assert js["ok"] is False  # libx.so is not in the current directory either
    assert [(w["kind"], w["object"]) for w in js["warnings"]] == [("empty_path_element", str(exe))]


def test_empty_rpath_element_of_a_loaded_library_warns(build: Builder) -> None:
    r = build.root
    liba = build.lib("a/liba.so", rpath=f":{r}/a")
    exe = build.exe("bin/exe", deps=[liba], runpath=f"{r}/a")
    res = CliRunner(env={"LD_LIBRARY_PATH": None}).invoke(check, [str(exe)])
    assert res.exit_code == 1
    assert f"warning: {r}/a/liba.so: RPATH ':{r}/a' has an empty element" in res.output
    assert "not found" not in res.output
