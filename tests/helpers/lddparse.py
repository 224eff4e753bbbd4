"""Parse ``ldd`` / ``ld.so --list`` output into (name, path) pairs in load order."""

from __future__ import annotations

import re

_ARROW = re.compile(r"^\s*(\S.*?) => (.*?)(?: \(0x[0-9a-f]+\))?$")
_PLAIN = re.compile(r"^\s*(\S+) \(0x[0-9a-f]+\)$")

VDSO_NAMES = ("linux-vdso.so.1", "linux-gate.so.1", "linux-vdso64.so.1")


def parse_ldd(text: str) -> list[tuple[str, str | None]] | None:
    """Pairs (name, resolved path or None); None when ldd says the file is static."""
    pairs: list[tuple[str, str | None]] = []
    for line in text.splitlines():
        if "statically linked" in line or "not a dynamic executable" in line:
            return None
        m = _ARROW.match(line)
        if m:
            name, target = m.group(1), m.group(2)
            pairs.append((name, None if target == "not found" else target))
            continue
        m = _PLAIN.match(line)
        if m and m.group(1) not in VDSO_NAMES:
            pairs.append((m.group(1), m.group(1)))
    return pairs
