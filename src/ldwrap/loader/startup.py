"""How a file will start for its user: the rule ``ldwrap check`` and LDWRAP_VERIFY share.

The checking process's own LD_LIBRARY_PATH and LD_PRELOAD are ignored, because they are
rarely set where the program is run (a build or a shell session often sets them); a run-time
LD_LIBRARY_PATH counts only when it is given explicitly. When the ignored environment would
change the answer, that is a finding: a library found only through it means the program will
not start without it. An empty element in a RUNPATH or RPATH is a finding too: the loader
searches it as the current directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Optional

from .resolve import (
    ALREADY_LOADED,
    INTERPRETER,
    LD_LIBRARY_PATH,
    PRELOAD,
    Edge,
    LoadResult,
    Options,
    Resolver,
)

# Values of Finding.kind.
ENV_ONLY = "environment_only"  # missing unless the environment's LD_* variables are used
ENV_CHANGES = "environment_changes"  # found either way, but elsewhere with the environment
EMPTY_ELEMENT = "empty_path_element"  # RUNPATH/RPATH "a::b", ":a" or "a:"


@dataclass(frozen=True)
class Finding:
    kind: str
    message: str  # one line, without a "warning:" or "note:" label
    fails: bool  # counts against the file (exit status 1, LDWRAP_VERIFY problem)
    library: Optional[str] = None  # the need's name, for the environment findings
    index: Optional[int] = None  # that need's position in LoadResult.edges
    obj: Optional[str] = None  # the object whose RUNPATH/RPATH it is
    path: Optional[str] = None  # where the environment would take the library from
    how: Optional[str] = None  # LD_LIBRARY_PATH or LD_PRELOAD: what in the environment does it
    reason: str = ""  # the message without its subject (library or object)


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


def judge(resolver: Resolver, file: str, env_resolver: Optional[Resolver] = None) -> Judgement:
    """Load ``file`` as it starts; with ``env_resolver``, also as the environment would."""
    result = resolver.load(file)
    verdict = Judgement(result, ld_library_path=resolver.opts.ld_library_path)
    verdict.findings.extend(empty_element_findings(result))
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
            out.append(Finding(EMPTY_ELEMENT, f"{obj.path}: {why}", True, obj=obj.path, reason=why))
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
