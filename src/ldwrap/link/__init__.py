"""The hot path: everything one link runs, standard library only (see docs/architecture.md)."""
