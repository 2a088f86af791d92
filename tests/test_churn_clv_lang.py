"""churn and clv return codes and numbers: the same JSON/CSV in every language, the shared
ABC rule, P(alive) fitted by churn itself (and why not, when it cannot be), the model contract."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kamtool.analyses import clv as clv_package
from kamtool.analyses.churn import NEEDS as CHURN_NEEDS
from kamtool.analyses.churn import churn
from kamtool.analyses.clv.fit import FitError
from kamtool.analyses.clv.models import PURCHASE_MODELS
from kamtool.cli.app import main
from kamtool.needs import Needs
from kamtool.render.words import churn as churn_words
from tests.conftest import load_daily

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = [str(ROOT / "sample_data" / "orders.csv"), str(ROOT / "sample_data" / "订单明细.xlsx")]


def frame(lines: Sequence[tuple[str, str, float]]) -> pd.DataFrame:
    daily = pd.DataFrame(lines, columns=["customer", "date", "revenue"])
    daily["date"] = pd.to_datetime(daily["date"])
    daily["revenue"] = daily["revenue"].astype(float)
    return daily


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    assert exit_info.value.code in (0, None), err
    return out


@pytest.mark.parametrize("command", ["churn", "clv"])
@pytest.mark.parametrize("path", SAMPLES, ids=["csv", "xlsx"])
def test_json_and_csv_are_the_same_in_every_language(
    capsys: pytest.CaptureFixture[str], command: str, path: str
) -> None:
    for fmt in ("json", "csv"):
        en = run(capsys, command, path, "--format", fmt, "--lang", "en")
        zh = run(capsys, command, path, "--format", fmt, "--lang", "zh")
        assert en == zh, (command, fmt)
    doc = json.loads(en if fmt == "json" else run(capsys, command, path, "--format", "json"))
    if command == "churn":
        bridge = doc["tables"]["bridge"]
        assert [step["step_label"] for step in bridge] == [step["step"] for step in bridge]
        # the sample fits BG/NBD, so the early warning used P(alive), and says so
        assert doc["summary"]["p_alive_status"] == "fitted" and doc["summary"]["p_alive_reason"] is None
        assert doc["params"]["p_alive_given"] is True
        days = [row["days_since_last"] for row in doc["rows"]]
        assert all(d is None or isinstance(d, int) for d in days) and any(isinstance(d, int) for d in days)


@pytest.mark.parametrize("model", ["auto", "bgnbd", "mbgnbd", "pareto-nbd"])
def test_clv_json_is_the_same_in_every_language_for_every_model(
    capsys: pytest.CaptureFixture[str], model: str
) -> None:
    # with a holdout (auto's models table with its errors) and intervals: byte for byte
    holdout = ["--calibration-end", "2025-03-31", "--holdout-end", "2025-09-30"]
    args = ["clv", SAMPLES[0], "--format", "json", "--model", model, "--interval", "0.9", *holdout]
    en = run(capsys, *args, "--lang", "en")
    assert en == run(capsys, *args, "--lang", "zh")
    doc = json.loads(en)
    chosen = doc["summary"]["model"]
    assert chosen in PURCHASE_MODELS if model == "auto" else chosen == model.replace("-", "_")
    assert ("models" in doc["tables"]) == (model == "auto")


def test_churn_abc_classes_on_exact_cents() -> None:
    # The case: 799,999,999.95 + 100,000,000.05 + 100,000,000.00 = 1,000,000,000.00.
    # A while the revenue before a customer is below 80 %: p (before 0) and q (before
    # 799,999,999.95 < 800,000,000.00) are A; r starts at 900,000,000.00 (90 % < 95 %): B.
    values = {"p": 799_999_999.95, "q": 100_000_000.05, "r": 100_000_000.00}
    lines = [(c, day, v) for c, v in values.items() for day in ("2024-01-10", "2024-04-10")]
    r = churn(frame([*lines, ("p", "2024-07-01", 1.0)]), p_alive_model=None)
    rows = r.rows.set_index("customer")
    assert rows["start_class"].to_dict() == {"p": "A", "q": "A", "r": "B"}
    assert rows["end_class"].to_dict() == {"p": "A", "q": "A", "r": "B"}
    assert r.summary["p_alive_status"] == "off" and "p_alive" not in r.rows


# a: purchase days 2024-01-10, 04-10, 07-01 (2 repeat); b: one day; c: 01-05 and 05-05 (1 repeat).
# As of 2024-07-02: 2024Q1 against 2024Q2; three customers, two with a repeat purchase.
FEW = [("a", "2024-01-10", 100), ("a", "2024-04-10", 50), ("a", "2024-07-01", 10),
       ("b", "2024-02-01", 30), ("c", "2024-01-05", 20), ("c", "2024-05-05", 25)]  # fmt: skip


def test_churn_says_why_p_alive_was_not_fitted() -> None:
    r = churn(frame(FEW))
    assert r.summary["p_alive_status"] == "not_fitted"
    assert r.summary["p_alive_reason"] == "too_few_customers"
    assert r.params["p_alive_fit"] == {
        "model": "BG/NBD", "customers": 3, "repeat_customers": 2, "min_customers": 10,
        "min_repeat_customers": 20,
    }  # fmt: skip
    assert r.params["p_alive_given"] is False and "p_alive" not in r.rows
    en = churn_words.notes(r, "en")[-1]
    assert en == (
        "P(alive) not used in the early warning: BG/NBD needs at least 10 customers and 20 with a "
        "repeat purchase before 2024-07-02; this data has 3 and 2."
    )
    assert "3 个和 2 个" in churn_words.notes(r, "zh")[-1]
    # the early warning itself went on by rhythm: a's last purchase 2024-07-01, gaps 91 and 82
    rows = r.rows.set_index("customer")
    assert rows.loc["a", "days_since_last"] == 1 and rows.loc["a", "median_gap"] == 86.5
    assert r.kinds["days_since_last"] == "days" and r.kinds["change"] == "money"


def test_churn_given_p_alive_is_used_as_given() -> None:
    r = churn(frame(FEW), p_alive=pd.Series({"a": 0.2, "c": 0.9}))
    assert r.summary["p_alive_status"] == "given" and r.params["p_alive_model"] is None
    rows = r.rows.set_index("customer")
    assert rows.loc["a", "p_alive"] == 0.2 and bool(rows.loc["a", "at_risk"])  # 0.2 < 0.5
    assert not churn_words.notes(r, "en")[-1].startswith("P(alive) not used")


def test_churn_p_alive_is_the_clv_p_alive() -> None:
    daily = load_daily(SAMPLES[0])
    r = churn(daily)
    expected = clv_package.p_alive_for(daily, r.summary["as_of"])
    assert expected is not None and r.summary["p_alive_status"] == "fitted"
    rows = r.rows.set_index("customer")
    np.testing.assert_array_equal(rows["p_alive"].to_numpy(), expected.reindex(rows.index).to_numpy())


def test_fit_errors_carry_a_code_and_their_figures() -> None:
    with pytest.raises(FitError) as err:
        clv_package.fit_bgnbd([0, 1, 2], [0, 1, 2], [3, 3, 3])
    assert err.value.code == "too_few_customers"
    assert err.value.figures["customers"] == 3 and err.value.figures["repeat_customers"] == 2
    # identical spend is a boundary of Gamma-Gamma, not an error (tests/test_clv_boundaries.py)
    assert clv_package.fit_gamma_gamma([1, 2, 3, 1, 2], [10.0] * 5).boundary == "identical_spend"


def test_every_purchase_model_fulfils_the_contract() -> None:
    names = ("fit", "p_alive", "expected_purchases", "expected_repeat_purchases", "purchases_if_alive",
             "estimates", "parameter_rows", "dropout_rule")  # fmt: skip
    for key, model in PURCHASE_MODELS.items():
        assert key == model.KEY and model.NAME
        assert all(callable(getattr(model, name)) for name in names), key


def test_needs_are_declared() -> None:
    assert Needs(keys=("customer", "date"), measures=(), figures=("orders",)) == CHURN_NEEDS
    assert Needs(keys=("customer", "date"), measures=("profit",)) == clv_package.NEEDS


def test_churn_handed_its_days_lets_them_go_and_fits_the_same() -> None:
    """`kamtool churn` hands the customer-days over in a list of one: the analysis takes them,
    fits P(alive) on its own coded purchase days, and gives the result of the frame itself."""
    daily = load_daily(SAMPLES[0])
    given = [daily.copy()]
    handed = churn(given)
    assert given == []
    whole = churn(daily)
    pd.testing.assert_frame_equal(handed.rows, whole.rows)
    pd.testing.assert_series_equal(pd.Series(handed.summary, dtype=object),
                                   pd.Series(whole.summary, dtype=object))
    assert handed.summary["p_alive_status"] == "fitted"


def test_purchase_days_of_cents_summarise_as_the_frame() -> None:
    """PurchaseDays.of_cents (coded days in cents, a day netting below zero left out) gives the
    summary of the same days as a frame."""
    from kamtool.analyses.clv.summary import PurchaseDays, customer_summary

    frame = pd.DataFrame({"customer": ["a", "a", "a", "b", "b", "c"],
                          "date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-01-05",
                                                  "2024-01-20", "2024-02-02"]),
                          "revenue": [10.0, -3.5, 7.25, 4.0, 0.0, -1.0]})
    days = (frame["date"] - pd.Timestamp("1970-01-01")).dt.days.to_numpy()
    cents = (frame["revenue"] * 100).round().astype("int64").to_numpy()
    coded = PurchaseDays.of_cents(np.array(["a", "b", "c"]), np.array([0, 0, 0, 1, 1, 2]), days, cents)
    assert coded.days.tolist() == days[[0, 2, 3, 4]].tolist()
    assert coded.has_purchase.tolist() == [True, True, False]
    end = pd.Timestamp("2024-03-31")
    pd.testing.assert_frame_equal(customer_summary(coded, calibration_end=end).frame,
                                  customer_summary(frame, calibration_end=end).frame, check_dtype=False)
