"""Our Python C extension (built with pip and setuptools, linking zstd, lz4 and brotli found
through pkg-config) is imported by Python with the system's copies of those libraries
hidden (all the stack's but the ones the interpreter itself needs)."""

from __future__ import annotations

import pytest

from . import elfread
from .buildenv import MODES
from .drivers import PYTHON
from .recipes import all_sonames
from .session import StackSession
from .summary import summary


@pytest.mark.parametrize("mode", MODES)
def test_extension_imports(stacks: StackSession, mode: str) -> None:
    audited = stacks.mode(mode)
    stack = audited.stack
    result = stack.results["stackext"]
    assert result.ok, f"{mode}: stackext did not build: {result.error}"
    site = result.prefix / "site-packages"
    found = sorted(stack.layout.host_path(site).glob("stackext*.so"))
    assert len(found) == 1, f"{mode}: no extension module in {site}"
    hiding = stacks.python_hiding
    ours = set(elfread.read(found[0]).needed) & all_sonames()
    # The proof holds only if every stack library the extension needs is hidden.
    assert ours and ours <= hiding.sonames, (
        f"the extension needs {sorted(ours)} of the stack; hidden: {sorted(ours & hiding.sonames)}"
    )
    code = (
        f"import sys; sys.path.insert(0, {str(site)!r}); import stackext; print(stackext.probe())"
    )
    p = stacks.runner(stack.layout, hiding).argv([PYTHON, "-I", "-S", "-c", code])
    versions = {n: r.version for n, r in stack.results.items()}
    want = (
        f"zstd {versions['zstd'].split('+')[0]}, lz4 {versions['lz4']}, brotli {versions['brotli']}"
    )
    passed = p.returncode == 0 and p.stdout.strip() == want
    summary(stack.name).started["stackext"] = passed
    assert passed, f"{mode}: import stackext: status {p.returncode}\n{p.stdout}{p.stderr}"
