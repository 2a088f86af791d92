"""One module per command, each registering itself on the app; imported once, by
:func:`kamtool.cli.app.main`. A new command is a new module here and a line below."""

from kamtool.cli.commands import (  # noqa: F401
    abc,
    churn,
    clv,
    credit,
    inspect,
    loyalty,
    pareto,
    profile,
    report,
    rfm,
    stages,
    tiers,
)
