"""The README's promise: JSON and CSV are the same in every language.

Every command runs through the real CLI on both sample files, once with ``--lang en`` and
once with ``--lang zh``; stdout must be byte-identical (codes, numbers, English notes).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_kamtool

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = [ROOT / "sample_data" / "orders.csv", ROOT / "sample_data" / "订单明细.xlsx"]
CONVERTED = ["inspect", "pareto", "abc", "rfm", "loyalty", "churn", "clv"]
CASES = [(command, fmt) for command in CONVERTED for fmt in ("json", "csv")]


def _run(command: str, sample: Path, fmt: str, lang: str) -> str:
    run = run_kamtool([command, str(sample), "--format", fmt, "--lang", lang])
    assert run.code == 0, run.stderr
    return run.stdout


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
@pytest.mark.parametrize(("command", "fmt"), CASES)
def test_json_and_csv_do_not_depend_on_the_language(command: str, sample: Path, fmt: str) -> None:
    english = _run(command, sample, fmt, "en")
    assert english.strip()
    assert _run(command, sample, fmt, "zh") == english


@pytest.mark.parametrize("command", CONVERTED)
def test_coded_values_are_codes(command: str) -> None:
    doc = json.loads(_run(command, SAMPLES[0], "json", "zh"))
    # nothing Chinese anywhere in the document a script reads
    text = json.dumps(doc, ensure_ascii=False)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text), command
    if command == "loyalty":
        groups = {row["group"] for row in doc["rows"]}
        assert groups <= {"loyal", "switcher", "no_loyalty", "other_brands", "no_net_purchase",
                          "developing", "one_time", "lapsing", "lost"}
        assert "action" not in doc["tables"]["groups"][0]
    if command == "rfm":
        assert "rules" not in doc["tables"]
        assert "action" not in doc["tables"]["segments"][0]
