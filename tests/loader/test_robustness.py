"""Untrusted input: parsers either succeed or raise their own error type."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from ldwrap.loader.elf import (
    ELFCLASS64,
    ELFDATA2LSB,
    EM_X86_64,
    NotElfError,
    Target,
    check_ident,
    read_elf,
)
from ldwrap.loader.ldcache import NEW_MAGIC, OLD_MAGIC, CacheFormatError, parse_cache

X64 = Target(ELFCLASS64, ELFDATA2LSB, EM_X86_64)
with open("/etc/ld.so.cache", "rb") as _fh:
    SYSTEM_CACHE = _fh.read()
with open("/bin/true", "rb") as _fh:
    TRUE = _fh.read()


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([b"", NEW_MAGIC + b"1.1", OLD_MAGIC + b"\0"]), st.binary(max_size=400))
def test_parse_cache_on_garbage(prefix: bytes, body: bytes) -> None:
    try:
        cache = parse_cache(prefix + body)
    except CacheFormatError:
        return
    assert all(isinstance(e.value, str) for e in cache.entries)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(SYSTEM_CACHE) - 1), st.binary(min_size=1, max_size=8))
def test_parse_cache_on_corrupted_system_cache(offset: int, patch: bytes) -> None:
    data = SYSTEM_CACHE[:offset] + patch + SYSTEM_CACHE[offset + len(patch):]
    try:
        parse_cache(data)
    except CacheFormatError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=128))
def test_check_ident_total(data: bytes) -> None:
    assert check_ident(data, X64).verdict is not None


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 4095), st.binary(min_size=1, max_size=16))
def test_read_elf_on_corrupted_headers(offset: int, patch: bytes) -> None:
    data = TRUE[:offset] + patch + TRUE[offset + len(patch):]
    try:
        info = read_elf(io.BytesIO(data))
    except NotElfError:
        return
    assert isinstance(info.needed, tuple)
