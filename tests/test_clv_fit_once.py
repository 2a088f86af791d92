"""One purchase-model fit serves tiers and clv, and the fits' shortcuts change no figure.

Each shortcut is checked against the long way, to the last bit: Pareto/NBD's quadrature in
blocks of rows against one block, a fit that remembers the likelihoods it evaluated against
one that asks again, clv valued with a prior fit against a new fit. And the reuse itself:
a prior fit serves only a summary with the same figures, and ``kamtool report`` fits once
where it fitted twice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kamtool.analyses import clv as m
from kamtool.analyses.clv import assembly, pareto_nbd, regimes
from kamtool.analyses.clv.regimes import distinct_rows
from kamtool.cli.commands.tiers import expected_values, valued_with_fit
from kamtool.render.records import result_document
from tests.conftest import load_daily, run_kamtool

SAMPLE = Path(__file__).parents[1] / "sample_data" / "orders.csv"


@pytest.fixture(scope="module")
def daily() -> pd.DataFrame:
    return load_daily(SAMPLE)


@pytest.fixture(scope="module")
def sample_rows(daily: pd.DataFrame) -> regimes.Rows:
    f = m.customer_summary(daily).frame
    rows, _ = distinct_rows(f["frequency"].to_numpy(np.float64), f["recency"].to_numpy(), f["T"].to_numpy())
    return rows


@pytest.mark.parametrize("boundary", list(pareto_nbd._NEST.kinds))
def test_pareto_quadrature_in_blocks_of_rows_is_the_one_block_answer_to_the_bit(
    sample_rows: regimes.Rows, boundary: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(3)
    names = pareto_nbd.regime_names(boundary)
    thetas = [np.exp(rng.normal(0.0, 1.5, len(names))) for _ in range(3)]
    monkeypatch.setattr(pareto_nbd, "_CHUNK_ROWS", 10**9)
    whole = [pareto_nbd._terms(theta, boundary, sample_rows, gradient=True) for theta in thetas]
    assert len(sample_rows.w) > 2 * 7
    monkeypatch.setattr(pareto_nbd, "_CHUNK_ROWS", 7)  # blocks of 7 rows, the last one shorter
    for theta, one in zip(thetas, whole, strict=True):
        blocked = pareto_nbd._terms(theta, boundary, sample_rows, gradient=True)
        assert np.array_equal(blocked.ll, one.ll) and np.array_equal(blocked.a1, one.a1)
        assert blocked.gradient is not None and one.gradient is not None
        assert np.array_equal(blocked.gradient, one.gradient)
        assert np.isfinite(one.ll).all()


def test_a_remembered_likelihood_is_evaluated_once_a_point_and_answers_the_same() -> None:
    calls: list[float] = []

    def total(theta: np.ndarray) -> tuple[float, np.ndarray]:
        calls.append(float(theta[0]))
        return float(-((theta - 2.0) ** 2).sum()), -2.0 * (theta - 2.0)

    remembered = regimes._remembered(total)
    first = remembered(np.array([1.0, 3.0]))
    first[1][0] = 99.0  # a caller changing its gradient changes nothing remembered
    again = remembered(np.array([1.0, 3.0]))
    assert again[0] == -2.0 and again[1].tolist() == [2.0, -2.0]
    remembered(np.array([1.5, 3.0]))
    assert calls == [1.0, 1.5]


def test_a_pareto_fit_evaluates_no_point_twice_and_keeps_its_estimate(
    daily: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = m.customer_summary(daily).frame
    x, tx, t = f["frequency"], f["recency"], f["T"]
    forgetful = pareto_nbd.fit(x, tx, t)  # as fitted below, but every point asked is evaluated
    seen: list[bytes] = []
    original = pareto_nbd._total

    def counted(theta: np.ndarray, boundary: str | None, d: regimes.Rows) -> tuple[float, np.ndarray]:
        seen.append(np.asarray(theta).tobytes() + str(boundary).encode())
        return original(theta, boundary, d)

    monkeypatch.setattr(pareto_nbd, "_total", counted)
    again = pareto_nbd.fit(x, tx, t)
    assert len(seen) == len(set(seen)) > 10
    assert again.params == forgetful.params and again.std_errors == forgetful.std_errors
    assert again.log_likelihood == forgetful.log_likelihood and again.boundary == forgetful.boundary


def _json(result: Any) -> str:
    return json.dumps(result_document(result), sort_keys=True, default=str)


def test_clv_with_a_prior_fit_is_clv_fitted_anew(daily: pd.DataFrame) -> None:
    prior = m.fit_models(daily)
    fresh = m.clv(daily, margin=0.3)
    reused = m.clv(daily, margin=0.3, prior=prior)
    assert _json(reused) == _json(fresh)
    # The prior's models themselves, not a new fit of the same figures.
    again = m.fit_models(daily, prior=prior)
    assert again.purchase_fit is prior.purchase_fit and again.gg is prior.gg
    values = m.customer_values(prior, margin=0.3)
    pd.testing.assert_frame_equal(values, fresh.rows)


def test_a_prior_fit_serves_only_the_same_figures(daily: pd.DataFrame) -> None:
    prior = m.fit_models(daily)
    last = daily["date"].max()
    # One day earlier: other T for everyone, so a new fit.
    earlier = m.fit_models(daily, calibration_end=last - pd.Timedelta(days=1), prior=prior)
    assert earlier.purchase_fit is not prior.purchase_fit
    # The busiest customer's last day a cent dearer: same purchase days, other monetary.
    busiest = daily["customer"].value_counts().index[0]
    changed = daily.copy()
    changed.loc[changed.index[changed["customer"] == busiest][-1], "revenue"] += 0.01
    assert m.fit_models(changed, prior=prior).purchase_fit is not prior.purchase_fit
    # Another model asked for, or other minimums: a new fit.
    assert m.fit_models(daily, model="bgnbd", prior=prior).purchase_fit is not prior.purchase_fit
    assert m.fit_models(daily, min_customers=11, prior=prior).purchase_fit is not prior.purchase_fit
    # Customers renamed: the figures are the same, and so is the fit.
    renamed = daily.assign(customer="x" + daily["customer"].astype(str))
    assert m.fit_models(renamed, prior=prior).purchase_fit is prior.purchase_fit


def test_tiers_values_are_those_of_its_own_fit_and_of_a_shared_one(daily: pd.DataFrame) -> None:
    as_of = int(daily["date"].max().to_numpy().astype("datetime64[D]").astype(np.int64)) + 1
    alone, params = expected_values(daily, as_of)
    clv_models = m.fit_models(daily, calibration_end=pd.Timestamp(np.datetime64(as_of - 1, "D")))
    shared, shared_params, models = valued_with_fit(daily, as_of, prior=clv_models)
    assert alone is not None and shared is not None and models is not None
    assert models.purchase_fit is clv_models.purchase_fit
    pd.testing.assert_frame_equal(shared, alone)
    assert shared_params == params == {"clv_fit": "fitted", "clv_horizon_weeks": 52, "clv_margin": 1.0}
    # The expected value is clv's at margin 1 over 52 weeks: by hand from its rows.
    rows = m.clv(daily, margin=1.0, horizon=52).rows
    assert alone["expected_value"].tolist() == rows["clv"].tolist()


def test_report_fits_the_purchase_models_once_for_tiers_and_clv(monkeypatch: pytest.MonkeyPatch) -> None:
    fits: list[int] = []
    original = assembly._purchase_fit

    def counted(*args: Any, **kwargs: Any) -> Any:
        fits.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(assembly, "_purchase_fit", counted)
    run = run_kamtool(["report", str(SAMPLE), "--format", "json"])
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    assert len(fits) == 1
    tiers_alone = json.loads(run_kamtool(["tiers", str(SAMPLE), "--format", "json"]).stdout)
    clv_alone = json.loads(run_kamtool(["clv", str(SAMPLE), "--format", "json"]).stdout)
    assert len(fits) == 3  # each command alone fits for itself
    sheets = doc["analyses"]
    assert sheets["tiers"]["rows"] == tiers_alone["rows"]
    assert sheets["clv"]["summary"] == clv_alone["summary"] and sheets["clv"]["rows"] == clv_alone["rows"]


def test_the_optimiser_runs_on_one_blas_thread_and_gives_the_count_back() -> None:
    from kamtool.analyses.clv import blas

    controls = blas._openblas_controls()
    assert controls  # the numpy and scipy wheels bring their OpenBLAS
    before = [get() for get, _put in controls]
    with blas.one_thread():
        with blas.one_thread():  # a second fit side by side shares the period
            assert [get() for get, _put in controls] == [1] * len(controls)
        assert [get() for get, _put in controls] == [1] * len(controls)
    assert [get() for get, _put in controls] == before
