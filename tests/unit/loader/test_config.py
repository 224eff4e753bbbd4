"""loader/config.py: the loader's search order as its tables state it."""

from __future__ import annotations

from ldwrap.link.targets import (
    ELFCLASS32,
    ELFCLASS64,
    ELFDATA2LSB,
    EM_386,
    EM_AARCH64,
    EM_X86_64,
)
from ldwrap.loader.config import legacy_power_set, table_config
from ldwrap.loader.elf import (
    Target,
)

X64 = Target(ELFCLASS64, ELFDATA2LSB, EM_X86_64)


def test_legacy_power_set_order() -> None:
    assert legacy_power_set(["tls", "haswell", "x86_64"]) == (
        "tls/haswell/x86_64",
        "tls/haswell",
        "tls/x86_64",
        "tls",
        "haswell/x86_64",
        "haswell",
        "x86_64",
    )


def test_table_fallbacks() -> None:
    def no_dirs(_: str) -> bool:
        return False

    def nothing(_: str) -> str | None:
        return None

    fed = table_config("/lib64/ld-linux-x86-64.so.2", X64, no_dirs, nothing)
    assert fed.system_dirs == ("/lib64/", "/usr/lib64/") and fed.lib == "lib64"
    deb = table_config(
        "/lib64/ld-linux-x86-64.so.2", X64, lambda p: p == "/lib/x86_64-linux-gnu", nothing
    )
    assert deb.system_dirs[:2] == ("/lib/x86_64-linux-gnu/", "/usr/lib/x86_64-linux-gnu/")
    # A system root with only usr/lib/<triplet> (a hand-made cross root) is Debian's layout
    # too: its loader searches all four.
    a64 = Target(ELFCLASS64, ELFDATA2LSB, EM_AARCH64)
    usr_only = table_config(
        "/lib/ld-linux-aarch64.so.1", a64, lambda p: p == "/usr/lib/aarch64-linux-gnu", nothing
    )
    assert usr_only.system_dirs == (
        "/lib/aarch64-linux-gnu/",
        "/usr/lib/aarch64-linux-gnu/",
        "/lib/",
        "/usr/lib/",
    )
    # The cross toolchain's root (/usr/aarch64-linux-gnu) has neither: /lib and /usr/lib.
    assert table_config("/lib/ld-linux-aarch64.so.1", a64, no_dirs, nothing).system_dirs == (
        "/lib/",
        "/usr/lib/",
    )
    i386 = Target(ELFCLASS32, ELFDATA2LSB, EM_386)
    biarch = table_config("/lib/ld-linux.so.2", i386, lambda p: p == "/lib32", nothing)
    assert biarch.system_dirs == ("/lib32/", "/usr/lib32/", "/lib/", "/usr/lib/")
    assert biarch.cache_flags == (0x0001, 0x0003)
    nix_interp = "/nix/store/abc-glibc-2.39/lib/ld-linux-x86-64.so.2"
    nix = table_config(nix_interp, X64, no_dirs, nothing)
    assert nix.system_dirs == ("/nix/store/abc-glibc-2.39/lib/",)
    assert nix.cache_path == "/nix/store/abc-glibc-2.39/etc/ld.so.cache"
    musl = table_config(
        "/lib/ld-musl-x86_64.so.1",
        X64,
        no_dirs,
        lambda p: "/opt/a\n/opt/b\n" if p == "/etc/ld-musl-x86_64.path" else None,
    )
    assert (musl.flavour, musl.system_dirs, musl.cache_path) == (
        "musl",
        ("/opt/a/", "/opt/b/"),
        None,
    )
    musl_default = table_config("/lib/ld-musl-x86_64.so.1", X64, no_dirs, nothing)
    assert musl_default.system_dirs == ("/lib/", "/usr/local/lib/", "/usr/lib/")
