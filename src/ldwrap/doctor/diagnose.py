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
    flagged = _path_findings(report, dirs, env, setting is None or not setting.problem)
    launchers = [
        next(p for n in DROP_IN_NAMES if is_shim(p := os.path.join(d, n)))
        for d in report.ldwrap_dirs
    ]
    report.findings += launcher_findings(launchers, build_users(env))
    if compilers:
        report.compilers = find_compilers(env)
        probe_compilers(report.compilers, env)
        report.findings += compiler_findings(report, env, flagged)
    rust_ok = _rust(report, env)
    if not report.ldwrap_dirs:
        report.findings.append(_no_dropins(report, rust_ok))
    report.policy, found = policy(env)
    report.findings += found
    return report


def _path_findings(
    report: Report, dirs: list[str], env: Mapping[str, str], linker_ok: bool
) -> set[str]:
    """The linkers first on PATH, and what is wrong with each; the linker paths a finding
    names already."""
    flagged: set[str] = set()
    for name in CHECKED_NAMES:
        entry, found = on_path(name, dirs, env, linker_ok)
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
    return flagged


def _rust(report: Report, env: Mapping[str, str]) -> bool:
    """rustc, the toolchains and cargo: their facts and findings; whether Rust links
    through ldwrap without drop-ins on PATH (a route)."""
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
    return rust_ok


def _no_dropins(report: Report, rust_ok: bool) -> Finding:
    """No drop-ins on PATH: a problem, or a note where Rust links through a wrapped
    toolchain or a route, which need none."""
    rust_only = rust_ok or any(
        st.state == ru.WRAPPED and st.healthy for _, st, _ in report.toolchains
    )
    return Finding(
        not rust_only,
        "none of ldwrap's drop-ins (ld, ld.lld, ld.mold, ...) is on PATH"
        + (" (a wrapped Rust toolchain, or a route, needs none)" if rust_only else ""),
        f"run `ldwrap install {DEFAULT_DROPINS}` and put that first on PATH"
        + (", to link C and C++ through ldwrap too" if rust_only else ""),
    )
