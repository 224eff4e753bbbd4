"""Compare ldwrap's prediction with ``ldd`` for one file (shared by the test and ad-hoc runs).

ldd's own documented errors are handled by rule, never by file name:

* Rule BZ25263 (glibc < 2.42): ldd runs ``ld.so FILE``, which takes ``$ORIGIN``
  of the main program from the path as given, while the kernel resolves
  symlinks.  For an executable reached through a symlink, the real loader's
  view is ``ldd <realpath>``, so that is what ldwrap is compared with.
* vDSO lines (``linux-vdso.so.1``) are not files and are dropped.
* ``statically linked`` for a dynamic object without DT_NEEDED means an
  empty load list.
* The loader itself is listed by ldd under its own path; it is compared
  separately (ldwrap reports it as the ``interpreter`` entry).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from helpers.lddparse import parse_ldd
from ldwrap.loader.resolve import INTERPRETER, LoadResult, Resolver


@dataclass
class Comparison:
    file: str
    ldd_target: str  # the path ldd was run on
    rule: str | None  # exclusion rule applied, if any
    expected: list[tuple[str, str | None]] | None
    predicted: list[tuple[str, str | None]] | None

    @property
    def agrees(self) -> bool:
        return self.expected == self.predicted


def run_ldd(path: str, env: dict[str, str]) -> str:
    proc = subprocess.run(
        ["ldd", path], capture_output=True, text=True, env=env, timeout=30, check=False
    )
    return proc.stdout + proc.stderr  # "not a dynamic executable" goes to stderr


def predicted_pairs(result: LoadResult) -> list[tuple[str, str | None]]:
    return [
        (e.lookup_name or e.name, e.path)
        for e in result.edges
        if e.found_via != INTERPRETER and (e.loaded or e.missing)
    ]


def compare(resolver: Resolver, path: str, env: dict[str, str]) -> Comparison:
    result = resolver.load(path)
    target, rule = path, None
    if (
        result.config.interp
        and os.path.islink(path)
        and any(e.found_via == INTERPRETER for e in result.edges)
    ):
        target, rule = os.path.realpath(path), "BZ25263"
    expected = parse_ldd(run_ldd(target, env))
    if expected is not None:
        rtld = result.config.interp
        expected = [(n, p) for n, p in expected if p != rtld and not n.startswith(rtld)]
    predicted = None if result.static else predicted_pairs(result)
    if expected is None and predicted == [] and not any(e.loaded for e in result.edges):
        # ld.so --list prints "statically linked" for a dynamic object that
        # loads nothing besides itself: the same fact as an empty list.
        expected, rule = [], rule or "no-dependencies"
    return Comparison(path, target, rule, expected, predicted)
