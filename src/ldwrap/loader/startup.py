"""How a file will start for its user: the rule ``ldwrap check`` and LDWRAP_VERIFY share.

The checking process's own LD_LIBRARY_PATH and LD_PRELOAD are ignored, because they are
rarely set where the program is run (a build or a shell session often sets them); a run-time
LD_LIBRARY_PATH counts only when it is given explicitly. When the ignored environment would
change the answer, that is a finding: a library found only through it means the program will
not start without it. An empty element in a RUNPATH or RPATH is a finding too: the loader
searches it as the current directory. So is a system copy standing in for the program's own
library: found in a directory the loader searches by itself (or through LD_LIBRARY_PATH)
while a file of that name sits in the requester's own prefix, which it does not search. And
a DT_NEEDED that holds a path (loader.neededpath): the loader opens that file and no other.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Optional

from .config import multiarch
from .elf import NotElfError, Target
from .finding import Finding
from .fs import FileSystem
from .host import Host, describe, host, runs_natively, sysroot_hint
from .neededpath import Hazard, needed_path_findings
from .resolve import (
    ALREADY_LOADED,
    DEFAULT_DIRS,
    INTERPRETER,
    LD_LIBRARY_PATH,
    LD_SO_CACHE,
    PRELOAD,
    Edge,
    InputError,
    LoadResult,
    Options,
    Resolver,
)

# Values of Finding.kind.
ENV_ONLY = "environment_only"  # missing unless the environment's LD_* variables are used
ENV_CHANGES = "environment_changes"  # found either way, but elsewhere with the environment
EMPTY_ELEMENT = "empty_path_element"  # RUNPATH/RPATH "a::b", ":a" or "a:"
SYSTEM_COPY = "system_copy"  # a system copy loaded while the requester's prefix has its own


@dataclass
class Judgement:
    result: LoadResult
    findings: list[Finding] = field(default_factory=list)
    env_result: Optional[LoadResult] = None
    ld_library_path: Optional[str] = None  # the run-time LD_LIBRARY_PATH it was judged with

    @property
    def ok(self) -> bool:
        return self.result.ok and not any(f.fails for f in self.findings)

    def finding_for(self, index: int) -> Optional[Finding]:
        return next((f for f in self.findings if f.index == index), None)


def startup_options(
    env: Mapping[str, str],
    ld_library_path: Optional[str] = None,
    honour_env: bool = False,
    base: Optional[Options] = None,
) -> tuple[Options, Optional[Options]]:
    """The options to judge a file by, and those with the environment's LD_LIBRARY_PATH and
    LD_PRELOAD (None when honour_env is set, or when the environment adds nothing).

    An explicit ``ld_library_path`` is the run-time LD_LIBRARY_PATH in both."""
    base = base or Options()
    env_llp = env.get("LD_LIBRARY_PATH") or None
    env_preload = env.get("LD_PRELOAD") or None
    llp = ld_library_path
    with_env = replace(
        base, ld_library_path=llp if llp is not None else env_llp, preload=env_preload
    )
    if honour_env:
        return with_env, None
    started = replace(base, ld_library_path=llp, preload=None)
    return started, (with_env if with_env != started else None)


class ForeignFile(InputError):
    """A dynamic file for another machine, to be judged without a system root of its own:
    this machine's directories say nothing about where its loader will look."""

    def __init__(self, file: str, target: Target, here: Host) -> None:
        self.file, self.target, self.here = file, target, here
        self.what = f"built for {describe(target)}, not this machine ({here.machine})"
        hint = sysroot_hint(target)
        example = f" (here: --root {hint})" if hint else ""
        super().__init__(f"{file}: {self.what}: cannot judge it without --root SYSROOT{example}")


def judge(
    resolver: Resolver,
    file: str,
    env_resolver: Optional[Resolver] = None,
    here: Optional[Host] = None,
    hazard: Optional[Hazard] = None,
) -> Judgement:
    """Load ``file`` as it starts; with ``env_resolver``, also as the environment would.

    Without a root (``Options.root``), a dynamic file that this machine (``here``, default
    the running one) does not start natively raises ForeignFile: its loader searches a
    system of its own. Static files have nothing to search and are judged anywhere.
    ``hazard`` says why a path lies in a build tree or a temporary directory (a DT_NEEDED
    path there fails the file; see loader.neededpath)."""
    if resolver.opts.root is None:
        try:
            info = resolver.fs.elf(file)
        except (OSError, NotElfError):
            info = None  # the load below says what is wrong with it
        here = here or host()
        if info is not None and info.has_dynamic and not runs_natively(info.target, here):
            raise ForeignFile(file, info.target, here)
    result = resolver.load(file)
    verdict = Judgement(result, ld_library_path=resolver.opts.ld_library_path)
    verdict.findings.extend(empty_element_findings(result))
    verdict.findings.extend(system_copy_findings(result, resolver.fs))
    verdict.findings.extend(needed_path_findings(result, hazard))
    if env_resolver is not None and not result.static:
        verdict.env_result = env_resolver.load(file)
        verdict.findings.extend(
            env_findings(result, verdict.env_result, env_resolver.opts.ld_library_path)
        )
    return verdict


def _has_empty_element(value: Optional[str]) -> bool:
    return bool(value) and "" in (value or "").split(":")


def empty_element_findings(result: LoadResult) -> list[Finding]:
    """One finding per object whose search list in effect (RUNPATH, else RPATH) has an
    empty element: the loader takes it as the current directory, whatever that is."""
    out = []
    for obj in result.objects:
        tag, value = (
            ("RUNPATH", obj.info.runpath) if obj.info.runpath else ("RPATH", obj.info.rpath)
        )
        if _has_empty_element(value):
            why = (
                f"{tag} {value!r} has an empty element; the loader searches it as the "
                "current directory"
            )
            fix = (
                "remove the empty element (a leading or trailing ':', or '::'); for the file's "
                "own directory write $ORIGIN"
            )
            out.append(
                Finding(
                    EMPTY_ELEMENT,
                    f"{obj.path}: {why}",
                    True,
                    obj=obj.path,
                    reason=why,
                    fix=fix,
                    tag=tag,
                )
            )
    return out


def _key(edge: Edge) -> tuple[Optional[str], str]:
    return edge.needed_by, edge.name


def env_findings(
    result: LoadResult, env_result: LoadResult, env_llp: Optional[str]
) -> list[Finding]:
    """Needs whose answer the environment's LD_LIBRARY_PATH / LD_PRELOAD would change."""
    others: dict[tuple[Optional[str], str], Edge] = {}
    loaders: dict[str, Edge] = {}  # path -> the edge that loaded it
    for e in env_result.edges:
        others.setdefault(_key(e), e)
        if e.loaded and e.path is not None:
            loaders.setdefault(e.path, e)
    out = []
    for i, edge in enumerate(result.edges):
        other = others.get(_key(edge))
        if other is None or other.path is None or edge.found_via == INTERPRETER:
            continue
        if other.found_via == ALREADY_LOADED:
            other = loaders.get(other.path, other)  # say how that object came in
        how, detail = _how(other, env_llp)
        if edge.missing:
            why = f"found only through {detail}; the program will not start without it"
            out.append(
                Finding(
                    ENV_ONLY,
                    f"{edge.name} is {why}",
                    True,
                    edge.name,
                    i,
                    path=other.path,
                    how=how,
                    reason=why,
                )
            )
        elif edge.path is not None and edge.path != other.path and edge.found_via != ALREADY_LOADED:
            why = f"would be loaded from {other.path} through {detail}, which is ignored"
            out.append(
                Finding(
                    ENV_CHANGES,
                    f"{edge.name} {why}",
                    False,
                    edge.name,
                    i,
                    path=other.path,
                    how=how,
                    reason=why,
                )
            )
    return out


def _how(edge: Edge, env_llp: Optional[str]) -> tuple[str, str]:
    """What in the environment finds ``edge``: a short name, and that name with its value."""
    if edge.found_via == LD_LIBRARY_PATH:
        return "LD_LIBRARY_PATH", f"LD_LIBRARY_PATH ({os.path.dirname(edge.path or '')})"
    if edge.found_via == PRELOAD:
        return "LD_PRELOAD", f"LD_PRELOAD ({edge.path})"
    # Found by the RPATH/RUNPATH of an object that only the environment brought in.
    if env_llp:
        return "environment", f"the environment's LD_LIBRARY_PATH ({env_llp})"
    return "environment", "the environment's LD_PRELOAD"


_SYSTEM_SOURCES = {LD_SO_CACHE: "ld.so.cache", DEFAULT_DIRS: "default dir"}


def own_dirs(origin: str, library: bool, triplet: Optional[str]) -> list[str]:
    """Where a requester's own prefix keeps libraries, given its $ORIGIN: ../lib, ../lib64,
    ../lib/<multiarch>, and for a library its own directory first."""
    up = os.path.join(origin, "..")
    dirs = [origin] if library else []
    dirs += [os.path.join(up, "lib"), os.path.join(up, "lib64")]
    if triplet:
        dirs.append(os.path.join(up, "lib", triplet))
    out: list[str] = []
    for d in dirs:
        d = os.path.normpath(d)
        if d not in out:
            out.append(d)
    return out


@functools.lru_cache(maxsize=4096)  # asked for each library of every file of a tree
def _own_dirs(origin: str, library: bool, triplet: Optional[str]) -> tuple[str, ...]:
    return tuple(own_dirs(origin, library, triplet))


def system_copy_findings(result: LoadResult, fs: FileSystem) -> list[Finding]:
    """Needs met from a directory the loader searches by itself (its cache or default
    directories) or through LD_LIBRARY_PATH, while the requester's own prefix holds a
    loadable file of that name: the program runs against someone else's copy. A prefix
    directory the loader searches by itself is no prefix of the program's own (a program in
    /usr/bin)."""
    if result.static:
        return []
    cfg = result.config
    system = {fs.realpath(d) for d in cfg.system_dirs}
    objects = {o.path: o for o in result.objects}
    main = result.objects[0] if result.objects else None
    triplet = multiarch(cfg.target)
    out = []
    for i, edge in enumerate(result.edges):
        how = _SYSTEM_SOURCES.get(edge.found_via)
        if edge.found_via == LD_LIBRARY_PATH:
            how = "LD_LIBRARY_PATH"
        obj = objects.get(edge.needed_by or "")
        if how is None or edge.path is None or obj is None:
            continue
        name = edge.lookup_name or edge.name
        found_dir = fs.realpath(os.path.dirname(edge.path))
        found_id = fs.file_id(edge.path)
        for d in _own_dirs(obj.origin, obj is not main, triplet):
            real = fs.realpath(d)
            if real in system or real == found_dir:
                continue
            own = os.path.join(d, name)
            probe = fs.probe(own, cfg.target)
            if probe.kind != "ok" or probe.file_id == found_id:
                continue
            whose = "the program's own" if obj is main else f"{os.path.basename(obj.path)}'s own"
            why = f"is loaded from {edge.path} ({how}), not {whose} {own}"
            out.append(
                Finding(
                    SYSTEM_COPY,
                    f"{edge.name} {why}",
                    True,
                    edge.name,
                    i,
                    obj=obj.path,
                    path=own,
                    how=how,
                    reason=why,
                    fix=_system_copy_fix(obj.path, obj.origin, d, how),
                )
            )
            break
    return out


def _system_copy_fix(requester: str, origin: str, own_dir: str, how: str) -> str:
    rel = os.path.relpath(own_dir, origin)
    token = "$ORIGIN" if rel == "." else f"$ORIGIN/{rel}"
    if how == "LD_LIBRARY_PATH":
        # LD_LIBRARY_PATH comes before any RUNPATH: only an RPATH, or a shorter
        # LD_LIBRARY_PATH, puts the own copy first.
        return (
            f"leave that directory out of LD_LIBRARY_PATH, or relink {requester} with "
            f"-Wl,--disable-new-dtags,-rpath,'{token}' (an RPATH comes before LD_LIBRARY_PATH)"
        )
    return f"relink {requester} with -Wl,-rpath,'{token}' (or -Wl,-rpath,{own_dir})"
