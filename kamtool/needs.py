"""What an analysis needs from the load, declared by the analysis itself.

Each analysis module declares a :class:`Needs` (or a function of its options returning
one); the command line turns it into a load request, so no command sets a load knob by
hand and a new analysis gets the right load by saying what it reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

ALL_FIGURES = ("orders", "active_days", "returns", "dates")
# Keys computed from the order date rather than read: the month ordinal (months since
# January 1970, as kamtool.analyses.rules.period_of_days gives it for "month").
DERIVED_KEYS = ("month",)
# Measures a load may sum beyond revenue: profit (from profit or amount − cost), quantity, and
# paid_amount (a payment recorded on the order line itself, for credit).
MEASURES = ("profit", "quantity", "paid_amount")
# Figures beside "first_purchase" (loyalty's rolled grain) that roll its period rows up to
# quarters or years in the query, their ``month`` then the period's first month: per quarter a
# third fewer rows than per month (10M benchmark lines: 2.4M instead of 3.7M).
ROLLED_PERIODS = {"rolled_per_quarter": 3, "rolled_per_year": 12}


def rolled_period(period: str) -> tuple[str, ...]:
    """The figures that roll loyalty's period rows up to ``period`` (month, quarter or year)."""
    return () if period == "month" else (f"rolled_per_{period}",)


def recent_months(as_of_day: int, months: int) -> tuple[int, int]:
    """The first and last month ordinals (months since January 1970) of the ``months`` months
    up to the month holding the day before ``as_of_day`` (days since 1970-01-01)."""
    import numpy as np

    end = int(np.datetime64(as_of_day - 1, "D").astype("datetime64[M]").astype(np.int64))
    return end - months + 1, end


def window_read(months: int, as_of: int | None = None, since: int | None = None
                ) -> Callable[[int], tuple[int, int]]:
    """A :attr:`Grain.read` of the ``months`` months up to the as-of day (``as_of``, else the
    day after the last order), and with ``since`` (an earlier as-of day: stages' --compare)
    from the first month of that day's window on."""

    def read(day: int) -> tuple[int, int]:
        first, last = recent_months(as_of if as_of is not None else day, months)
        return (first if since is None else min(first, recent_months(since, months)[0])), last

    return read


@dataclass(frozen=True)
class Grain:
    """One more table an analysis reads beside its main one, which an engine that can may
    return straight from its scan of the file instead of a line-level table rolled up in Python.

    name:   the ledger frame it serves: "monthly", "mix", "mix_of" (the one dimension of
            :meth:`kamtool.ledger.Ledger.mix_of` an analysis reads) or "invoices".
    keys:   its keys, canonical ("month" derived from the date).  A key among ``split`` that
            the file lacks is left out of the grain (it would split nothing).
    sums:   the ledger's sums it carries, in the ledger's order ("revenue_c", "lines", …,
            "paid_amount_c"); a sum the load does not compute is left out.
    when:   the grain is built only when the file has one of these columns (empty: always):
            credit's invoices serve churn only when the lines carry receivables fields, a mix
            only when the file has one of its dimensions.
    months: ``month`` rolled up to the first month of periods of this many months (3: quarters),
            for an analysis that reads its months per period only (churn's product lines).
    first:  of the ``split`` keys, only the first the file has and holds a value in (stages'
            breadth reads one dimension: category, else brand, else product).
    read:   the months the analysis reads of it, (first, last) month ordinals as
            ``read(day)`` gives them for ``day`` the day after the last order line of the load's
            main table (the as-of day of a run without --as-of, known only once that table is
            built); None, or ``read`` giving None: every month.  The native query leaves the
            other months out of the grain's GROUP BY (10M lines: tiers' mix 12 of 33 months,
            churn's 2 of 11 quarters); where that would empty a split key it builds the grain
            whole.  Other engines build it whole: the analysis reads those months alone either
            way (or the command cuts them, ``Ledger.keep_months``).
    """

    name: str
    keys: tuple[str, ...]
    split: tuple[str, ...] = ()
    sums: tuple[str, ...] = ("revenue_c", "lines")
    when: tuple[str, ...] = ()
    months: int = 1
    first: bool = False
    read: Callable[[int], tuple[int, int] | None] | None = None

    def wanted(self, present: set[str]) -> tuple[str, ...] | None:
        """The grain's keys for a file with the canonical columns ``present``; None when the
        grain is not built for it."""
        if self.when and not present & set(self.when):
            return None
        return tuple(k for k in self.keys if k not in self.split or k in present)


@dataclass(frozen=True)
class Needs:
    """The grain of the one table an analysis reads, and what that table must carry.

    keys:     the grain, e.g. ("customer",), ("customer", "date"), (entity,) for --by,
              ("customer", "date", "brand", "product") for loyalty, ("customer", "month")
              for tiers and stages ("month" is derived from the date, :data:`DERIVED_KEYS`).
    columns:  canonical columns a file must have (an error names the missing one).
    optional: columns a file may lack (they are then empty, not an error).  An optional
              column that is not among the keys refines the grain when the file has it: tiers'
              ("salesperson", "brand") make the table customer × month × salesperson × brand,
              from which the ledger rolls up ``monthly`` and ``mix`` (see :attr:`grain`).
    measures: measures beyond revenue (:data:`MEASURES`: "profit", "quantity", "paid_amount");
              None: every measure (inspect).
    figures:  optional figures beyond revenue, lines, quantity and profit, each costing work
              on every line: distinct "orders" and "active_days", "returns", first/last "dates".
    grains:   more tables read beside the main one (:class:`Grain`).  The native engine then
              builds the main table at ``keys`` alone and each grain from the same lines, so
              nothing near line level reaches Python; the other engines build the table at
              :attr:`grain` (``optional`` refining it) and the ledger rolls it up as before.
    """

    keys: tuple[str, ...] = ("customer",)
    columns: tuple[str, ...] = ("customer", "date", "amount")
    optional: tuple[str, ...] = ()
    measures: tuple[str, ...] | None = ()
    figures: tuple[str, ...] = ()
    grains: tuple[Grain, ...] = ()

    @property
    def grain(self) -> tuple[str, ...]:
        """The keys of the table the load builds: the keys, then the optional columns that
        are not keys (each one empty where the file lacks it)."""
        return (*self.keys, *(c for c in self.optional if c not in self.keys))


def by_day(needs: Needs) -> Needs:
    """The same needs per day instead of per month: one load whose ledger serves ``days`` as
    well as ``monthly`` and ``mix`` (which roll the days up into months), e.g. for stages'
    ``lost`` flag: ``load(build_request(by_day(stages.NEEDS), files))``."""
    from dataclasses import replace

    keys = tuple("date" if k == "month" else k for k in needs.keys)
    return replace(needs, keys=tuple(dict.fromkeys(keys)))
