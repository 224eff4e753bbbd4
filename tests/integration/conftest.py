"""Everything under tests/integration/ runs real linkers, compilers, cargo, build systems or
the real loader: marked `integration`, so `pytest -m "not integration"` is the fast tier."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.integration)
