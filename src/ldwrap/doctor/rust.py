"""rustc and the rustup toolchains: how Rust links, and whether that reaches ldwrap."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from .. import rustup as ru
from ..link.linkers import is_nix_wrapper, is_shim, path_dirs, search_dirs
from ..probe import ask
from .model import Finding, Report, RustcInfo

if TYPE_CHECKING:
    import subprocess

PROBE_SOURCE = "fn main() {}\n"


def probe_rustc(env: Mapping[str, str], cwd: str | None = None) -> RustcInfo | None:
    """Version, sysroot and the linker command rustc uses (one tiny real link), with the
    flags cargo would add to a build in cwd (the current directory by default)."""
    import shlex

    program = ru.rustc_program(env)
    info = RustcInfo(program)

    def run(args: list[str], cwd: str | None = None) -> subprocess.CompletedProcess[str] | None:
        return ask([program, *args], env, 120, cwd)

    out = run(["-vV"])
    if out is None or out.returncode != 0:
        return None
    lines = out.stdout.splitlines()
    info.version = lines[0].strip() if lines else ""
    info.host = next((ln[6:].strip() for ln in lines if ln.startswith("host: ")), "")
    info.sysroot = ru.active_sysroot(env)
    flags = _cargo_args(info, env, cwd or os.getcwd(), lambda: _print_cfg(run))
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


def _cargo_args(
    info: RustcInfo, env: Mapping[str, str], cwd: str, cfg: Callable[[], list[str]]
) -> list[str]:
    """What cargo adds to rustc's command line in cwd (its rustflags and linker), noted in
    info."""
    from . import cargoconfig as cc

    files = cc.config_files(cwd, cc.cargo_home(env))
    layers, problems = cc.read_layers(files)
    got = cc.cargo_flags(env, layers, info.host, cfg)
    info.cargo_args = got.rustc_args()
    info.cargo_from = [
        f"{what} from {where}"
        for what, where in (("linker", got.linker_from), ("rustflags", got.rustflags_from))
        if where
    ]
    info.cargo_problems = problems + got.problems
    return info.cargo_args


def _print_cfg(
    run: Callable[[list[str]], subprocess.CompletedProcess[str] | None],
) -> list[str]:
    out = run(["--print", "cfg"])
    return out.stdout.splitlines() if out is not None and out.returncode == 0 else []


def _is_rustup_proxy(path: str) -> bool:
    """Whether path is one of rustup's proxies (a link to or copy of the rustup program)."""
    if os.path.basename(os.path.realpath(path)) in ("rustup", "rustup-init"):
        return True
    try:
        return os.path.samefile(path, os.path.join(os.path.dirname(path), "rustup"))
    except OSError:
        return False


def cargo_finding(report: Report, env: Mapping[str, str]) -> Finding | None:
    """A wrapped toolchain outside rustup (`wrap --sysroot` of a copy) that rustc uses, while
    the `cargo` on PATH is rustup's proxy, which builds with rustup's toolchains instead."""
    active = report.rustc.sysroot if report.rustc else None
    if not active:
        return None
    home = os.path.realpath(os.path.join(ru.rustup_home(env), "toolchains"))
    if os.path.dirname(os.path.realpath(active)) == home:
        return None
    rows = [st for tc, st, is_active in report.toolchains if is_active]
    if not rows or not all(st.state == ru.WRAPPED for st in rows):
        return None
    cargo = search_dirs("cargo", path_dirs(env), shims=True)
    if cargo is None or not _is_rustup_proxy(cargo):
        return None
    own = os.path.join(active, "bin", "cargo")
    fix = (
        f"run {own} (or put {active}/bin first on PATH, or `rustup toolchain link NAME "
        f"{active}` and `cargo +NAME build`)"
    )
    if env.get("RUSTC"):
        return Finding(
            False,
            f"`cargo` on PATH ({cargo}) is rustup's proxy: it uses the wrapped "
            f"{active} only while RUSTC={env['RUSTC']} is set",
            fix,
        )
    return Finding(
        True,
        f"`cargo` on PATH ({cargo}) is rustup's proxy: it builds with a rustup "
        f"toolchain, not the wrapped {active}",
        fix,
    )


def toolchain_rows(
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


def rust_findings(report: Report, env: Mapping[str, str]) -> tuple[list[Finding], bool]:
    """Findings about the way rustc links; True when Rust links go through ldwrap."""
    rc = report.rustc
    if rc is None:
        text = f"no rustc ({ru.rustc_program(env)}) found; Rust checks skipped"
        return [Finding(False, text)], False
    found = [
        Finding(True, p, "fix the file or the table: cargo reads it for every build")
        for p in rc.cargo_problems
    ]
    if rc.probe_error:
        found.append(
            Finding(
                True,
                f"a test link with {rc.program} failed: {rc.probe_error}",
                "run `rustc --print=link-args` on a small program to see why",
            )
        )
    if rc.routed:
        route_found, ok = route_findings(report, env)
        return found + route_found, ok
    if rc.own_lld:
        return _own_lld(report, rc, env, found)
    # cc (or clang) finds the linker through --ld-path, its -B dirs, then PATH.
    if rc.ld_path:
        ok = is_shim(rc.ld_path)
        if not ok:
            found.append(
                Finding(
                    True,
                    f"rustc's linker driver uses --ld-path={rc.ld_path}, which is not ldwrap",
                    "point --ld-path at ldwrap's ld.lld",
                )
            )
        return found, ok
    return _through_cc(rc, env, found)


def _own_lld(
    report: Report, rc: RustcInfo, env: Mapping[str, str], found: list[Finding]
) -> tuple[list[Finding], bool]:
    """rustc links with its own gcc-ld/ld.lld: whether that toolchain is wrapped."""
    slot = os.path.join(rc.gcc_ld_dir or "", "ld.lld")
    rows = [
        r
        for r in report.toolchains
        if r[1].path == slot or os.path.realpath(r[1].path) == os.path.realpath(slot)
    ]
    if not rows:
        return found, False
    tc, st, _ = rows[0]
    if st.state == ru.WRAPPED and st.healthy:
        return found, True
    if st.state in (ru.UNWRAPPED, ru.REPLACED):
        found.append(_unwrapped(rc, tc, st, env))
    return found, False


def _through_cc(
    rc: RustcInfo, env: Mapping[str, str], found: list[Finding]
) -> tuple[list[Finding], bool]:
    """rustc links with cc: whether the linker cc finds (its -B dirs, then PATH) is ldwrap."""
    fuse = rc.fuse_ld
    name = "ld" if fuse is None else (fuse if "/" in fuse else f"ld.{fuse}")
    b_dirs = [a[2:] for a in rc.linker_args if a.startswith("-B") and len(a) > 2]
    target = search_dirs(name, [*b_dirs, *path_dirs(env)], shims=True) if "/" not in name else name
    if target and (is_shim(target) or is_nix_wrapper(target)):
        return found, True
    found.append(
        Finding(
            True,
            f"rustc links with cc using {name}, which resolves to "
            f"{target or 'nothing'}, not ldwrap",
            f"put ldwrap's drop-ins first on PATH (`ldwrap install DIR`) so {name} is ldwrap's",
        )
    )
    return found, False


def _unwrapped(
    rc: RustcInfo, tc: ru.Toolchain, st: ru.SlotStatus, env: Mapping[str, str]
) -> Finding:
    """rustc links through its own gcc-ld/ld.lld, not wrapped: wrap it, or where it cannot
    be written, take a route."""
    routes = [d for d in rc.gcc_ld_dirs[1:] if is_shim(os.path.join(d, "ld.lld"))]
    if routes:
        # A route given with -Clink-arg=-B alone: rustc's own -B comes first and wins.
        return Finding(
            True,
            f"rustc links with its own rust-lld: its own -B{rc.gcc_ld_dir} comes before "
            f"the route {os.path.dirname(routes[0])}, so binaries get no rpath",
            "add -Clink-self-contained=-linker to the rustflags (as `ldwrap rustup route` "
            "prints them)",
        )
    why = st.read_only
    if why is not None:
        return Finding(
            True,
            f"rustc links with its own rust-lld and {tc.name} cannot be wrapped ({why}): "
            "binaries get no rpath",
            ru.route_advice(tc, env),
        )
    return Finding(
        True,
        f"rustc links with its own rust-lld and {tc.name} is {st.state}: binaries get no rpath",
        f"run `ldwrap rustup wrap {ru.selection_option(tc, env)}`",
    )


def _active(report: Report) -> ru.Toolchain | None:
    """rustc's own toolchain, as the toolchain rows name it."""
    for tc, _, active in report.toolchains:
        if active:
            return tc
    sysroot = report.rustc.sysroot if report.rustc else None
    try:
        return ru.toolchain_at(sysroot) if sysroot else None
    except ru.RustupError:
        return None


def route_findings(report: Report, env: Mapping[str, str]) -> tuple[list[Finding], bool]:
    """rustc's cc takes ld.lld from a gcc-ld directory outside its toolchain (a route, given
    with -Clink-arg=-B): whether that is ldwrap, and whether it runs this toolchain's rust-lld.
    True when links go through ldwrap."""
    assert report.rustc is not None and report.rustc.gcc_ld_dir is not None
    ld_dir = report.rustc.gcc_ld_dir
    route_dir = os.path.dirname(os.path.normpath(ld_dir))
    tc = _active(report)
    fix = (
        f"run `ldwrap rustup route {ru.selection_option(tc, env)} {route_dir}`"
        if tc is not None
        else f"run `ldwrap rustup route {route_dir}`"
    )
    launcher = os.path.join(ld_dir, "ld.lld")
    if is_nix_wrapper(launcher):
        return [], True
    if not is_shim(launcher):
        # Not a route of ldwrap's (another toolchain's own gcc-ld?): one of ldwrap's instead.
        text = f"rustc's cc takes ld.lld from {ld_dir} (-B), which is not ldwrap's"
        other = ru.route_advice(tc, env) if tc is not None else "see flow (f) in docs/rust.md"
        return [Finding(True, text, other)], False
    real, problems = ru.route_problems(ld_dir)
    found = [Finding(True, f"the route {route_dir}: {p}", fix) for p in problems]
    if real is None:
        return found, False
    own = None
    if report.rustc.sysroot:
        try:
            own = ru.toolchain_rust_lld(report.rustc.sysroot)[1]
        except ru.RustupError:
            own = None
    if own is not None and not _same_file(real, own):
        found.append(
            Finding(
                True,
                f"the route {route_dir} runs {real}, not {own}, the rust-lld of rustc's "
                "own toolchain (the toolchain moved since the route was made?)",
                fix,
            )
        )
    return found, not problems


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
