"""Wrap a Rust toolchain's own `gcc-ld/ld.lld` with the shim, and undo it.

Since Rust 1.90, rustc on x86_64 Linux links with `cc -B<sysroot>/lib/rustlib/<triple>/bin/gcc-ld
-fuse-ld=lld`. That `ld.lld` is a small program that runs `../rust-lld -flavor gnu`. Wrapping puts
an ldwrap launcher in its place; the shim, invoked as `.../gcc-ld/ld.lld`, then runs the same
toolchain's `../rust-lld -flavor gnu` (see `linkers.find`). The original is kept beside it as
`ld.lld.ldwrap-orig`.

Every change is one `os.replace`, and the original always exists under one of the two names, so
a crash at any point leaves a toolchain that links. `rustup update` rewrites `ld.lld` but leaves
our saved copy alone; `inspect` recognises that state ("replaced").
"""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from .launcher import fsync_dir, launcher_problem, write_atomic
from .link.linkers import LinkerError, find, is_shim

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
