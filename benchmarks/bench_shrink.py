"""Benchmark the RUNPATH trimming step (`ldwrap.link.shrink`) the shim runs after a link.

Usage: python benchmarks/bench_shrink.py [--runs N] [--imports N] [--work DIR]

Builds one typical gcc-linked program (libc plus two libraries of its own, linked through the
as-needed default, RUNPATH with five entries of which two provide a needed library) and times,
per link, median over N runs:

* shrink (edit): read + decide + prove safe + write, on a fresh copy each run;
* shrink (nothing to remove): the same on an already trimmed copy (read + decide only);
* plan only: read + decide + prove safe, no write;
* import: `import ldwrap.link.shrink` in a fresh `python -I -S`, alone and after the shim's own
  imports.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ldwrap.link.shrink import SHRUNK, UNCHANGED, plan_shrink, shrink_output  # noqa: E402

MAIN_C = r"""
#include <stdio.h>
int foo(void);
int bar(void);
int main(void) { printf("%d\n", foo() + bar()); return 0; }
"""


def build(work: Path) -> tuple[Path, list[str]]:
    """A program with RUNPATH unused1:foo:unused2:bar:empty (foo and bar provide)."""
    dirs = {name: work / name for name in ("unused1", "foo", "unused2", "bar", "empty")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    for name, body in (("foo", "int foo(void){return 1;}"), ("bar", "int bar(void){return 2;}"),
                       ("unused1", "int u1(void){return 0;}"),
                       ("unused2", "int u2(void){return 0;}")):  # fmt: skip
        src = dirs[name] / f"{name}.c"
        src.write_text(body + "\n")
        subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(dirs[name] / f"lib{name}.so"),
                        str(src)], check=True)  # fmt: skip
    (work / "main.c").write_text(MAIN_C)
    entries = [str(d) for d in dirs.values()]
    prog = work / "prog"
    libs = []
    for name in ("foo", "unused1", "bar", "unused2"):
        libs += [f"-L{dirs[name]}", f"-l{name}"]
    subprocess.run(["gcc", str(work / "main.c"), "-o", str(prog), "-Wl,--as-needed", *libs,
                    "-Wl,-rpath," + ":".join(entries)], check=True)  # fmt: skip
    return prog, entries


def median_us(times: list[float]) -> float:
    return statistics.median(times) * 1e6


def bench_edit(prog: Path, entries: list[str], runs: int, work: Path) -> list[float]:
    copies = [work / f"copy{i}" for i in range(runs)]
    for c in copies:
        shutil.copyfile(prog, c)
    times = []
    for c in copies:
        t = time.perf_counter()
        r = shrink_output(str(c), entries)
        times.append(time.perf_counter() - t)
        assert r.status == SHRUNK, r
    for c in copies:
        c.unlink()
    return times


def bench_noop(prog: Path, entries: list[str], runs: int, work: Path) -> list[float]:
    trimmed = work / "trimmed"
    shutil.copyfile(prog, trimmed)
    shrink_output(str(trimmed), entries)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = shrink_output(str(trimmed), entries)
        times.append(time.perf_counter() - t)
        assert r.status == UNCHANGED, r
    return times


def bench_plan(prog: Path, entries: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = plan_shrink(str(prog), entries)
        times.append(time.perf_counter() - t)
        assert r.status == SHRUNK, r
    return times


def bench_import(runs: int) -> dict[str, float]:
    """Medians over fresh `python -I -S` runs (microseconds): wall time with nothing, with the
    shim's own imports, with those and this module; and the module's import time from
    -X importtime, alone (it then pays for os and struct) and after the shim's imports."""
    setup = f"import sys; sys.path.insert(0, {str(ROOT / 'src')!r})"
    shim = setup + "; import ldwrap.link.shim"
    variants = {
        "empty": setup,
        "shim": shim,
        "shim+shrink": shim + "; import ldwrap.link.shrink",
    }
    walls: dict[str, list[float]] = {k: [] for k in variants}
    alone: list[int] = []
    after_shim: list[int] = []
    for _ in range(runs):
        for key, code in variants.items():
            t = time.perf_counter()
            subprocess.run([sys.executable, "-I", "-S", "-c", code], check=True)
            walls[key].append(time.perf_counter() - t)
        for code, out in ((setup, alone), (shim, after_shim)):
            proc = subprocess.run(
                [sys.executable, "-I", "-S", "-X", "importtime", "-c",
                 code + "; import ldwrap.link.shrink"],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            total = 0
            for line in proc.stderr.splitlines():
                fields = line.split("|")
                if len(fields) == 3 and fields[2].strip() == "ldwrap.link.shrink":
                    total += int(fields[1])  # cumulative: its own imports that were new
                elif len(fields) == 3 and fields[2].strip() == "ldwrap.link":
                    total += int(fields[1])
            out.append(total)
    res = {k: median_us(v) for k, v in walls.items()}
    res["alone"] = statistics.median(alone)
    res["after_shim"] = statistics.median(after_shim)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=500)
    ap.add_argument("--imports", type=int, default=40)
    ap.add_argument("--work", type=Path, default=None)
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="ldwrap-bench-shrink-"))
    try:
        prog, entries = build(work)
        before = plan_shrink(str(prog), entries)
        edit = bench_edit(prog, entries, args.runs, work)
        noop = bench_noop(prog, entries, args.runs, work)
        plan = bench_plan(prog, entries, args.runs)
        imp = bench_import(args.imports)
        size = os.path.getsize(prog)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"program: {size} bytes, RUNPATH {len(entries)} entries, "
          f"kept {len(before.kept)}, removed {len(before.removed)}")  # fmt: skip
    print(f"{'step':42} {'median':>10} {'p90':>10}")
    for label, times in (("shrink_output, edit (per link)", edit),
                         ("shrink_output, nothing to remove", noop),
                         ("plan_shrink (read + decide + safety)", plan)):  # fmt: skip
        p90 = sorted(times)[int(len(times) * 0.9)] * 1e6
        print(f"{label:42} {median_us(times):>8.1f}us {p90:>8.1f}us")
    print(f"{'import, fresh interpreter (+os, struct)':42} {imp['alone']:>8.0f}us")
    label = "import, after the shim's own imports"
    print(f"{label:42} {imp['after_shim']:>8.0f}us")
    print(f"{'python -I -S, empty':42} {imp['empty'] / 1000:>8.2f}ms")
    print(f"{'python -I -S, import ldwrap.link.shim':42} {imp['shim'] / 1000:>8.2f}ms")
    print(f"{'python -I -S, link.shim + link.shrink':42} {imp['shim+shrink'] / 1000:>8.2f}ms"
          f"   (+{(imp['shim+shrink'] - imp['shim']) / 1000:.2f}ms)")  # fmt: skip


if __name__ == "__main__":
    main()
