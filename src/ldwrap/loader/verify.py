"""Post-link check used by the shim when LDWRAP_VERIFY is set.

Module import stays cheap: the loader emulation (and pyelftools) is imported
inside :func:`verify_output` only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Optional

# What glibc's loader says for a library it did not find anywhere; reported as ldd does.
_LOADER_NOT_FOUND = "cannot open shared object file: No such file or directory"


def _stderr_warning(path: str) -> Callable[[str], None]:
    def warn(text: str) -> None:
        print(f"ldwrap: warning: {path}: {text}", file=sys.stderr)

    return warn


def verify_output(
    path: str,
    env: Mapping[str, str],
    note: Optional[Callable[[str], None]] = None,
    warn: Optional[Callable[[str], None]] = None,
) -> list[str]:
    """One line per library of ``path`` that the loader will not find at run time:
    ``libfoo.so.1: not found``, ``libb.so (needed by /x/liba.so): not found``, or the
    loader's own reason when it is another (a library of the wrong class, found only through
    LD_LIBRARY_PATH, ...); one per object with an empty RUNPATH/RPATH element; and one per
    system copy loaded instead of the library in the requester's own prefix. The lines
    about libraries do not name ``path`` itself: the caller does.

    The rule is ``ldwrap check``'s (loader.startup): the output is judged as it will start,
    without the build's LD_LIBRARY_PATH or LD_PRELOAD; a library found only through them is
    named as such. ``LDWRAP_VERIFY_LD_LIBRARY_PATH`` in ``env`` supplies a run-time
    LD_LIBRARY_PATH when one is intended. Outputs that are not dynamic ELF objects
    (relocatable objects, archives, static programs) pass, and so do outputs for another
    machine (a cross link): this machine's directories cannot judge them; ``note``, when
    given, is told why such an output was not checked.

    A DT_NEEDED that holds a path (loader.neededpath) is told to ``warn`` (default: a
    ``ldwrap: warning: PATH: ...`` line on standard error), with its fix, and never fails the
    link: at link time such a library usually still sits in the build tree, as it should;
    ``ldwrap check`` on the installed files judges it there.
    """
    from .neededpath import NEEDED_PATH
    from .resolve import InputError, Options, Resolver
    from .startup import ForeignFile, judge, startup_options

    opts, env_opts = startup_options(
        env, env.get("LDWRAP_VERIFY_LD_LIBRARY_PATH"), base=Options(preload_file=False)
    )
    resolver = Resolver(opts)
    env_resolver = Resolver(env_opts, resolver.fs) if env_opts is not None else None
    try:
        verdict = judge(resolver, path, env_resolver)
    except ForeignFile as foreign:
        if note is not None:
            note(f"not checked: {foreign.what}; `ldwrap check --root SYSROOT` judges it")
        return []
    except InputError:
        return []
    result = verdict.result
    tell = warn or _stderr_warning(path)
    for f in verdict.findings:
        if f.kind == NEEDED_PATH:
            text = f.reason if f.obj == result.file else f.message  # the caller names path
            tell(f"{text}; fix: {f.fix}")
    problems: list[str] = []
    for i, edge in enumerate(result.edges):
        if edge.missing or edge.fatal:
            by = edge.needed_by
            where = "" if by in (None, result.file) else f" (needed by {by})"
            finding = verdict.finding_for(i)
            reason = finding.reason if finding is not None and finding.fails else edge.error
            if reason is None or reason == _LOADER_NOT_FOUND:
                reason = "not found"
            problems.append(f"{edge.name}{where}: {reason}")
    if result.fatal and not problems:
        problems.append(result.fatal)
    # Findings that are not about a missing library: an empty RUNPATH element, a system
    # copy standing in for the program's own library.
    problems += [
        f.message
        for f in verdict.findings
        if f.fails
        and f.kind != NEEDED_PATH
        and (f.index is None or not result.edges[f.index].missing)
    ]
    return problems
