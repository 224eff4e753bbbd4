"""A development tool: record every in-process call of `ldwrap.link.plan.prepare` made by the
test suite, as JSON lines, so that a change meant to keep behaviour can be compared against a
recording made before it (`benchmarks/compare_prepare.py` compares two recordings).

Enabled by `LDWRAP_RECORD_PREPARE=FILE` when pytest starts (tests/conftest.py installs it);
unset, nothing here runs. Run with `CI=true` so that the property tests draw the same examples
in both recordings. Each line: the test's node id, the call's inputs (the environment only as
its difference from the session's own) and its outcome: `Invocation.as_dict()` plus
`linker_args`, notes, warnings, `added_at`, `rsp_spans` and how the linker's environment
differs from the caller's, or the exception raised. Temporary directories are replaced by
placeholders, since their names differ from run to run.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

_TMP = re.compile(
    r"/tmp/pytest-of-[^/]+/pytest-\d+|/tmp/tmp[a-z0-9_]{8}|/tmp/ldwrap-[a-z0-9_]{8}\.rsp"
)

_state: dict[str, Any] = {"node": "", "path": None, "base": {}, "root": "/nonexistent"}


def _norm(value: object) -> object:
    """value as JSON with run-specific paths replaced: temporary directories, and the
    directory the run started in (two recordings may come from two copies of the tree)."""
    text = json.dumps(value, sort_keys=True, default=repr, ensure_ascii=False)
    text = text.replace(json.dumps(_state["root"])[1:-1], "<ROOT>")
    return json.loads(_TMP.sub("<TMP>", text))


def _env_diff(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, object]:
    return {
        "set": {k: v for k, v in after.items() if before.get(k) != v},
        "unset": sorted(k for k in before if k not in after),
    }


def _outcome(inv: Any, env: Mapping[str, str]) -> dict[str, object]:
    out = dict(inv.as_dict())
    out.update(
        linker_args=inv.args_as_run,
        linker_args_changed=inv.args_as_run != inv.caller_args,
        notes=inv.purity_notes,
        warnings=inv.warnings,
        added_at=list(inv.added_span),
        rsp_spans=[list(s) for s in inv.rsp_writeback],
        env=_env_diff(env, inv.env),
    )
    return out


def _files(args: list[str], cwd: str) -> dict[str, str]:
    """The content of every @file argument (one level): two calls with the same arguments
    may read different response files."""
    out: dict[str, str] = {}
    for a in args:
        if a[:1] == "@" and len(a) > 1:
            try:
                with open(os.path.join(cwd, a[1:]), "rb") as f:
                    out[a] = f.read(1 << 16).decode("utf-8", "backslashreplace")
            except OSError as e:
                out[a] = f"<{type(e).__name__}>"
    return out


def _tree(cwd: str, limit: int = 500) -> list[str]:
    """The files under a temporary working directory (a property test draws a tree there per
    example); empty for any other directory."""
    if not cwd.startswith("/tmp/"):
        return []
    out: list[str] = []
    for top, dirs, files in os.walk(cwd):
        dirs.sort()
        rel = os.path.relpath(top, cwd)
        out += [os.path.join(rel, f) for f in sorted(files)]
        if len(out) > limit:
            return out[:limit]
    return out


def _write(record: dict[str, object]) -> None:
    with open(_state["path"], "a", encoding="utf-8") as f:
        # ASCII: arguments that are not UTF-8 (surrogate escapes) stay readable as \\u escapes.
        f.write(json.dumps(_norm(record), sort_keys=True) + "\n")


def _recording(prepare: Callable[..., Any]) -> Callable[..., Any]:
    def recorded(
        argv0: str, args: list[str], env: Mapping[str, str], cwd: str, fs: object = None
    ) -> Any:
        inputs = {
            "argv0": argv0,
            "args": list(args),
            "env": _env_diff(_state["base"], env),
            "cwd": cwd,
            "fs": type(fs).__name__ if fs is not None else None,
            "files": _files(args, cwd),
            "tree": _tree(cwd),
        }
        try:
            inv = prepare(argv0, args, env, cwd, fs)
        except Exception as e:
            _write({"test": _state["node"], "in": inputs, "raised": f"{type(e).__name__}: {e}"})
            raise
        _write({"test": _state["node"], "in": inputs, "out": _outcome(inv, env)})
        return inv

    recorded.__wrapped__ = prepare  # type: ignore[attr-defined]
    return recorded


def install(path: str) -> None:
    """Replace plan.prepare (and every already imported reference to it) by a recorder."""
    import sys

    from ldwrap.link import plan

    _state["path"] = path
    _state["base"] = dict(os.environ)
    _state["root"] = os.getcwd()
    original = plan.prepare
    wrapper = _recording(original)
    plan.prepare = wrapper
    for module in list(sys.modules.values()):
        if module is not None and getattr(module, "prepare", None) is original:
            module.prepare = wrapper  # type: ignore[attr-defined]


def set_test(node: str) -> None:
    _state["node"] = node
