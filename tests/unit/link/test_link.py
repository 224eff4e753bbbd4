"""link/__init__.py: the package's own rule, that its modules write annotations as strings
rather than import `__future__` (about 0.2 ms on every link). What the hot path may import at
all is checked in tests/unit/test_architecture.py."""

from __future__ import annotations

import ast
from pathlib import Path

import ldwrap.link

PACKAGE = Path(ldwrap.link.__file__).parent


def test_no_module_of_the_link_package_imports_future() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) > 30  # the package was found
    futures = [
        p.name
        for p in modules
        for n in ast.walk(ast.parse(p.read_text()))
        if isinstance(n, ast.ImportFrom) and n.module == "__future__"
    ]
    assert futures == []
