"""What a `#!/bin/sh` launcher (which can name a missing interpreter) costs per link, against
the `#!python -IS` launcher `ldwrap install` writes.

    .venv/bin/python benchmarks/launcher_startup.py [--repeat 200]

Both launchers run the same Python body in front of a linker that exits at once; the runs are
interleaved (A B A B ...) and paired, so the median of the per-pair differences is the cost
of the shell alone. The shell's hop is also timed without Python (sh checking a file, then
exec'ing the linker, against the linker alone), where the machine's noise is much smaller.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _fixtures as fx
from _timing import Command, build_runner, check_ok, measure

from ldwrap.launchertext import launcher_text


def write(path: str, text: str) -> str:
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ldwrap-launcher-bench-") as work:
        build_runner(work)
        fastbin = fx.fast_linker(work)
        store = os.path.join(work, "nix", "store")
        os.makedirs(store)
        env = fx.clean_env(f"{fastbin}:/usr/bin:/bin", NIX_STORE=store)
        link = ["-o", os.path.join(work, "a.out"), "main.o", "-L/usr/lib", "-lc"]
        cmds = []
        for label, shell in (("#!python -IS", False), ("#!/bin/sh", True)):
            d = os.path.join(work, "sh" if shell else "py")
            os.makedirs(d)
            exe = write(os.path.join(d, "ld.lld"), launcher_text(shell=shell))
            cmds.append(Command(label, [exe, *link], env, work))
        for c in cmds:
            check_ok(c)
        py, sh = measure(cmds, args.repeat, warmup=5)
        diffs = [b - a for a, b in zip(py.times, sh.times)]
        print(f"runs: {args.repeat} each, interleaved; linker: a static program that exits 0")
        for r in (py, sh):
            q = statistics.quantiles(r.times, n=10)
            print(
                f"{r.label:14} median {r.median * 1e3:.3f} ms  p10 {q[0] * 1e3:.3f}"
                f"  p90 {q[-1] * 1e3:.3f}"
            )
        print(
            f"sh - python    median of paired differences {statistics.median(diffs) * 1e3:.3f}"
            f" ms; difference of medians {(sh.median - py.median) * 1e3:.3f} ms"
        )
        linker = os.path.join(fastbin, "ld.lld")
        hop = write(
            os.path.join(work, "hop"),
            f'#!/bin/sh\n[ -x {linker} ] || {{ echo gone >&2; exit 127; }}\nexec {linker} "$@"\n',
        )
        alone, via_sh = measure(
            [
                Command("alone", [linker, *link], env, work),
                Command("via sh", [hop, *link], env, work),
            ],
            args.repeat,
            5,
        )
        hops = [b - a for a, b in zip(alone.times, via_sh.times)]
        print(
            f"the sh hop alone: linker {alone.median * 1e3:.3f} ms, sh + exec linker "
            f"{via_sh.median * 1e3:.3f} ms, median of paired differences "
            f"{statistics.median(hops) * 1e3:.3f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
