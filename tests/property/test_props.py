"""Properties of the shim over generated argument vectors, environments and library trees.

In-process runs go through `ldwrap.link.plan.prepare`, the code path behind the shim,
`dry-run` and `explain`; the process runs start an installed launcher whose real linker is the
recording linker (see helpers/recorder.py: the property is about argv, which a real linker
cannot report).
"""

from __future__ import annotations

import os
import shlex
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import examples
from helpers.records import clean_env, fsencode_all, read_record, run
from ldwrap.link.linkers import CHAIN_VAR
from ldwrap.link.model import Invocation
from ldwrap.link.plan import prepare

from .strategies import LINKER_NAMES, argv_lists, environments, make_tree, trees

LOADER_DEFAULTS = (
    "/lib",
    "/usr/lib",
    "/lib64",
    "/usr/lib64",
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
)

_case = st.data()


def _without_additions(inv: Invocation) -> list[str]:
    start, end = inv.added_span
    nb, na = len(inv.added_before), len(inv.added_after)
    assert inv.argv[start : start + nb] == inv.added_before
    assert inv.argv[end - na : end] == inv.added_after
    return inv.argv[:start] + inv.argv[start + nb : end - na] + inv.argv[end:]


def _check_additions(inv: Invocation, env: dict[str, str], root: str) -> None:
    """Every added argument is one the policy allows."""
    added = inv.added_before + inv.added_after
    rpaths: list[str] = []
    i = 0
    while i < len(added):
        a = added[i]
        if a == "-rpath":
            d = added[i + 1]
            rpaths.append(d)
            assert os.path.isabs(d) and os.path.isdir(d), d
            real = os.path.realpath(d)
            if env.get("NIX_STORE"):
                assert real.startswith(f"{root}/store/"), d
            elif env.get("LDWRAP_RPATH_PREFIXES", "").strip(":"):
                allowed = [p for p in env["LDWRAP_RPATH_PREFIXES"].split(":") if p[:1] == "/"]
                assert any(real.startswith(p.rstrip("/") + "/") for p in allowed), d
            else:
                assert real not in LOADER_DEFAULTS, d
            assert env.get("NIX_DONT_SET_RPATH") != "1" and env.get("LDWRAP_DISABLE") != "1"
            i += 2
        elif a == "-dynamic-linker":
            assert added[i + 1] == env["LDWRAP_DYNAMIC_LINKER_M32"]
            i += 2
        else:
            assert env.get("NIX_SET_BUILD_ID") == "1"
            assert a == "--build-id=" + (env.get("NIX_BUILD_ID_STYLE") or "sha1")
            i += 1
    assert len(rpaths) == len(set(rpaths)), "an rpath added twice"


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_case, libs=trees, name=st.sampled_from(LINKER_NAMES))
def test_prepare_keeps_args_and_adds_only_allowed(
    recorder: Path, wrappers: Path, data: st.DataObject, libs: dict[str, set[str]], name: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.realpath(tmp)
        make_tree(Path(root), libs)
        args = data.draw(argv_lists(root), label="args")
        env = {**data.draw(environments(root), label="env"), "PATH": str(recorder)}
        argv0 = f"{root}/shims/{name}"
        inv = prepare(argv0, args, env, root)  # no exception, not even ShimError
        real = str(recorder / name)
        assert inv.real.path == real
        # The caller's arguments, byte for byte and in order, with ours around them.
        assert _without_additions(inv) == [real, *args]
        _check_additions(inv, env, root)
        # A second shim behind this one, reached through a wrapper script the first one
        # found as its real linker, adds nothing: it sees the first one's environment.
        outer = prepare(argv0, args, {**env, "PATH": f"{wrappers}:{recorder}"}, root)
        assert outer.env[CHAIN_VAR] == f"{os.getpid()}:{wrappers / name}"
        inner = prepare(f"{root}/other/{name}", outer.argv[1:], outer.env, root)
        assert inner.argv == [real, *outer.argv[1:]]
        assert not inner.added_before and not inner.added_after


@settings(
    max_examples=examples(50),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=_case, libs=trees, name=st.sampled_from(LINKER_NAMES))
def test_launcher_runs_what_prepare_and_dry_run_say(
    recorder: Path,
    dropins: Path,
    tmp_path: Path,
    data: st.DataObject,
    libs: dict[str, set[str]],
    name: str,
) -> None:
    """A real process: the installed launcher execs exactly prepare's argv, and the dry run
    prints exactly that command."""
    with tempfile.TemporaryDirectory(dir=tmp_path) as tmp:
        root = os.path.realpath(tmp)
        make_tree(Path(root), libs)
        args = data.draw(argv_lists(root), label="args")
        env = clean_env(**data.draw(environments(root), label="env"))
        env["PATH"] = f"{dropins}:{recorder}"
        env["RECORD"] = f"{root}/record"
        expected = prepare(str(dropins / name), args, env, root).argv
        proc = run([dropins / name, *fsencode_all(args)], env, Path(root))
        assert proc.returncode == 0, proc.stderr
        assert read_record(Path(env["RECORD"])) == fsencode_all(expected[1:])
        dry = run([dropins / name, *fsencode_all(args)], {**env, "LDWRAP_DRY_RUN": "1"}, Path(root))
        assert dry.returncode == 0, dry.stderr
        lines = dry.stderr.split(b"\n")
        at = next(
            i
            for i, ln in enumerate(lines)
            if ln.startswith(b"ldwrap: ") and not ln.startswith(b"ldwrap: warning: ")
        )
        command = b"\n".join(lines[at:])[len(b"ldwrap: ") : -1]
        # shlex reads the shell-quoted command back; bytes survive through surrogateescape.
        printed = shlex.split(os.fsdecode(command))
        assert printed == expected
