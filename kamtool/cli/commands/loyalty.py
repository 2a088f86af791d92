"""`kamtool loyalty`: loyal customers, brand switchers, no brand loyalty, early adopters."""

from __future__ import annotations

from typing import Annotated, Any, Optional  # noqa: UP035

import typer

from kamtool.cli.app import app
from kamtool.cli.options import AsOf, Common, Period, shared_options
from kamtool.cli.params import number_list, parse_day
from kamtool.cli.run import emit, load_ledger


@app.command("loyalty")
@shared_options
def loyalty_command(
    common: Common,
    brand: Annotated[Optional[str], typer.Option(  # noqa: UP045
        help="The focal brand (default: config, else the brand with the most revenue).",
        show_default=False)] = None,
    period: Annotated[Period, typer.Option(help="Calendar periods compared.")] = Period.quarter,
    share: Annotated[float, typer.Option(
        "--share", help="Share of wallet that makes a brand dominant, in percent.")] = 70.0,
    launch_window: Annotated[int, typer.Option(
        help="Days after a product's first sale in which buyers count as early adopters.", min=1)] = 90,
    grace_days: Annotated[int, typer.Option(
        help="A product is new only if its first sale is at least this many days after the data starts.",
        min=0)] = 90,
    last_n: Annotated[int, typer.Option(
        help="Without brands: the last N periods that define loyal / lapsing.", min=2)] = 4,
    as_of: AsOf = None,
) -> None:
    """Loyalty groups (忠诚客户 / 品牌转移客户 / 无品牌忠诚客户) and early adopters.

    With a brand column: each customer's share of wallet of the focal brand per period —
    loyal (the brand holds at least --share of spend in most periods), switchers (the
    leading brand changes between periods), no brand loyalty (no brand dominates).
    Without brands: loyalty from repeat buying over the last periods. Early adopters
    bought a new product within --launch-window days of its first sale.

    Examples:

      kamtool loyalty orders.csv

      kamtool loyalty orders.csv --brand Kamaro --period month --share 60

      kamtool loyalty 订单明细.xlsx --lang zh -o loyalty.xlsx
    """
    from kamtool.analyses import loyalty as analysis

    ledger = load_ledger(common, analysis.needs(period.value))
    lines: Any = ledger.entities
    for optional in analysis.NEEDS.optional:
        if optional not in ledger.present:
            lines = lines.drop(columns=[optional])
    result = analysis.loyalty(
        lines, brand=brand, period=period.value, share_threshold=number_list(str(share), name="--share")[0],
        launch_window=launch_window, new_product_grace_days=grace_days, last_n=last_n,
        as_of=parse_day(as_of, "--as-of"),
    )
    emit(result, common, ledger)
