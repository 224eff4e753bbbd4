"""Static emulation of the dynamic loader's library search (``ldwrap check``).

The modules are imported where they are used: `ldwrap.loader.verify`, the shim's post-link
hook, must stay cheap to import.
"""
