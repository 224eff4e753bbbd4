"""What each start-up trick of the drop-in saves: the drop-in as `ldwrap install` writes it,
against the same drop-in with one trick turned off, in the prefix mode the trick serves.

    .venv/bin/python benchmarks/tricks.py [--work DIR] [--rounds N]

With valgrind on PATH every variant is counted in instructions (callgrind, one run each:
the count hardly moves between runs); without it, each is timed (medians of N interleaved
rounds). Every run is a dry run (`LDWRAP_DRY_RUN=1`: the whole shim, printing the command
instead of running it), so that callgrind sees the process to its end, and the gcc-style
argv of benchmarks/run.py. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _fixtures as fx
from _timing import Command, build_runner, measure


@contextmanager
def patched(obj: object, name: str, value: object) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def install(directory: str) -> str:
    """The drop-in `ldwrap install` writes (ld.lld), with this process's patches applied."""
    from ldwrap.launcher import install as do_install

    do_install(directory, force=True, names=("ld.lld",))
    return os.path.join(directory, "ld.lld")


def rewrite_body(launcher: str, edit: Callable[[str], str], compiled: bool = True) -> None:
    """Rewrite the launcher's code with edit; compiled=False leaves it as plain text, which
    Python compiles on every run (what the launcher did before it carried its code
    compiled)."""
    from ldwrap.launchertext import precompiled, split

    with open(launcher) as f:
        head, body = split(f.read())
    body = edit(body)
    text = head + (precompiled(body) if compiled else body)
    with open(launcher, "w") as f:
        f.write(text)


def variants(work: str) -> list[tuple[str, str, str, str]]:
    """(trick, mode key, baseline launcher, launcher without the trick)."""
    from ldwrap import bundle

    base = install(os.path.join(work, "base"))
    out = []

    d = os.path.join(work, "nobundle")
    nob = install(d)
    os.remove(os.path.join(d, bundle.FILE_NAME))  # the launcher falls back to imports
    out.append(("the bundle (one read instead of ~20 imports)", "nix", base, nob))

    with patched(bundle, "lazy_modules", lambda *a, **k: []):
        lazy = install(os.path.join(work, "nolazy"))
    out.append(("lazy modules from the bundle (PEP 562), not imported", "nixpure", base, lazy))

    def with_docstrings(source: object, path: str, mode: str, **kw: object) -> object:
        return compile(source, path, mode, dont_inherit=True)  # type: ignore[call-overload]

    bundle.compile = with_docstrings  # type: ignore[attr-defined]
    try:
        docs = install(os.path.join(work, "docstrings"))
    finally:
        del bundle.compile  # type: ignore[attr-defined]
    out.append(("no docstrings in the bundle", "nix", base, docs))

    eager = install(os.path.join(work, "eager"))
    names = [name for name, _ in bundle.lazy_modules()]
    fill = f"for n in {names!r}:\n    sys.modules[n].__getattr__('__name__')\n"
    rewrite_body(eager, lambda b: b.replace("\nmain()\n", "\n" + fill + "main()\n"))
    out.append(("modules a link may not need run only when it does", "nix", base, eager))

    with patched(bundle, "without_annotations", lambda tree: tree):
        ann = install(os.path.join(work, "annotations"))
    out.append(("no annotations in the bundle", "nix", base, ann))

    fut = install(os.path.join(work, "future"))
    rewrite_body(
        fut, lambda b: b.replace("import gc, marshal\n", "import gc, marshal, __future__\n")
    )
    out.append(("no `__future__` import at start", "nix", base, fut))

    gc_on = install(os.path.join(work, "gc"))
    rewrite_body(gc_on, lambda b: b.replace("    gc.disable()\n", ""))
    out.append(("the garbage collector off", "nix", base, gc_on))

    plain = install(os.path.join(work, "plain"))
    rewrite_body(plain, lambda b: b, compiled=False)
    out.append(("the launcher's code carried compiled", "nix", base, plain))

    with patched(bundle, "_snapshot_source", lambda: b"\nLD_SO_CONF = None\n"):
        snap = install(os.path.join(work, "nosnapshot"))
    out.append(("ld.so.conf read at install, not on each link", "default", base, snap))
    return out


COUNT = re.compile(r"Collected : (\d+)")


def instructions(argv: list[str], env: dict[str, str], work: str) -> int:
    out = os.path.join(work, "callgrind.out")
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv],
        env=env,
        capture_output=True,
        text=True,
    )
    found = COUNT.search(proc.stderr)
    if proc.returncode != 0 or found is None:
        raise RuntimeError(f"{argv[0]}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", help="work directory (kept)")
    ap.add_argument("--rounds", type=int, default=60, help="rounds when timing")
    ns = ap.parse_args(argv)
    work = ns.work or tempfile.mkdtemp(prefix="ldwrap-tricks-")
    os.makedirs(work, exist_ok=True)
    store = os.path.join(work, "nix", "store")
    os.makedirs(store, exist_ok=True)
    build_runner(work)
    fastbin = fx.fast_linker(work)
    args = fx.gcc_argv(work, store)
    modes = {m.key: m for m in fx.prefix_modes(store)}
    counted = shutil.which("valgrind") is not None
    unit = "instructions (millions)" if counted else "ms (medians)"
    rows = []
    for trick, key, base, without in variants(work):
        mode = modes[key]
        if mode.extra is None:
            rows.append((trick, key, "n/a", "n/a", mode.why_not))
            continue
        env = fx.clean_env(f"{fastbin}:/usr/bin:/bin", LDWRAP_DRY_RUN="1", **mode.extra)
        own = fx.in_store_argv(store, args) if mode.store_argv else args
        if counted:
            a = instructions([base, *own], env, work) / 1e6
            b = instructions([without, *own], env, work) / 1e6
        else:
            res = measure(
                [Command("with", [base, *own], env), Command("without", [without, *own], env)],
                ns.rounds,
                3,
            )
            a, b = res[0].median * 1e3, res[1].median * 1e3
        rows.append((trick, key, f"{a:.2f}", f"{b:.2f}", f"{b - a:+.2f} ({(b - a) / a:+.1%})"))
    print(f"| trick | mode | with it, {unit} | without it | it saves |")
    print("|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    if not ns.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
