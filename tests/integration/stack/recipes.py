"""The packages of the stack: where each comes from, how it is built, what it installs.

Each builds with the build system its upstream ships, into a prefix of its own, finding its
dependencies only through their prefixes. The options turn off documentation, tests and
examples (the point is the links and the installs) and turn on every dependency the package
can use from the stack, so that the chains are real: fc-match -> libfontconfig ->
libfreetype -> libpng16 -> libz, libfreetype -> libbrotlidec -> libbrotlicommon, curl ->
libcurl -> libssl -> libcrypto, zstd -> libzstd + liblzma + liblz4 + libz.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Recipe:
    name: str  # the store name, e.g. zstd
    source: str  # the Debian source package, e.g. libzstd
    system: str  # a driver of drivers.py: zlib, autotools, make, cmake, meson, openssl
    deps: tuple[str, ...] = ()
    subdir: str = ""  # where the build system's files are in the upstream tree
    options: tuple[str, ...] = ()
    sonames: tuple[str, ...] = ()  # the shared libraries it installs (lib/)
    programs: tuple[str, ...] = ()  # the ELF programs it installs (bin/)
    linker: str = "lld"  # -fuse-ld= of its CC and CXX
    env: tuple[tuple[str, str], ...] = ()  # on top of the build environment


RECIPES: tuple[Recipe, ...] = (
    Recipe("zlib", "zlib", "zlib", sonames=("libz.so.1",)),
    Recipe(
        "xz",
        "xz-utils",
        "autotools",
        options=("--disable-doc", "--disable-nls", "--disable-scripts"),
        sonames=("liblzma.so.5",),
        programs=("xz", "xzdec", "lzmadec", "lzmainfo"),
    ),
    Recipe("lz4", "lz4", "make", sonames=("liblz4.so.1",), programs=("lz4",)),
    Recipe(
        "zstd",
        "libzstd",
        "cmake",
        deps=("zlib", "xz", "lz4"),
        subdir="build/cmake",
        options=(
            "-DZSTD_BUILD_STATIC=OFF",
            "-DZSTD_BUILD_SHARED=ON",
            "-DZSTD_BUILD_PROGRAMS=ON",
            "-DZSTD_PROGRAMS_LINK_SHARED=ON",
            "-DZSTD_BUILD_TESTS=OFF",
            "-DZSTD_LEGACY_SUPPORT=OFF",
            "-DZSTD_ZLIB_SUPPORT=ON",
            "-DZSTD_LZMA_SUPPORT=ON",
            "-DZSTD_LZ4_SUPPORT=ON",
        ),
        sonames=("libzstd.so.1",),
        programs=("zstd",),
    ),
    Recipe(
        "brotli",
        "brotli",
        "cmake",
        options=("-DBROTLI_DISABLE_TESTS=ON",),
        sonames=("libbrotlicommon.so.1", "libbrotlidec.so.1", "libbrotlienc.so.1"),
        programs=("brotli",),
        linker="mold",
    ),
    Recipe(
        "libpng",
        "libpng1.6",
        "autotools",
        deps=("zlib",),
        sonames=("libpng16.so.16",),
        programs=("pngfix", "png-fix-itxt"),
    ),
    Recipe(
        "expat",
        "expat",
        "cmake",
        subdir="expat",
        options=(
            "-DEXPAT_BUILD_DOCS=OFF",
            "-DEXPAT_BUILD_TESTS=OFF",
            "-DEXPAT_BUILD_EXAMPLES=OFF",
            "-DEXPAT_BUILD_TOOLS=ON",
            "-DEXPAT_SHARED_LIBS=ON",
        ),
        sonames=("libexpat.so.1",),
        programs=("xmlwf",),
        linker="bfd",
    ),
    Recipe(
        "libxml2",
        "libxml2",
        "autotools",
        deps=("zlib", "xz"),
        options=("--without-python", "--with-zlib", "--with-lzma", "--without-icu"),
        sonames=("libxml2.so.2",),
        programs=("xmllint", "xmlcatalog"),
    ),
    Recipe(
        "freetype",
        "freetype",
        "meson",
        deps=("zlib", "libpng", "brotli"),
        options=(
            "-Dzlib=system",
            "-Dpng=enabled",
            "-Dbrotli=enabled",
            "-Dbzip2=disabled",
            "-Dharfbuzz=disabled",
            "-Dtests=disabled",
        ),
        sonames=("libfreetype.so.6",),
    ),
    Recipe(
        "fontconfig",
        "fontconfig",
        "meson",
        deps=("freetype", "expat"),
        options=(
            "-Ddoc=disabled",
            "-Dnls=disabled",
            "-Dtests=disabled",
            "-Dtools=enabled",
            "-Dcache-build=disabled",
        ),
        sonames=("libfontconfig.so.1",),
        programs=("fc-match", "fc-list", "fc-cache", "fc-query", "fc-cat", "fc-pattern"),
    ),
    Recipe(
        "sqlite",
        "sqlite3",
        "autotools",
        deps=("zlib",),
        options=("--disable-tcl", "--disable-readline", "--disable-editline"),
        sonames=("libsqlite3.so.0",),
        programs=("sqlite3",),
    ),
    Recipe(
        "pcre2",
        "pcre2",
        "cmake",
        deps=("zlib",),
        options=(
            "-DBUILD_STATIC_LIBS=OFF",
            "-DPCRE2_BUILD_PCRE2GREP=ON",
            "-DPCRE2_SUPPORT_LIBZ=ON",
            "-DPCRE2_SUPPORT_LIBBZ2=OFF",
            "-DPCRE2_SUPPORT_LIBREADLINE=OFF",
            "-DPCRE2_SUPPORT_LIBEDIT=OFF",
            "-DPCRE2_BUILD_TESTS=OFF",
        ),
        sonames=("libpcre2-8.so.0", "libpcre2-posix.so.3"),
        programs=("pcre2grep",),
        linker="mold",
    ),
    Recipe(
        "json-c",
        "json-c",
        "cmake",
        options=("-DBUILD_STATIC_LIBS=OFF", "-DBUILD_TESTING=OFF", "-DDISABLE_WERROR=ON"),
        sonames=("libjson-c.so.5",),
        linker="bfd",
    ),
    Recipe(
        "snappy",
        "snappy",
        "cmake",
        options=("-DSNAPPY_BUILD_TESTS=OFF", "-DSNAPPY_BUILD_BENCHMARKS=OFF"),
        sonames=("libsnappy.so.1",),
        # snappy 1.1.9 marks functions always_inline that -fPIC at -O1 may interpose: gcc
        # refuses ("function body can be overwritten at link time"); Debian patches them.
        env=(("CXXFLAGS", "-O1 -fno-semantic-interposition"),),
    ),
    Recipe(
        "openssl",
        "openssl",
        "openssl",
        options=("no-tests",),
        sonames=("libssl.so.3", "libcrypto.so.3"),
        programs=("openssl",),
    ),
    Recipe(
        "curl",
        "curl",
        "autotools",
        deps=("openssl", "zlib", "brotli", "zstd"),
        options=(
            "--with-openssl",
            "--with-zlib",
            "--with-brotli",
            "--with-zstd",
            "--without-libpsl",
            "--without-libidn2",
            "--without-nghttp2",
            "--without-librtmp",
            "--without-libssh2",
            "--disable-ldap",
            "--disable-manual",
            "--with-ca-path=/etc/ssl/certs",
        ),
        sonames=("libcurl.so.4",),
        programs=("curl",),
    ),
)

# Our own programs, each in a prefix of its own, linking the stack's libraries found through
# pkg-config (and snappy's CMake package): C (make), C++ (CMake), Rust (cargo with Debian's
# -sys crates), a Python C extension (pip, setuptools).
CONSUMERS: tuple[Recipe, ...] = (
    Recipe(
        "stackprobe-c",
        "local:c",
        "consumer-make",
        deps=(
            "zlib",
            "xz",
            "lz4",
            "zstd",
            "brotli",
            "libpng",
            "expat",
            "libxml2",
            "freetype",
            "fontconfig",
            "sqlite",
            "pcre2",
            "json-c",
            "openssl",
            "curl",
        ),
        programs=("stackprobe",),
    ),
    Recipe(
        "stackprobe-cxx",
        "local:cxx",
        "cmake",
        deps=("snappy", "zstd", "json-c", "libxml2"),
        programs=("stackprobe++",),
    ),
    Recipe(
        "stackprobe-rs",
        "local:rust",
        "cargo",
        deps=("zlib", "xz", "zstd"),
        programs=("stackprobe-rs",),
    ),
    Recipe("stackext", "local:python", "pip", deps=("zstd", "lz4", "brotli")),
)

# The C consumer with the libraries of the builds without ldwrap (zstd, brotli and lz4 with
# what they need), and with those of the cross build (zlib and libpng, linked by GNU ld).
SMALL_CONSUMER = Recipe(
    "stackprobe-small",
    "local:c",
    "consumer-make",
    deps=("zlib", "xz", "lz4", "zstd", "brotli"),
    programs=("stackprobe",),
)
CROSS_CONSUMER = Recipe(
    "stackprobe-png",
    "local:c",
    "consumer-make",
    deps=("zlib", "libpng"),
    programs=("stackprobe",),
    linker="bfd",
)

# pkg-config modules and the C consumer's define, per package.
PKG_CONFIG = {
    "zlib": (("zlib",), "HAVE_ZLIB"),
    "xz": (("liblzma",), "HAVE_LZMA"),
    "lz4": (("liblz4",), "HAVE_LZ4"),
    "zstd": (("libzstd",), "HAVE_ZSTD"),
    "brotli": (("libbrotlienc", "libbrotlidec"), "HAVE_BROTLI"),
    "libpng": (("libpng16",), "HAVE_PNG"),
    "expat": (("expat",), "HAVE_EXPAT"),
    "libxml2": (("libxml-2.0",), "HAVE_XML2"),
    "freetype": (("freetype2",), "HAVE_FREETYPE"),
    "fontconfig": (("fontconfig",), "HAVE_FONTCONFIG"),
    "sqlite": (("sqlite3",), "HAVE_SQLITE"),
    "pcre2": (("libpcre2-8",), "HAVE_PCRE2"),
    "json-c": (("json-c",), "HAVE_JSONC"),
    "openssl": (("libssl", "libcrypto"), "HAVE_OPENSSL"),
    "curl": (("libcurl",), "HAVE_CURL"),
}

EXTRA = (SMALL_CONSUMER, CROSS_CONSUMER)
BY_NAME = {r.name: r for r in (*RECIPES, *CONSUMERS, *EXTRA)}


def closure(names: Iterable[str]) -> list[str]:
    """names and every package they depend on, dependencies first, in RECIPES order."""
    want: set[str] = set()
    todo = list(names)
    while todo:
        n = todo.pop()
        if n not in want:
            want.add(n)
            todo += BY_NAME[n].deps
    return [r.name for r in (*RECIPES, *CONSUMERS, *EXTRA) if r.name in want]


def all_sonames() -> frozenset[str]:
    return frozenset(s for r in RECIPES for s in r.sonames)
