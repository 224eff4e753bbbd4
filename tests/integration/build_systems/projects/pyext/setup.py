"""A C extension that calls libgreet, found with pkg-config (no runtime_library_dirs)."""

import subprocess

from setuptools import Extension, setup


def pkg_config(flag: str) -> list[str]:
    out = subprocess.run(
        ["pkg-config", flag, "greet"], check=True, capture_output=True, text=True
    ).stdout
    return [word[2:] for word in out.split()]


setup(
    name="greetext",
    version="1.0",
    ext_modules=[
        Extension(
            "greetext",
            ["greetext.c"],
            include_dirs=pkg_config("--cflags-only-I"),
            library_dirs=pkg_config("--libs-only-L"),
            libraries=pkg_config("--libs-only-l"),
        )
    ],
)
