"""The purchase models the CLV assembly can use, and the contract each one fulfils.

A purchase model is a module (``bgnbd.py`` …) with the functions of :class:`PurchaseModel`;
adding one is a new module and a line in :data:`PURCHASE_MODELS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from kamtool.analyses.clv import bgnbd, mbgnbd, pareto_nbd
from kamtool.analyses.clv.fit import FloatArray


class PurchaseModel(Protocol):
    """What the assembly calls on a purchase model module; time is in the summary's unit.

    ``x`` (frequency), ``t_x`` (recency), ``T`` are one value per customer.
    """

    NAME: str  # as printed: "BG/NBD"
    KEY: str  # prefix of its summary keys and the --model value: "bgnbd"
    PARAMETERS: tuple[str, ...]  # the full model's parameters: ("r", "alpha", "a", "b")

    def fit(
        self,
        frequency: Any,
        recency: Any,
        T: Any,
        *,
        min_customers: int = ...,
        min_repeat_customers: int = ...,
    ) -> Any:
        """Maximum likelihood; the fit has params, std_errors, log_likelihood, customers.
        Raises FitError with a reason code when it cannot fit."""

    def p_alive(self, fit: Any, frequency: Any, recency: Any, T: Any) -> FloatArray: ...

    def expected_purchases(self, fit: Any, t: float, frequency: Any, recency: Any, T: Any) -> FloatArray: ...

    def expected_repeat_purchases(self, fit: Any, t: float) -> float: ...

    def purchases_if_alive(
        self, fit: Any, frequency: Any, recency: Any, T: Any
    ) -> Callable[[float], FloatArray]:
        """t -> expected purchases in (T, T + t] given alive at T (expected_purchases / p_alive)."""

    def estimates(self, fit: Any) -> dict[str, Any]:
        """Figures for the result's summary (finite numbers or NaN, and codes)."""

    def parameter_rows(self, fit: Any) -> list[tuple[str, float, float]]:
        """(parameter, estimate, std_error) rows of the parameters table."""

    def dropout_rule(self, fit: Any) -> str:
        """The definition of drop-out the predictions use, for the result's params."""

    def free_parameters(self, fit: Any) -> dict[str, float]:
        """The parameters the predictions use: the full model's, or a limit's (fewer)."""

    def count_probabilities(self, fit: Any, t: Any, counts: int) -> FloatArray:
        """P(X(t) = k) for k < counts, one row per t: repeat purchases in the first t units."""

    def parameter_draws(self, fit: Any, draws: int, seed: int) -> list[Any]:
        """Fits with parameters drawn from the estimate's asymptotic normal (for intervals);
        empty when the covariance is unknown."""


PURCHASE_MODELS: dict[str, PurchaseModel] = {m.KEY: m for m in (bgnbd, mbgnbd, pareto_nbd)}
