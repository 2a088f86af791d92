"""What an analysis needs from the load, declared by the analysis itself.

Each analysis module declares a :class:`Needs` (or a function of its options returning
one); the command line turns it into a load request, so no command sets a load knob by
hand and a new analysis gets the right load by saying what it reads.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_FIGURES = ("orders", "active_days", "returns", "dates")


@dataclass(frozen=True)
class Needs:
    """The grain of the one table an analysis reads, and what that table must carry.

    keys:     the grain, e.g. ("customer",), ("customer", "date"), (entity,) for --by,
              ("customer", "date", "brand", "product") for loyalty.
    columns:  canonical columns a file must have (an error names the missing one).
    optional: keys a file may lack (they are then empty, not an error).
    measures: measures beyond revenue ("profit", "quantity"); None: every measure (inspect).
    figures:  optional figures beyond revenue, lines, quantity and profit, each costing work
              on every line: distinct "orders" and "active_days", "returns", first/last "dates".
    """

    keys: tuple[str, ...] = ("customer",)
    columns: tuple[str, ...] = ("customer", "date", "amount")
    optional: tuple[str, ...] = ()
    measures: tuple[str, ...] | None = ()
    figures: tuple[str, ...] = ()
