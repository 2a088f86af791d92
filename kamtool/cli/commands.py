"""Every command module, imported once so each registers itself on the app."""

from kamtool.cli import abc_cmd, churn_cmd, inspect_cmd, rfm_cmd, value_cmd  # noqa: F401
