"""scripts/gen_grammar.py: the checked-in grammar module is what the table generates."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "gen_grammar.py"
sys.path.insert(0, str(SCRIPT.parent))
import gen_grammar  # noqa: E402  (a script, not a package)


def test_the_checked_in_module_is_current() -> None:
    # Run the generator as a person would; on a difference, the fix is to run it without
    # --stdout, which rewrites the module.
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--stdout"], capture_output=True, text=True, check=True
    )
    assert run.stdout == gen_grammar.TARGET.read_text(), "run: python scripts/gen_grammar.py"


def test_the_generator_writes_the_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "_grammar_data.py"
    monkeypatch.setattr(gen_grammar, "TARGET", target)
    monkeypatch.setattr(gen_grammar, "ROOT", tmp_path)
    assert gen_grammar.main([]) == 0
    namespace: dict[str, object] = {}
    exec(compile(target.read_text(), str(target), "exec"), namespace)
    one = namespace["SEPARATE_ONE_DASH"]
    two = namespace["SEPARATE_TWO_DASHES"]
    flags = namespace["ONE_DASH_FLAGS"]
    assert isinstance(one, dict) and isinstance(two, dict) and isinstance(flags, dict)
    # A row of each kind, from the table the person edits.
    assert "soname" in one["gold"] and "soname" in two["gold"]
    assert "output" not in one["bfd"] and "output" in two["bfd"]
    assert "optimize" in one["gold"] and "optimize" not in two["gold"]
    assert "EL" in flags["gold"] and "EL" in flags["mold"] and "EB" not in flags["mold"]


def test_a_table_edit_changes_the_sets() -> None:
    text = "[separate]\nfoo - 1 2 12\n[one-dash-flags lld]\nEL\n"
    out: dict[str, object] = {}
    exec(gen_grammar.generate(text), out)
    assert out["SEPARATE_ONE_DASH"] == {
        "bfd": frozenset(),
        "gold": frozenset({"foo"}),
        "lld": frozenset(),
        "mold": frozenset({"foo"}),
    }
    assert out["SEPARATE_TWO_DASHES"] == {
        "bfd": frozenset(),
        "gold": frozenset(),
        "lld": frozenset({"foo"}),
        "mold": frozenset({"foo"}),
    }
    assert out["ONE_DASH_FLAGS"] == {
        "bfd": frozenset(),
        "gold": frozenset(),
        "lld": frozenset({"EL"}),
        "mold": frozenset(),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("foo - 1 2 12\n", "line 1: text before the first [section]"),
        ("[separate]\nfoo - 1\n", "[separate] row 'foo - 1': want a name and 4 cells"),
        ("[separate]\nfoo - 3 - -\n", "[separate] row 'foo - 3 - -': want a name and 4 cells"),
    ],
)
def test_a_malformed_table_is_named(text: str, message: str) -> None:
    with pytest.raises(gen_grammar.TableError) as e:
        gen_grammar.generate(text)
    assert str(e.value) == message
