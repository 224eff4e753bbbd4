"""One mode's whole run, done once per test session: build the stack and the consumers,
write the programs' inputs, and audit every installed ELF file before and after the fixup
(the static audit, with each entry's author, and the real loader's answer in the hiding
namespace)."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import data, elfread
from .attribution import attribute, cmake_install_rpaths, link_of
from .audit import Context, Finding, audit
from .build import Stack
from .hiding import Hiding, loader_dirs
from .linkrec import LinkRecord, read_records
from .runner import LOADER, Runner, loader_missing


@dataclass
class FileAudit:
    package: str
    file: str  # as the build sees it
    before: list[Finding]  # as installed, before `ldwrap fixup --shrink`
    after: list[Finding]  # after it
    loader: list[str]  # what the real loader does not find (after the fixup)
    runpath_before: str | None
    runpath_after: str | None
    link: LinkRecord | None  # its last recorded link


@dataclass
class Audited:
    stack: Stack
    runner: Runner
    files: dict[str, list[FileAudit]] = field(default_factory=dict)  # package -> its files


def forbidden_dirs(stack: Stack, extra: Sequence[Path]) -> tuple[str, ...]:
    layout = stack.layout
    trees = [layout.src, layout.build, layout.tmp, layout.links, layout.tools, layout.logs]
    return (*(str(t) for t in trees), *(str(e) for e in extra), tempfile.gettempdir(), "/var/tmp")


def audit_stack(
    stack: Stack,
    runner: Runner,
    hiding: Hiding,
    extra_forbidden: Sequence[Path] = (),
    system_dirs: Sequence[Path] | None = None,
    loader: Sequence[str] = (LOADER,),
) -> Audited:
    layout = stack.layout
    ctx = Context(
        layout,
        hiding.sonames,
        tuple(loader_dirs() if system_dirs is None else system_dirs),
        forbidden_dirs(stack, extra_forbidden),
        str(layout.store),
    )
    records = read_records(layout)
    out = Audited(stack, runner)
    every: list[str] = []
    for name, result in stack.results.items():
        if not result.ok:
            continue
        trees = [layout.src / name, layout.build / name, layout.tmp]
        cm = cmake_install_rpaths(layout, layout.build / name)
        audits: list[FileAudit] = []
        for file, before in result.before.items():
            host = layout.host_path(file)
            after = elfread.read(host) if host.is_file() else before
            rec = link_of(records, file, trees)
            entries = (before.runpath or "").split(":") + (after.runpath or "").split(":")
            who = attribute(file, entries, rec, cm.get(file, ()))
            audits.append(
                FileAudit(
                    name,
                    file,
                    audit(ctx, file, before, who),
                    audit(ctx, file, after, who),
                    [],
                    before.runpath,
                    after.runpath,
                    rec,
                )
            )
            if after.dynamic:
                every.append(file)
        out.files[name] = audits
    missing = loader_missing(runner, every, loader)
    for audits in out.files.values():
        for a in audits:
            a.loader = missing.get(a.file, [])
    return out


def write_data(stack: Stack, runner: Runner) -> None:
    data.write(stack.layout.host_path(stack.layout.data), stack.layout.data, runner.empty)
