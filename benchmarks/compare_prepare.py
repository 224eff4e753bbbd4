"""Compare two recordings of the test suite's prepare() calls (tests/helpers/prepare_record.py).

    python benchmarks/compare_prepare.py BEFORE.jsonl AFTER.jsonl [--show N] [--ignore-order]
    python benchmarks/compare_prepare.py BEFORE.jsonl AFTER.jsonl --by-input

Per test, the calls are compared in order. The summary counts tests whose calls are identical,
tests whose calls differ (listed, with the first differing call's fields), and tests found in
only one recording. Tests whose calls were drawn at random (hypothesis without CI=true) differ
in their inputs: the summary says so apart, as "inputs differ".

With --by-input, every call is matched by its inputs across the whole recordings, whichever
test made it (a test moved to another file keeps its calls): the summary counts the distinct
inputs whose outcomes are the same, those whose outcomes differ, and those made in one
recording only. A test's name shows in its inputs twice, in PYTEST_CURRENT_TEST and in the
names pytest gives its temporary directories; both are taken out first (each directory under
<TMP> becomes <T0>, <T1>, ... in the order the call names them), so a renamed test's calls
still meet their counterparts. So are the 32-character hashes of the store paths the tests
make up (a fixture may name one `aaa...a-foo`, another a hash of `foo`): each is valid, and
only its place in a path matters.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

# The chain guard names the process that ran the linker: a pid, different in every run.
_PID = re.compile(r'(?<=")\d+(?=:[/<])')
# tempfile.mkdtemp's names, wherever they are made.
_TMPDIR = re.compile(r"/tmp[a-z0-9_]{8}(?=[/\"])")
# pytest numbers a test's temporary directory by how many of that name came before it in
# the run (`name0`, `name1`): another selection of tests, another number.
_NUMBERED = re.compile(r"(<TMP>/[^/\"]*?)\d+(?=[/\"])")
_TEST_DIR = re.compile(r"<TMP>/[^/\"]+")
_STORE_HASH = re.compile(r"(?<=/)[0-9a-df-np-sv-z]{32}(?=-)")


def load(path: Path) -> dict[str, list[dict[str, object]]]:
    calls: dict[str, list[dict[str, object]]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            line = _NUMBERED.sub(r"\1<N>", _TMPDIR.sub("/<TMPD>", _PID.sub("<PID>", line)))
            record = json.loads(line)
            calls[str(record["test"])].append(record)
    return calls


def _key(record: dict[str, object]) -> str:
    return json.dumps(record["in"], sort_keys=True)


def _anonymous(record: dict[str, object]) -> dict[str, object]:
    """The record without its test's name: no PYTEST_CURRENT_TEST, and pytest's temporary
    directories (named after the test) numbered by first appearance instead."""
    inputs = record["in"]
    assert isinstance(inputs, dict)
    env = inputs.get("env")
    if isinstance(env, dict) and isinstance(env.get("set"), dict):
        env["set"].pop("PYTEST_CURRENT_TEST", None)
    text = json.dumps({k: v for k, v in record.items() if k != "test"}, sort_keys=True)
    names: dict[str, str] = {}
    text = _TEST_DIR.sub(lambda m: names.setdefault(m.group(0), f"<T{len(names)}>"), text)
    text = _STORE_HASH.sub("<HASH>", text)
    anonymous: dict[str, object] = json.loads(text)
    return anonymous


def differing_fields(a: dict[str, object], b: dict[str, object]) -> list[str]:
    """The top-level outcome fields that differ between two calls."""
    if "raised" in a or "raised" in b:
        return [] if a.get("raised") == b.get("raised") else ["raised"]
    out_a, out_b = a["out"], b["out"]
    assert isinstance(out_a, dict) and isinstance(out_b, dict)
    return sorted(k for k in set(out_a) | set(out_b) if out_a.get(k) != out_b.get(k))


def _outcome(record: dict[str, object]) -> str:
    return json.dumps({k: v for k, v in record.items() if k not in ("test", "in")}, sort_keys=True)


def by_input(before: Path, after: Path, show: int) -> int:
    """Compare the outcomes of every distinct input, whichever test made the call."""
    outcomes: list[dict[str, set[str]]] = [defaultdict(set), defaultdict(set)]
    calls = [0, 0]
    for side, path in enumerate((before, after)):
        for records in load(path).values():
            for r in map(_anonymous, records):
                outcomes[side][_key(r)].add(_outcome(r))
                calls[side] += 1
    a, b = outcomes
    common = set(a) & set(b)
    differ = sorted(k for k in common if a[k] != b[k])
    print(f"calls recorded: {calls[0]} before, {calls[1]} after")
    print(f"distinct inputs in both: {len(common)}; same outcome: {len(common) - len(differ)}")
    print(f"distinct inputs whose outcome differs: {len(differ)}")
    print(
        f"distinct inputs only before: {len(set(a) - set(b))}; only after: {len(set(b) - set(a))}"
    )
    for k in differ[:show]:
        print(f"\n{k[:300]}\n  before: {sorted(a[k])[0][:600]}\n  after:  {sorted(b[k])[0][:600]}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--show", type=int, default=3, help="details for this many differing tests")
    ap.add_argument(
        "--ignore-order", action="store_true", help="match a test's calls by their inputs"
    )
    ap.add_argument(
        "--by-input", action="store_true", help="match every call by its inputs, in any test"
    )
    ns = ap.parse_args(argv)
    if ns.by_input:
        return by_input(ns.before, ns.after, ns.show)
    before, after = load(ns.before), load(ns.after)
    identical: list[str] = []
    inputs_differ: list[str] = []
    differ: dict[str, list[tuple[int, list[str]]]] = {}
    unmatched = 0
    compared: dict[str, tuple[list[dict[str, object]], list[dict[str, object]]]] = {}
    for test in sorted(set(before) & set(after)):
        a, b = before[test], after[test]
        if ns.ignore_order:
            # Match calls by their inputs; calls made in one run only are counted apart.
            keys_a, keys_b = [_key(x) for x in a], [_key(y) for y in b]
            common = [k for k in dict.fromkeys(keys_a) if k in set(keys_b)]
            unmatched += sum(k not in common for k in keys_a) + sum(k not in common for k in keys_b)
            a = [next(x for x in before[test] if _key(x) == k) for k in common]
            b = [next(y for y in after[test] if _key(y) == k) for k in common]
            if not common:
                inputs_differ.append(test)
                continue
        if len(a) != len(b) or any(_key(x) != _key(y) for x, y in zip(a, b)):
            inputs_differ.append(test)
            continue
        diffs = [(i, f) for i, (x, y) in enumerate(zip(a, b)) if (f := differing_fields(x, y))]
        if diffs:
            differ[test] = diffs
            compared[test] = (a, b)
        else:
            identical.append(test)
    only_before = sorted(set(before) - set(after))
    only_after = sorted(set(after) - set(before))
    n_calls = sum(len(v) for v in before.values()), sum(len(v) for v in after.values())
    print(f"calls recorded: {n_calls[0]} before, {n_calls[1]} after")
    print(f"tests identical: {len(identical)}")
    print(f"tests with different results: {len(differ)}")
    print(f"tests whose inputs differ: {len(inputs_differ)}")
    print(f"tests only before: {len(only_before)}; only after: {len(only_after)}")
    if ns.ignore_order:
        print(f"calls whose inputs were drawn in one run only: {unmatched}")
    by_fields: dict[str, list[str]] = defaultdict(list)
    for test, diffs in differ.items():
        names = sorted({f for _, fs in diffs for f in fs})
        by_fields[", ".join(names)].append(test)
    for joined, tests in sorted(by_fields.items()):
        print(f"\n  differ in [{joined}]: {len(tests)} tests")
        for t in tests:
            print(f"    {t}")
    for test in list(differ)[: ns.show]:
        i, first = differ[test][0]
        x, y = compared[test][0][i], compared[test][1][i]
        print(f"\n{test} call {i}: args {x['in']['args']}")  # type: ignore[index]
        for name in first:
            if name == "raised":
                print(f"  raised: {x.get('raised')!r} -> {y.get('raised')!r}")
            else:
                print(f"  {name}: {x['out'][name]!r}")  # type: ignore[index]
                print(f"  {' ' * len(name)}  -> {y['out'][name]!r}")  # type: ignore[index]
    for label, tests in (("inputs differ", inputs_differ), ("only before", only_before)):
        for t in tests[:20]:
            print(f"  {label}: {t}")
    for t in only_after[:20]:
        print(f"  only after: {t}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
