"""loader/__init__.py: the package imports none of its modules; each is imported where it is
used, so that `ldwrap.loader.verify`, the shim's post-link hook, costs only what it needs."""

from __future__ import annotations

import ast
from pathlib import Path

import ldwrap.loader


def test_the_package_itself_imports_nothing() -> None:
    tree = ast.parse(Path(ldwrap.loader.__file__).read_text())
    assert [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))] == []
