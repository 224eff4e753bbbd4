"""Untrusted input: parsers either succeed or raise their own error type, and what they return
is consistent with the bytes they were given.

The system's ld.so.cache and /bin/true are read by session fixtures, on first use: nothing here
touches the system at import time.
"""

from __future__ import annotations

import io
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import examples
from ldwrap.link.targets import (
    ELFCLASS64,
    ELFDATA2LSB,
    EM_X86_64,
)
from ldwrap.loader.elf import (
    NotElfError,
    Target,
    Verdict,
    check_ident,
    read_elf,
)
from ldwrap.loader.ldcache import NEW_MAGIC, OLD_MAGIC, CacheFormatError, LdCache, parse_cache

X64 = Target(ELFCLASS64, ELFDATA2LSB, EM_X86_64)
LAYOUTS = ("new", "old", "compat")
# The smallest cache entry (old format: flags, key and value offsets, 4 bytes each).
MIN_ENTRY = 12


@pytest.fixture(scope="session")
def system_cache() -> bytes:
    with open("/etc/ld.so.cache", "rb") as fh:
        return fh.read()


@pytest.fixture(scope="session")
def true_binary() -> bytes:
    with open("/bin/true", "rb") as fh:
        return fh.read()


def _assert_sane(cache: LdCache, data: bytes) -> None:
    """What any accepted cache must satisfy, whatever its bytes."""
    assert cache.layout in LAYOUTS
    assert len(cache.entries) * MIN_ENTRY <= len(data)
    for e in cache.entries:
        assert isinstance(e.key, str) and isinstance(e.value, str)
        assert isinstance(e.flags, int)


@settings(max_examples=examples(300), deadline=None)
@given(st.sampled_from([b"", NEW_MAGIC + b"1.1", OLD_MAGIC + b"\0"]), st.binary(max_size=400))
def test_parse_cache_on_garbage(prefix: bytes, body: bytes) -> None:
    data = prefix + body
    try:
        cache = parse_cache(data)
    except CacheFormatError:
        return
    _assert_sane(cache, data)
    # Without either magic nothing is a cache.
    assert data.startswith((NEW_MAGIC, OLD_MAGIC))


@settings(max_examples=examples(200), deadline=None)
@given(data=st.data(), patch=st.binary(min_size=1, max_size=8))
def test_parse_cache_on_corrupted_system_cache(
    system_cache: bytes, data: st.DataObject, patch: bytes
) -> None:
    offset = data.draw(st.integers(0, len(system_cache) - 1), label="offset")
    corrupted = system_cache[:offset] + patch + system_cache[offset + len(patch) :]
    try:
        cache = parse_cache(corrupted)
    except CacheFormatError:
        assert corrupted != system_cache, "the unchanged system cache was rejected"
        return
    _assert_sane(cache, corrupted)
    if corrupted == system_cache:  # the patch rewrote the same bytes: the same cache
        assert cache.entries == parse_cache(system_cache).entries


def _elf_like() -> st.SearchStrategy[bytes]:
    # Random bytes rarely start with the magic: half of the examples do, to reach the later
    # checks (class, data, version, OS ABI, machine, type, phentsize).
    return st.one_of(
        st.binary(max_size=128),
        st.binary(max_size=124).map(lambda b: b"\x7fELF" + b),
        st.binary(max_size=121).map(lambda b: b"\x7fELF\x02\x01\x01" + b),
    )


@settings(max_examples=examples(300), deadline=None)
@given(_elf_like())
def test_check_ident_total(data: bytes) -> None:
    res = check_ident(data, X64)
    assert isinstance(res.verdict, Verdict)
    assert (res.verdict is Verdict.OK) == (res.message == "")
    if len(data) < 64:
        assert (res.verdict, res.message) == (Verdict.FATAL, "file too short")
    elif data[:4] != b"\x7fELF":
        assert (res.verdict, res.message) == (Verdict.FATAL, "invalid ELF header")
    elif data[4] != ELFCLASS64:
        assert res.verdict is Verdict.WRONG_CLASS
    if res.verdict is Verdict.OK:
        assert data[4:7] == bytes([ELFCLASS64, ELFDATA2LSB, 1])
        assert struct.unpack_from("<H", data, 18)[0] == EM_X86_64
        assert struct.unpack_from("<H", data, 54)[0] == 56  # Elf64_Phdr


@settings(max_examples=examples(150), deadline=None)
@given(st.integers(0, 4095), st.binary(min_size=1, max_size=16))
def test_read_elf_on_corrupted_headers(true_binary: bytes, offset: int, patch: bytes) -> None:
    data = true_binary[:offset] + patch + true_binary[offset + len(patch) :]
    try:
        info = read_elf(io.BytesIO(data))
    except NotElfError:
        assert data != true_binary, "the unchanged /bin/true was refused"
        return
    assert isinstance(info.needed, tuple)
    assert all(isinstance(n, str) for n in info.needed)
    if data == true_binary:
        assert info.needed == read_elf(io.BytesIO(true_binary)).needed
