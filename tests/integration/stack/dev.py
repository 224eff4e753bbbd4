"""Build one stack from the command line, outside pytest (for working on the recipes):

    cd tests && python -m integration.stack.dev --mode store [--cache DIR] [PACKAGE...]

prints each package's result and time; the build stays in DIR/dev-<mode>.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .build import build_stack
from .buildenv import MODES, Toolchain
from .layout import Layout
from .recipes import RECIPES, closure
from .sources import fetch, local_sources


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=[*MODES, "without"], default="store")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/ldwrap-stack-dev"))
    ap.add_argument("--dropins", type=Path)
    ap.add_argument("packages", nargs="*")
    a = ap.parse_args()
    cache: Path = a.cache
    names = closure(a.packages or [r.name for r in RECIPES])
    sources = fetch(sorted({r.source for r in RECIPES if r.name in names}), cache)
    sources.update(local_sources())
    dropins = a.dropins
    if a.mode != "without" and dropins is None:
        from ldwrap.launcher import install

        dropins = cache / "dropins"
        dropins.mkdir(parents=True, exist_ok=True)
        install(str(dropins))
    tools = Toolchain(None if a.mode == "without" else dropins, cache / "ccache")
    layout = Layout(cache / "root", cache / f"dev-{a.mode}")
    stack = build_stack(
        a.mode,
        a.mode if a.mode != "without" else "default",
        layout,
        tools,
        sources,
        names,
        cache / "ns",
    )
    for n, r in stack.results.items():
        print(
            f"{n:12} {'ok' if r.ok else 'FAILED':6} {r.seconds:7.1f}s  fixup={r.fixup_status}"
            f"  {r.error.splitlines()[0] if r.error else ''}"
        )
    print(f"total {stack.seconds:.1f}s")


if __name__ == "__main__":
    main()
