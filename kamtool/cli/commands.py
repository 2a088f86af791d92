"""Every command module, imported once so each registers itself on the app."""

from kamtool.cli import inspect_cmd  # noqa: F401
