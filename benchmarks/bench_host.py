"""Benchmark the machine probe a link makes when neither NIX_STORE nor LDWRAP_RPATH_PREFIXES is
set (`ldwrap.link.config.nix_host`): is there a /nix/store, and is this NixOS?

Usage: python benchmarks/bench_host.py [--runs N] [--calls N]

Each machine layout is a temporary tree standing for a root directory (nix_host's `root`):

* no store: one stat;
* a store beside a distribution (Debian's os-release): two stats and a read of os-release;
* NixOS with /etc/NIXOS: two stats;
* NixOS known by os-release only: two stats and a read.

Prints the median over N runs of the CPU time per call (each run: --calls calls in a row; CPU
time, because other work on the machine moves wall time more than the probe costs), with
`Config.from_env({})` (the whole environment read, probe included) beside it for scale, and
the same with LDWRAP_RPATH_PREFIXES set, where the probe is never made.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ldwrap.link import config  # noqa: E402

DEBIAN = b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nID=debian\n'
NIXOS = b'NAME=NixOS\nID=nixos\nVERSION_ID="23.11"\n'


def layout(root: Path, store: bool, nixos_file: bool, os_release: bytes) -> str:
    (root / "etc").mkdir(parents=True)
    if store:
        (root / "nix" / "store").mkdir(parents=True)
    if nixos_file:
        (root / "etc" / "NIXOS").touch()
    (root / "etc" / "os-release").write_bytes(os_release)
    return str(root)


def per_call_us(fn: Callable[[], object], runs: int, calls: int) -> float:
    for _ in range(calls):  # warm-up: caches, allocator
        fn()
    samples = []
    for _ in range(runs):
        start = time.process_time_ns()
        for _ in range(calls):
            fn()
        samples.append((time.process_time_ns() - start) / calls / 1000)
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--calls", type=int, default=2000)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cases = [
            ("no store", layout(Path(tmp, "a"), False, False, DEBIAN)),
            ("store beside a distribution", layout(Path(tmp, "b"), True, False, DEBIAN)),
            ("NixOS, /etc/NIXOS", layout(Path(tmp, "c"), True, True, NIXOS)),
            ("NixOS, os-release only", layout(Path(tmp, "d"), True, False, NIXOS)),
        ]
        short = {
            config.HOST_NO_STORE: "default",
            config.HOST_STORE: "default (store paths count)",
            config.HOST_NIXOS_FILE: "NixOS",
            config.HOST_NIXOS_ID: "NixOS",
        }
        print("| machine | rule | nix_host (µs) | Config.from_env({}) (µs) |")
        print("|---|---|---|---|")
        real = config.nix_host
        for label, root in cases:
            answer = short[real(root)]

            def probe_once(root: str = root) -> str:
                return real(root)

            def at_layout(root: str = "", *, layout: str = root) -> str:
                return real(layout)

            probe = per_call_us(probe_once, a.runs, a.calls)
            # from_env asks the module's nix_host: point it at this layout for the measurement.
            config.nix_host = at_layout
            try:
                whole = per_call_us(lambda: config.Config.from_env({}), a.runs, a.calls)
            finally:
                config.nix_host = real
            print(f"| {label} | {answer} | {probe:.1f} | {whole:.1f} |")
        env = {"LDWRAP_RPATH_PREFIXES": "/opt"}
        whole = per_call_us(lambda: config.Config.from_env(env), a.runs, a.calls)
        print(f"| (LDWRAP_RPATH_PREFIXES set: no probe) | | 0 | {whole:.1f} |")


if __name__ == "__main__":
    main()
