"""One module per command, each registering itself on the app; imported once, by
:func:`kamtool.cli.app.main`. A new command is a new module here and a line below."""

import kamtool.cli.commands.credit  # noqa: F401
from kamtool.cli.commands import abc, churn, clv, inspect, loyalty, pareto, rfm  # noqa: F401
