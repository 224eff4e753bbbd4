"""The option grammar against the installed linkers themselves: every option the --help of
ld.bfd, ld.gold, ld.lld and mold lists is in the measured tables (helpers/grammar_reference.py)
or read the way the linker reads it. The tables' cases are unit tests
(tests/unit/link/test_grammar.py)."""
