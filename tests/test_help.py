"""Every command explains itself: help text, an example, help for every option."""

from __future__ import annotations

import pytest
import typer

from kamtool.cli.app import _register, app

_register()
COMMAND = typer.main.get_command(app)
NAMES = sorted(COMMAND.commands)  # type: ignore[attr-defined]


def test_the_commands_are_registered() -> None:
    assert {"inspect", "pareto", "abc", "rfm", "loyalty", "churn", "clv"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_command_help_has_an_example_and_every_option_is_explained(name: str) -> None:
    command = COMMAND.commands[name]  # type: ignore[attr-defined]
    assert command.help and "Example" in command.help
    assert f"kamtool {name} " in command.help
    for param in command.params:
        if param.param_type_name == "option":
            assert param.help, f"{name} {param.opts[0]} has no help"
