"""link/snapshot.py: the ld.so.conf snapshot the hot path trusts. Outside the bundle the module
holds none (the default mode reads ld.so.conf); the bundle's copy is this source with one
assignment appended (bundle._snapshot_source), so nothing in the source may compute the value
or read it at import. The snapshot in a real bundle is tested in tests/unit/test_bundle.py."""

from __future__ import annotations

import ast
from pathlib import Path

from ldwrap.link import snapshot

SOURCE = Path(snapshot.__file__).read_text()


def test_the_source_holds_no_snapshot() -> None:
    assert snapshot.LD_SO_CONF is None


def test_the_assignment_appended_decides_the_value() -> None:
    value = ("/etc/ld.so.conf", ("/opt/lib",), (("/etc/ld.so.conf", 1, 2), ("/opt", -1, -1)))
    names: dict[str, object] = {}
    exec(compile(SOURCE + f"\nLD_SO_CONF = {value!r}\n", "snapshot.py", "exec"), names)
    assert names["LD_SO_CONF"] == value


def _bound(node: ast.stmt) -> str:
    """The name a module-level assignment binds ("" for any other statement)."""
    target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
    return target.id if isinstance(target, ast.Name) else ""


def test_nothing_but_the_two_names_at_run_time() -> None:
    docstring, *body = ast.parse(SOURCE).body
    assert isinstance(docstring, ast.Expr)
    # The one `if` is the TYPE_CHECKING block: types for mypy, nothing at run time.
    blocks = [n for n in body if isinstance(n, ast.If)]
    assert [(ast.unparse(b.test), b.orelse) for b in blocks] == [("TYPE_CHECKING", [])]
    assert [_bound(n) for n in body if not isinstance(n, ast.If)] == [
        "TYPE_CHECKING",
        "LD_SO_CONF",
    ]
