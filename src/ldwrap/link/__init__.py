"""The hot path: everything one link runs, standard library only (see docs/architecture.md).

Its modules write their annotations as strings where they would cost something to evaluate,
instead of `from __future__ import annotations`: importing `__future__` costs about 0.2 ms on
every link, and the strings mean the same to mypy.
"""
