"""The grade A–D and the suggested credit limit, decided on exact whole numbers.

Averages are ratios of cent-days to cents, compared without division (``beyond ≤ 15 ×
weight``) and the limit is computed in fractions of a cent and rounded once, half up, so
a boundary is never decided by a float.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from kamtool.errors import UsageError

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
            raise UsageError(f"--grade-factors: {grade!r} is not a grade; use A, B, C or D")
        number = float(value)
        if not math.isfinite(number) or number < 0:
            raise UsageError(f"--grade-factors: the factor of {key} must be a number ≥ 0 (got {value!r})")
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
