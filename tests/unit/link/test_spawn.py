"""ldwrap.link.spawn's pure helpers (the process behaviour is in tests/unit/link/test_shim.py and
tests/integration/security/test_catalogue.py)."""

from __future__ import annotations

import types

import pytest


def test_response_file_goes_where_the_additions_were() -> None:
    """The E2BIG path's helper puts the file where the additions were (pure check)."""
    from ldwrap.link.spawn import response_file_argv

    fake = types.SimpleNamespace(
        argv=["/ld", "-flavor", "gnu", "B1", "x", "-rpath", "/d", "--", "f"],
        added_before=["B1"],
        added_after=["-rpath", "/d"],
        added_span=(3, 7),
    )
    assert response_file_argv(fake, ("/t/a", "/t/b")) == [  # type: ignore[arg-type]
        "/ld",
        "-flavor",
        "gnu",
        "@/t/a",
        "x",
        "@/t/b",
        "--",
        "f",
    ]
    fake.added_span = (3, 6)  # a plan that does not match its argv is refused
    with pytest.raises(ValueError):
        response_file_argv(fake, ("/t/a", "/t/b"))  # type: ignore[arg-type]
