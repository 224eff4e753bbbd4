"""The session's real Nix store (see store.py): made once, removed at the end."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .store import NIX_CONF, NixStore, install_dropins


@pytest.fixture(scope="session")
def nix_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NixStore]:
    assert Path("/nix").is_dir(), "/nix must exist as a mount point: install nix-bin (.ci/run)"
    root = tmp_path_factory.mktemp("nix")
    root.chmod(0o755)  # what the build users see as /nix
    store = NixStore(root)
    for d in (store.roots, store.conf, store.home):
        d.mkdir()
    (store.conf / "nix.conf").write_text(NIX_CONF)
    install_dropins(root)
    try:
        store.build_all()
        yield store
    finally:
        # Store paths are read-only; root removes them all the same. Nothing else was made.
        shutil.rmtree(root)
