"""Static emulation of the dynamic loader's library search (``ldwrap check``)."""

from .resolve import Edge, InputError, LoadResult, Options, Resolver

__all__ = ["Edge", "InputError", "LoadResult", "Options", "Resolver"]
