"""`kamtool inspect`: what kamtool sees in an export."""

from __future__ import annotations

from kamtool.cli.app import app
from kamtool.cli.options import Common, shared_options
from kamtool.cli.run import emit, load_ledger


@app.command("inspect")
@shared_options
def inspect_command(common: Common) -> None:
    """What kamtool sees in a file: format, encoding, sheet, header row, the column mapping,
    rows read and dropped by reason, date range, customers, orders, net revenue and returns.

    Run it on a new export before trusting any figure.

    Examples:

      kamtool inspect orders.csv

      kamtool inspect 订单明细.xlsx --lang zh

      kamtool inspect exports/2024-*.csv --col customer=Kunde --format json
    """
    from kamtool.analyses import inspection

    ledger = load_ledger(common, inspection.NEEDS)
    result = inspection.inspect_ledger(ledger)
    # Which engine read the files, and why, for the words to print (params get them in emit).
    result.summary["engine"] = ledger.engine
    if ledger.engine_reason is not None:
        result.summary["engine_reason"] = ledger.engine_reason
    emit(result, common, ledger)
