"""``ldwrap check`` against ``ldd`` over the system's own binaries and libraries.

Every disagreement is a failure.  ldd's documented errors are handled by the
rules in ldd_compare.py (never by file name); the symlink rule is checked
separately: where ldd on the symlink and ldd on the target differ, ldwrap in
ldd-compatible mode must reproduce ldd's mistake, proving the rule applies.
"""

from __future__ import annotations

import glob
import os
from collections import Counter

from helpers.builder import Builder
from helpers.lddparse import parse_ldd
from ldwrap.loader.resolve import Options, Resolver

from .ldd_compare import compare, predicted_pairs, run_ldd

MAX_FILES = 2500  # bounded: ~20 s on 2 cores
ENV = {"PATH": "/usr/bin:/bin"}


def system_elves() -> list[str]:
    files = sorted(glob.glob("/usr/bin/*")) + sorted(glob.glob("/usr/lib/x86_64-linux-gnu/*.so*"))
    out = []
    for f in files:
        if not os.path.isfile(f):
            continue
        try:
            with open(f, "rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    out.append(f)
        except OSError:
            continue
    return out[:MAX_FILES]


def test_check_agrees_with_ldd_on_system_files() -> None:
    files = system_elves()
    assert len(files) > 200, "expected a populated /usr"
    resolver = Resolver(Options(preload_file=True))
    rules: Counter[str] = Counter()
    disagreements = []
    libs_compared = 0
    for f in files:
        c = compare(resolver, f, ENV)
        rules[c.rule or "none"] += 1
        libs_compared += len(c.predicted or [])
        if not c.agrees:
            disagreements.append((f, c.rule, c.expected, c.predicted))
    print(f"files={len(files)} libs={libs_compared} rules={dict(rules)}")
    assert disagreements == []


def test_symlink_rule_is_ldd_error_not_ldwrap_error(build: Builder) -> None:
    """For symlinked executables whose ldd output depends on the link, ldd's
    answer equals ldwrap's ldd-compatible (unresolved $ORIGIN) prediction and
    ldd on the target equals ldwrap's exact prediction.  One such link is
    built here so the rule is exercised on every system."""
    lib = build.lib("real/lib/libjli.so")
    exe = build.exe("real/bin/java", deps=[lib], runpath="$ORIGIN/../lib")
    own_link = build.symlink("usr/bin/java", exe)
    compat = Resolver(Options(preload_file=True, ldd_compat=True))
    exact = Resolver(Options(preload_file=True))
    links = [f for f in system_elves() if os.path.islink(f) and f.startswith("/usr/bin/")]
    links.append(str(own_link))
    differing = 0
    for f in links:
        on_link = parse_ldd(run_ldd(f, ENV))
        on_target = parse_ldd(run_ldd(os.path.realpath(f), ENV))
        if on_link == on_target:
            continue
        differing += 1
        rtld = compat.load(f).config.interp
        assert on_link is not None
        assert [(n, p) for n, p in on_link if p != rtld] == predicted_pairs(compat.load(f))
        assert on_target is not None
        assert [(n, p) for n, p in on_target if p != rtld] == predicted_pairs(exact.load(f))
    assert differing >= 1
    print(f"symlinked executables={len(links)} where ldd is wrong={differing}")
