"""Where the drop-in's start-up time goes: imports, per module, in every prefix mode.

    .venv/bin/python benchmarks/profile_startup.py [--runs 15] [--top 15] [--work DIR]

Runs the launcher `ldwrap install` writes, less its hot-path bundle (so that every module goes
through the import system and shows), with `python -X importtime` on the gcc-style argv (a
linker that exits at once behind it) and keeps, per module, the least self and cumulative
time over the runs: the least is the module's own cost, the rest is the machine's noise.
Modules the bare interpreter (`python -I -S -c pass`) imports too are marked: the floor pays
for them as well. -X importtime adds its own cost to every import, so its figures rank the
modules; the split of the wall time comes from a second, interleaved run without it: the
floor, the launcher stopped before `main()` (start-up and imports, with and without its
bundle), the whole drop-in, and the linker alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _fixtures as fx
from _timing import Command, build_runner, measure

FLOOR = [sys.executable, "-I", "-S", "-c", "pass"]


def import_times(argv: list[str], env: dict[str, str], runs: int) -> dict[str, tuple[int, int]]:
    """module -> (least self µs, least cumulative µs) over runs of argv under -X importtime."""
    best: dict[str, tuple[int, int]] = {}
    cmd = [argv[0], "-X", "importtime", *argv[1:]]
    for _ in range(runs):
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:4])} ...: exit {proc.returncode}\n{proc.stderr}")
        for line in proc.stderr.splitlines():
            if not line.startswith("import time:") or "imported package" in line:
                continue
            self_us, cum_us, name = line[len("import time:") :].split("|")
            mod = name.strip()
            now = (int(self_us), int(cum_us))
            old = best.get(mod)
            best[mod] = now if old is None else (min(old[0], now[0]), min(old[1], now[1]))
    return best


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    p.add_argument("--runs", type=int, default=15, help="runs per mode (least time kept)")
    p.add_argument("--top", type=int, default=15, help="modules listed")
    p.add_argument("--rounds", type=int, default=100, help="rounds of the wall-time run")
    p.add_argument("--work", help="work directory to build in and keep (default: temporary)")
    opts = p.parse_args(argv)
    if min(opts.runs, opts.top, opts.rounds) < 1:
        p.error("--runs, --top and --rounds must be at least 1")
    work = os.path.abspath(opts.work or tempfile.mkdtemp(prefix="ldwrap-profile-"))
    os.makedirs(work, exist_ok=True)
    try:
        print(profile(work, opts.runs, opts.top, opts.rounds))
    finally:
        if not opts.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def unbundled(work: str) -> str:
    """The launcher as `ldwrap install` writes it, but without the hot-path bundle: every
    module goes through the import system, so -X importtime can rank them."""
    from ldwrap.launchertext import launcher_text

    path = os.path.join(work, "unbundled", "ld.lld")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(launcher_text())
    os.chmod(path, 0o755)
    return path


def imports_only(launcher: str, work: str) -> str:
    """A copy of the launcher that stops before `main()`: start-up and imports alone. It
    leaves by _exit, as the drop-in leaves by exec: neither pays the interpreter's shutdown."""
    from ldwrap.launchertext import precompiled, split

    with open(launcher) as f:
        head, body = split(f.read())
    if not body.endswith("\nmain()\n"):
        raise RuntimeError(f"{launcher} does not end by calling main()")
    stop = body[: -len("main()\n")] + "import posix\nposix._exit(0)\n"
    # Compiled as the launcher's own body is, so that the copy starts as the launcher does.
    out = head + precompiled(stop) if head else stop
    path = os.path.join(os.path.dirname(launcher), "imports-only.py")
    with open(path, "w") as f:
        f.write(out)
    return path


def profile(work: str, runs: int, top: int, rounds: int) -> str:
    store = os.path.join(work, "nix", "store")
    os.makedirs(store, exist_ok=True)
    build_runner(work)
    fastbin = fx.fast_linker(work)
    shims = fx.install_dropins(work)
    args = fx.gcc_argv(work, store)
    path = f"{shims}:{fastbin}:/usr/bin:/bin"
    launcher = os.path.join(shims, "ld.lld")
    plain = unbundled(work)
    modes = [m for m in fx.prefix_modes(store) if m.extra is not None]
    envs = {m.key: fx.clean_env(path, **(m.extra or {})) for m in modes}
    # Purity refuses gcc's own files outside the store: that mode names them in it.
    own = {m.key: fx.in_store_argv(store, args) if m.store_argv else args for m in modes}
    floor_env = fx.clean_env(path)
    floor_mods = import_times([*FLOOR, *args], floor_env, runs)
    per_mode = {
        m.key: import_times([sys.executable, "-I", "-S", plain, *own[m.key]], envs[m.key], runs)
        for m in modes
    }
    # Wall times, interleaved, without -X importtime and its own cost; medians.
    py_imports = [sys.executable, "-I", "-S", imports_only(launcher, work), *args]
    py_imports_plain = [sys.executable, "-I", "-S", imports_only(plain, work), *args]
    quick_exit = [*FLOOR[:-1], "import posix; posix._exit(0)", *args]
    cmds = [
        Command("floor", [*FLOOR, *args], floor_env),
        Command("floor-exit", quick_exit, floor_env),
        Command("imports", py_imports, floor_env),
        Command("imports-plain", py_imports_plain, floor_env),
        Command("alone", [os.path.join(fastbin, "ld.lld"), *args], floor_env),
    ]
    cmds += [Command(m.key, [launcher, *own[m.key]], envs[m.key]) for m in modes]
    res = measure(cmds, rounds, 2)
    wall = {r.label: r.median for r in res}

    def self_us(key: str, mod: str) -> int | None:
        got = per_mode[key].get(mod)
        return None if got is None else got[0]

    every = {mod for times in per_mode.values() for mod in times}
    ranked = sorted(every, key=lambda mod: -max(self_us(k, mod) or 0 for k in per_mode))
    keys = [m.key for m in modes]
    head = ["module", *(f"self µs, {k}" for k in keys), "cumulative µs (first mode)", "in floor"]
    rows = []
    for mod in ranked[:top]:
        first = per_mode[keys[0]].get(mod)
        rows.append(
            [
                f"`{mod}`",
                *(_us(self_us(k, mod)) for k in keys),
                _us(first[1] if first else None),
                "yes" if mod in floor_mods else "",
            ]
        )
    lines = [
        f"### Imports of the drop-in without its bundle (least of {runs} runs each, µs)",
        "",
        "The installed drop-in runs these modules from `.ldwrap-shim.bundle` instead; the "
        "same launcher without it shows what each would cost through the import system.",
        "",
        _table(head, rows),
    ]
    lines += ["", f"### Where the time goes (ms, medians of {rounds} interleaved rounds)", ""]
    floor, imports, alone = wall["floor"], wall["imports"], wall["alone"]
    rows = [
        ["`python -I -S -c pass`", _ms(floor), ""],
        [
            "the same, leaving by `posix._exit(0)` (no shutdown, as a drop-in that execs)",
            _ms(wall["floor-exit"]),
            _ms(wall["floor-exit"] - floor),
        ],
        [
            "launcher up to `main()` (ldwrap's modules from its bundle), leaving by "
            "`posix._exit(0)`",
            _ms(imports),
            _ms(imports - wall["floor-exit"]),
        ],
        [
            "the same launcher without the bundle (every module imported)",
            _ms(wall["imports-plain"]),
            _ms(wall["imports-plain"] - wall["floor-exit"]),
        ],
        ["linker alone", _ms(alone), ""],
    ]
    for k in keys:
        rows.append([f"whole drop-in, {k}", _ms(wall[k]), _ms(wall[k] - imports)])
    lines.append(_table(["", "ms", "more than the row it builds on"], rows))
    floor_sum = sum(v[0] for v in floor_mods.values()) / 1000
    shim_sum = sum(v[0] for m, v in per_mode[keys[0]].items() if m not in floor_mods) / 1000
    lines += [
        "",
        f"Under -X importtime, without the bundle, the imports the floor does not make add up to "
        f"{shim_sum:.2f} ms ({keys[0]}); the floor's own to {floor_sum:.2f} ms. "
        "The whole drop-in's extra over the launcher up to `main()` is `main()`'s work "
        "plus the linker's exec (see the linker alone).",
    ]
    return "\n".join(lines)


def _us(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def _table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


if __name__ == "__main__":
    sys.exit(main())
