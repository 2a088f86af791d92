"""MBG/NBD's and Pareto/NBD's nests of limit models, fitted together, the best one kept.

A mixed "buy till you die" model has limits the likelihood can keep climbing towards:
when purchase rates (or drop-out) barely vary between customers, the Gamma (or Beta)
mixing distribution narrows to a point as both its parameters grow without bound, and
the maximum-likelihood answer is the limit model with one rate (or probability) for
everyone; when nobody seems to leave, the drop-out rate goes to 0. Each limit is a
model of its own with fewer parameters, so every model module lists its *regimes* (the
full model and its limits), ``fit_regimes`` fits them all and keeps the best
log-likelihood, the simpler model winning a tie (the limit's likelihood is the
supremum the full model approaches from below, so a tie means the full fit was
walking towards it).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Self

import numpy as np

from kamtool.analyses.clv.fit import (
    LOG_BOUND,
    RUNAWAY,
    FitError,
    FloatArray,
    Optimum,
    covariance,
    distinct,
    from_unconstrained,
    group_rows,
    jacobian,
    normal_draws,
    optimise,
    to_unconstrained,
)

# A limit model replaces a richer one when its log-likelihood is at least as high up to
# this relative rounding margin (the same rule as BG/NBD's homogeneous drop-out).
LIMIT_LL_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class ModelFit:
    """A maximum-likelihood fit of one purchase model; time in the summary's unit.

    ``params`` are the full model's parameters. At a boundary (``boundary`` names the
    limit reached, e.g. "homogeneous_dropout") the parameters that ran away are
    ``math.inf`` (or 0 when a mean went to 0) with NaN standard errors, and
    ``limit_params`` holds the limit model's own parameters, which every prediction
    uses. ``covariance`` is that of ``free`` (the parameters actually estimated) in
    their natural scale; ``scales`` says how each was optimised ("log" or "logit"), which
    is also the scale intervals draw in. NaN covariance: the Hessian was not negative
    definite.
    """

    params: dict[str, float]
    std_errors: dict[str, float]
    log_likelihood: float
    customers: int
    iterations: int = 0
    boundary: str | None = None
    limit_params: dict[str, float] | None = None
    covariance: FloatArray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    scales: tuple[str, ...] = ()
    # Customers the estimate was computed from when it was a seeded sample of ``customers``
    # (Pareto/NBD on large files); None: all of them.
    fitted_customers: int | None = None

    @property
    def form(self) -> str | None:
        """The boundary code: which model of the nest the predictions use."""
        return self.boundary

    @property
    def free(self) -> dict[str, float]:
        """The parameters of the model the predictions use: the limit's at a boundary."""
        return self.limit_params if self.limit_params is not None else self.params

    def with_free(self, values: Sequence[float] | FloatArray) -> Self:
        """The same fit with other values of ``free`` (for draws of the parameters)."""
        new = dict(zip(self.free, (float(v) for v in values), strict=True))
        if self.limit_params is not None:
            return dataclasses.replace(self, limit_params=new)
        return dataclasses.replace(self, params=new)


# The purchase process of a regime: Gamma-mixed rates, or one Poisson rate for everyone, and
# what that limit does to the full model's r and alpha.
PURCHASE_NAMES: dict[str, tuple[str, ...]] = {"gamma": ("r", "alpha"), "poisson": ("lambda",)}
POISSON_LIMIT: dict[str, float] = {"r": math.inf, "alpha": math.inf}


@dataclass(frozen=True)
class Nest:
    """A purchase model's six regimes, by boundary name: (purchase process, drop-out kind).

    The purchase process is "gamma" (r, alpha) or "poisson" (lambda); the drop-out kind is
    ``mixed`` (the full model's, heterogeneous: its first parameter the shape), ``homogeneous``
    (one for everyone: both mixing parameters → ∞) or "none" (the shape → 0, which makes
    every drop-out 0; the other says nothing any more). ``dropout_names`` are each kind's
    parameters, in the full model's order after the purchase parameters.
    """

    mixed: str
    homogeneous: str
    dropout_names: dict[str, tuple[str, ...]]

    @cached_property
    def kinds(self) -> dict[str | None, tuple[str, str]]:
        """(purchase process, drop-out kind) of each regime, the full model (None) first."""
        return {
            None: ("gamma", self.mixed),
            "homogeneous_dropout": ("gamma", self.homogeneous),
            "homogeneous_purchase": ("poisson", self.mixed),
            "homogeneous_purchase_and_dropout": ("poisson", self.homogeneous),
            "no_dropout": ("gamma", "none"),
            "homogeneous_purchase_no_dropout": ("poisson", "none"),
        }

    def names(self, boundary: str | None) -> tuple[str, ...]:
        """The parameters of the regime at ``boundary``."""
        purchase, dropout = self.kinds[boundary]
        return PURCHASE_NAMES[purchase] + self.dropout_names[dropout]

    def limit_values(self, boundary: str | None) -> dict[str, float]:
        """The full model's parameters the regime at ``boundary`` sends away, and where to."""
        purchase, dropout = self.kinds[boundary]
        values = dict(POISSON_LIMIT) if purchase == "poisson" else {}
        shape, scale = self.dropout_names[self.mixed]
        if dropout == self.homogeneous:
            values |= {shape: math.inf, scale: math.inf}
        elif dropout == "none":
            values[shape] = 0.0
        return values

    def sends(self, boundary: str | None) -> tuple[tuple[int, int], ...]:
        """The pairs of full-model positions that limit sends away ((0, 1): r and alpha)."""
        purchase, dropout = self.kinds[boundary]
        return (((0, 1),) if purchase == "poisson" else ()) + (((2, 3),) if dropout != self.mixed else ())

    def boundary_and_theta(
        self, params: dict[str, float] | ModelFit, model: str
    ) -> tuple[str | None, FloatArray]:
        """The regime and its parameter vector of a fit, or of a dict of one regime's parameters."""
        if isinstance(params, ModelFit):
            return params.boundary, np.array(list(params.free.values()), dtype=np.float64)
        keys = set(params)
        for boundary in self.kinds:
            names = self.names(boundary)
            if keys == set(names):
                return boundary, np.array([params[k] for k in names], dtype=np.float64)
        raise ValueError(f"{model} parameters must be one of the regimes' sets, not {sorted(keys)}")


@dataclass
class Rows:
    """The distinct (x, t_x, T) of a summary and how many customers share each (``w``)."""

    x: FloatArray
    tx: FloatArray
    T: FloatArray
    w: FloatArray

    @cached_property
    def by_x(self) -> tuple[FloatArray, Any]:
        """The distinct x and each row's position among them: a term of x alone is computed
        once per distinct x (a few hundred) and taken per row (154k rows on the 10M-line
        benchmark), the same value to the last bit as computed per row."""
        return distinct(self.x)


def distinct_rows(x: FloatArray, tx: FloatArray, t_cal: FloatArray) -> tuple[Rows, Any]:
    """The likelihood's rows, and each customer's row number."""
    (gx, gtx, gt), inverse, counts = group_rows(x, tx, t_cal)
    return Rows(gx, gtx, gt, counts), inverse


Total = Callable[[FloatArray], tuple[float, FloatArray]]


@dataclass(frozen=True)
class Regime:
    """One model of the nest: the full model (boundary None) or a named limit.

    ``total`` gives the summed log-likelihood and its gradient in the natural
    parameters; ``start`` a starting point, given the full model's estimate if any.
    """

    boundary: str | None
    names: tuple[str, ...]
    scales: tuple[str, ...]
    total: Total
    start: Callable[[FloatArray | None], FloatArray]
    # The full model's parameters this limit sends away: inf, or 0 for a mean gone to 0.
    limit_values: dict[str, float] = field(default_factory=dict)
    # Positions of those parameters in the full model, as pairs ((0, 1): r and alpha).
    sends: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class RegimeFit:
    regime: Regime
    theta: FloatArray
    log_likelihood: float
    covariance: FloatArray
    iterations: int


def _scaled_nll(
    total: Total, scales: tuple[str, ...], n: int
) -> Callable[[FloatArray], tuple[float, FloatArray]]:
    """Mean negative log-likelihood over unconstrained parameters, with its gradient."""

    def nll(z: FloatArray) -> tuple[float, FloatArray]:
        theta = from_unconstrained(z, scales)
        value, grad = total(theta)
        if not (np.isfinite(value) and np.isfinite(grad).all()):
            return 1e300, np.zeros_like(z)
        return -value / n, -(grad * jacobian(theta, scales)) / n

    return nll


def _gradient_of(total: Total) -> Callable[[FloatArray], FloatArray]:
    return lambda theta: total(theta)[1]


def _remembered(total: Total) -> Total:
    """``total`` answering a point it was asked before from memory: the optimiser's restart
    and its flatness check, the log-likelihood at the optimum and the chosen regime's
    covariance ask again for points already evaluated (20 of Pareto/NBD's 155 likelihoods
    on the 1M-line benchmark). The same numbers, to the last bit: only the repeats go."""
    memory: dict[bytes, tuple[float, FloatArray]] = {}

    def remembered(theta: FloatArray) -> tuple[float, FloatArray]:
        key = np.asarray(theta, dtype=np.float64).tobytes()
        if key not in memory:
            if len(memory) >= 32:
                memory.pop(next(iter(memory)))
            memory[key] = total(theta)
        value, grad = memory[key]
        return value, np.array(grad, dtype=np.float64)

    return remembered


def _usable(opt: Optimum) -> bool:
    return opt.converged and not opt.at_bound


def _without_walked_full(fits: list[tuple[Regime, Optimum, float]], full: Regime
                         ) -> list[tuple[Regime, Optimum, float]]:
    """The fits without the full model's when it walked off towards a limit that was fitted.

    A full optimum with a pair of parameters past ±RUNAWAY in log (MBG/NBD's a and b near
    1e6) is that limit in all but rounding: the limit's likelihood is the supremum the full
    model climbs towards, and the two differ by what each optimiser stopped short of its
    maximum (1e-9 of the log-likelihood on 1,000 simulated customers), which decided between
    them on one machine and not on another.  The limit (every pair it sends away among those
    the full fit sent) is the answer then, as on a tie.
    """
    mine = [f for f in fits if f[0] is full]
    if not mine:
        return fits
    z = np.abs(mine[0][1].log_params)
    limits = [f for f in fits if f[0] is not full and f[0].sends]
    walked = {pair for f in limits for pair in f[0].sends if max(z[pair[0]], z[pair[1]]) > RUNAWAY}
    if any(set(f[0].sends) <= walked for f in limits):
        return [f for f in fits if f[0] is not full]
    return fits


def fit_regimes(regimes: Sequence[Regime], customers: int, model: str, advice: str) -> RegimeFit:
    """Fit every regime, keep the best log-likelihood (the simpler on a tie).

    The first regime is the full model; its estimate seeds the others' starts. A regime
    whose optimum is not flat or lies on the edge of the parameter box is no candidate
    (that edge is another regime's territory). FitError "unidentified" when none is left.

    A limit is fitted only when the full model's fit does not pin down a pair of
    parameters it sends away: when the full optimum is a flat, interior maximum with both
    parameters of the pair inside ±RUNAWAY in log (r = 0.9, α = 4 are no ridge towards
    one purchase rate), the likelihood does not rise towards that limit and its fit is
    skipped. On CDNOW every limit is skipped; on the 1M-line benchmark this halves the
    Pareto/NBD fit.
    """
    fits: list[tuple[Regime, Optimum, float]] = []
    full_theta: FloatArray | None = None
    iterations = 0
    pinned: set[tuple[int, int]] = set()
    totals = {id(regime): _remembered(regime.total) for regime in regimes}
    for k, regime in enumerate(regimes):
        if k > 0 and pinned & set(regime.sends):
            continue
        total = totals[id(regime)]
        start = regime.start(full_theta)
        z0 = np.clip(to_unconstrained(start, regime.scales), -LOG_BOUND + 1, LOG_BOUND - 1)
        opt = optimise(_scaled_nll(total, regime.scales, customers), z0)
        iterations += opt.iterations
        theta = from_unconstrained(opt.log_params, regime.scales)
        if k == 0 and not opt.at_bound:
            full_theta = theta
            if opt.converged and np.isfinite(covariance(_gradient_of(total), theta)).all():
                z = opt.log_params
                pairs = {pair for r in regimes for pair in r.sends}
                pinned = {pair for pair in pairs if max(abs(z[pair[0]]), abs(z[pair[1]])) <= RUNAWAY}
        with np.errstate(all="ignore"):
            ll = float(total(theta)[0])
        if _usable(opt) and np.isfinite(ll):
            fits.append((regime, opt, ll))
    fits = _without_walked_full(fits, regimes[0])
    if not fits:
        raise FitError.said_with(
            "error.regimes.no_maximum", {"model": model, "advice": advice},
            "unidentified",
            model=model,
        )
    best = max(ll for _, _, ll in fits)
    ties = [f for f in fits if f[2] >= best - LIMIT_LL_TOLERANCE * abs(best)]
    regime, opt, ll = min(ties, key=lambda f: (len(f[0].names), -f[2]))
    theta = from_unconstrained(opt.log_params, regime.scales)
    cov = covariance(_gradient_of(totals[id(regime)]), theta)
    return RegimeFit(regime, theta, ll, cov, iterations)


def fit_result(cls: type[Any], rf: RegimeFit, full_names: tuple[str, ...], customers: int) -> Any:
    """The ModelFit subclass ``cls`` for the chosen regime (NaN for what a limit leaves unsaid)."""
    names, theta = rf.regime.names, rf.theta
    se = np.sqrt(np.diag(rf.covariance))
    free = {k: float(v) for k, v in zip(names, theta, strict=True)}
    free_se = {k: float(v) for k, v in zip(names, se, strict=True)}
    if rf.regime.boundary is None:
        params, limit, std = free, None, free_se
    else:
        params = {k: free.get(k, rf.regime.limit_values.get(k, math.nan)) for k in full_names}
        std = {k: free_se.get(k, math.nan) for k in full_names} | free_se
        limit = free
    return cls(
        params=params,
        std_errors=std,
        log_likelihood=rf.log_likelihood,
        customers=customers,
        iterations=rf.iterations,
        boundary=rf.regime.boundary,
        limit_params=limit,
        covariance=rf.covariance,
        scales=rf.regime.scales,
    )


def dropout_rule(fit: ModelFit, kinds: dict[Any, tuple[str, str]], rules: dict[str, str],
                 **values: float) -> str:
    """The drop-out rule of the kind ``fit``'s regime has (``kinds``: boundary -> (purchase
    kind, drop-out kind)), worded by ``rules`` with the fitted ``values`` filled in."""
    _, dropout = kinds[fit.boundary]
    return rules[dropout].format(**values)


def mean_rate(fit: ModelFit) -> float:
    """Mean purchase rate while alive: r/α, or λ with one rate."""
    free = fit.free
    return free["lambda"] if "lambda" in free else free["r"] / free["alpha"]


def estimates(fit: ModelFit, full_names: tuple[str, ...], key: str, **means: float) -> dict[str, Any]:
    """The full model's parameters (NaN where a limit has none), the model's ``means`` (its
    mean drop-out, its mean purchase rate) and ``{key}_boundary``, the boundary code."""
    return {**{k: shown(fit.params[k]) for k in full_names}, **means, f"{key}_boundary": fit.boundary}


def free_parameters(fit: ModelFit) -> dict[str, float]:
    """The parameters the predictions use: the full model's, or the limit's."""
    return dict(fit.free)


def parameter_draws(fit: ModelFit, draws: int, seed: int) -> list[Any]:
    """Fits with ``free`` drawn from the estimate's asymptotic normal in the optimiser's
    scale (see :func:`kamtool.analyses.clv.fit.normal_draws`); empty without a covariance."""
    theta = np.array(list(fit.free.values()), dtype=np.float64)
    return [fit.with_free(row) for row in normal_draws(theta, fit.scales, fit.covariance, draws, seed)]


def shown(value: float) -> float:
    """A parameter as the summary shows it: NaN, not infinity, where a limit sent it away."""
    return value if math.isfinite(value) else math.nan


def parameter_rows(fit: ModelFit) -> list[tuple[str, float, float]]:
    """(parameter, estimate, std_error) rows of the parameters table: the full model's
    parameters (``fit.params``, NaN where a limit has none), then the limit's own (p,
    lambda, mu) at a boundary."""
    rows = [(k, shown(v), fit.std_errors.get(k, math.nan)) for k, v in fit.params.items()]
    extra = [k for k in fit.free if k not in fit.params]
    return rows + [(k, fit.free[k], fit.std_errors.get(k, math.nan)) for k in extra]
