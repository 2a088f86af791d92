"""The purchase models the CLV assembly can use, and the contract each one fulfils.

A purchase model is a module (``bgnbd.py`` …) with the functions of :class:`PurchaseModel`;
adding one is a new module and a line in :data:`PURCHASE_MODELS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from kamtool.analyses.clv import bgnbd
from kamtool.analyses.clv.fit import FloatArray


class PurchaseModel(Protocol):
    """What the assembly calls on a purchase model module; time is in the summary's unit.

    ``x`` (frequency), ``t_x`` (recency), ``T`` are one value per customer.
    """

    NAME: str  # as printed: "BG/NBD"
    KEY: str  # prefix of its summary keys: "bgnbd"

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


PURCHASE_MODELS: dict[str, PurchaseModel] = {"bgnbd": bgnbd}
