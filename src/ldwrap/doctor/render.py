"""The report as text: facts first, then notes, then problems with their fixes."""

from __future__ import annotations

from .model import LinkerChoice, Report, RustcInfo


def render(report: Report) -> str:
    lines = ["PATH:"]
    for e in report.path:
        if e.path is None:
            lines.append(f"  {e.name:8} {e.note}")
            continue
        who = "ldwrap" if e.is_ldwrap else (e.note or "not ldwrap")
        target = f" -> {e.resolves_to}" if e.resolves_to and e.resolves_to != e.path else ""
        lines.append(f"  {e.name:8} {e.path} ({who}){target}")
        if e.bundle:
            lines.append(f"  {'':8} bundle: {e.bundle}")
    if report.compilers:
        lines.append("compilers:")
    for cc in report.compilers:
        also = f"; also {', '.join(cc.names[1:])}" if len(cc.names) > 1 else ""
        triple = f" [{cc.triple}{', cross' if cc.cross else ''}]" if cc.triple else ""
        lines.append(f"  {cc.name} ({cc.path}{also}){triple}")
        for lc in cc.linkers:
            lines.append(f"    {lc.option:14} {_linker_text(lc)}")
    lines += _rustc_lines(report)
    lines.append("toolchains:")
    if not report.toolchains:
        lines.append("  none found")
    for tc, st, active in report.toolchains:
        real = f" -> {st.real_linker}" if st.real_linker else ""
        mark = " (active)" if active else ""
        ro = " (read-only)" if st.read_only else ""
        lines.append(f"  {tc.name} [{st.triple}]: {st.state}{ro}{real}{mark}")
    lines.append(f"policy:\n  {report.policy}")
    problems = [f for f in report.findings if f.problem]
    notes = [f for f in report.findings if not f.problem]
    for f in notes:
        lines.append(f"note: {f.text}")
        if f.advice:
            lines.append(f"  hint: {f.advice}")
    for f in problems:
        lines.append(f"problem: {f.text}")
        if f.advice:
            lines.append(f"  fix: {f.advice}")
    lines.append("all well" if not problems else f"{len(problems)} problem(s) found")
    return "\n".join(lines)


def _linker_text(lc: LinkerChoice) -> str:
    if lc.path is None:
        return f"none ({lc.note})" if lc.note else "none"
    if lc.is_ldwrap:
        return f"{lc.path} (ldwrap)" + (f" -> {lc.resolves_to}" if lc.resolves_to else "")
    return f"{lc.path} ({lc.note or 'not ldwrap'})"


def _rustc_lines(report: Report) -> list[str]:
    rc = report.rustc
    if rc is None:
        return ["rustc:", "  not found"]
    lines = ["rustc:", f"  {rc.version} ({rc.program}), sysroot {rc.sysroot}"]
    if rc.cargo_args:
        lines.append(f"  cargo adds: {' '.join(rc.cargo_args)}")
        lines.append(f"    ({'; '.join(rc.cargo_from)})")
    lines.append(f"  links with: {_links_with(rc)}")
    return lines


def _links_with(rc: RustcInfo) -> str:
    if rc.own_lld:
        return f"its own rust-lld (cc -B{rc.gcc_ld_dir} -fuse-ld=lld)"
    if rc.routed:
        return f"a route (cc -B{rc.gcc_ld_dir} -fuse-ld=lld)"
    if rc.ld_path:
        return f"--ld-path={rc.ld_path}"
    if rc.linker_args:
        fuse = rc.fuse_ld
        return f"{rc.linker_args[0]} with {'ld.' + fuse if fuse else 'ld'} from PATH"
    return "unknown"
