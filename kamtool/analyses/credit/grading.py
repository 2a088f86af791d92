"""The grade A–D and the suggested credit limit, decided on exact whole numbers.

Averages are ratios of cent-days to cents, compared without division (``beyond ≤ 15 ×
weight``) and the limit is computed in fractions of a cent and rounded once, half up, so
a boundary is never decided by a float. :func:`grade` and :func:`suggested_limit` decide
one customer; :func:`grades` and :func:`suggested_limits` are the same rules on arrays of
customers (Python integers in object arrays where a product may pass int64).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from kamtool.errors import UsageError
from kamtool.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
else:  # the package imports this module before the load (kamtool.lazy)
    np = lazy_module("numpy")

GRADES = ("A", "B", "C", "D")
DEFAULT_FACTORS: dict[str, float] = {"A": 1.2, "B": 1.0, "C": 0.7, "D": 0.0}
NO_PAYMENT_GRADE = "B"  # no cash applied yet: no evidence either way, the neutral factor


@dataclass(frozen=True)
class GradeRule:
    """A: nothing more than ``a_past_due`` days past due and paying within terms on average
    (the amount-weighted days paid after the due day, early payments counting negative, is
    at most 0); B: average days beyond terms ≤ ``b_beyond``; C: ≤ ``c_beyond``; D otherwise,
    or anything more than ``d_past_due`` days past due (checked first)."""

    a_past_due: int = 60
    b_beyond: int = 15
    c_beyond: int = 45
    d_past_due: int = 90

    def as_params(self) -> dict[str, int]:
        return {"a_past_due": self.a_past_due, "b_beyond": self.b_beyond,
                "c_beyond": self.c_beyond, "d_past_due": self.d_past_due}


def check_factors(factors: Mapping[str, float] | None) -> dict[str, float]:
    out = dict(DEFAULT_FACTORS)
    for grade, value in (factors or {}).items():
        key = str(grade).strip().upper()
        if key not in GRADES:
            raise UsageError.said("error.grading.grade_factors_not_grade", grade=grade)
        number = float(value)
        if not math.isfinite(number) or number < 0:
            raise UsageError.said("error.grading.grade_factors_factor_must", key=key, value=value)
        out[key] = number
    return out


def grade(worst_past_due: int | None, weight: int, beyond: int, late: int, rule: GradeRule) -> str:
    """The grade of one customer.

    worst_past_due: days past due of its oldest open invoice (None: nothing open);
    weight: cents of cash applied; beyond, late: their cent-days beyond terms (≥ 0) and
    paid after due (signed).
    """
    if worst_past_due is not None and worst_past_due > rule.d_past_due:
        return "D"
    if weight <= 0:
        return NO_PAYMENT_GRADE
    if (worst_past_due is None or worst_past_due <= rule.a_past_due) and late <= 0:
        return "A"
    if beyond <= rule.b_beyond * weight:
        return "B"
    if beyond <= rule.c_beyond * weight:
        return "C"
    return "D"


@functools.lru_cache(maxsize=64)
def _decimal(value: float) -> tuple[int, int]:
    """A factor read as the decimal it is written as (0.7 is exactly 7/10), as n / d."""
    return Fraction(str(float(value))).as_integer_ratio()


def suggested_limit(sales_cents: int, months: int, terms: int, weight: int, beyond: int,
                    factor: float, cap: float, highest_cents: int) -> int:
    """Suggested credit limit in cents.

    average monthly net sales (``sales_cents`` ÷ ``months``) × (terms + max(average days
    beyond terms, 0)) ÷ 30 × factor, at most ``cap`` × the highest balance and at least 0;
    rounded half up to the cent once, at the end. Computed as one exact fraction of whole
    numbers (numerator / denominator), so no step rounds.
    """
    fn, fd = _decimal(factor)
    cn, cd = _decimal(cap)
    w, b = (int(weight), max(int(beyond), 0)) if weight > 0 else (1, 0)
    # sales / months × (terms + b / w) / 30 × fn / fd
    num = int(sales_cents) * (int(terms) * w + b) * fn
    den = int(months) * w * 30 * fd
    ceiling = cn * max(int(highest_cents), 0)
    if num * cd > ceiling * den:
        num, den = ceiling, cd
    if num <= 0:
        return 0
    return (2 * num + den) // (2 * den)


def grades(worst_past_due: Any, has_open: Any, weight: Any, beyond: Any, late: Any, rule: GradeRule) -> Any:
    """:func:`grade` for arrays of customers (``worst_past_due`` read only where ``has_open``)."""
    worst = np.asarray(worst_past_due, dtype=np.int64)
    has_open = np.asarray(has_open, dtype=bool)
    weight = np.asarray(weight, dtype=np.int64).astype(object)
    beyond = np.asarray(beyond, dtype=np.int64).astype(object)
    late = np.asarray(late, dtype=np.int64)
    over_d = has_open & (worst > rule.d_past_due)
    a = (~has_open | (worst <= rule.a_past_due)) & (late <= 0)
    b = (beyond <= weight * rule.b_beyond).astype(bool)
    c = (beyond <= weight * rule.c_beyond).astype(bool)
    unpaid = (weight <= 0).astype(bool)
    return np.select([over_d, unpaid, a, b, c], ["D", NO_PAYMENT_GRADE, "A", "B", "C"], "D").astype(object)


def suggested_limits(sales_cents: Any, months: int, terms: Any, weight: Any, beyond: Any, graded: Any,
                     factors: Mapping[str, float], cap: float, highest_cents: Any) -> Any:
    """:func:`suggested_limit` for arrays of customers, each with the factor of its grade
    (``graded``); the same exact fraction, in Python integers, rounded half up once."""
    cn, cd = _decimal(cap)
    graded = np.asarray(graded, dtype=object)
    fn = np.zeros(len(graded), dtype=object)
    fd = np.ones(len(graded), dtype=object)
    for g, factor in factors.items():
        here = graded == g
        fn[here], fd[here] = _decimal(factor)
    weight = np.asarray(weight, dtype=np.int64)
    paid = weight > 0
    w = np.where(paid, weight, 1).astype(object)
    b = np.where(paid, np.maximum(np.asarray(beyond, dtype=np.int64), 0), 0).astype(object)
    sales = np.asarray(sales_cents, dtype=np.int64).astype(object)
    num = sales * (np.asarray(terms, dtype=np.int64).astype(object) * w + b) * fn
    den = int(months) * w * 30 * fd
    ceiling = np.maximum(np.asarray(highest_cents, dtype=np.int64), 0).astype(object) * cn
    capped = (num * cd > ceiling * den).astype(bool)
    num = np.where(capped, ceiling, num)
    den = np.where(capped, cd, den)
    positive = (num > 0).astype(bool)
    out = np.zeros(len(graded), dtype=np.int64)
    out[positive] = ((2 * num[positive] + den[positive]) // (2 * den[positive])).astype(np.int64)
    return out
