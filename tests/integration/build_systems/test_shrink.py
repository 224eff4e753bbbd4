"""LDWRAP_SHRINK=1 and `ldwrap fixup --shrink` on what the build systems build.

The programs of the CMake, Meson, autotools and make projects link libunused.so.1 (from a
prefix of its own, the way each build system passes a pkg-config dependency) and call
nothing in it: Debian's gcc passes --as-needed, so the linker leaves it out of DT_NEEDED and
only its directory, added by ldwrap, is left over on RUNPATH. Built again with
LDWRAP_SHRINK=1, no entry ldwrap added to any ELF file, installed or in a build tree, may be
unneeded; without it the same build must show libunused's directory (so the trim had work).

`ldwrap fixup --shrink` must agree with `patchelf --shrink-rpath` on every installed file of
the suite, but for one rule of patchelf's: it also drops a later directory whose libraries an
earlier one already provides, where fixup keeps every directory that provides one.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ldwrap.fixup import fixup

from .conftest import Built
from .helpers.checks import check_with_ldwrap
from .helpers.elf import elf_files
from .helpers.projects import CMAKE_VARIANTS
from .helpers.run import LINKERS, MODES, clean_env, run
from .helpers.shrink import (
    TALLY,
    added_by_ldwrap,
    count_trimmed,
    patchelf_differences,
    search_path,
    unneeded_added,
)

pytestmark = pytest.mark.integration

SHRINK_CASES = ("cmake-default", "meson", "autotools", "make")
SHRINK_LINKERS = ("bfd", "lld")
ALL_CASES = (
    *(f"cmake-{v}" for v in CMAKE_VARIANTS),
    "meson",
    "autotools",
    "make",
    "setuptools",
    "cargo",
)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("linker", SHRINK_LINKERS)
@pytest.mark.parametrize("case", SHRINK_CASES)
def test_shrink_leaves_no_unneeded_entry_of_ldwraps(
    built: Built, case: str, linker: str, mode: str
) -> None:
    plain = built(case, linker, mode, True)
    shrunk = built(case, linker, mode, True, shrink=True)
    # It still starts everywhere, and RUNPATH is the build system's own plus libgreet's
    # directory: libunused's is gone.
    check_with_ldwrap(shrunk)
    left = unneeded_added(shrunk)
    assert not left, "\n".join(
        [
            "LDWRAP_SHRINK=1 left entries of ldwrap's that provide no needed library:",
            *(f"  {f}: {e} (RUNPATH {':'.join(search_path(f)[1])})" for f, e in left),
        ]
    )

    # Without LDWRAP_SHRINK the same build keeps libunused's directory, and nothing else that
    # goes unneeded: the trim above had that to do, and only that.
    unused = str(plain.build.greet.unused_libdir)
    for out in plain.outputs:
        if out.unused:
            added = added_by_ldwrap(plain, search_path(out.path)[1])
            assert any(e.rstrip("/") == unused for e in added), (
                f"{out.path}: without LDWRAP_SHRINK, libunused's directory {unused} is not "
                f"among ldwrap's entries {added}: the shrink test would prove nothing"
            )
    before = unneeded_added(plain)
    assert before, "without LDWRAP_SHRINK no entry goes unneeded: the test proves nothing"
    assert {e.rstrip("/") for _, e in before} == {unused}, before
    count_trimmed(plain, shrunk)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("linker", LINKERS)
@pytest.mark.parametrize("case", ALL_CASES)
def test_fixup_shrink_agrees_with_patchelf(
    built: Built, case: str, linker: str, mode: str, tmp_path: Path
) -> None:
    inst = built(case, linker, mode, True)
    originals = [f for root in inst.roots for f in elf_files(root)]
    assert originals, "nothing installed to compare"
    ours, theirs = tmp_path / "fixup", tmp_path / "patchelf"
    ours.mkdir()
    theirs.mkdir()
    pairs = []
    for i, f in enumerate(originals):
        mine, other = ours / f"{i}-{f.name}", theirs / f"{i}-{f.name}"
        shutil.copy2(f, mine)
        shutil.copy2(f, other)
        pairs.append((f, mine, other))

    # The dry run changes nothing and names what the real run then removes.
    digest = {m: hashlib.sha256(m.read_bytes()).hexdigest() for _, m, _ in pairs}
    dry = io.StringIO()
    assert fixup([str(ours)], True, dry) == 0, dry.getvalue()
    assert all(hashlib.sha256(m.read_bytes()).hexdigest() == digest[m] for m in digest)
    p = run([sys.executable, "-m", "ldwrap", "fixup", "--shrink", ours], clean_env())
    assert p.stdout.replace(": removed ", ": would remove ") == dry.getvalue()
    for _, _, other in pairs:
        if search_path(other)[0]:  # patchelf prints a complaint and exits 0 without one
            subprocess.run(["patchelf", "--shrink-rpath", str(other)], check=True, env=clean_env())

    problems = []
    for original, mine, other in pairs:
        wrong, later = patchelf_differences(original, mine, other)
        before, fixed, patched = (search_path(x)[1] for x in (original, mine, other))
        problems += [
            f"{original}: {w}\n  before {before}\n  fixup {fixed}\n  patchelf {patched}"
            for w in wrong
        ]
        TALLY.compared += 1
        TALLY.identical += fixed == patched
        TALLY.fixup_removed += len(before) - len(fixed)
        TALLY.patchelf_removed += len(before) - len(patched)
        TALLY.later_providers += later
        TALLY.rpath_files += search_path(original)[0] == "DT_RPATH"
    assert not problems, "\n".join(problems)

    # fixup takes out libunused's directory, as LDWRAP_SHRINK=1 does at link time.
    unused = str(inst.build.greet.unused_libdir)
    for original, mine, _ in pairs:
        out = next(o for o in inst.outputs if o.path == original)
        if out.unused and unused not in out.own:
            assert unused not in {e.rstrip("/") for e in search_path(mine)[1]}, mine
