"""docs/security/asvs-l2.md stays true: its test ids exist, its rows are complete and valid,
and its summary counts match the rows.

Plain file reading, no pytest subprocess: a test id ``tests/x.py::test_name`` exists when the
file exists and defines ``test_name`` (parametrised ids are written without their ``[…]``).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "security" / "asvs-l2.md"

STATUSES = ("met", "not applicable", "open")
ROW_RE = re.compile(r"^\|\s*(V\d+\.\d+\.\d+)\s*\|")
TEST_ID_RE = re.compile(r"tests/[\w/]+\.py::\w+")


def _ids(chapter: int, sections: dict[int, tuple[int, ...]]) -> set[str]:
    return {f"V{chapter}.{s}.{n}" for s, numbers in sections.items() for n in numbers}


def _r(first: int, last: int) -> tuple[int, ...]:
    return tuple(range(first, last + 1))


# Every ASVS 5.0.0 requirement of level 1 or 2 in the chapters the document covers, with its
# level (from the released list OWASP_Application_Security_Verification_Standard_5.0.0_en.csv).
LEVEL_1 = {
    "V2.1.1",
    "V2.2.1",
    "V2.2.2",
    "V2.3.1",
    "V3.2.1",
    "V3.2.2",
    "V3.3.1",
    "V3.4.1",
    "V3.4.2",
    "V3.5.1",
    "V3.5.2",
    "V3.5.3",
    "V6.1.1",
    "V6.2.1",
    "V6.2.2",
    "V6.2.3",
    "V6.2.4",
    "V6.2.5",
    "V6.2.6",
    "V6.2.7",
    "V6.2.8",
    "V6.3.1",
    "V6.3.2",
    "V6.4.1",
    "V6.4.2",
    "V7.2.1",
    "V7.2.2",
    "V7.2.3",
    "V7.2.4",
    "V7.4.1",
    "V7.4.2",
    "V8.1.1",
    "V8.2.1",
    "V8.2.2",
    "V8.3.1",
    "V9.1.1",
    "V9.1.2",
    "V9.1.3",
    "V9.2.1",
    "V11.3.1",
    "V11.3.2",
    "V11.4.1",
    "V12.1.1",
    "V12.2.1",
    "V12.2.2",
    "V13.4.1",
    "V14.2.1",
    "V14.3.1",
    "V15.1.1",
    "V15.2.1",
    "V15.3.1",
}
EXPECTED = (
    _ids(2, {1: _r(1, 3), 2: _r(1, 3), 3: _r(1, 4), 4: (1,)})
    | _ids(3, {2: _r(1, 2), 3: _r(1, 4), 4: _r(1, 6), 5: _r(1, 5), 7: _r(1, 2)})
    | _ids(
        6,
        {
            1: _r(1, 3),
            2: _r(1, 12),
            3: _r(1, 4),
            4: _r(1, 4),
            5: _r(1, 5),
            6: _r(1, 3),
            8: _r(1, 4),
        },
    )
    | _ids(7, {1: _r(1, 3), 2: _r(1, 4), 3: _r(1, 2), 4: _r(1, 5), 5: _r(1, 2), 6: _r(1, 2)})
    | _ids(8, {1: _r(1, 2), 2: _r(1, 3), 3: (1,), 4: (1,)})
    | _ids(9, {1: _r(1, 3), 2: _r(1, 4)})
    | _ids(11, {1: _r(1, 2), 2: _r(1, 3), 3: _r(1, 3), 4: _r(1, 4), 5: (1,), 6: (1,)})
    | _ids(12, {1: _r(1, 3), 2: _r(1, 2), 3: _r(1, 4)})
    | _ids(13, {1: (1,), 2: _r(1, 5), 3: _r(1, 2), 4: _r(1, 5)})
    | _ids(14, {1: _r(1, 2), 2: _r(1, 4), 3: _r(1, 3)})
    | _ids(15, {1: _r(1, 3), 2: _r(1, 3), 3: _r(1, 7)})
    | _ids(16, {1: (1,), 2: _r(1, 5), 3: _r(1, 4), 4: _r(1, 3), 5: _r(1, 3)})
)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _section(text: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"section '## {heading}' is missing"
    return match.group(1)


@pytest.fixture(scope="module")
def text() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rows(text: str) -> list[dict[str, str]]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not ROW_RE.match(line):
            continue
        cells = _cells(line)
        assert len(cells) == 5, f"line {number}: expected 5 cells, got {len(cells)}: {line}"
        ident, level, requirement, status, evidence = cells
        found.append(
            {
                "line": str(number),
                "id": ident,
                "level": level,
                "requirement": requirement,
                "status": status.strip("*").strip(),
                "evidence": evidence,
            }
        )
    return found


def _defined_names(path: Path, cache: dict[Path, set[str]]) -> set[str]:
    if path not in cache:
        source = path.read_text(encoding="utf-8")
        cache[path] = set(re.findall(r"^\s*(?:async\s+)?def\s+(\w+)\s*\(", source, re.M))
    return cache[path]


def test_every_referenced_test_exists(text):
    cache: dict[Path, set[str]] = {}
    missing = []
    for test_id in sorted(set(TEST_ID_RE.findall(text))):
        file_part, name = test_id.split("::")
        path = ROOT / file_part
        if not path.is_file() or name not in _defined_names(path, cache):
            missing.append(test_id)
    assert not missing, f"test ids that do not exist: {missing}"
    assert len(cache) > 20  # the document does cite tests from many files


def test_every_row_has_a_valid_status_level_and_evidence(rows):
    problems = []
    for row in rows:
        where = f"line {row['line']} ({row['id']})"
        if row["status"] not in STATUSES:
            problems.append(f"{where}: status {row['status']!r} is not one of {STATUSES}")
        if row["level"] not in {"1", "2"}:
            problems.append(f"{where}: level {row['level']!r} is not 1 or 2")
        if not row["requirement"]:
            problems.append(f"{where}: no requirement text")
        if len(row["evidence"]) < 10:
            problems.append(f"{where}: evidence (or the reason / what is missing) is empty")
        if row["status"] == "open" and "missing" not in row["evidence"].lower():
            problems.append(f"{where}: an open row must say what is missing")
    assert not problems, "\n".join(problems)


def test_rows_are_the_asvs_level_1_and_2_requirements_once_each(rows):
    ids = [row["id"] for row in rows]
    duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)
    assert not duplicates, f"rows listed twice: {duplicates}"
    assert set(ids) == EXPECTED, (
        f"missing: {sorted(EXPECTED - set(ids))}; not an L1/L2 id of these chapters: "
        f"{sorted(set(ids) - EXPECTED)}"
    )
    wrong_level = sorted(
        row["id"] for row in rows if (row["level"] == "1") != (row["id"] in LEVEL_1)
    )
    assert not wrong_level, f"rows with the wrong level: {wrong_level}"


def test_summary_counts_match_the_rows(text, rows):
    expected: dict[str, Counter[str]] = {}
    for row in rows:
        chapter = row["id"].split(".")[0]
        expected.setdefault(chapter, Counter())[row["status"]] += 1

    summary: dict[str, list[int]] = {}
    for line in _section(text, "Summary").splitlines():
        cells = _cells(line) if line.startswith("|") else []
        if len(cells) == 5 and re.fullmatch(r"V\d+|Total", cells[0]):
            summary[cells[0]] = [int(c) for c in cells[1:]]

    assert set(summary) == set(expected) | {"Total"}
    for chapter, counts in expected.items():
        numbers = [counts["met"], counts["not applicable"], counts["open"], sum(counts.values())]
        assert summary[chapter] == numbers, f"{chapter}: summary {summary[chapter]}, rows {numbers}"
    totals = [sum(summary[c][i] for c in expected) for i in range(4)]
    assert summary["Total"] == totals
    assert totals[3] == len(rows)


def test_every_open_row_is_in_the_open_items(text, rows):
    open_items = _section(text, "Open items")
    missing = [
        row["id"]
        for row in rows
        if row["status"] == "open" and not re.search(rf"\b{re.escape(row['id'])}\b", open_items)
    ]
    assert not missing, f"open rows missing from 'Open items': {missing}"
