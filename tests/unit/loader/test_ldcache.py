"""ld.so.cache reader: malformed caches are rejected (the comparisons with ``ldconfig -p`` and
the real loader are in tests/integration/loader/test_ldcache.py)."""

from __future__ import annotations

import pytest

from ldwrap.loader.ldcache import CacheFormatError, load_cache, parse_cache


def test_bad_caches_are_rejected() -> None:
    with pytest.raises(CacheFormatError):
        parse_cache(b"not a cache at all")
    with pytest.raises(CacheFormatError):
        parse_cache(b"glibc-ld.so.cache1.1" + b"\xff\xff\x00\x00" + b"\0" * 24)
    assert load_cache("/nonexistent/ld.so.cache") is None
