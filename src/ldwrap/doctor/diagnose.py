"""All of doctor's checks, in order, into one report."""

from __future__ import annotations

import os
from collections.abc import Mapping

from .. import rustup as ru
from ..link.linkers import DROP_IN_NAMES, is_shim, path_dirs
from .compilers import compiler_findings, find_compilers, probe_compilers
from .model import DEFAULT_DROPINS, Finding, Report
from .pathcheck import CHECKED_NAMES, on_path
from .permissions import build_users, launcher_findings
from .rust import cargo_finding, probe_rustc, rust_findings, toolchain_rows
from .settings import linker_setting, policy


def diagnose(env: Mapping[str, str], compilers: bool = True) -> Report:
    """Every fact and finding; compilers=False skips asking the C compilers."""
    report = Report()
    dirs = path_dirs(env)
    report.ldwrap_dirs = [
        d for d in dict.fromkeys(dirs) if any(is_shim(os.path.join(d, n)) for n in DROP_IN_NAMES)
    ]
    setting = linker_setting(env)
    if setting is not None:
        report.findings.append(setting)
    flagged: set[str] = set()  # linker paths a PATH finding already names
    for name in CHECKED_NAMES:
        entry, found = on_path(name, dirs, env, setting is None or not setting.problem)
        report.path.append(entry)
        # Launchers of one directory share their problems (a broken Python, a stale bundle).
        report.findings += [f for f in found if f not in report.findings]
        shadowed = [d for d in report.ldwrap_dirs if is_shim(os.path.join(d, name))]
        if shadowed and not entry.is_ldwrap and entry.path:
            flagged.add(entry.path)
            report.findings.append(
                Finding(
                    True,
                    f"{entry.path} comes before ldwrap's {shadowed[0]}/{name} on PATH",
                    f"put {shadowed[0]} before {os.path.dirname(entry.path)} on PATH",
                )
            )
        elif entry.is_ldwrap and found:
            flagged.add(entry.path or "")
    launchers = [
        next(p for n in DROP_IN_NAMES if is_shim(p := os.path.join(d, n)))
        for d in report.ldwrap_dirs
    ]
    report.findings += launcher_findings(launchers, build_users(env))
    if compilers:
        report.compilers = find_compilers(env)
        probe_compilers(report.compilers, env)
        report.findings += compiler_findings(report, env, flagged)
    report.rustc = probe_rustc(env)
    active = report.rustc.sysroot if report.rustc else None
    report.toolchains = toolchain_rows(env, active)
    for tc, st, _ in report.toolchains:
        if not st.problems:
            continue
        # A toolchain that cannot be written is never wrapped again: a route is the way.
        fix = (
            ru.route_advice(tc, env)
            if st.read_only
            else f"run `ldwrap rustup wrap {ru.selection_option(tc, env)}`"
        )
        report.findings += [Finding(True, f"{tc.name}: {p}", fix) for p in st.problems]
    rust_found, rust_ok = rust_findings(report, env)
    report.findings += rust_found
    cargo = cargo_finding(report, env)
    if cargo is not None:
        report.findings.append(cargo)
    if not report.ldwrap_dirs:
        # Linking Rust through a wrapped toolchain or a route needs no drop-ins on PATH:
        # then this is a note.
        rust_only = rust_ok or any(
            st.state == ru.WRAPPED and st.healthy for _, st, _ in report.toolchains
        )
        report.findings.append(
            Finding(
                not rust_only,
                "none of ldwrap's drop-ins (ld, ld.lld, ld.mold, ...) is on PATH"
                + (" (a wrapped Rust toolchain, or a route, needs none)" if rust_only else ""),
                f"run `ldwrap install {DEFAULT_DROPINS}` and put that first on PATH"
                + (", to link C and C++ through ldwrap too" if rust_only else ""),
            )
        )
    report.policy, found = policy(env)
    report.findings += found
    return report
