"""The inputs the programs work on, made in Python (or copied from a Debian package):
a text, a PNG image, XML documents (plain, gzip and xz), a font and a fontconfig
configuration. Written once per build into <root>/data."""

from __future__ import annotations

import gzip
import hashlib
import lzma
import struct
import zlib
from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # fonts-dejavu-core
WORDS: tuple[str, ...] = ("stack", "prefix", "store", "runpath", "loader", "soname")
WORDS += ("library", "program", "install", "link")


def text() -> bytes:
    lines = []
    for i in range(4000):
        lines.append(f"{i:05d} " + " ".join(WORDS[(i * k) % len(WORDS)] for k in range(1, 9)))
    return ("\n".join(lines) + "\n").encode()


def png(width: int = 16, height: int = 16) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    raw = b"".join(
        b"\0"
        + b"".join(bytes((x * 16 % 256, y * 16 % 256, (x + y) * 8 % 256)) for x in range(width))
        for y in range(height)
    )
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<stack name="ldwrap">\n'
    + "".join(f'  <package n="{i}">{w}</package>\n' for i, w in enumerate(WORDS))
    + "</stack>\n"
)


def fonts_conf(fonts: Path, cachedir: Path) -> str:
    """fontconfig's configuration: the one font directory, the cache in cachedir (the
    programs' working directory, an empty writable one)."""
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<fontconfig>\n"
        f"  <dir>{fonts}</dir>\n"
        f"  <cachedir>{cachedir}/fc-cache</cachedir>\n"
        "</fontconfig>\n"
    )


def write(host: Path, root: Path, cachedir: Path) -> None:
    """The files in host (the build's <root>/data outside the namespace); root is how the
    programs see that directory, cachedir their working directory."""
    host.mkdir(parents=True, exist_ok=True)
    t = text()
    (host / "text.txt").write_bytes(t)
    (host / "text.txt.gz").write_bytes(gzip.compress(t, mtime=0))
    (host / "image.png").write_bytes(png())
    (host / "doc.xml").write_text(XML)
    (host / "doc.xml.gz").write_bytes(gzip.compress(XML.encode(), mtime=0))
    (host / "doc.xml.xz").write_bytes(lzma.compress(XML.encode()))
    (host / "bad.xml").write_text("<stack><open></stack>\n")
    fonts = host / "fonts"
    fonts.mkdir(exist_ok=True)
    (fonts / FONT.name).write_bytes(FONT.read_bytes())
    (host / "fonts.conf").write_text(fonts_conf(root / "fonts", cachedir))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
