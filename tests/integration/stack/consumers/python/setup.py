"""A C extension linking zstd, lz4 and brotli, found with pkg-config."""

import subprocess

from setuptools import Extension, setup

MODULES = ["libzstd", "liblz4", "libbrotlienc", "libbrotlidec"]


def pkg_config(flag: str) -> list[str]:
    out = subprocess.run(
        ["pkg-config", flag, *MODULES], check=True, capture_output=True, text=True
    ).stdout
    return [word[2:] for word in out.split()]


setup(
    name="stackext",
    version="1.0",
    ext_modules=[
        Extension(
            "stackext",
            ["stackext.c"],
            include_dirs=pkg_config("--cflags-only-I"),
            library_dirs=pkg_config("--libs-only-L"),
            libraries=pkg_config("--libs-only-l"),
        )
    ],
)
