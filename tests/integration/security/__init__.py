"""The bad-input catalogue of docs/security.md, each entry's documented behaviour for real
through an installed launcher, and what the shim never does (search relative PATH entries,
start a shell, write files, open sockets), checked with audit hooks."""
