"""What each installed program is asked to do when it runs with the system's copies hidden.

A check is a shell script run by /bin/sh (which needs libc alone) in an empty working
directory (with -e: each line stands alone, never `a && b`, so that a failure stops it),
calling the stack's programs by their full store paths: `{zstd}` stands for the
zstd package's prefix, `{data}` for the inputs of data.py. It passes when it exits with 0
and every expected pattern (a regular expression, after the same substitutions, values
escaped) matches a line of its output.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from . import data


@dataclass(frozen=True)
class Check:
    id: str
    package: str  # whose program runs
    script: str
    expect: tuple[str, ...]  # patterns a line of the output must match


CHECKS: tuple[Check, ...] = (
    Check(
        "xz",
        "xz",
        "{xz}/bin/xz -c {data}/text.txt > t.xz\n"
        "{xz}/bin/xz -dc t.xz | cmp - {data}/text.txt\n"
        "{xz}/bin/xzdec t.xz | cmp - {data}/text.txt\n"
        "{xz}/bin/xz --format=lzma -c {data}/text.txt > t.lzma\n"
        "{xz}/bin/lzmainfo t.lzma > /dev/null\n"
        "{xz}/bin/xz --version\n",
        (r"^xz \(XZ Utils\) {xz_version}$", r"^liblzma {xz_version}$"),
    ),
    Check(
        "lz4",
        "lz4",
        "{lz4}/bin/lz4 -q -c {data}/text.txt > t.lz4\n"
        "{lz4}/bin/lz4 -q -dc t.lz4 | cmp - {data}/text.txt\n"
        "echo round trip ok\n",
        ("^round trip ok$",),
    ),
    Check(
        "zstd",
        "zstd",
        "Z={zstd}/bin/zstd\n"
        "for f in zstd gzip xz lz4; do\n"
        "  $Z -q --format=$f -c {data}/text.txt > t.$f\n"
        "  $Z -q -dc t.$f | cmp - {data}/text.txt\n"
        "done\n"
        "echo zstd gzip xz lz4 ok\n",
        ("^zstd gzip xz lz4 ok$",),
    ),
    Check(
        "brotli",
        "brotli",
        "{brotli}/bin/brotli -c {data}/text.txt > t.br\n"
        "{brotli}/bin/brotli -dc t.br | cmp - {data}/text.txt\n"
        "echo round trip ok\n",
        ("^round trip ok$",),
    ),
    Check(
        "pngfix",
        "libpng",
        "{libpng}/bin/pngfix --out=fixed.png {data}/image.png\n"
        "echo pngfix ok\n"
        "{libpng}/bin/png-fix-itxt < {data}/image.png > itxt.png\n"
        "cmp itxt.png {data}/image.png\n"
        "echo png-fix-itxt ok\n",
        ("^pngfix ok$", "^png-fix-itxt ok$"),
    ),
    Check(
        "xmlwf",
        "expat",
        "{expat}/bin/xmlwf {data}/doc.xml\n"
        "echo well-formed\n"
        "{expat}/bin/xmlwf {data}/bad.xml || true\n"
        "{expat}/bin/xmlwf -v\n",
        ("^well-formed$", "mismatched tag", "^xmlwf using expat_{expat_version}$"),
    ),
    Check(
        "xmllint",
        "libxml2",
        "{libxml2}/bin/xmllint --noout {data}/doc.xml.gz\n"
        "echo gzip ok\n"
        "{libxml2}/bin/xmllint --noout {data}/doc.xml.xz\n"
        "echo xz ok\n"
        "{libxml2}/bin/xmllint --xpath 'string(/stack/@name)' {data}/doc.xml.xz; echo\n"
        "{libxml2}/bin/xmlcatalog --create --noout catalog.xml\n"
        "echo catalog ok\n",
        ("^gzip ok$", "^xz ok$", "^ldwrap$", "^catalog ok$"),
    ),
    Check(
        "fontconfig",
        "fontconfig",
        "export FONTCONFIG_FILE={data}/fonts.conf\n"
        "{fontconfig}/bin/fc-cache\n"
        "{fontconfig}/bin/fc-match -f '%{{family}}\\n' sans\n"
        "{fontconfig}/bin/fc-list -f '%{{file}}\\n'\n"
        "{fontconfig}/bin/fc-query -f '%{{fontformat}}\\n' {data}/fonts/DejaVuSans.ttf\n"
        "{fontconfig}/bin/fc-pattern -f '%{{family}}\\n' serif\n",
        ("^DejaVu Sans$", "^{data}/fonts/DejaVuSans.ttf$", "^TrueType$", "^serif$"),
    ),
    Check(
        "sqlite3",
        "sqlite",
        "{sqlite}/bin/sqlite3 db.sqlite 'create table t(x); insert into t values (21);'\n"
        "{sqlite}/bin/sqlite3 db.sqlite 'select x * 2 from t; select sqlite_version();'\n",
        ("^42$", "^{sqlite_version}$"),
    ),
    Check(
        "pcre2grep",
        "pcre2",
        "{pcre2}/bin/pcre2grep -c 'store (runpath|loader)' {data}/text.txt\n"
        "{pcre2}/bin/pcre2grep -c 'store (runpath|loader)' {data}/text.txt.gz\n",
        ("^{pcre2_count}$",),
    ),
    Check(
        "openssl",
        "openssl",
        "{openssl}/bin/openssl dgst -sha256 -r {data}/text.txt\n"
        "{openssl}/bin/openssl enc -aes-256-cbc -pbkdf2 -pass pass:stack -in {data}/text.txt"
        " -out t.enc\n"
        "{openssl}/bin/openssl enc -d -aes-256-cbc -pbkdf2 -pass pass:stack -in t.enc"
        " | cmp - {data}/text.txt\n"
        "echo enc ok\n"
        "{openssl}/bin/openssl version\n",
        ("^{text_sha256} \\*{data}/text.txt$", "^enc ok$", "^OpenSSL {openssl_version} "),
    ),
    Check(
        "curl",
        "curl",
        "{curl}/bin/curl -sS -o copy.txt file://{data}/text.txt\n"
        "cmp copy.txt {data}/text.txt\n"
        "echo file ok\n"
        "{curl}/bin/curl -V\n",
        ("^file ok$", "libcurl/", "OpenSSL/{openssl_version}", "zlib/", "brotli/", "zstd/"),
    ),
)

# Our consumers: each prints one line per library, ending in "ok" after a round trip.
CONSUMER_CHECKS: tuple[Check, ...] = (
    Check(
        "stackprobe-c",
        "stackprobe-c",
        "{stackprobe-c}/bin/stackprobe\n",
        tuple(
            f"^{lib} .*ok$"
            for lib in (
                "zlib",
                "liblzma",
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
            )
        ),
    ),
    Check(
        "stackprobe-cxx",
        "stackprobe-cxx",
        "{stackprobe-cxx}/bin/stackprobe++\n",
        tuple(f"^{lib} .*ok$" for lib in ("snappy", "zstd", "json-c", "libxml2")),
    ),
    Check(
        "stackprobe-rs",
        "stackprobe-rs",
        "{stackprobe-rs}/bin/stackprobe-rs\n",
        tuple(f"^{lib} .*ok$" for lib in ("zlib", "liblzma", "zstd")),
    ),
)

BY_ID = {c.id: c for c in (*CHECKS, *CONSUMER_CHECKS)}


def facts(versions: Mapping[str, str]) -> dict[str, str]:
    """The expected values that come from the inputs and the packages' versions."""
    t = data.text().decode()
    return {
        "text_sha256": data.sha256(data.text()),
        "pcre2_count": str(
            sum(1 for line in t.splitlines() if re.search("store (runpath|loader)", line))
        ),
        "xz_version": versions["xz"],
        "expat_version": versions["expat"],
        "sqlite_version": versions["sqlite"],
        "openssl_version": versions["openssl"],
    }


def render(text: str, prefixes: Mapping[str, str], values: Mapping[str, str]) -> str:
    return text.format_map({**prefixes, **values})


def pattern(text: str, prefixes: Mapping[str, str], values: Mapping[str, str]) -> str:
    """An expected pattern with the values put in as plain text."""
    return text.format_map({k: re.escape(v) for k, v in {**prefixes, **values}.items()})


def unmatched(output: str, patterns: list[str]) -> list[str]:
    return [p for p in patterns if not re.search(p, output, re.M)]
