"""`ldwrap doctor`: does a link reach the shim, and if not, why not.

`diagnose` gathers facts (PATH, rustc, toolchains, settings) and turns them into findings;
`render` only formats. A finding of kind "problem" carries a one-line recommendation and makes
the command exit 1.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import rustup as ru
from .launcher import launcher_problem
from .link.config import MODE_NIX, MODE_PREFIXES, Config
from .link.linkers import DROP_IN_NAMES, LinkerError, find, is_shim, path_dirs

CHECKED_NAMES = ("ld", "ld.lld", "ld.mold")
PROBE_SOURCE = "fn main() {}\n"


@dataclass
class Finding:
    problem: bool
    text: str
    advice: str = ""


@dataclass
class OnPath:
    """The first `name` on PATH and what it ends in."""

    name: str
    path: str | None = None
    is_ldwrap: bool = False
    resolves_to: str = ""  # the real linker (ldwrap) or the resolved file (anything else)
    note: str = ""


@dataclass
class RustcInfo:
    program: str
    version: str | None = None
    sysroot: str | None = None
    linker_args: list[str] = field(default_factory=list)
    probe_error: str = ""

    @property
    def own_lld(self) -> bool:
        """Whether rustc links through its own gcc-ld/ld.lld (the Rust >= 1.90 default)."""
        return self.gcc_ld_dir is not None and self.fuse_ld == "lld"

    @property
    def gcc_ld_dir(self) -> str | None:
        for a in self.linker_args:
            if a.startswith("-B") and os.path.basename(a.rstrip("/")) == "gcc-ld":
                return a[2:]
        return None

    @property
    def fuse_ld(self) -> str | None:
        """The linker cc is told to use; the last -fuse-ld wins."""
        return self._last("-fuse-ld=")

    @property
    def ld_path(self) -> str | None:
        return self._last("--ld-path=")

    def _last(self, prefix: str) -> str | None:
        """The value of the last linker argument spelled prefix+value."""
        value = None
        for a in self.linker_args:
            if a.startswith(prefix):
                value = a[len(prefix):]
        return value


@dataclass
class Report:
    path: list[OnPath] = field(default_factory=list)
    ldwrap_dirs: list[str] = field(default_factory=list)
    rustc: RustcInfo | None = None
    toolchains: list[tuple[ru.Toolchain, ru.SlotStatus, bool]] = field(default_factory=list)
    policy: str = ""
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.problem for f in self.findings)


def _first_on_path(name: str, dirs: list[str]) -> str | None:
    for d in dirs:
        cand = os.path.join(d, name)
        if os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


def _is_nix_wrapper(path: str) -> bool:
    """nixpkgs' own ld-wrapper: it adds rpaths itself."""
    try:
        with open(path, "rb") as f:
            head = f.read(65536)
    except OSError:
        return False
    return head[:2] == b"#!" and b"NIX_BINTOOLS" in head


def _on_path(name: str, dirs: list[str], env: Mapping[str, str]) -> tuple[OnPath, list[Finding]]:
    entry = OnPath(name, _first_on_path(name, dirs))
    found: list[Finding] = []
    if entry.path is None:
        entry.note = "not on PATH"
        return entry, found
    if is_shim(entry.path):
        entry.is_ldwrap = True
        problem = launcher_problem(entry.path)
        if problem:
            where = os.path.dirname(entry.path)
            found.append(Finding(True, problem, f"run `ldwrap install {where}` again"))
        try:
            real = find(name, entry.path, env, env.get("LDWRAP_LINKER") or None)
            entry.resolves_to = " ".join((real.path, *real.prefix))
        except LinkerError as e:
            found.append(Finding(True, f"{entry.path}: {e}", "install the real linker or set "
                                 "LDWRAP_LINKER"))
    else:
        entry.resolves_to = os.path.realpath(entry.path)
        if _is_nix_wrapper(entry.path):
            entry.note = "nixpkgs' ld-wrapper"
    return entry, found


def probe_rustc(env: Mapping[str, str]) -> RustcInfo | None:
    """Version, sysroot and the linker command rustc uses (one tiny real link)."""
    import shlex
    import subprocess

    program = ru.rustc_program(env)
    info = RustcInfo(program)

    def run(args: list[str], cwd: str | None = None) -> subprocess.CompletedProcess[str] | None:
        try:
            return subprocess.run([program, *args], capture_output=True, text=True, cwd=cwd,
                                  env=dict(env), timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None

    out = run(["-V"])
    if out is None or out.returncode != 0:
        return None
    info.version = out.stdout.strip()
    info.sysroot = ru.active_sysroot(env)
    flags = env.get("RUSTFLAGS", "").split()  # what cargo would add (config files aside)
    with tempfile.TemporaryDirectory(prefix="ldwrap-doctor-") as tmp:
        src = os.path.join(tmp, "probe.rs")
        with open(src, "w", encoding="utf-8") as f:
            f.write(PROBE_SOURCE)
        out = run([*flags, "--print=link-args", "-o", os.path.join(tmp, "probe"), src], tmp)
    if out is None:
        info.probe_error = "rustc did not run"
        return info
    for line in out.stdout.splitlines():
        try:
            words = shlex.split(line)
        except ValueError:
            continue
        # The line is `VAR="x" ... "cc" ARGS`: drop the environment settings in front.
        while words and "=" in words[0] and words[0].split("=", 1)[0].isidentifier():
            words.pop(0)
        if len(words) > 1 and any(w.endswith(".o") for w in words):
            info.linker_args = words
            break
    if out.returncode != 0:
        lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
        info.probe_error = lines[0] if lines else f"exit status {out.returncode}"
    return info


def _policy(env: Mapping[str, str]) -> tuple[str, list[Finding]]:
    s = Config.from_env(env, nix_store_exists=os.path.isdir("/nix/store"))
    found = [Finding(True, f"setting: {w}", "fix or unset the variable") for w in s.warnings]
    if s.mode == MODE_NIX:
        why = "NIX_STORE" if env.get("NIX_STORE") else "/nix/store exists"
        text = f"rpath for library dirs under {':'.join(s.prefixes)} ({why})"
    elif s.mode == MODE_PREFIXES:
        text = f"rpath for library dirs under {':'.join(s.prefixes)} (LDWRAP_RPATH_PREFIXES)"
    else:
        text = "rpath for any library dir the loader does not search by itself (no /nix/store)"
    from .link.nixenv import read as read_nix
    from .link.nixflags import machine

    if s.disable_rpath or read_nix(env, None, machine()).dont_set_rpath:
        found.append(Finding(True, "rpaths are turned off (NIX_DONT_SET_RPATH or LDWRAP_DISABLE)",
                             "unset NIX_DONT_SET_RPATH and LDWRAP_DISABLE"))
    if s.linker:
        found.append(Finding(False, f"LDWRAP_LINKER={s.linker} is the real linker of every shim, "
                             "including a wrapped toolchain's"))
    return text, found


def _toolchains(
    env: Mapping[str, str], active: str | None
) -> list[tuple[ru.Toolchain, ru.SlotStatus, bool]]:
    toolchains = ru.list_toolchains(env)
    real = {os.path.realpath(tc.sysroot) for tc in toolchains}
    if active and os.path.realpath(active) not in real:
        toolchains.append(ru.toolchain_at(active))
    rows = []
    for tc in toolchains:
        is_active = bool(active) and os.path.realpath(tc.sysroot) == os.path.realpath(active or "")
        for slot in ru.slots(tc.sysroot):
            rows.append((tc, ru.inspect(slot, env), is_active))
    return rows


def _sysroot_option(tc: ru.Toolchain, env: Mapping[str, str]) -> str:
    home = os.path.join(ru.rustup_home(env), "toolchains")
    if os.path.dirname(os.path.normpath(tc.sysroot)) == os.path.normpath(home):
        return f"--toolchain {tc.name}"
    return f"--sysroot {tc.sysroot}"


def _rust_findings(report: Report, env: Mapping[str, str]) -> tuple[list[Finding], bool]:
    """Findings about the way rustc links; True when Rust links go through ldwrap."""
    rc = report.rustc
    if rc is None:
        text = f"no rustc ({ru.rustc_program(env)}) found; Rust checks skipped"
        return [Finding(False, text)], False
    found = []
    if rc.probe_error:
        found.append(Finding(True, f"a test link with {rc.program} failed: {rc.probe_error}",
                             "run `rustc --print=link-args` on a small program to see why"))
    if rc.own_lld:
        slot = os.path.join(rc.gcc_ld_dir or "", "ld.lld")
        rows = [r for r in report.toolchains if r[1].path == slot or
                os.path.realpath(r[1].path) == os.path.realpath(slot)]
        if not rows:
            return found, False
        tc, st, _ = rows[0]
        if st.state == ru.WRAPPED and st.healthy:
            return found, True
        if st.state in (ru.UNWRAPPED, ru.REPLACED):
            found.append(Finding(True, f"rustc links with its own rust-lld and {tc.name} is "
                                 f"{st.state}: binaries get no rpath",
                                 f"run `ldwrap rustup wrap {_sysroot_option(tc, env)}`"))
        return found, False
    # cc (or clang) finds the linker through --ld-path, its -B dirs, then PATH.
    if rc.ld_path:
        ok = is_shim(rc.ld_path)
        if not ok:
            found.append(Finding(True, f"rustc's linker driver uses --ld-path={rc.ld_path}, "
                                 "which is not ldwrap", "point --ld-path at ldwrap's ld.lld"))
        return found, ok
    fuse = rc.fuse_ld
    name = "ld" if fuse is None else (fuse if "/" in fuse else f"ld.{fuse}")
    b_dirs = [a[2:] for a in rc.linker_args if a.startswith("-B") and len(a) > 2]
    target = _first_on_path(name, [*b_dirs, *path_dirs(env)]) if "/" not in name else name
    if target and is_shim(target):
        return found, True
    if target and _is_nix_wrapper(target):
        return found, True
    found.append(Finding(True, f"rustc links with cc using {name}, which resolves to "
                         f"{target or 'nothing'}, not ldwrap",
                         f"put ldwrap's drop-ins first on PATH (`ldwrap install DIR`) so {name} "
                         "is ldwrap's"))
    return found, False


def diagnose(env: Mapping[str, str]) -> Report:
    report = Report()
    dirs = path_dirs(env)
    report.ldwrap_dirs = [
        d for d in dict.fromkeys(dirs)
        if any(is_shim(os.path.join(d, n)) for n in DROP_IN_NAMES)
    ]
    for name in CHECKED_NAMES:
        entry, found = _on_path(name, dirs, env)
        report.path.append(entry)
        report.findings += found
        shadowed = [d for d in report.ldwrap_dirs if is_shim(os.path.join(d, name))]
        if shadowed and not entry.is_ldwrap and entry.path:
            report.findings.append(Finding(
                True, f"{entry.path} comes before ldwrap's {shadowed[0]}/{name} on PATH",
                f"put {shadowed[0]} before {os.path.dirname(entry.path)} on PATH"))
    report.rustc = probe_rustc(env)
    active = report.rustc.sysroot if report.rustc else None
    report.toolchains = _toolchains(env, active)
    for tc, st, _ in report.toolchains:
        for p in st.problems:
            report.findings.append(Finding(True, f"{tc.name}: {p}",
                                           f"run `ldwrap rustup wrap {_sysroot_option(tc, env)}`"))
    rust_found, rust_ok = _rust_findings(report, env)
    report.findings += rust_found
    if not report.ldwrap_dirs:
        report.findings.append(Finding(
            not rust_ok, "none of ldwrap's drop-ins (ld, ld.lld, ld.mold, ...) is on PATH",
            "run `ldwrap install ~/.local/share/ldwrap/bin` and put that first on PATH"))
    report.policy, found = _policy(env)
    report.findings += found
    return report


def render(report: Report) -> str:
    lines = ["PATH:"]
    for e in report.path:
        if e.path is None:
            lines.append(f"  {e.name:8} {e.note}")
            continue
        who = "ldwrap" if e.is_ldwrap else (e.note or "not ldwrap")
        target = f" -> {e.resolves_to}" if e.resolves_to and e.resolves_to != e.path else ""
        lines.append(f"  {e.name:8} {e.path} ({who}){target}")
    lines.append("rustc:")
    rc = report.rustc
    if rc is None:
        lines.append("  not found")
    else:
        lines.append(f"  {rc.version} ({rc.program}), sysroot {rc.sysroot}")
        if rc.own_lld:
            how = f"its own rust-lld (cc -B{rc.gcc_ld_dir} -fuse-ld=lld)"
        elif rc.ld_path:
            how = f"--ld-path={rc.ld_path}"
        elif rc.linker_args:
            fuse = rc.fuse_ld
            how = f"{rc.linker_args[0]} with {'ld.' + fuse if fuse else 'ld'} from PATH"
        else:
            how = "unknown"
        lines.append(f"  links with: {how}")
    lines.append("toolchains:")
    if not report.toolchains:
        lines.append("  none found")
    for tc, st, active in report.toolchains:
        real = f" -> {st.real_linker}" if st.real_linker else ""
        mark = " (active)" if active else ""
        lines.append(f"  {tc.name} [{st.triple}]: {st.state}{real}{mark}")
    lines.append(f"policy:\n  {report.policy}")
    problems = [f for f in report.findings if f.problem]
    notes = [f for f in report.findings if not f.problem]
    for f in notes:
        lines.append(f"note: {f.text}")
    for f in problems:
        lines.append(f"problem: {f.text}")
        if f.advice:
            lines.append(f"  fix: {f.advice}")
    lines.append("all well" if not problems else f"{len(problems)} problem(s) found")
    return "\n".join(lines)
