"""Benchmark ``ldwrap check`` over many ELF files.

Usage: python benchmarks/bench_check.py [--limit N] [DIR ...]   (default DIR: /usr)

Prints files per second with one shared resolver (ld.so.cache parsed once,
parsed ELF files reused), with the cache re-parsed for every file, and with a
fresh resolver per file (no parsed ELF reused), plus one cache parse's cost.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Iterator

from ldwrap.loader.ldcache import load_cache
from ldwrap.loader.resolve import InputError, Options, Resolver


def elf_files(dirs: list[str], limit: int) -> list[str]:
    def walk() -> Iterator[str]:
        for top in dirs:
            for root, subdirs, names in os.walk(top):
                subdirs.sort()
                for name in sorted(names):
                    path = os.path.join(root, name)
                    if os.path.islink(path) or not os.path.isfile(path):
                        continue
                    try:
                        with open(path, "rb") as fh:
                            if fh.read(4) == b"\x7fELF":
                                yield path
                    except OSError:
                        continue

    out: list[str] = []
    for path in walk():
        out.append(path)
        if len(out) >= limit:
            break
    return out


def run(files: list[str], mode: str) -> tuple[float, int, int]:
    """mode: "shared" (one resolver), "cache" (cache re-parsed per file), "fresh"."""
    opts = Options(preload_file=True)
    resolver = Resolver(opts)
    missing = bad = 0
    start = time.perf_counter()
    for f in files:
        r = Resolver(opts) if mode == "fresh" else resolver
        if mode == "cache":
            r.forget_ld_cache()
        try:
            if not r.load(f).ok:
                missing += 1
        except InputError:
            bad += 1
    return time.perf_counter() - start, missing, bad


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=3000)
    ap.add_argument("dirs", nargs="*", default=["/usr"])
    args = ap.parse_args()
    t0 = time.perf_counter()
    files = elf_files(args.dirs, args.limit)
    scan = time.perf_counter() - t0
    Resolver().load("/bin/true")  # warm: loader discovery (runs ld.so --list-diagnostics once)
    reps = 20
    t0 = time.perf_counter()
    for _ in range(reps):
        load_cache("/etc/ld.so.cache")
    cache_ms = (time.perf_counter() - t0) / reps * 1000
    shared_s, missing, bad = run(files, "shared")
    cache_s, _, _ = run(files, "cache")
    fresh_s, _, _ = run(files, "fresh")
    n = len(files)
    print(
        f"{n} ELF files under {' '.join(args.dirs)} (scan {scan:.2f} s); "
        f"{missing} with unresolved libraries, {bad} not checkable (ET_REL, malformed)"
    )
    print(f"{'mode':44} {'seconds':>8} {'files/s':>8} {'ms/file':>8}")
    for label, secs in (
        ("shared resolver, ld.so.cache parsed once", shared_s),
        ("shared resolver, ld.so.cache parsed per file", cache_s),
        ("fresh resolver per file (nothing shared)", fresh_s),
    ):
        print(f"{label:44} {secs:8.2f} {n / secs:8.1f} {secs / n * 1000:8.2f}")
    print(f"{'one ld.so.cache parse':44} {'':8} {'':8} {cache_ms:8.2f}")


if __name__ == "__main__":
    main()
