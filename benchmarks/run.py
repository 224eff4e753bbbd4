"""ldwrap's benchmark: what the shim costs on every link, at every scale.

    .venv/bin/python benchmarks/run.py            # the full run (a few minutes)
    .venv/bin/python benchmarks/run.py --quick    # tiny sizes, a few seconds (CI smoke)

Prints Markdown tables of medians and ratios, then the floors ldwrap aims for. Variants of one
case run interleaved in the same run, so the ratios hold on any machine. Everything is built
in a temporary work directory (or --work DIR, kept and reused between runs).

A full run also writes its report, headed by when and where it ran, to
docs/performance-results.md (or --out FILE); --quick writes a file only when given --out.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _fixtures as fx
from _timing import Command, Result, build_runner, check_ok, measure

# nixpkgs' ld-wrapper in front of a linker that exits at once (modern / classic wrapper),
# measured on another 2-core machine. Reference figures only: the benchmark cannot run nixpkgs'
# wrapper here.
NIX_REFERENCE_MS = {
    10: (19.0, 9.0),
    100: (127.0, 16.0),
    1000: (1400.0, 110.0),
    5000: (8100.0, 720.0),
}

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS_FILE = os.path.join(ROOT, "docs", "performance-results.md")

# The floors, each a ratio to what any Python program pays for the same work, measured in the
# same run: the drop-in (launcher and linker start included) on the gcc-style argv / the
# interpreter's start-up with that argv; each extra -L directory, and the 10,000-directory
# case, / a bare loop that lists each directory and reads its library's first bytes (the
# interpreter given the same argv included); peak memory / the interpreter's own peak with the
# same argv.
FLOOR_DROP_IN_RATIO = 1.2
FLOOR_PER_DIR_RATIO = 1.3
FLOOR_10K_RATIO = 1.3
FLOOR_RSS_RATIO = 1.1


class Sizes:
    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.scaling = (10, 100) if quick else (10, 100, 1000, 10000)
        self.big_dir_files = 200 if quick else 5000
        self.big_dir_libs = (10, 100) if quick else (10, 1000)
        self.rsp_args = 1000 if quick else 100_000
        self.c_files = 4 if quick else 200
        self.repeat_fast = 3 if quick else 40  # runs of a linker that exits at once
        self.repeat_modes = 3 if quick else 150  # rounds of the per-mode start-up case
        self.repeat_slow = 2 if quick else 10  # runs of large or real links
        self.warmup = 1 if quick else 3


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 1000 else f"{value:.0f}"


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f}"


class Bench:
    def __init__(self, work: str, sizes: Sizes) -> None:
        self.work = work
        self.sizes = sizes
        self.store = os.path.join(work, "nix", "store")
        os.makedirs(self.store, exist_ok=True)
        build_runner(work)
        self.fastbin = fx.fast_linker(work)
        self.shims = fx.install_dropins(work)
        # NIX_STORE set: ldwrap uses Nix's rule, only directories in this store get an rpath.
        self.env_fast = fx.clean_env(self.fastbin + ":/usr/bin:/bin", NIX_STORE=self.store)
        self.env_shim = fx.clean_env(
            f"{self.shims}:{self.fastbin}:/usr/bin:/bin", NIX_STORE=self.store
        )
        self.floor = Command("python floor", [sys.executable, "-I", "-S", "-c", "pass"], {})
        self.rows: dict[str, list[list[str]]] = {}
        self.checks: list[tuple[str, str, bool | None]] = []  # met None: not measurable
        self.mode_checks: list[tuple[str, float | None]] = []  # (mode, drop-in / floor)
        self.scaling: dict[int, float] = {}  # -L count -> shim overhead
        self.syscalls_per_pair = 0.0  # BARE_LOOP, seconds
        self.scaling_floor: dict[int, tuple[float, int]] = {}  # -> interpreter, same argv
        self.peak_kib = 0
        self.peak_floor_kib = 0  # the interpreter's own peak with that case's argv

    # -- one case: the same argv to the linker alone and through the drop-in ----------------
    def pair(
        self,
        label: str,
        args: list[str],
        repeat: int,
        with_floor: bool = False,
        cwd: str | None = None,
    ) -> tuple[Result, Result, Result | None]:
        """The linker alone, the drop-in and (with_floor) the bare interpreter given the
        same arguments: what any Python program pays to start with this argv."""
        alone = Command("alone", [os.path.join(self.fastbin, "ld.lld"), *args], self.env_fast, cwd)
        shim = Command("shim", [os.path.join(self.shims, "ld.lld"), *args], self.env_shim, cwd)
        floor = Command("floor", [*self.floor.argv, *args], {}, cwd)
        check_ok(shim)
        cmds = [alone, shim] + ([floor] if with_floor else [])
        res = measure(cmds, repeat, self.sizes.warmup)
        for r in res:
            if r.failures:
                raise RuntimeError(f"{label}: {r.label} failed {r.failures} times")
        if res[1].maxrss_kib > self.peak_kib:
            self.peak_kib = res[1].maxrss_kib
            self.peak_floor_kib = res[2].maxrss_kib if with_floor else 0
        return res[0], res[1], (res[2] if with_floor else None)

    def overhead(self) -> None:
        rows = self.rows.setdefault("overhead", [])
        gcc = fx.gcc_argv(self.work, self.store)
        argvs = [("gcc -fuse-ld=lld", gcc)]
        rust = fx.rust_link(self.work)
        if rust is not None:
            argvs.append(("rustc (via cc -fuse-ld=lld)", rust.ld_argv))
        self._rust = rust
        for label, args in argvs:
            n_l = sum(1 for a in args if a.startswith("-L"))
            n_lib = sum(1 for a in args if a.startswith("-l"))
            alone, shim, floor = self.pair(label, args, self.sizes.repeat_fast, with_floor=True)
            assert floor is not None
            over = shim.median - alone.median
            rows.append(
                [
                    f"{label}: {len(args)} args, {n_l} -L, {n_lib} -l",
                    ms(alone.median),
                    ms(floor.median),
                    ms(shim.median),
                    ms(over),
                    f"{over / floor.median:.2f}x",
                    mib(shim.maxrss_kib),
                ]
            )

    def startup_modes(self) -> None:
        """The gcc-style argv through the drop-in in every prefix mode, interleaved in one run
        with the bare interpreter and the linker alone, all in the same small environment."""
        rows = self.rows.setdefault("modes", [])
        args = fx.gcc_argv(self.work, self.store)
        path = f"{self.shims}:{self.fastbin}:/usr/bin:/bin"
        cmds = [
            Command("floor", [*self.floor.argv, *args], fx.clean_env(path)),
            Command("alone", [os.path.join(self.fastbin, "ld.lld"), *args], self.env_fast),
        ]
        modes = fx.prefix_modes(self.store)
        for m in modes:
            if m.extra is not None:
                env = fx.clean_env(path, **m.extra)
                own = fx.in_store_argv(self.store, args) if m.store_argv else args
                cmd = Command(m.key, [os.path.join(self.shims, "ld.lld"), *own], env)
                self._check_mode(m, cmd)
                cmds.append(cmd)
        res = {r.label: r for r in measure(cmds, self.sizes.repeat_modes, self.sizes.warmup)}
        for r in res.values():
            if r.failures:
                raise RuntimeError(f"start-up by mode: {r.label} failed {r.failures} times")
        floor, alone = res["floor"], res["alone"]
        for m in modes:
            shim = res.get(m.key)
            if shim is None:
                rows.append(
                    [m.label, ms(floor.median), ms(alone.median), m.why_not, "", "", "", "n/a"]
                )
                self.mode_checks.append((m.label, None))
                continue
            overhead_ratio = paired_ratio(shim, floor, alone)
            ratio = paired_ratio(shim, floor)
            rows.append(
                [
                    m.label,
                    ms(floor.median),
                    ms(alone.median),
                    ms(shim.median),
                    ms(shim.median - alone.median),
                    f"{overhead_ratio:.2f}x",
                    f"{ratio:.2f}x",
                    "yes" if ratio <= FLOOR_DROP_IN_RATIO else "**no**",
                ]
            )
            self.mode_checks.append((m.label, ratio))

    def bare_syscalls(self, pairs: list[tuple[str, str]]) -> float:
        """Seconds per pair of BARE_LOOP over pairs, the median of three runs."""
        listing = os.path.join(self.work, "pairs.txt")
        with open(listing, "w") as f:
            f.write("".join(f"{d}\t{lib}\n" for d, lib in pairs))
        runs = []
        for _ in range(3):
            out = subprocess.run(
                [sys.executable, "-I", "-S", "-c", BARE_LOOP, listing],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(float(out.stdout))
        return statistics.median(runs)

    def _check_mode(self, mode: fx.Mode, cmd: Command) -> None:
        """Proof that the environment selects the mode and that the shim adds the rpath in it,
        so that no number stands for a link the shim left alone."""
        from ldwrap.link.config import Config

        got = Config.from_env(cmd.env).mode
        if got != mode.config_mode:
            raise RuntimeError(f"{mode.label}: the environment selects mode {got!r}")
        dry = subprocess.run(
            cmd.argv, env={**cmd.env, "LDWRAP_DRY_RUN": "1"}, capture_output=True, text=True
        )
        if dry.returncode != 0 or f"-rpath {self.store}/" not in dry.stderr:
            raise RuntimeError(f"{mode.label}: the shim set no rpath:\n{dry.stderr[-2000:]}")

    def scale(self) -> None:
        rows = self.rows.setdefault("scaling", [])
        base = fx.gcc_argv(self.work, self.store)
        small = fx.make_store_dirs(self.store, "s", max(self.sizes.scaling), 10)
        self.syscalls_per_pair = self.bare_syscalls(small)
        for n in self.sizes.scaling:
            pairs = small[:n]
            args = [*base, *(f"-L{d}" for d, _ in pairs), *(f"-l{lib}" for _, lib in pairs)]
            rep = self.sizes.repeat_fast if n <= 100 else self.sizes.repeat_slow
            alone, shim, floor = self.pair(f"{n} dirs", args, rep, with_floor=True)
            assert floor is not None
            over = shim.median - alone.median
            self.scaling[n] = over
            self.scaling_floor[n] = (floor.median, floor.maxrss_kib)
            nix = NIX_REFERENCE_MS.get(n)
            rows.append(
                [
                    f"{n:,} -L (10 files each) + {n:,} -l",
                    ms(alone.median),
                    f"{ms(floor.median)} / {mib(floor.maxrss_kib)}",
                    ms(shim.median),
                    ms(over),
                    mib(shim.maxrss_kib),
                    f"{nix[0]:g} / {nix[1]:g}" if nix else "",
                ]
            )
        files = self.sizes.big_dir_files
        big = fx.make_store_dirs(self.store, f"f{files}x", 10, files)
        for n_lib in self.sizes.big_dir_libs:
            # The 10 libraries that are there, and others that are not (as gcc's -lc, -lm).
            libs = [lib for _, lib in big] + [f"absent{k}" for k in range(n_lib - 10)]
            args = [*base, *(f"-L{d}" for d, _ in big), *(f"-l{lib}" for lib in libs)]
            alone, shim, floor = self.pair(
                f"big dirs {n_lib}", args, self.sizes.repeat_fast, with_floor=True
            )
            assert floor is not None
            rows.append(
                [
                    f"10 -L ({files:,} files each) + {n_lib:,} -l",
                    ms(alone.median),
                    f"{ms(floor.median)} / {mib(floor.maxrss_kib)}",
                    ms(shim.median),
                    ms(shim.median - alone.median),
                    mib(shim.maxrss_kib),
                    "",
                ]
            )
        # A response file: gcc writes one when the command line is long.
        rsp = os.path.join(self.work, f"link-{self.sizes.rsp_args}.rsp")
        n_objs = self.sizes.rsp_args - len(base)
        with open(rsp, "w") as f:
            f.write("\n".join([*base, *(f"obj/unit{i}.o" for i in range(n_objs))]) + "\n")
        alone, shim, floor = self.pair("rsp", ["@" + rsp], self.sizes.repeat_slow, with_floor=True)
        assert floor is not None
        rows.append(
            [
                f"@file with {self.sizes.rsp_args:,} arguments",
                ms(alone.median),
                f"{ms(floor.median)} / {mib(floor.maxrss_kib)}",
                ms(shim.median),
                ms(shim.median - alone.median),
                mib(shim.maxrss_kib),
                "",
            ]
        )

    def real_links(self) -> None:
        rows = self.rows.setdefault("real", [])
        obj_args, cdir, size = fx.c_program(self.work, self.store, self.sizes.c_files)
        gcc = shutil.which("gcc") or "/usr/bin/gcc"
        cases = [
            (
                f"C: {self.sizes.c_files + 1} objects, {size / 2**20:.1f} MiB, 4 store libs",
                [gcc, *obj_args],
                cdir,
            )
        ]
        if self._rust is not None:
            cases.append(
                ("Rust: std + a small program", [gcc, *self._rust.cc_args], self._rust.cwd)
            )
        plain = fx.clean_env("/usr/bin:/bin", NIX_STORE=self.store)
        shimmed = fx.clean_env(f"{self.shims}:/usr/bin:/bin", NIX_STORE=self.store)
        for label, cc, cwd in cases:
            out = os.path.join(cwd, "bench.out")
            cmds = [
                Command("bfd", [*cc, "-fuse-ld=bfd", "-o", out], plain, cwd),
                Command("lld", [*cc, "-fuse-ld=lld", "-o", out], plain, cwd),
                Command("shim+lld", [*cc, "-fuse-ld=lld", "-o", out], shimmed, cwd),
            ]
            if shutil.which("mold"):
                cmds.append(Command("shim+mold", [*cc, "-fuse-ld=mold", "-o", out], shimmed, cwd))
            for c in cmds:
                check_ok(c)
                # Proof that the drop-in ran: its rpath is in the output, and only then.
                has = self.store in fx.runpath(out)
                if has != c.label.startswith("shim") and self._has_store_lib(cc):
                    found = fx.runpath(out)
                    raise RuntimeError(f"{label}: {c.label}: unexpected RUNPATH {found!r}")
            res = {r.label: r for r in measure(cmds, self.sizes.repeat_slow, 1)}
            bfd, lld, shim = res["bfd"], res["lld"], res["shim+lld"]
            self.peak_kib = max(self.peak_kib, 0)  # peak of a real link is the linker's own
            mold = res.get("shim+mold")
            rows.append(
                [
                    label,
                    ms(bfd.median),
                    ms(lld.median),
                    ms(shim.median),
                    ms(mold.median) if mold else "",
                    ms(shim.median - lld.median),
                    f"{shim.median / bfd.median:.2f}x",
                ]
            )
            self.checks.append(
                (
                    f"{label}: ldwrap + lld beats plain GNU ld",
                    f"{ms(shim.median)} ms vs {ms(bfd.median)} ms",
                    shim.median < bfd.median,
                )
            )

    def _has_store_lib(self, cc: list[str]) -> bool:
        return any(a.startswith("-L" + self.store) for a in cc)

    def floors(self) -> None:
        for label, ratio in self.mode_checks:
            self.checks.append(
                (
                    f"gcc-style drop-in <= {FLOOR_DROP_IN_RATIO}x interpreter start-up, {label}",
                    "not measurable on this machine" if ratio is None else f"{ratio:.2f}x",
                    None if ratio is None else ratio <= FLOOR_DROP_IN_RATIO,
                )
            )
        ns = sorted(self.scaling)
        loop = self.syscalls_per_pair * 1e6
        if len(ns) >= 2:
            lo, hi = ns[-2], ns[-1]
            per = (self.scaling[hi] - self.scaling[lo]) / (hi - lo) * 1e6
            py = (self.scaling_floor[hi][0] - self.scaling_floor[lo][0]) / (hi - lo) * 1e6
            ratio = per / (py + loop)
            self.checks.append(
                (
                    f"cost per extra -L dir (and -l) <= {FLOOR_PER_DIR_RATIO:g}x a bare loop",
                    f"{ratio:.2f}x: {per:.1f} µs (from {lo:,} to {hi:,}) against "
                    f"{py + loop:.1f} µs, of which {py:.1f} µs is the interpreter's own "
                    f"start-up with the longer argv and {loop:.1f} µs the system calls (a "
                    "bare loop that lists each directory and reads its library's first bytes)",
                    ratio <= FLOOR_PER_DIR_RATIO,
                )
            )
        if 10000 in self.scaling:
            t = self.scaling[10000]
            bare = self.scaling_floor[10000][0] + 10000 * self.syscalls_per_pair
            self.checks.append(
                (
                    f"10,000 -L dirs <= {FLOOR_10K_RATIO:g}x a bare loop",
                    f"{t / bare:.2f}x: {t:.3f} s overhead against {bare:.3f} s (the "
                    "interpreter with the same argv, and the bare loop over the 10,000)",
                    t / bare <= FLOOR_10K_RATIO,
                )
            )
        ratio = self.peak_kib / self.peak_floor_kib if self.peak_floor_kib else None
        self.checks.append(
            (
                f"peak memory <= {FLOOR_RSS_RATIO:g}x the interpreter given the same argv",
                ("n/a" if ratio is None else f"{ratio:.2f}x: ")
                + f"{mib(self.peak_kib)} MiB (largest case) against "
                f"{mib(self.peak_floor_kib)} MiB",
                None if ratio is None else ratio <= FLOOR_RSS_RATIO,
            )
        )


# The least a -L/-l pair can cost at all: listing the directory (the linker's search order
# asks which names each holds) and reading the found library's first bytes (its target; a
# GNU ld script), in a bare loop of a fresh interpreter.
BARE_LOOP = r"""
import posix, sys, time
pairs = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()]
t = time.perf_counter()
for d, lib in pairs:
    posix.listdir(d)
    fd = posix.open(d + "/lib" + lib + ".so", posix.O_RDONLY | posix.O_CLOEXEC)
    posix.read(fd, 64)
    posix.close(fd)
print((time.perf_counter() - t) / len(pairs))
"""


def paired_ratio(num: Result, den: Result, minus: Result | None = None) -> float:
    """The median over rounds of (num - minus) / den, each round's runs taken together: a
    slow moment of the machine that hits one round moves its ratio less than its times."""
    subtract = minus.times if minus else [0.0] * len(num.times)
    return statistics.median((n - m) / d for n, m, d in zip(num.times, subtract, den.times))


def table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    return (
        f"{os.cpu_count()} CPUs ({cpu_model()}), Linux {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def first_line(argv: list[str]) -> str:
    """A tool's first line of output (its version), or why there is none."""
    if shutil.which(argv[0]) is None:
        return "not installed"
    proc = subprocess.run(argv, capture_output=True, text=True)
    lines = (proc.stdout or proc.stderr).strip().splitlines()
    return lines[0].strip() if lines else f"exit {proc.returncode}, no output"


def ldwrap_revision() -> str:
    """The checkout's commit, and whether src/ differs from it."""
    git = ["git", "-C", ROOT]
    head = subprocess.run([*git, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0:
        return "not a git checkout"
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--", "src"], capture_output=True, text=True
    ).stdout.strip()
    return f"commit {head.stdout.strip()}" + (" with uncommitted changes in src/" if dirty else "")


def header(quick: bool, started: datetime.datetime, load: tuple[float, float, float]) -> str:
    """When and where the run took place: what its numbers depend on."""
    tools = [
        ("gcc", ["gcc", "--version"]),
        ("GNU ld", ["ld.bfd", "--version"]),
        ("gold", ["ld.gold", "--version"]),
        ("lld", ["ld.lld", "--version"]),
        ("mold", ["mold", "--version"]),
        ("rustc", ["rustc", "--version"]),
    ]
    lines = [
        "# ldwrap benchmark results",
        "",
        f"Written by `benchmarks/run.py{' --quick' if quick else ''}` on "
        f"{started:%Y-%m-%d %H:%M} UTC. Regenerate with `.venv/bin/python benchmarks/run.py`.",
        "",
        f"- CPU: {cpu_model()}, {os.cpu_count()} CPUs; Linux {platform.release()} "
        f"({platform.machine()}); load average at the start {load[0]:.2f} / {load[1]:.2f} / "
        f"{load[2]:.2f}",
        f"- Python: {platform.python_implementation()} {platform.python_version()}",
        f"- ldwrap: {ldwrap_revision()}",
    ]
    lines += [f"- {name}: {first_line(argv)}" for name, argv in tools]
    lines += [
        "",
        "Every case runs its variants interleaved (A B C A B C ...) in one run, so a busy "
        "moment of the machine slows them alike: the ratios are what carries over to other "
        "machines, not the milliseconds.",
    ]
    return "\n".join(lines)


def report(b: Bench) -> str:
    out = [
        "### Start-up by prefix mode: the gcc-style argv, a linker that exits at once "
        "(ms, medians)",
        "",
    ]
    out.append(
        table(
            [
                "mode",
                "`python -I -S -c pass`",
                "linker alone",
                "ldwrap drop-in",
                "ldwrap overhead",
                "overhead / python",
                "drop-in / python",
                f"met (drop-in <= {FLOOR_DROP_IN_RATIO}x python)",
            ],
            b.rows.get("modes", []),
        )
    )
    out += [
        "",
        "All the commands in one interleaved run of "
        f"{b.sizes.repeat_modes} rounds, in "
        "the same small environment. Overhead = drop-in minus linker alone; the ratios are "
        "the median of each round's own ratio. The drop-in is the launcher `ldwrap install` "
        "writes, and the run checks that each mode is the one ldwrap chose and that it "
        "added the rpath. The Nix build rows are the Nix store mode with the variables a "
        "nixpkgs build also sets for its linker (the Nix reader then loads). With purity on, "
        "gcc's and glibc's directories are named as store paths (links to this machine's "
        "own), as a Nix build's gcc names its own: purity refuses a link that names a file "
        "outside the store. The interpreter is given the gcc-style argv in every row.",
        "",
    ]
    out += [
        "### Start-up: a linker that exits at once, alone and behind the `ldwrap install` "
        "drop-in, NIX_STORE set (ms, medians)",
        "",
    ]
    out.append(
        table(
            [
                "argv",
                "linker alone",
                "`python -I -S -c pass`",
                "ldwrap drop-in",
                "ldwrap overhead",
                "overhead / python",
                "peak RSS MiB",
            ],
            b.rows.get("overhead", []),
        )
    )
    out += ["", "### Scaling (ms, medians; overhead = drop-in minus linker alone)", ""]
    out.append(
        table(
            [
                "case",
                "linker alone",
                "python, same argv (ms / MiB)",
                "ldwrap drop-in",
                "ldwrap overhead",
                "peak RSS MiB",
                "nixpkgs wrapper, modern / classic (reference figures)",
            ],
            b.rows.get("scaling", []),
        )
    )
    out += [
        "",
        "nixpkgs figures are quoted from its measurement on another 2-core machine "
        "(10, 100, 1,000 and 5,000 dirs); they were not measured by this run.",
        "",
    ]
    out += ["### Real links through gcc (ms, medians)", ""]
    out.append(
        table(
            [
                "link",
                "GNU ld",
                "lld",
                "ldwrap + lld",
                "ldwrap + mold",
                "ldwrap cost",
                "ldwrap + lld / GNU ld",
            ],
            b.rows.get("real", []),
        )
    )
    out += ["", "### Floors", ""]
    met = {True: "yes", False: "**no**", None: "n/a"}
    out.append(table(["floor", "this run", "met"], [[n, v, met[ok]] for n, v, ok in b.checks]))
    return "\n".join(out)


def out_path(quick: bool, out: str | None) -> str | None:
    """Where the report is written: --out, else the docs page for a full run only."""
    if out:
        return out
    return None if quick else RESULTS_FILE


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    p.add_argument("--quick", action="store_true", help="tiny sizes, few repetitions (smoke)")
    p.add_argument("--work", help="work directory to build in and keep (default: temporary)")
    p.add_argument(
        "--out",
        help="write the report here (default: docs/performance-results.md "
        "for a full run, nowhere for --quick)",
    )
    opts = p.parse_args(argv)
    sizes = Sizes(opts.quick)
    started = datetime.datetime.now(datetime.timezone.utc)
    load = os.getloadavg()
    work = opts.work or tempfile.mkdtemp(prefix="ldwrap-bench-")
    os.makedirs(work, exist_ok=True)
    work = os.path.abspath(work)
    try:
        b = Bench(work, sizes)
        for step in (b.startup_modes, b.overhead, b.scale, b.real_links, b.floors):
            print(f"... {step.__name__}", file=sys.stderr, flush=True)
            step()
        text = header(opts.quick, started, load) + "\n\n" + report(b) + "\n"
    finally:
        if not opts.work:
            shutil.rmtree(work, ignore_errors=True)
    print(text, end="")
    dest = out_path(opts.quick, opts.out)
    if dest:
        os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
        with open(dest, "w") as f:
            f.write(text)
        print(f"... written to {dest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
