"""verify_output: the post-link check the shim runs under LDWRAP_VERIFY."""

from __future__ import annotations

import subprocess

from helpers.builder import Builder, real_loader
from ldwrap.loader.verify import verify_output


def test_good_output_has_no_problems(build: Builder) -> None:
    r = build.root
    lib = build.lib("l/libok.so")
    exe = build.exe("bin/exe", deps=[lib], rpath=f"{r}/l")
    assert verify_output(str(exe), {}) == []
    assert real_loader(exe).returncode == 0


def test_missing_library_is_named(build: Builder) -> None:
    r = build.root
    lib = build.lib("l/libmiss.so")
    exe = build.exe("bin/exe", deps=[lib])
    assert verify_output(str(exe), {}) == ["libmiss.so: not found"]
    # The build's LD_LIBRARY_PATH is ignored, as ldwrap check ignores it, and named.
    assert verify_output(str(exe), {"LD_LIBRARY_PATH": f"{r}/l"}) == [
        f"libmiss.so: found only through LD_LIBRARY_PATH ({r}/l); the program will not "
        "start without it"
    ]
    assert real_loader(exe).returncode == 127
    assert verify_output(str(exe), {"LDWRAP_VERIFY_LD_LIBRARY_PATH": f"{r}/l"}) == []


def test_indirect_miss_names_requester(build: Builder) -> None:
    r = build.root
    libb = build.lib("b/libb.so")
    liba = build.lib("a/liba.so", deps=[libb])
    exe = build.exe("bin/exe", deps=[liba], runpath=f"{r}/a:{r}/b")
    assert verify_output(str(exe), {}) == [f"libb.so (needed by {r}/a/liba.so): not found"]


def test_non_dynamic_outputs_pass(build: Builder) -> None:
    obj = build.root / "x.o"
    (build.root / "x.c").write_text("int x;\n")
    subprocess.run(["gcc", "-c", "-o", str(obj), str(build.root / "x.c")], check=True)
    assert verify_output(str(obj), {}) == []
    static = build.exe("bin/static", extra=["-static"])
    assert verify_output(str(static), {}) == []


def test_empty_runpath_element_is_a_problem(build: Builder) -> None:
    r = build.root
    lib = build.lib("l/libok.so")
    exe = build.exe("bin/exe", deps=[lib], runpath=f"{r}/l::")
    assert verify_output(str(exe), {}) == [
        f"{exe}: RUNPATH '{r}/l::' has an empty element; the loader searches it as the "
        "current directory"
    ]
