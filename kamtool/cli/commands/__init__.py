"""One module per command, each registering itself on the app; imported once, by
:func:`kamtool.cli.app.main`. A new command is a new module here and a line below."""

from kamtool.cli.commands import abc, churn, clv, inspect, loyalty, pareto, rfm, stages, tiers  # noqa: F401
