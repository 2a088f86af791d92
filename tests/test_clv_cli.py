"""`kamtool clv --model … --interval …` through the CLI, and the diagnostics tables by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from kamtool.analyses.clv import diagnostics
from kamtool.render.words import clv as words
from tests.conftest import load_daily, run_kamtool

ROOT = Path(__file__).resolve().parent.parent
ORDERS = str(ROOT / "sample_data" / "orders.csv")
HOLDOUT = ["--calibration-end", "2025-03-31", "--holdout-end", "2025-09-30"]


def clv_json(*args: str) -> dict[str, Any]:
    run = run_kamtool(["clv", ORDERS, "--format", "json", *args])
    assert run.code == 0, run.stderr
    doc: dict[str, Any] = json.loads(run.stdout)
    return doc


@pytest.fixture(scope="module")
def auto_holdout() -> dict[str, Any]:
    return clv_json(*HOLDOUT)


def test_auto_with_a_holdout_keeps_the_smallest_holdout_error(auto_holdout: dict[str, Any]) -> None:
    doc = auto_holdout
    models = pd.DataFrame(doc["tables"]["models"]).set_index("model")
    assert list(models.index) == ["bgnbd", "mbgnbd", "pareto_nbd"]
    assert list(models["name"]) == ["BG/NBD", "MBG/NBD", "Pareto/NBD"]
    assert doc["summary"]["model_criterion"] == "holdout"
    assert doc["params"]["model"] == doc["summary"]["model"]
    # every model fitted on the calibration period and checked on the same holdout purchases
    actual = sum(row["holdout_actual"] for row in doc["rows"])
    assert (models["holdout_actual"] == actual).all()
    np.testing.assert_allclose(models["error"], models["holdout_predicted"] - actual, rtol=1e-12)
    assert doc["summary"]["model"] == models["abs_error"].idxmin()
    assert models["chosen"].sum() == 1 and models.loc[doc["summary"]["model"], "chosen"]
    # the chosen model's holdout prediction is the one in the rows and the summary
    chosen = models.loc[doc["summary"]["model"]]
    assert doc["summary"]["holdout_predicted"] == pytest.approx(chosen["holdout_predicted"], rel=1e-12)


def test_auto_without_a_holdout_keeps_the_best_likelihood() -> None:
    doc = clv_json()
    models = pd.DataFrame(doc["tables"]["models"]).set_index("model")
    assert doc["summary"]["model_criterion"] == "log_likelihood"
    assert (models["nominal_parameters"] == 4).all() and "holdout_predicted" not in models
    assert doc["summary"]["model"] == models["log_likelihood"].idxmax()
    key = doc["summary"]["model"]
    assert doc["summary"][f"{key}_log_likelihood"] == models.loc[key, "log_likelihood"]


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd", "pareto-nbd"])
def test_each_model_with_an_interval(model: str) -> None:
    doc = clv_json("--model", model, "--interval", "0.9", *HOLDOUT)
    key = model.replace("-", "_")
    s = doc["summary"]
    assert s["model"] == key and s["model_criterion"] == "given" and s["interval"] == 0.9
    assert "models" not in doc["tables"]
    assert {"parameters", "clv_deciles", "holdout", "tracking", "p_alive_matrix"} <= set(doc["tables"])
    rows = pd.DataFrame(doc["rows"])
    for name in ("expected_purchases", "clv"):
        low, point, high = rows[f"{name}_low"], rows[name], rows[f"{name}_high"]
        # money is rounded to the cent in JSON: allow a cent
        slack = 0.01 if name == "clv" else 1e-9
        assert (low <= point + slack).all() and (point <= high + slack).all(), name
        assert (high - low > 0).mean() > 0.9
    # the parameters table names the model the predictions used
    parameters = pd.DataFrame(doc["tables"]["parameters"])
    names = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "pareto_nbd": "Pareto/NBD"}
    assert set(parameters["model"]) == {names[key], "Gamma-Gamma"}
    # one-time buyers: alive by assumption under BG/NBD only
    once = rows[rows["frequency"] == 0]
    assert len(once) > 0
    if key == "bgnbd":
        assert (once["p_alive"] == 1).all() and s["one_time_alive"] == len(once)
    else:
        assert (once["p_alive"] < 1).all() and s["one_time_alive"] == 0


def test_bad_interval_and_model_are_usage_errors() -> None:
    run = run_kamtool(["clv", ORDERS, "--interval", "90"])
    assert run.code == 2 and "--interval" in run.stderr and "Traceback" not in run.stderr
    run = run_kamtool(["clv", ORDERS, "--model", "gamma"])
    assert run.code == 2 and "Traceback" not in run.stderr


def test_headline_names_the_model_and_why() -> None:
    from kamtool.analyses.clv import clv

    daily = load_daily(ORDERS)
    given = clv(daily, model="bgnbd")
    en = " ".join(words.headline(given, "en"))
    assert "BG/NBD (chosen with --model)" in en and "counts as alive by assumption" in en
    zh = " ".join(words.headline(given, "zh"))
    assert "由 --model 指定" in zh and "按其假设视为存活" in zh
    auto = clv(daily, model="auto", calibration_end="2025-03-31", holdout_end="2025-09-30")
    en = " ".join(words.headline(auto, "en"))
    assert "the smallest error in total holdout repeat purchases" in en
    pareto = clv(daily, model="pareto_nbd", interval=0.9)
    en_notes = " ".join(words.notes(pareto, "en"))
    assert "lets a one-time buyer drop out too" in " ".join(words.headline(pareto, "en"))
    assert "hold the spend per purchase at its Gamma-Gamma estimate" in en_notes
    assert "Gamma-Gamma 估计值" in " ".join(words.notes(pareto, "zh"))


def test_workbook_has_the_models_and_diagnostics_sheets(tmp_path: Path) -> None:
    out = tmp_path / "clv.xlsx"
    run = run_kamtool(["clv", ORDERS, *HOLDOUT, "--interval", "0.9", "-o", str(out)])
    assert run.code == 0, run.stderr
    book = load_workbook(out, read_only=True)
    titles = " | ".join(book.sheetnames)
    for title in ("Purchase models compared", "Tracking", "P(alive) by repeat"):
        assert title[:20] in titles, titles


# ------------------------------------------------------------------------ diagnostics by hand


class _Linear:
    """A stand-in purchase model whose E[X(t)] is 2·t (t in the model's unit)."""

    def expected_repeat_purchases(self, fit: Any, t: float) -> float:
        return 2.0 * t


def test_tracking_by_hand() -> None:
    # two customers first buy on day 0, one on day 7; repeat purchases on days 3, 10, 14;
    # weeks of 7 days, calibration to day 13, holdout to day 20. Period ends 7, 13, 20:
    # expected at 7: 2 × 2·7/7 = 4; at 13: 2 × 2·13/7 + 2·6/7 = 64/7; at 20: 2 × 40/7 + 26/7.
    table = diagnostics.tracking(
        _Linear(),  # type: ignore[arg-type]
        None,
        np.array([0, 0, 7]),
        np.array([3, 10, 14]),
        calibration_end=13,
        end=20,
        unit_days=7.0,
        period_days=7,
    )
    assert [d.day for d in table["period_end"]] == [8, 14, 21]  # 1970-01-08 is day 7
    assert list(table["phase"]) == ["calibration", "calibration", "holdout"]
    assert list(table["actual_cumulative"]) == [1, 2, 3] and list(table["actual"]) == [1, 1, 1]
    np.testing.assert_allclose(table["expected_cumulative"], [4, 64 / 7, 106 / 7], rtol=1e-12)
    np.testing.assert_allclose(table["expected"], [4, 64 / 7 - 4, 42 / 7], rtol=1e-12)


def test_p_alive_matrix_by_hand() -> None:
    # T = 8 for everyone: bins of 1; recency 0, 0 -> bin 1, 4 -> bin 5, 8 -> the last bin.
    table = diagnostics.p_alive_matrix(
        np.array([0.0, 0.0, 1.0, 12.0]),
        np.array([0.0, 0.0, 4.0, 8.0]),
        np.array([8.0, 8.0, 8.0, 8.0]),
        np.array([1.0, 0.5, 0.2, 0.9]),
    )
    assert list(table["frequency"]) == ["0", "1", "10+"]
    assert list(table.columns) == ["frequency", *[f"recency_{k}" for k in range(1, 9)]]
    assert table["recency_1"].iloc[0] == 0.75 and table["recency_5"].iloc[1] == 0.2
    assert table["recency_8"].iloc[2] == 0.9
    assert int(table.drop(columns="frequency").notna().to_numpy().sum()) == 3
    assert math.isnan(table["recency_2"].iloc[0])
