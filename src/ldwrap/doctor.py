"""`ldwrap doctor`: does a link reach the shim, and if not, why not.

`diagnose` gathers facts (PATH, the C compilers, rustc, toolchains, settings) and turns them
into findings; `render` only formats. A finding of kind "problem" carries a one-line
recommendation and makes the command exit 1; a note may carry a hint.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import rustup as ru
from .launcher import launcher_problem
from .link.config import MODE_NIX, MODE_PREFIXES, Config
from .link.linkers import DROP_IN_NAMES, LinkerError, find, is_shim, path_dirs, search_path

CHECKED_NAMES = ("ld", "ld.lld", "ld.mold")
PROBE_SOURCE = "fn main() {}\n"
DEFAULT_DROPINS = "~/.local/share/ldwrap/bin"
# The C compilers doctor asks, first on PATH each, plus every versioned gcc-NN and clang-NN.
COMPILER_NAMES = ("gcc", "cc", "clang")
_VERSIONED = re.compile(r"(?:gcc|clang)-[0-9]+")
# A compiler's linker choices: its default, -fuse-ld=lld, -fuse-ld=mold.
FUSE_CHOICES = ("", "lld", "mold")
PROBE_TIMEOUT = 30


@dataclass
class Finding:
    problem: bool
    text: str
    advice: str = ""  # the fix of a problem, a hint for a note


@dataclass
class LinkerChoice:
    """The linker one compiler runs for one -fuse-ld= choice ("" for its default)."""

    choice: str
    path: str | None = None  # None: the compiler finds no such linker
    is_ldwrap: bool = False
    resolves_to: str = ""  # what the shim runs
    note: str = ""  # why there is no path, or what the linker is when not ldwrap

    @property
    def option(self) -> str:
        return f"-fuse-ld={self.choice}" if self.choice else "default"

    @property
    def linker_name(self) -> str:
        return f"ld.{self.choice}" if self.choice else "ld"


@dataclass
class Compiler:
    """A C compiler on PATH (one entry for all the names that run the same program)."""

    path: str
    names: list[str]
    kind: str  # "gcc" or "clang": how to ask it, and how it looks for its linker
    triple: str = ""  # clang's target, from its -### output
    linkers: list[LinkerChoice] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.names[0]


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
                value = a[len(prefix) :]
        return value


@dataclass
class Report:
    path: list[OnPath] = field(default_factory=list)
    ldwrap_dirs: list[str] = field(default_factory=list)
    compilers: list[Compiler] = field(default_factory=list)
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


def _on_path(
    name: str, dirs: list[str], env: Mapping[str, str], linker_ok: bool = True
) -> tuple[OnPath, list[Finding]]:
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
            if linker_ok:  # else the one finding about LDWRAP_LINKER says it
                found.append(
                    Finding(
                        True, f"{entry.path}: {e}", "install the real linker or set LDWRAP_LINKER"
                    )
                )
    else:
        entry.resolves_to = os.path.realpath(entry.path)
        if _is_nix_wrapper(entry.path):
            entry.note = "nixpkgs' ld-wrapper"
    return entry, found


def find_compilers(env: Mapping[str, str]) -> list[Compiler]:
    """gcc, cc, clang and every gcc-NN and clang-NN on PATH, one entry per program."""
    dirs = path_dirs(env)
    names = list(COMPILER_NAMES)
    versioned: set[str] = set()
    for d in dict.fromkeys(dirs):
        try:
            versioned.update(n for n in os.listdir(d) if _VERSIONED.fullmatch(n))
        except OSError:
            continue
    names += sorted(versioned, key=lambda n: (n.split("-")[0], int(n.split("-")[1])))
    found: dict[str, Compiler] = {}
    for name in names:
        path = _first_on_path(name, dirs)
        if path is None:
            continue
        real = os.path.realpath(path)
        base = os.path.basename(real)
        # ccache and the like stand for every compiler: only a compiler's own file is a key.
        key = real if ("gcc" in base or "clang" in base or base == "cc") else path
        if key in found:
            found[key].names.append(name)
            continue
        kind = "clang" if "clang" in name or "clang" in base else "gcc"
        found[key] = Compiler(path, [name], kind)
    return list(found.values())


def _probe_argv(cc: Compiler, choice: str, obj: str) -> list[str]:
    fuse = [f"-fuse-ld={choice}"] if choice else []
    if cc.kind == "clang":
        return [cc.path, *fuse, "-###", obj]  # clang prints the linker's command, runs nothing
    # gcc's -### stops at collect2; collect2 -v prints the linker it found, and --version
    # makes that linker (a shim under LDWRAP_DRY_RUN) print a line and link nothing.
    return [cc.path, *fuse, "-Wl,-v,--version", obj]


def _parse_probe(cc: Compiler, lc: LinkerChoice, output: str) -> None:
    import shlex

    lines = output.splitlines()
    if cc.kind == "clang":
        for line in lines:
            if line.startswith("Target: "):
                cc.triple = line[len("Target: ") :].strip()
        commands = [ln for ln in lines if ln.startswith(' "')]
        if commands:
            try:
                lc.path = shlex.split(commands[-1])[0]
            except (ValueError, IndexError):
                pass
    else:
        for i, line in enumerate(lines[:-1]):
            if line.startswith("collect2 version"):
                first = lines[i + 1].split(" -", 1)[0]
                if not first.startswith("[cannot find"):
                    lc.path = first
                break
    if lc.path is None:
        errors = [ln for ln in lines if "error" in ln]
        lc.note = errors[0].strip() if errors else f"{cc.name} finds no {lc.linker_name}"


def probe_compilers(compilers: list[Compiler], env: Mapping[str, str]) -> None:
    """Ask each compiler which linker it runs for each -fuse-ld= choice, all at once."""
    child_env = {**env, "LDWRAP_DRY_RUN": "1"}
    with tempfile.TemporaryDirectory(prefix="ldwrap-doctor-") as tmp:
        obj = os.path.join(tmp, "probe.o")  # never read: clang and gcc only check it exists
        open(obj, "wb").close()
        running: list[tuple[Compiler, LinkerChoice, subprocess.Popen[str] | None]] = []
        for cc in compilers:
            for choice in FUSE_CHOICES:
                lc = LinkerChoice(choice)
                cc.linkers.append(lc)
                try:
                    proc: subprocess.Popen[str] | None = subprocess.Popen(
                        _probe_argv(cc, choice, obj),
                        cwd=tmp,
                        env=child_env,
                        text=True,
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT,
                        errors="replace",
                    )
                except OSError as e:
                    lc.note, proc = f"cannot run {cc.path}: {e.strerror}", None
                running.append((cc, lc, proc))
        for cc, lc, proc in running:
            if proc is None:
                continue
            try:
                out, _ = proc.communicate(timeout=PROBE_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                lc.note = f"{cc.name} did not answer in {PROBE_TIMEOUT}s"
                continue
            _parse_probe(cc, lc, out)
    for cc in compilers:
        for lc in cc.linkers:
            _describe(lc, env)


def _describe(lc: LinkerChoice, env: Mapping[str, str]) -> None:
    if lc.path is None:
        return
    if is_shim(lc.path):
        lc.is_ldwrap = True
        try:
            real = find(lc.linker_name, lc.path, env, env.get("LDWRAP_LINKER") or None)
            lc.resolves_to = " ".join((real.path, *real.prefix))
        except LinkerError:
            lc.resolves_to = ""
    elif _is_nix_wrapper(lc.path):
        lc.note = "nixpkgs' ld-wrapper"


def _dropin_dir(report: Report, name: str) -> str:
    """Where to suggest ldwrap's drop-in `name`: the first drop-in directory on PATH."""
    for d in report.ldwrap_dirs:
        if is_shim(os.path.join(d, name)):
            return d
    return report.ldwrap_dirs[0] if report.ldwrap_dirs else DEFAULT_DROPINS


def _compiler_findings(report: Report, env: Mapping[str, str], flagged: set[str]) -> list[Finding]:
    """For each compiler, the -fuse-ld= choices that do not reach a working shim, with one
    fix per group of choices that share it.

    Only when some drop-in is on PATH (the user means to link through them); without any,
    the finding about the missing drop-ins says it once. Paths already flagged by the PATH
    checks (a linker before the drop-ins) are not repeated for gcc, which follows PATH.
    """
    if not report.ldwrap_dirs:
        return []
    found = []
    for cc in report.compilers:
        groups: dict[str, list[LinkerChoice]] = {}
        for lc in cc.linkers:
            if lc.path is None or lc.note == "nixpkgs' ld-wrapper":
                continue
            if lc.is_ldwrap:
                problem = launcher_problem(lc.path)
                if problem and lc.path not in flagged:
                    flagged.add(lc.path)
                    found.append(
                        Finding(
                            True, problem, f"run `ldwrap install {os.path.dirname(lc.path)}` again"
                        )
                    )
                continue
            if cc.kind == "gcc" and lc.path in flagged:
                continue
            key = "" if cc.kind == "clang" else _gcc_fix(report, env, cc, lc)
            groups.setdefault(key, []).append(lc)
        for advice, misses in groups.items():
            runs = ", ".join(f"{lc.path} ({lc.option})" for lc in misses)
            found.append(
                Finding(
                    True,
                    f"{cc.name} runs {runs}, not ldwrap",
                    advice or _clang_fix(report, cc, misses),
                )
            )
    return found


def _gcc_fix(report: Report, env: Mapping[str, str], cc: Compiler, lc: LinkerChoice) -> str:
    """gcc (collect2) looks in its own directories, then PATH."""
    dropins = _dropin_dir(report, lc.linker_name)
    here = os.path.dirname(lc.path or "")
    if os.path.realpath(here) in {os.path.realpath(d) for d in path_dirs(env)}:
        return f"put {dropins} before {here} on PATH, or pass -B{dropins} to {cc.name}"
    return f"pass -B{dropins} to {cc.name}: it finds {here}'s linkers before PATH"


def _clang_fix(report: Report, cc: Compiler, misses: list[LinkerChoice]) -> str:
    """clang looks for <triple>-ld.lld in its own directories, then on PATH, and only then
    for ld.lld, again in its own directories first: plain drop-ins on PATH lose."""
    names = [lc.linker_name for lc in misses]
    dropins = _dropin_dir(report, names[0])
    triple = cc.triple or "TRIPLE"
    if len(names) == 1:
        prefixed, ld_path = f"{triple}-{names[0]}", f"{dropins}/{names[0]}"
    else:
        prefixed = f"{triple}-{names[0]} and the like"
        ld_path = f"{dropins}/NAME (NAME: {', '.join(names)})"
    return (
        f"run `ldwrap install --target {triple} {dropins}` (it writes {prefixed}, which "
        f"clang takes before its own) with {dropins} first on PATH, or pass "
        f"--ld-path={ld_path}"
    )


def probe_rustc(env: Mapping[str, str]) -> RustcInfo | None:
    """Version, sysroot and the linker command rustc uses (one tiny real link)."""
    import shlex
    import subprocess

    program = ru.rustc_program(env)
    info = RustcInfo(program)

    def run(args: list[str], cwd: str | None = None) -> subprocess.CompletedProcess[str] | None:
        try:
            return subprocess.run(
                [program, *args],
                capture_output=True,
                text=True,
                cwd=cwd,
                env=dict(env),
                timeout=120,
                check=False,
            )
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
    s = Config.from_env(env)
    found = [Finding(True, f"setting: {w}", "fix or unset the variable") for w in s.warnings]
    if s.mode == MODE_NIX:
        why = "NIX_STORE" if env.get("NIX_STORE") else s.rule_why
        text = f"rpath for library dirs under {':'.join(s.prefixes)} ({why})"
    elif s.mode == MODE_PREFIXES:
        text = f"rpath for library dirs under {':'.join(s.prefixes)} (LDWRAP_RPATH_PREFIXES)"
    else:
        text = f"rpath for any library dir the loader does not search by itself ({s.rule_why})"
    from .link.nix import machine
    from .link.nix import read as read_nix

    if s.disable_rpath or read_nix(env, None, machine()).dont_set_rpath:
        found.append(
            Finding(
                True,
                "rpaths are turned off (NIX_DONT_SET_RPATH or LDWRAP_DISABLE)",
                "unset NIX_DONT_SET_RPATH and LDWRAP_DISABLE",
            )
        )
    return text, found


def _linker_setting(env: Mapping[str, str]) -> Finding | None:
    """LDWRAP_LINKER, said once: where it points, and that it overrides every -fuse-ld=."""
    value = env.get("LDWRAP_LINKER")
    if not value:
        return None
    path = value if "/" in value else search_path(value, env)
    if path is None or not (os.path.isfile(path) and os.access(path, os.X_OK)):
        where = "no executable file there" if "/" in value else "not on PATH"
        return Finding(
            True,
            f"LDWRAP_LINKER={value} points nowhere ({where}): every drop-in would fail",
            "unset LDWRAP_LINKER, or point it at a linker (e.g. /usr/bin/ld.lld)",
        )
    if is_shim(path):
        return Finding(
            True,
            f"LDWRAP_LINKER={value} is one of ldwrap's own launchers, not a linker",
            "unset LDWRAP_LINKER, or point it at the real linker",
        )
    return Finding(
        False,
        f"LDWRAP_LINKER={value}: every drop-in runs {path}, whatever "
        "-fuse-ld= asked for (ld.mold and a wrapped toolchain's ld.lld too)",
        "unset LDWRAP_LINKER to let -fuse-ld= choose the linker",
    )


def _is_rustup_proxy(path: str) -> bool:
    """Whether path is one of rustup's proxies (a link to or copy of the rustup program)."""
    if os.path.basename(os.path.realpath(path)) in ("rustup", "rustup-init"):
        return True
    try:
        return os.path.samefile(path, os.path.join(os.path.dirname(path), "rustup"))
    except OSError:
        return False


def _cargo_finding(report: Report, env: Mapping[str, str]) -> Finding | None:
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
    cargo = _first_on_path("cargo", path_dirs(env))
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
        found.append(
            Finding(
                True,
                f"a test link with {rc.program} failed: {rc.probe_error}",
                "run `rustc --print=link-args` on a small program to see why",
            )
        )
    if rc.own_lld:
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
            found.append(
                Finding(
                    True,
                    f"rustc links with its own rust-lld and {tc.name} is "
                    f"{st.state}: binaries get no rpath",
                    f"run `ldwrap rustup wrap {_sysroot_option(tc, env)}`",
                )
            )
        return found, False
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
    fuse = rc.fuse_ld
    name = "ld" if fuse is None else (fuse if "/" in fuse else f"ld.{fuse}")
    b_dirs = [a[2:] for a in rc.linker_args if a.startswith("-B") and len(a) > 2]
    target = _first_on_path(name, [*b_dirs, *path_dirs(env)]) if "/" not in name else name
    if target and is_shim(target):
        return found, True
    if target and _is_nix_wrapper(target):
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


def diagnose(env: Mapping[str, str], compilers: bool = True) -> Report:
    """Every fact and finding; compilers=False skips asking the C compilers."""
    report = Report()
    dirs = path_dirs(env)
    report.ldwrap_dirs = [
        d for d in dict.fromkeys(dirs) if any(is_shim(os.path.join(d, n)) for n in DROP_IN_NAMES)
    ]
    setting = _linker_setting(env)
    if setting is not None:
        report.findings.append(setting)
    flagged: set[str] = set()  # linker paths a PATH finding already names
    for name in CHECKED_NAMES:
        entry, found = _on_path(name, dirs, env, setting is None or not setting.problem)
        report.path.append(entry)
        report.findings += found
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
    if compilers:
        report.compilers = find_compilers(env)
        probe_compilers(report.compilers, env)
        report.findings += _compiler_findings(report, env, flagged)
    report.rustc = probe_rustc(env)
    active = report.rustc.sysroot if report.rustc else None
    report.toolchains = _toolchains(env, active)
    for tc, st, _ in report.toolchains:
        for p in st.problems:
            report.findings.append(
                Finding(
                    True, f"{tc.name}: {p}", f"run `ldwrap rustup wrap {_sysroot_option(tc, env)}`"
                )
            )
    rust_found, rust_ok = _rust_findings(report, env)
    report.findings += rust_found
    cargo = _cargo_finding(report, env)
    if cargo is not None:
        report.findings.append(cargo)
    if not report.ldwrap_dirs:
        # Linking Rust through a wrapped toolchain needs no drop-ins: then this is a note.
        rust_only = rust_ok or any(
            st.state == ru.WRAPPED and st.healthy for _, st, _ in report.toolchains
        )
        report.findings.append(
            Finding(
                not rust_only,
                "none of ldwrap's drop-ins (ld, ld.lld, ld.mold, ...) is on PATH"
                + (" (a wrapped Rust toolchain needs none)" if rust_only else ""),
                f"run `ldwrap install {DEFAULT_DROPINS}` and put that first on PATH"
                + (", to link C and C++ through ldwrap too" if rust_only else ""),
            )
        )
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
    if report.compilers:
        lines.append("compilers:")
    for cc in report.compilers:
        also = f"; also {', '.join(cc.names[1:])}" if len(cc.names) > 1 else ""
        triple = f" [{cc.triple}]" if cc.triple else ""
        lines.append(f"  {cc.name} ({cc.path}{also}){triple}")
        for lc in cc.linkers:
            lines.append(f"    {lc.option:14} {_linker_text(lc)}")
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
