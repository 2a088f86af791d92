"""The report's JSON, like every command's, writes hidden characters from the data (bidi
overrides, C1 controls) as \\uXXXX: found by the fuzz campaign (an owner named
'bidi\\u202eexe.txt' in the accounts file came out raw on stdout)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import REPO, run_kamtool

ORDERS = REPO / "sample_data" / "orders.csv"
HIDDEN = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def test_report_json_writes_hidden_characters_escaped(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("customer,owner,strategic_value\nC0011,bidi\u202eexe.txt,5\nC0241,c1\u009bmark,4\n",
                        encoding="utf-8")
    for target in (None, tmp_path / "report.json"):
        args = ["report", str(ORDERS), "--accounts", str(accounts), "--format", "json"]
        run = run_kamtool(args if target is None else [*args, "-o", str(target)])
        assert run.code == 0, run.stderr
        text = run.stdout if target is None else target.read_text(encoding="utf-8")
        assert not HIDDEN.search(text)
        owners = {row.get("owner") for row in json.loads(text)["analyses"]["tiers"]["rows"]}
        assert "bidi\u202eexe.txt" in owners  # the same string to a reader
