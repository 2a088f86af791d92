"""kamtool.toml: defaults for cron jobs, so a nightly run needs no flags.

```toml
lang = "zh"                 # a default for every command that has the option
skip_bad_rows = true

[columns]                   # the --col mapping
customer = "Kunde"
amount = "Umsatz"

[abc]                       # defaults for one command
thresholds = "70,90"
```

A key no command knows is an error naming the file and the key, with the nearest option
("tresholds" -> "thresholds"), and so is a value the option refuses: a misspelled
option would otherwise be ignored every night without a word.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from kamtool.errors import UsageError

DEFAULT_NAME = "kamtool.toml"


def find_config(explicit: str | None) -> Path | None:
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise UsageError.said("error.no_such_file", file=f"--config {explicit}")
        return path
    path = Path.cwd() / DEFAULT_NAME
    return path if path.is_file() else None


def load_config(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError.said("error.config.not_valid_toml", path=path, exc=exc) from None
    except OSError as exc:
        raise UsageError.said("error.config.cannot_read", path=path, exc=exc) from None


def config_columns(config: dict[str, Any], source: str = DEFAULT_NAME) -> dict[str, str]:
    """The [columns] table: the base of the mapping that --col flags add to."""
    value = config.get("columns", {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise UsageError.said("error.config.columns_must_table_column", source=source)
    return {str(k): v for k, v in value.items()}


def _near(name: str, candidates: Collection[str]) -> str:
    """ "; did you mean thresholds?" for the nearest candidate, or nothing."""
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def check_keys(config: Mapping[str, Any], known: Mapping[str, Collection[str]], source: str) -> None:
    """Refuse a key that is not an option: in a [command] table, of that command; at the top
    level, of any command.  Keys compare as option names (``skip-bad-rows`` = ``skip_bad_rows``).

    Raises
    ------
    UsageError
        Naming the file, the table and the key, and the nearest option when one is close.
    """
    every = set().union(*known.values()) if known else set()
    for key, value in config.items():
        name = key.replace("-", "_")
        if name == "columns" or isinstance(value, dict):
            if isinstance(value, dict) and key in known:
                options = set(known[key])
                for inner in value:
                    if inner.replace("-", "_") not in options:
                        raise UsageError.said("error.config.not_an_option_of", source=source, key=key,
                                              inner=inner, near=_near(inner.replace("-", "_"), options))
            continue
        if name not in every:
            raise UsageError.said("error.config.not_an_option", source=source, key=key,
                                  near=_near(name, every))


def default_map(config: dict[str, Any], commands: list[str], source: str = DEFAULT_NAME,
                known: Mapping[str, Collection[str]] | None = None) -> dict[str, dict[str, Any]]:
    """Turn the config into Click's default_map: {command: {param: value}}.

    [columns] is not a default of --col (a --col flag would replace it whole);
    see :func:`config_columns`.  ``known`` maps each command to its option names
    (:func:`known_options`); with it an unknown key is an error (:func:`check_keys`).
    """
    if known is not None:
        # unknown [tables] are reported below, naming the commands
        check_keys({k: v for k, v in config.items() if not isinstance(v, dict) or k in known}, known, source)
    common: dict[str, Any] = {}
    per: dict[str, dict[str, Any]] = {}
    for key, value in config.items():
        name = key.replace("-", "_")
        if name == "columns":
            config_columns(config, source)
        elif name in ("accounts", "payments", "support"):  # the second files' mappings (kamtool.io.tables)
            from kamtool.io.tables import config_mapping

            config_mapping(config, name, source)
        elif isinstance(value, dict):
            if key not in commands:
                raise UsageError.said("error.config.not_kamtool_command_commands", source=source, key=key,
                                      commands=', '.join(commands))
            per[key] = {k.replace("-", "_"): _option_value(v) for k, v in value.items()}
        else:
            common[name] = _option_value(value)
    return {cmd: {**common, **per.get(cmd, {})} for cmd in commands}


def _option_value(value: Any) -> Any:
    # Lists of numbers become the comma form the options take ("80,95").
    if isinstance(value, list) and all(isinstance(v, int | float) for v in value):
        return ",".join(str(v) for v in value)
    return value


def known_options(group: Any) -> dict[str, set[str]]:
    """{command: its option names} of a Click/Typer group, for :func:`default_map`."""
    return {
        name: {p.name for p in command.params if p.name and getattr(p, "opts", None) is not None
               and p.param_type_name == "option"}
        for name, command in group.commands.items()
    }  # fmt: skip


def check_values(config: Mapping[str, Any], group: Any, source: str) -> None:
    """Parse every value of the config with the option it sets, so a bad one names the file.

    Click would report a bad default as "Invalid value for '--lang' (env var:
    'KAMTOOL_LANG')", pointing at an environment variable nobody set.  A top-level key is
    checked against every command that has the option, a [command] key against that
    command.  Options with a callback (``--show-rules``) are not run here.

    Raises
    ------
    UsageError
        "kamtool.toml: [abc] top = 'x': Input should be a valid integer …".
    """
    # Typer's own copy of Click (typer._click): the Context and the error its options raise
    from typer._click import Context
    from typer._click.exceptions import BadParameter

    for name, command in group.commands.items():
        table = config.get(name)
        table = table if isinstance(table, dict) else {}
        ctx = Context(command, info_name=name)
        for param in command.params:
            if param.name is None or param.param_type_name != "option" or param.callback is not None:
                continue
            where, key, value = _setting(config, table, name, param.name)
            if where is None:
                continue
            try:
                param.process_value(ctx, _option_value(value))
            except BadParameter as exc:
                flag = param.opts[0] if param.opts else f"--{param.name}"
                raise UsageError.said("error.config.x", source=source, where=where, key=key, value=value,
                                      flag=flag, message=exc.message) from None


def _setting(config: Mapping[str, Any], table: Mapping[str, Any], command: str, option: str
             ) -> tuple[str | None, str, Any]:
    """Where an option's value comes from: "[abc] " (its table), "" (top level) or None."""
    for key, value in table.items():
        if key.replace("-", "_") == option:
            return f"[{command}] ", key, value
    for key, value in config.items():
        if key.replace("-", "_") == option and not isinstance(value, dict):
            return "", key, value
    return None, option, None
