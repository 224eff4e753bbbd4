"""The text `ldwrap doctor` prints for a report built by hand."""

from __future__ import annotations

from pathlib import Path

from ldwrap import doctor
from ldwrap import rustup as ru

from .conftest import compiler


def test_render_shows_each_compiler_and_choice(tmp_path: Path, dropins: Path) -> None:
    cc = compiler(
        "/usr/bin/clang",
        "clang",
        ("", "/usr/bin/ld"),
        ("lld", f"{dropins}/x86_64-pc-linux-gnu-ld.lld"),
        ("mold", ""),
    )
    cc.names.append("clang-14")
    cc.linkers[1].is_ldwrap, cc.linkers[1].resolves_to = True, "/usr/bin/ld.lld"
    cc.linkers[2].path, cc.linkers[2].note = None, "clang: error: invalid linker name"
    text = doctor.render(
        doctor.Report(compilers=[cc], findings=[doctor.Finding(False, "a note", "a hint")])
    )
    assert (
        "compilers:\n"
        "  clang (/usr/bin/clang; also clang-14) [x86_64-pc-linux-gnu]\n"
        "    default        /usr/bin/ld (not ldwrap)\n"
        f"    -fuse-ld=lld   {dropins}/x86_64-pc-linux-gnu-ld.lld (ldwrap) -> /usr/bin/ld.lld\n"
        "    -fuse-ld=mold  none (clang: error: invalid linker name)\n"
    ) in text
    assert "note: a note\n  hint: a hint\n" in text


def test_render_marks_a_read_only_toolchain() -> None:
    tc = ru.Toolchain("aaa-rust", "/nix/store/aaa-rust")
    slot = "/nix/store/aaa-rust/lib/rustlib/x86_64-unknown-linux-gnu/bin/gcc-ld/ld.lld"
    st = ru.SlotStatus(slot, "x86_64-unknown-linux-gnu", ru.UNWRAPPED, "/rl")
    st.read_only = "it is in the Nix store /nix/store"
    text = doctor.render(doctor.Report(toolchains=[(tc, st, True)]))
    assert "  aaa-rust [x86_64-unknown-linux-gnu]: unwrapped (read-only) -> /rl (active)\n" in text


def test_render_shows_what_cargo_adds_and_where_it_was_set() -> None:
    rc = doctor.RustcInfo("rustc", "rustc 1.95.0", "/s")
    rc.linker_args = ["cc", "-B/r/gcc-ld", "-fuse-ld=lld", "main.o"]
    rc.cargo_args = ["-Clinker=clang", "-Clink-self-contained=-linker"]
    rc.cargo_from = ["linker from /p/.cargo/config.toml [target.x]", "rustflags from RUSTFLAGS"]
    text = doctor.render(doctor.Report(rustc=rc))
    assert (
        "rustc:\n"
        "  rustc 1.95.0 (rustc), sysroot /s\n"
        "  cargo adds: -Clinker=clang -Clink-self-contained=-linker\n"
        "    (linker from /p/.cargo/config.toml [target.x]; rustflags from RUSTFLAGS)\n"
        "  links with: a route (cc -B/r/gcc-ld -fuse-ld=lld)\n"
    ) in text
    rc.cargo_args, rc.cargo_from = [], []
    assert "cargo adds" not in doctor.render(doctor.Report(rustc=rc))
