"""What an analysis needs from the load, declared by the analysis itself.

Each analysis module declares a :class:`Needs` (or a function of its options returning
one); the command line turns it into a load request, so no command sets a load knob by
hand and a new analysis gets the right load by saying what it reads.
"""

from __future__ import annotations

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
    """

    keys: tuple[str, ...] = ("customer",)
    columns: tuple[str, ...] = ("customer", "date", "amount")
    optional: tuple[str, ...] = ()
    measures: tuple[str, ...] | None = ()
    figures: tuple[str, ...] = ()

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
