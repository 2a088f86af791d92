"""`kamtool tiers` and `kamtool stages` through the command line, on the sample data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kamtool.cli.params import weight_map
from kamtool.errors import UsageError
from tests.conftest import Run, run_kamtool

ORDERS = "sample_data/orders.csv"
ACCOUNTS = "sample_data/accounts.csv"
PROSPECTS = ["P0001", "P0002", "P0003", "P0004"]
STAGES = ("cultivation", "initial", "stable", "strategic")


def _json(args: list[str]) -> tuple[dict[str, Any], Run]:
    run = run_kamtool([*args, "--format", "json"])
    assert run.code == 0, run.stderr
    return json.loads(run.stdout), run


@pytest.fixture(scope="module")
def runs() -> dict[tuple[str, bool, str], Run]:
    """Each command with and without --accounts, in both languages (one run each)."""
    out = {}
    for command in ("tiers", "stages"):
        for with_accounts in (False, True):
            for lang in ("en", "zh"):
                args = [command, ORDERS, "--format", "json", "--lang", lang]
                if with_accounts:
                    args += ["--accounts", ACCOUNTS]
                out[(command, with_accounts, lang)] = run_kamtool(args)
    return out


# ------------------------------------------------------------------------------ the weights


def test_weight_map_reads_pairs_as_written() -> None:
    expected = {"strategic": 20.0, "profit": 30.0, "future": 0.0}
    assert weight_map("strategic=20, Profit=30,future=0") == expected
    assert weight_map("profit=1.5,", keys=("profit", "loyalty")) == {"profit": 1.5}


@pytest.mark.parametrize(("text", "message"), [
    ("profit", "factor=weight pairs"),
    ("=5", "factor=weight pairs"),
    ("profit=a", "'profit' is not a number"),
    ("profit=-1", "0 or more"),
    ("profit=inf", "0 or more"),
    ("profit=nan", "0 or more"),
    ("profit=1,profit=2", "given twice"),
    ("margin=10", "unknown factor 'margin'"),
    ("", "factor=weight pairs"),
])
def test_weight_map_refuses_what_is_not_a_weight(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        weight_map(text, keys=("strategic", "profit", "loyalty", "elasticity", "future"))


# ------------------------------------------------------------------------------ both commands


@pytest.mark.parametrize("command", ["tiers", "stages"])
@pytest.mark.parametrize("with_accounts", [False, True])
def test_json_is_byte_identical_in_both_languages(
    runs: dict[tuple[str, bool, str], Run], command: str, with_accounts: bool
) -> None:
    en, zh = runs[(command, with_accounts, "en")], runs[(command, with_accounts, "zh")]
    assert en.code == 0 and zh.code == 0, en.stderr + zh.stderr
    assert en.stdout == zh.stdout
    assert json.loads(en.stdout)["command"] == command


@pytest.mark.parametrize("command", ["tiers", "stages"])
def test_customers_without_orders_are_warned_about_and_listed(
    runs: dict[tuple[str, bool, str], Run], command: str
) -> None:
    run = runs[(command, True, "en")]
    assert "4 customers have no order line" in run.stderr and "P0004" in run.stderr
    data = json.loads(run.stdout)
    assert data["summary"]["account_unknown"] == 4 and data["summary"]["account_duplicate_ids"] == 0
    assert [r["customer"] for r in data["tables"]["account_unknown"]] == PROSPECTS
    assert [r["row"] for r in data["tables"]["account_unknown"]] == [301, 302, 303, 304]
    assert "account_duplicates" not in data["tables"]
    plain = runs[(command, False, "en")]
    assert "account_unknown" not in json.loads(plain.stdout)["summary"] and "Warning" not in plain.stderr


def test_duplicate_and_unknown_accounts_are_reported(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(
        "客户编号,战略价值,客户经理\nC0011,5,Daniel Kim\nC0011,1,Tom Becker\nZZ99,3,Tom Becker\n",
        encoding="utf-8",
    )
    data, run = _json(["tiers", ORDERS, "--accounts", str(accounts)])
    assert "1 customer ids appear more than once" in run.stderr and "C0011" in run.stderr
    assert "ZZ99" in run.stderr
    assert data["tables"]["account_duplicates"] == [{"row": 1, "customer": "C0011"},
                                                    {"row": 2, "customer": "C0011"}]
    assert data["tables"]["account_unknown"] == [{"row": 3, "customer": "ZZ99"}]
    # The first row of a duplicated id is used: C0011 is rated 5 (100 on 0–100), the highest.
    row = next(r for r in data["rows"] if r["customer"] == "C0011")
    assert row["strategic_score"] == 100.0 and row["owner"] == "Daniel Kim"


# ------------------------------------------------------------------------------------ tiers


def test_tiers_on_the_sample_partition_the_customers(runs: dict[tuple[str, bool, str], Run]) -> None:
    for with_accounts in (False, True):
        data = json.loads(runs[("tiers", with_accounts, "en")].stdout)
        rows, s, p = data["rows"], data["summary"], data["params"]
        tiers = [r["tier"] for r in rows]
        assert {t: tiers.count(t) for t in ("key", "general", "small")} == {
            t: s[t] for t in ("key", "general", "small")}
        assert min(s["key"], s["general"], s["small"]) > 0 and len(tiers) == s["customers"]
        # --shares 10,30, counts rounded up
        n = len(rows)
        assert s["key"] == -(-n // 10) and s["key"] + s["general"] == -(-4 * n // 10)
        assert abs(sum(p["weights"].values()) - 1) < 1e-12
        assert p["future_basis"] == "clv" and p["clv_fit"] == "fitted"
        assert {r["stage"] for r in rows} <= set(STAGES)
    plain = json.loads(runs[("tiers", False, "en")].stdout)["params"]
    assert plain["factors_left_out"] == ["strategic", "elasticity"]
    assert plain["weights"] == pytest.approx({"profit": 3 / 7, "loyalty": 2 / 7, "future": 2 / 7})
    full = json.loads(runs[("tiers", True, "en")].stdout)["params"]
    assert full["factors_left_out"] == [] and full["elasticity_basis"] == "rating"


def test_tiers_cutoffs_tier_by_score() -> None:
    data, _ = _json(["tiers", ORDERS, "--accounts", ACCOUNTS, "--cutoffs", "70,40"])
    for row in data["rows"]:
        expected = "key" if row["score"] >= 70 else "general" if row["score"] >= 40 else "small"
        assert row["tier"] == expected
    assert data["params"]["cutoffs"] == [70.0, 40.0] and data["params"]["shares"] is None


def test_tiers_hours_are_split_by_effort() -> None:
    data, _ = _json(["tiers", ORDERS, "--hours", "100", "--effort", "50,30,20"])
    s = data["summary"]
    by_tier: dict[str, float] = {}
    for row in data["rows"]:
        by_tier[row["tier"]] = by_tier.get(row["tier"], 0.0) + row["hours"]
    assert by_tier == pytest.approx({"key": 50.0, "general": 30.0, "small": 20.0})
    key_hours = [r["hours"] for r in data["rows"] if r["tier"] == "key"]
    assert key_hours == pytest.approx([50.0 / s["key"]] * s["key"])


def test_shares_and_cutoffs_together_are_a_usage_error() -> None:
    run = run_kamtool(["tiers", ORDERS, "--shares", "10,30", "--cutoffs", "70,40"])
    assert run.code != 0 and "--shares or --cutoffs" in run.stderr and "Traceback" not in run.stderr
    run = run_kamtool(["tiers", ORDERS, "--weights", "profit=30,margin=5"])
    assert run.code != 0 and "unknown factor 'margin'" in run.stderr


def test_kamtool_toml_gives_the_weights_and_the_flag_wins(tmp_path: Path) -> None:
    config = tmp_path / "kamtool.toml"
    config.write_text('[tiers]\nweights = "profit=50,loyalty=50"\n', encoding="utf-8")
    data, _ = _json(["--config", str(config), "tiers", ORDERS])
    assert data["params"]["weights"] == {"profit": 0.5, "loyalty": 0.5}
    data, _ = _json(["--config", str(config), "tiers", ORDERS, "--weights", "profit=1"])
    assert data["params"]["weights"] == {"profit": 1.0}


def test_future_falls_back_to_growth_when_the_clv_model_cannot_be_fitted(tmp_path: Path) -> None:
    # Three customers: BG/NBD refuses to fit on fewer than 10.
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "customer,date,amount\n"
        "a,2024-01-10,100\na,2025-01-10,300\n"
        "b,2024-01-10,200\nb,2025-01-10,100\n"
        "c,2025-01-10,50\n",
        encoding="utf-8",
    )
    data, _ = _json(["tiers", str(orders), "--as-of", "2025-02-01"])
    p = data["params"]
    assert p["future_basis"] == "growth" and p["clv_fit"] == "too_few_customers"
    # growth of the last 6 months over the same months a year before: a +200 %, b −50 %, c from nothing
    future = {r["customer"]: r["future_score"] for r in data["rows"]}
    assert future == {"b": 0.0, "a": 50.0, "c": 100.0}
    table = run_kamtool(["tiers", str(orders), "--as-of", "2025-02-01"])
    assert "could not be fitted (too_few_customers)" in table.stdout


# ----------------------------------------------------------------------------------- stages


def test_every_stage_occurs_on_the_sample_and_names_its_rule(
    runs: dict[tuple[str, bool, str], Run],
) -> None:
    from kamtool.analyses.stages import RULE_STAGE

    data = json.loads(runs[("stages", True, "en")].stdout)
    counts = {s: sum(r["stage"] == s for r in data["rows"]) for s in STAGES}
    assert counts == {s: data["summary"][s] for s in STAGES} and min(counts.values()) > 0
    assert all(RULE_STAGE[r["stage_rule"]] == r["stage"] for r in data["rows"])
    rules = {r["customer"]: r["stage_rule"] for r in data["rows"]}
    assert {c: rules[c] for c in PROSPECTS} == dict.fromkeys(PROSPECTS, "cultivation_prospect")
    # C0279 bought once and returned everything; C0220 nets negative.
    assert rules["C0279"] == rules["C0220"] == "cultivation_no_net"
    assert data["summary"]["customers"] == 304 and data["params"]["breadth_basis"] == "category"
    plain = json.loads(runs[("stages", False, "en")].stdout)
    assert plain["summary"]["customers"] == 300 and plain["summary"]["cultivation"] == 2


def test_stages_compare_gives_a_transition_matrix() -> None:
    data, _ = _json(["stages", ORDERS, "--as-of", "2025-07-01", "--compare", "2024-07-01"])
    matrix = data["tables"]["transitions"]
    total = sum(v for row in matrix for k, v in row.items() if k in STAGES)
    assert total == data["summary"]["customers"]
    order = {s: i for i, s in enumerate(STAGES)}
    regressions = data["tables"]["regressions"]
    assert len(regressions) == data["summary"]["regressions"]
    assert all(order[r["to_stage"]] < order[r["from_stage"]] for r in regressions)
    assert data["params"]["compare"] == "2024-07-01" and data["params"]["as_of"] == "2025-07-01"
    run = run_kamtool(["stages", ORDERS, "--as-of", "2025-07-01", "--compare", "2025-08-01"])
    assert run.code != 0 and "must be before the as-of date" in run.stderr


def test_stage_thresholds_are_options() -> None:
    data, _ = _json(["stages", ORDERS, "--strategic-tenure", "1000", "--lost-min-days", "100000",
                     "--declining-drop", "100"])
    s, t = data["summary"], data["params"]["stage_thresholds"]
    assert s["strategic"] == 0 and s["lost"] == 0
    assert t["strategic_tenure"] == 1000 and t["lost_min_days"] == 100000 and t["declining_drop"] == 1.0
    assert {r["stage_rule"] for r in data["rows"]} <= {"stable_rule", "initial_default", "cultivation_no_net"}


def test_help_shows_examples() -> None:
    for command in ("tiers", "stages"):
        run = run_kamtool([command, "--help"])
        assert run.code == 0 and f"kamtool {command} orders.csv --accounts accounts.csv" in run.stdout
