"""The numbers of the session, printed at its end (conftest.pytest_terminal_summary): per
build, what was built and in how long, what started, and the audit's counts as installed
and after the fixup, with who added the entries found."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .audit import KINDS, Finding


@dataclass
class BuildSummary:
    name: str
    packages: int = 0
    built: int = 0
    seconds: float = 0.0
    files: int = 0
    installed: Counter[str] = field(default_factory=Counter)
    after: Counter[str] = field(default_factory=Counter)
    authors: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, who)
    loader_missing: int = 0
    started: dict[str, bool] = field(default_factory=dict)  # check -> passed
    trimmed: list[str] = field(default_factory=list)  # useless entries as installed
    package_seconds: dict[str, float] = field(default_factory=dict)

    def add_findings(self, installed: list[Finding], after: list[Finding]) -> None:
        for f in installed:
            self.installed[f.kind] += 1
            if f.kind == "useless":
                self.trimmed.append(f"{f.file}: {f.item} [{f.by or 'not recorded'}]")
            if f.kind not in ("unresolved", "empty-tag"):  # no entry to blame
                self.authors[(f.kind, f.by or "not recorded")] += 1
        for f in after:
            self.after[f.kind] += 1

    def lines(self) -> list[str]:
        ok = sum(self.started.values())
        out = [
            f"{self.name}: {self.built}/{self.packages} packages built in {self.seconds:.0f} s; "
            f"{self.files} ELF files; programs run: {ok}/{len(self.started)} passed"
        ]
        slow = sorted(self.package_seconds.items(), key=lambda kv: -kv[1])
        if slow:
            out.append("  build times: " + ", ".join(f"{n} {t:.0f} s" for n, t in slow))
        for label, counts in (("as installed", self.installed), ("after fixup", self.after)):
            parts = []
            for k in KINDS:
                n = counts[k]
                who = [f"{w} {c}" for (kk, w), c in sorted(self.authors.items()) if kk == k]
                if label == "as installed" and n and who:
                    parts.append(f"{k} {n} ({', '.join(who)})")
                else:
                    parts.append(f"{k} {n}")
            out.append(f"  {label}: " + ", ".join(parts))
        out.append(f"  loader (ld.so --list, system copies hidden): {self.loader_missing} missing")
        if self.trimmed:
            out.append("  useless entries as installed (file: entry [added by]):")
            out += [f"    {t}" for t in self.trimmed[:40]]
        failed = [c for c, passed in self.started.items() if not passed]
        if failed:
            out.append(f"  did not pass: {', '.join(sorted(failed))}")
        return out


TALLY: dict[str, BuildSummary] = {}


def summary(name: str) -> BuildSummary:
    return TALLY.setdefault(name, BuildSummary(name))
