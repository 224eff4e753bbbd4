"""Benchmark the RUNPATH trimming step (`ldwrap.link.trim`) the shim runs after a link.

Usage: python benchmarks/bench_shrink.py [--runs N] [--imports N] [--links N] [--work DIR]

First, what one link pays for the hook (LDWRAP_SHRINK): a real gcc link of a small program
with 5 -L/-l into store-like directories, of which `--as-needed` (Debian's gcc default) drops
3, through ldwrap's drop-ins (written by `ldwrap install`), with LDWRAP_SHRINK=0 (the linker
is exec'd) and LDWRAP_SHRINK=1 (it runs as a child, then the shim imports link.trim and trims
the output), interleaved, N runs each; and the same drop-in in front of a linker that exits at
once, to see the hook's cost without a real link's noise around it. Wall and CPU time (user +
system of the whole process tree); the cost is the median of the per-run differences.

Then the step alone. Builds one typical gcc-linked program (libc plus two libraries of its
own, linked through the as-needed default, RUNPATH with five entries of which two provide a
needed library) and times, per link, median over N runs:

* shrink (edit): read + decide + prove safe + write, on a fresh copy each run;
* shrink (nothing to remove): the same on an already trimmed copy (read + decide only);
* plan only: read + decide + prove safe, no write;
* import: `import ldwrap.link.trim` in a fresh `python -I -S`, alone and after the shim's own
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
sys.path.insert(0, str(ROOT / "benchmarks"))

import _fixtures as fx  # noqa: E402
from _timing import Command, check_ok  # noqa: E402

from ldwrap.link.trim import SHRUNK, UNCHANGED, plan_shrink, shrink_output  # noqa: E402

# The hook would be on by default if one link paid less than this for it (median); it costs
# more (see ldwrap.link.config.SHRINK_DEFAULT). The benchmark reports how this machine compares.
DEFAULT_BUDGET_MS = 2.0

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


def link_case(work: Path) -> tuple[list[str], str, Path, list[str]]:
    """A gcc link through the drop-ins: (argv, store, output, the unused directories)."""
    store = str(work / "nix" / "store")
    pairs = fx.make_store_dirs(store, "shrinkbench", 5, 1)
    for d, lib in pairs:
        so = os.path.join(d, f"lib{lib}.so")
        if os.path.getsize(so) == 0:  # make_store_dirs leaves empty files: build real ones
            lib_src = os.path.join(d, f"{lib}.c")
            Path(lib_src).write_text(f"int {lib}_value(void) {{ return 1; }}\n")
            fx.sh(["gcc", "-shared", "-fPIC", lib_src, "-o", so])
    main_o = work / "linkmain.o"
    src = work / "linkmain.c"
    used = [lib for _, lib in pairs[:2]]
    src.write_text(
        "".join(f"int {u}_value(void);\n" for u in used)
        + "int main(void) { return "
        + " + ".join(f"{u}_value()" for u in used)
        + " - 2; }\n"
    )
    fx.sh(["gcc", "-c", str(src), "-o", str(main_o)])
    shims = fx.install_dropins(str(work))
    out = work / "linked"
    argv = [
        "gcc",
        f"-B{shims}",
        str(main_o),
        "-o",
        str(out),
        *(f"-L{d}" for d, _ in pairs),
        *(f"-l{lib}" for _, lib in pairs),
    ]
    return argv, store, out, [d for d, _ in pairs[2:]]


def bench_link(work: Path, runs: int) -> dict[str, float]:
    """Medians (ms) of the link without and with the hook, and of their paired difference."""
    argv, store, out, unused = link_case(work)
    gcc = shutil.which("gcc") or "gcc"
    path = "/usr/bin:/bin"
    cmds = [Command(label, [gcc, *argv[1:]],
                    fx.clean_env(path, NIX_STORE=store, LDWRAP_SHRINK=flag))
            for label, flag in (("exec", "0"), ("shrink", "1"))]  # fmt: skip
    for cmd in cmds:
        check_ok(cmd)
        got = fx.runpath(str(out)).split(":")
        trimmed = cmd.label == "shrink"
        if any(d in got for d in unused) == trimmed or len(got) < 2:
            raise RuntimeError(f"{cmd.label}: unexpected RUNPATH {got}")
    # The same drop-in and arguments with a linker that exits at once (the output, already
    # trimmed, stays): the hook's cost without the noise of a real link around it.
    fast = fx.fast_linker(str(work))
    shims = argv[1][2:]
    ld_args = ["--as-needed", "-o", str(out), *argv[2:3], *argv[5:]]
    cmds += [Command(f"fast {label}", [os.path.join(shims, "ld"), *ld_args],
                     fx.clean_env(f"{shims}:{fast}:{path}", NIX_STORE=store, LDWRAP_SHRINK=flag))
             for label, flag in (("exec", "0"), ("shrink", "1"))]  # fmt: skip
    wall, cpu = measure_cpu(cmds, runs, warmup=3)
    out_ms: dict[str, float] = {"runs": float(runs)}
    for key, i in (("gcc", 0), ("fast", 2)):
        for kind, times in (("wall", wall), ("cpu", cpu)):
            a, b = times[i], times[i + 1]
            diffs = [y - x for x, y in zip(a, b)]
            q = statistics.quantiles(diffs, n=4)
            out_ms |= {f"{key}_{kind}_exec": statistics.median(a) * 1e3,
                       f"{key}_{kind}_shrink": statistics.median(b) * 1e3,
                       f"{key}_{kind}_diff": statistics.median(diffs) * 1e3,
                       f"{key}_{kind}_q1": q[0] * 1e3, f"{key}_{kind}_q3": q[2] * 1e3}  # fmt: skip
    return out_ms


def measure_cpu(cmds: list[Command], runs: int, warmup: int) -> tuple[list[list[float]], ...]:
    """Wall and CPU seconds (user + system, of the command and every process it waited for)
    of each command, interleaved. CPU time is what the hook adds to a link's work; on a busy
    machine it varies much less than wall time."""
    wall: list[list[float]] = [[] for _ in cmds]
    cpu: list[list[float]] = [[] for _ in cmds]
    devnull = os.open(os.devnull, os.O_RDWR)
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
    try:
        for round_no in range(warmup + runs):
            for i, cmd in enumerate(cmds):
                t = time.perf_counter()
                pid = os.posix_spawn(cmd.argv[0], cmd.argv, cmd.env, file_actions=actions)
                _, status, ru = os.wait4(pid, 0)
                elapsed = time.perf_counter() - t
                if status != 0:
                    raise RuntimeError(f"{cmd.label}: failed (wait status {status})")
                if round_no >= warmup:
                    wall[i].append(elapsed)
                    cpu[i].append(ru.ru_utime + ru.ru_stime)
    finally:
        os.close(devnull)
    return wall, cpu


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
        "shim+shrink": shim + "; import ldwrap.link.trim",
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
                 code + "; import ldwrap.link.trim"],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            total = 0
            for line in proc.stderr.splitlines():
                fields = line.split("|")
                if len(fields) == 3 and fields[2].strip() == "ldwrap.link.trim":
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
    ap.add_argument("--links", type=int, default=40, help="runs of the real link, each way")
    ap.add_argument("--work", type=Path, default=None)
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="ldwrap-bench-shrink-"))
    try:
        link = bench_link(work, args.links)
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
    print(
        f"One link, 5 -L/-l (3 dropped by --as-needed), {link['runs']:.0f} runs each way, "
        "interleaved:"
    )
    print(f"{'':39} {'SHRINK=0':>9} {'SHRINK=1':>9} {'cost: paired median (quartiles)':>34}")
    for key, label in (("gcc", "gcc through the drop-ins"),
                       ("fast", "drop-in ld, linker exits at once")):  # fmt: skip
        for kind in ("wall", "cpu"):
            k = f"{key}_{kind}"
            print(
                f"{label + ', ' + kind:39} {link[k + '_exec']:7.2f}ms "
                f"{link[k + '_shrink']:7.2f}ms {link[k + '_diff']:9.2f}ms "
                f"({link[k + '_q1']:.2f} .. {link[k + '_q3']:.2f}ms)"
            )
    cost = max(link["gcc_wall_diff"], link["gcc_cpu_diff"])
    verdict = "within" if cost < DEFAULT_BUDGET_MS else "OVER"
    print(
        f"budget for a default-on hook: {DEFAULT_BUDGET_MS:.1f}ms per gcc link (wall and CPU): "
        f"{verdict}"
    )
    print(f"program: {size} bytes, RUNPATH {len(entries)} entries, "
          f"kept {len(before.kept)}, removed {len(before.removed)}")  # fmt: skip
    print(f"{'step':42} {'median':>10} {'p90':>10}")
    for label, times in (("shrink_output, edit (per link)", edit),
                         ("shrink_output, nothing to remove", noop),
                         ("plan_shrink (read + decide + safety)", plan)):  # fmt: skip
        p90 = sorted(times)[int(len(times) * 0.9)] * 1e6
        print(f"{label:42} {median_us(times):>8.1f}us {p90:>8.1f}us")
    print(f"{'import, fresh interpreter':42} {imp['alone']:>8.0f}us")
    label = "import, after the shim's own imports"
    print(f"{label:42} {imp['after_shim']:>8.0f}us")
    print(f"{'python -I -S, empty':42} {imp['empty'] / 1000:>8.2f}ms")
    print(f"{'python -I -S, import ldwrap.link.shim':42} {imp['shim'] / 1000:>8.2f}ms")
    print(f"{'python -I -S, link.shim + link.trim':42} {imp['shim+shrink'] / 1000:>8.2f}ms"
          f"   (+{(imp['shim+shrink'] - imp['shim']) / 1000:.2f}ms)")  # fmt: skip


if __name__ == "__main__":
    main()
