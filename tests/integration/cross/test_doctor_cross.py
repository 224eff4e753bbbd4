"""`ldwrap doctor` with the real aarch64 cross gcc and g++: what each reaches for its default
linker, gold, lld and mold, with the drop-ins first on PATH alone and with COMPILER_PATH."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import base_env
from ldwrap import doctor

from .conftest import SYS_PATH, TRIPLE

OWN = f"/usr/lib/gcc-cross/{TRIPLE}/12/../../../../{TRIPLE}/bin"


def _diagnose(tmp_path: Path, **extra: str) -> doctor.Report:
    env = base_env(
        RUSTC=str(tmp_path / "no-rustc"),
        RUSTUP_HOME=str(tmp_path / "no-rustup"),
        NIX_STORE=str(tmp_path / "store"),
        # Whether this machine's Nix has build users is not the subject here.
        NIX_CONFIG="build-users-group =",
        **extra,
    )
    return doctor.diagnose(env)


def _rows(report: doctor.Report) -> dict[str, list[tuple[str, str | None, bool, str]]]:
    return {
        cc.name: [(lc.option, lc.path, lc.is_ldwrap, lc.resolves_to) for lc in cc.linkers]
        for cc in report.compilers
        if cc.cross
    }


@pytest.mark.parametrize("compiler_path", [False, True])
def test_doctor_lists_the_cross_compilers(
    cross_install: Path, tmp_path: Path, compiler_path: bool
) -> None:
    d = cross_install
    extra = {"COMPILER_PATH": str(d)} if compiler_path else {}
    report = _diagnose(tmp_path, PATH=f"{d}:{SYS_PATH}", **extra)
    if compiler_path:
        # Every choice reaches a plain drop-in, which runs aarch64's bfd and gold.
        want = [
            ("default", f"{d}/ld", True, f"/usr/bin/{TRIPLE}-ld"),
            ("-fuse-ld=gold", f"{d}/ld.gold", True, f"/usr/bin/{TRIPLE}-ld.gold"),
            ("-fuse-ld=lld", f"{d}/ld.lld", True, "/usr/bin/ld.lld"),
            ("-fuse-ld=mold", f"{d}/ld.mold", True, "/usr/bin/ld.mold"),
        ]
    else:
        # The compiler's own ld and ld.gold come before PATH; lld and mold are found on PATH
        # under the prefixed names `ldwrap install` wrote.
        want = [
            ("default", f"{OWN}/ld", False, ""),
            ("-fuse-ld=gold", f"{OWN}/ld.gold", False, ""),
            ("-fuse-ld=lld", f"{d}/{TRIPLE}-ld.lld", True, "/usr/bin/ld.lld"),
            ("-fuse-ld=mold", f"{d}/{TRIPLE}-ld.mold", True, "/usr/bin/ld.mold"),
        ]
    assert _rows(report) == {f"{TRIPLE}-g++": want, f"{TRIPLE}-gcc": want}
    cross = [f for f in report.findings if f.text.startswith(f"{TRIPLE}-")]
    if compiler_path:
        assert cross == []
        assert report.ok, doctor.render(report)
    else:
        assert [(f.problem, f.text, f.advice) for f in cross] == [
            (
                True,
                f"{name} runs {OWN}/ld (default), {OWN}/ld.gold (-fuse-ld=gold), not ldwrap",
                f"export COMPILER_PATH={d} (gcc and clang look there before their own "
                f"directories, for every target), or pass -B{d} to {name}",
            )
            for name in (f"{TRIPLE}-g++", f"{TRIPLE}-gcc")
        ]
    text = doctor.render(report)
    assert f"  {TRIPLE}-gcc (/usr/bin/{TRIPLE}-gcc) [{TRIPLE}, cross]\n" in text
