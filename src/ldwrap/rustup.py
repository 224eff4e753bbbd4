"""Wrap a Rust toolchain's own `gcc-ld/ld.lld` with the shim, and undo it.

Since Rust 1.90, rustc on x86_64 Linux links with `cc -B<sysroot>/lib/rustlib/<triple>/bin/gcc-ld
-fuse-ld=lld`. That `ld.lld` is a small program that runs `../rust-lld -flavor gnu`. Wrapping puts
an ldwrap launcher in its place; the shim, invoked as `.../gcc-ld/ld.lld`, then runs the same
toolchain's `../rust-lld -flavor gnu` (see `linkers.find`). The original is kept beside it as
`ld.lld.ldwrap-orig`.

Every change is one `os.replace`, and the original always exists under one of the two names, so
a crash at any point leaves a toolchain that links. `rustup update` rewrites `ld.lld` but leaves
our saved copy alone; `inspect` recognises that state ("replaced").

A toolchain that must not be written (a Nix store, a read-only mount) gets a route instead: a
directory of the user's holding `gcc-ld/ld.lld` (a launcher) and `rust-lld` (a symbolic link to
the toolchain's). The shim, invoked as that `.../gcc-ld/ld.lld`, runs the `../rust-lld` beside
it, as for a wrapped toolchain; rustc reaches it with `-Clink-self-contained=-linker` (no `-B`
of its own) and `-Clink-arg=-B<route>/gcc-ld` (see `route_flags`).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from .atomic import fsync_dir, write_atomic
from .launcher import install, launcher_problem
from .link.linkers import LinkerError, find, is_shim
from .storeguard import guard_from_env, path_refusal

GCC_LD = os.path.join("bin", "gcc-ld")
SAVED_SUFFIX = ".ldwrap-orig"

# States of one `gcc-ld/ld.lld`.
UNWRAPPED = "unwrapped"
WRAPPED = "wrapped"
REPLACED = "replaced"  # was wrapped; something (rustup update) put a new ld.lld in place
ORIGINAL_MISSING = "original-missing"  # wrapped, but the saved original is gone
MISSING = "missing"  # no ld.lld at all (an old or partial toolchain)


class RustupError(Exception):
    """A toolchain cannot be found, or cannot be changed safely."""


@dataclass(frozen=True)
class Toolchain:
    name: str
    sysroot: str


@dataclass
class SlotStatus:
    """What one `lib/rustlib/<triple>/bin/gcc-ld/ld.lld` is."""

    path: str
    triple: str
    state: str
    real_linker: str | None = None  # what the shim runs (wrapped) or the original runs
    problems: list[str] = field(default_factory=list)
    read_only: str | None = None  # why it must not be written (see read_only()), if so

    @property
    def saved(self) -> str:
        return self.path + SAVED_SUFFIX

    @property
    def healthy(self) -> bool:
        return not self.problems and self.state in (UNWRAPPED, WRAPPED)


def rustup_home(env: Mapping[str, str]) -> str:
    home = env.get("RUSTUP_HOME")
    if home:
        return home
    return os.path.join(env.get("HOME") or os.path.expanduser("~"), ".rustup")


def list_toolchains(env: Mapping[str, str]) -> list[Toolchain]:
    """The toolchains rustup has installed or linked, by name."""
    root = os.path.join(rustup_home(env), "toolchains")
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return []
    found = []
    for name in names:
        path = os.path.join(root, name)
        if not name.startswith(".") and os.path.isdir(os.path.join(path, "lib", "rustlib")):
            found.append(Toolchain(name, path))
    return found


def find_toolchain(env: Mapping[str, str], name: str) -> Toolchain:
    """A toolchain by rustup name; a short name (`stable`) matches `stable-<host>`."""
    toolchains = list_toolchains(env)
    for tc in toolchains:
        if tc.name == name:
            return tc
    matches = [tc for tc in toolchains if tc.name.startswith(name + "-")]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(tc.name for tc in toolchains) or "none"
    raise RustupError(f"no rustup toolchain {name!r} under {rustup_home(env)} (installed: {known})")


def toolchain_at(sysroot: str) -> Toolchain:
    """A toolchain given by its sysroot (what `rustc --print sysroot` prints)."""
    if not os.path.isdir(os.path.join(sysroot, "lib", "rustlib")):
        raise RustupError(f"{sysroot} is not a Rust sysroot (no lib/rustlib)")
    return Toolchain(os.path.basename(os.path.normpath(sysroot)), sysroot)


def slots(sysroot: str) -> list[str]:
    """Every `lib/rustlib/<triple>/bin/gcc-ld/ld.lld` path in sysroot (usually the host's)."""
    pattern = os.path.join(glob.escape(sysroot), "lib", "rustlib", "*", GCC_LD)
    return sorted(os.path.join(d, "ld.lld") for d in glob.glob(pattern))


def _triple(slot: str) -> str:
    return os.path.basename(os.path.dirname(os.path.dirname(os.path.dirname(slot))))


def _rust_lld(slot: str) -> str:
    return os.path.join(os.path.dirname(os.path.dirname(slot)), "rust-lld")


def inspect(slot: str, env: Mapping[str, str] | None = None) -> SlotStatus:
    """The state of one gcc-ld/ld.lld, the linker it ends in, and what is wrong with it."""
    env = {} if env is None else env
    st = SlotStatus(slot, _triple(slot), UNWRAPPED)
    st.read_only = read_only(slot, env)
    saved_exists = os.path.lexists(st.saved)
    if not os.path.lexists(slot):
        st.state = MISSING
        st.problems.append(f"{slot} does not exist")
        return st
    rust_lld = _rust_lld(slot)
    if is_shim(slot):
        st.state = WRAPPED if saved_exists else ORIGINAL_MISSING
        problem = launcher_problem(slot)
        if problem:
            st.problems.append(problem)
        try:
            # LDWRAP_LINKER would override the toolchain's own rust-lld for every link.
            real = find(
                "ld.lld", slot, {k: v for k, v in env.items() if k != "LDWRAP_LINKER"}, None
            )
            st.real_linker = real.path
        except LinkerError as e:
            st.problems.append(str(e))
        if not saved_exists:
            st.problems.append(
                f"the original is gone ({st.saved}); `unwrap` cannot restore it "
                "(`rustup toolchain install --force` can)"
            )
    else:
        st.real_linker = rust_lld if os.path.exists(rust_lld) else None
        if saved_exists and not _same_content(slot, st.saved):
            st.state = REPLACED
            st.problems.append(
                "ld.lld was replaced after wrapping (by `rustup update`?); run "
                "`ldwrap rustup wrap` again"
            )
    if st.real_linker is None:
        st.problems.append(f"{rust_lld} is missing")
    return st


def _same_content(a: str, b: str) -> bool:
    """Whether a and b hold the same bytes (a wrap interrupted after saving the original)."""
    try:
        if os.path.samefile(a, b):
            return True
        with open(a, "rb") as fa, open(b, "rb") as fb:
            return fa.read() == fb.read()
    except OSError:
        return False


def _save_original(slot: str, saved: str) -> None:
    """Make saved an exact copy of slot (a hard link when possible), atomically."""
    directory = os.path.dirname(slot)
    tmp = os.path.join(directory, f".{os.path.basename(saved)}.{os.getpid()}.tmp")
    if os.path.lexists(tmp):
        os.unlink(tmp)
    try:
        os.link(slot, tmp)
    except OSError:
        with open(slot, "rb") as f:
            data = f.read()
        write_atomic(saved, data, os.stat(slot).st_mode & 0o7777)
        return
    try:
        os.replace(tmp, saved)
    except BaseException:
        os.unlink(tmp)
        raise
    fsync_dir(directory)


def wrap_slot(slot: str, launcher: str) -> str:
    """Put the launcher at slot, keeping the original as slot + SAVED_SUFFIX.

    Returns what was done: "wrapped", "refreshed" (launcher rewritten) or "already wrapped".
    """
    saved = slot + SAVED_SUFFIX
    data = launcher.encode()
    if not os.path.lexists(slot):
        raise RustupError(f"{slot} does not exist: not a toolchain that links with rust-lld")
    if is_shim(slot):
        if not os.path.lexists(saved):
            raise RustupError(f"{slot} is wrapped but its original {saved} is missing")
        with open(slot, "rb") as f:
            if f.read() == data:
                return "already wrapped"
        write_atomic(slot, data, 0o755)
        return "refreshed"
    # slot is the real program: a fresh toolchain, or one rustup updated since it was wrapped.
    # Save it first; until the rename below, slot itself is still the working original.
    _save_original(slot, saved)
    write_atomic(slot, data, 0o755)
    return "wrapped"


def unwrap_slot(slot: str) -> str:
    """Put the original back. Returns "unwrapped", "not wrapped" or "removed stale copy"."""
    saved = slot + SAVED_SUFFIX
    if os.path.lexists(slot) and not is_shim(slot):
        if os.path.lexists(saved):
            # ld.lld is a real program (rustup replaced our launcher): the copy is stale.
            os.unlink(saved)
            return "removed stale copy"
        return "not wrapped"
    if not os.path.lexists(saved):
        raise RustupError(
            f"cannot restore {slot}: the original {saved} is missing; reinstall the toolchain "
            "(`rustup toolchain install --force NAME`)"
        )
    os.replace(saved, slot)  # one step: the launcher is gone and the original is back
    fsync_dir(os.path.dirname(slot))
    return "unwrapped"


def check_writable(slot: str) -> None:
    directory = os.path.dirname(slot)
    if not os.access(directory, os.W_OK):
        raise RustupError(f"{directory} is not writable (a read-only toolchain?)")


def read_only(slot: str, env: Mapping[str, str]) -> str | None:
    """Why the directory of slot must not or cannot be written, or None: it is in a Nix store
    (even where root could write it: an edit breaks the store path's recorded hash), on a
    read-only file system, or not writable by this user."""
    directory = os.path.dirname(slot)
    refused = path_refusal(guard_from_env(env), directory)
    if refused is not None:
        # "in the Nix store S; store files are never edited": the first half says it all.
        return ("it is " if refused.startswith("in ") else "it ") + refused.split(";")[0]
    try:
        if os.statvfs(directory).f_flag & os.ST_RDONLY:
            return "it is on a read-only file system"
    except OSError:
        pass
    if not os.access(directory, os.W_OK):
        return "its directory is not writable by this user"
    return None


def selection_option(tc: Toolchain, env: Mapping[str, str]) -> str:
    """The option that selects tc again: --toolchain for rustup's own, else --sysroot."""
    home = os.path.join(rustup_home(env), "toolchains")
    if os.path.dirname(os.path.normpath(tc.sysroot)) == os.path.normpath(home):
        return f"--toolchain {tc.name}"
    return f"--sysroot {tc.sysroot}"


# Where the fix lines suggest a route when the user has not named one.
DEFAULT_ROUTE = "~/.local/share/ldwrap/rust-route"


def route_advice(tc: Toolchain, env: Mapping[str, str], directory: str = DEFAULT_ROUTE) -> str:
    """The one command that keeps tc's rust-lld without writing tc, and what to do with it."""
    return (
        f"run `ldwrap rustup route {selection_option(tc, env)} {directory}` and add the block "
        "it prints to .cargo/config.toml (flow (f) in docs/rust.md)"
    )


def wrap_refusal(slot: str, tc: Toolchain, env: Mapping[str, str]) -> str | None:
    """Why slot cannot be wrapped, naming the route instead, or None when it can."""
    why = read_only(slot, env)
    if why is None:
        return None
    return f"cannot wrap {slot}: {why}; to keep its rust-lld without writing it, " + route_advice(
        tc, env
    )


# The directory name the shim knows as a toolchain's (linkers.find): a launcher invoked as
# `.../gcc-ld/ld.lld` runs the `rust-lld` beside that directory.
ROUTE_LD_DIR = "gcc-ld"
ROUTE_RUST_LLD = "rust-lld"


@dataclass(frozen=True)
class Route:
    """A route: DIR/gcc-ld/ld.lld (an ldwrap launcher) and DIR/rust-lld (a link to target)."""

    directory: str
    triple: str
    target: str  # the toolchain's own lib/rustlib/<triple>/bin/rust-lld

    @property
    def ld_dir(self) -> str:
        return os.path.join(self.directory, ROUTE_LD_DIR)

    @property
    def launcher(self) -> str:
        return os.path.join(self.ld_dir, "ld.lld")

    @property
    def rust_lld(self) -> str:
        return os.path.join(self.directory, ROUTE_RUST_LLD)


def toolchain_rust_lld(sysroot: str, machine: str | None = None) -> tuple[str, str]:
    """(triple, path) of the toolchain's own rust-lld: `lib/rustlib/<host>/bin/rust-lld`.

    Only the host's rustc component ships one; should several triples hold one, the one for
    this machine (machine: uname's) is taken."""
    pattern = os.path.join(glob.escape(sysroot), "lib", "rustlib", "*", "bin", ROUTE_RUST_LLD)
    found = [p for p in sorted(glob.glob(pattern)) if os.access(p, os.X_OK)]
    if len(found) > 1:
        arch = (machine or os.uname().machine) + "-"
        found = [p for p in found if _triple_of_bin(p).startswith(arch)] or found
    if not found:
        raise RustupError(
            f"{sysroot} has no lib/rustlib/*/bin/rust-lld: this toolchain does not link with "
            "its own rust-lld (flows (b) to (e) in docs/rust.md apply)"
        )
    return _triple_of_bin(found[0]), found[0]


def _triple_of_bin(path: str) -> str:
    return os.path.basename(os.path.dirname(os.path.dirname(path)))


def route_flags(ld_dir: str) -> list[str]:
    """The rustflags that make rustc link through a route's gcc-ld directory: no `-B` of
    rustc's own (it would come first, rust-lang/rust#125321), cc told to use lld, and the
    route's directory where cc looks for ld.lld first."""
    return ["-Clink-self-contained=-linker", "-Clink-arg=-fuse-ld=lld", f"-Clink-arg=-B{ld_dir}"]


def toml_string(text: str) -> str:
    """text as a TOML basic string: quote and backslash escaped, control characters too."""
    out = []
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif c < " " or c == "\x7f":
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def cargo_block(route: Route) -> str:
    """The .cargo/config.toml table that takes the route."""
    flags = "".join(f"    {toml_string(f)},\n" for f in route_flags(route.ld_dir))
    bare = all(c.isascii() and (c.isalnum() or c in "-_") for c in route.triple)
    key = route.triple if bare else toml_string(route.triple)
    return f"[target.{key}]\nrustflags = [\n{flags}]\n"


def make_route(directory: str, sysroot: str) -> Route:
    """Write the route in directory to the toolchain at sysroot; returns it. Running it again
    points the route at the toolchain given now. Nothing in sysroot is written."""
    triple, target = toolchain_rust_lld(sysroot)
    route = Route(os.path.abspath(directory), triple, os.path.abspath(target))
    link = route.rust_lld
    if os.path.lexists(link) and not os.path.islink(link):
        raise RustupError(f"{link} is in the way: not a symbolic link (nothing written)")
    if os.path.lexists(route.launcher) and not is_shim(route.launcher):
        raise RustupError(
            f"{route.launcher} is in the way: not an ldwrap launcher (nothing written)"
        )
    os.makedirs(route.directory, exist_ok=True)
    # The link first: a launcher never stands without the linker it runs.
    tmp = os.path.join(route.directory, f".{ROUTE_RUST_LLD}.{os.getpid()}.tmp")
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(route.target, tmp)
    try:
        os.replace(tmp, link)
    except BaseException:
        os.unlink(tmp)
        raise
    fsync_dir(route.directory)
    install(route.ld_dir, names=("ld.lld",))
    return route


def route_problems(ld_dir: str) -> tuple[str | None, list[str]]:
    """(the rust-lld a route's gcc-ld directory runs, what is wrong with it)."""
    launcher = os.path.join(ld_dir, "ld.lld")
    link = os.path.join(os.path.dirname(os.path.normpath(ld_dir)), ROUTE_RUST_LLD)
    if not is_shim(launcher):
        return None, [f"{launcher} is not an ldwrap launcher"]
    problems = []
    problem = launcher_problem(launcher)
    if problem:
        problems.append(problem)
    if not os.path.lexists(link):
        problems.append(f"{link} is missing")
        return None, problems
    real = os.path.realpath(link)
    if not os.access(link, os.X_OK) or not os.path.isfile(link):
        problems.append(
            f"{link} points to {os.readlink(link) if os.path.islink(link) else link}, which is "
            "gone (the toolchain was removed, or garbage-collected)"
        )
        return None, problems
    return real, problems


def rustc_program(env: Mapping[str, str]) -> str:
    """The rustc cargo would use: $RUSTC, else `rustc` on PATH."""
    return env.get("RUSTC") or "rustc"


def active_sysroot(env: Mapping[str, str]) -> str | None:
    """The sysroot of the rustc cargo would use, or None without a working rustc."""
    from .probe import ask

    out = ask([rustc_program(env), "--print", "sysroot"], env, 60)
    if out is None:
        return None
    path = out.stdout.strip()
    return path if out.returncode == 0 and path else None


def select(
    env: Mapping[str, str],
    name: str | None,
    sysroot: str | None,
    everything: bool,
) -> list[Toolchain]:
    """The toolchains a command acts on: one named, one sysroot, all, or rustc's active one."""
    if sum(bool(x) for x in (name, sysroot, everything)) > 1:
        raise RustupError("give at most one of --toolchain, --sysroot and --all")
    if name:
        return [find_toolchain(env, name)]
    if sysroot:
        return [toolchain_at(sysroot)]
    if everything:
        found = list_toolchains(env)
        if not found:
            raise RustupError(f"no toolchains under {rustup_home(env)}")
        return found
    active = active_sysroot(env)
    if active is None:
        raise RustupError(
            f"cannot run `{rustc_program(env)} --print sysroot`; name a toolchain with "
            "--toolchain, --sysroot or --all"
        )
    for tc in list_toolchains(env):
        if os.path.realpath(tc.sysroot) == os.path.realpath(active):
            return [tc]
    return [toolchain_at(active)]
