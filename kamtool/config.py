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
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from kamtool.errors import UsageError

DEFAULT_NAME = "kamtool.toml"


def find_config(explicit: str | None) -> Path | None:
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise UsageError(f"--config {explicit}: no such file")
        return path
    path = Path.cwd() / DEFAULT_NAME
    return path if path.is_file() else None


def load_config(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc})") from None


def config_columns(config: dict[str, Any], source: str = DEFAULT_NAME) -> dict[str, str]:
    """The [columns] table: the base of the mapping that --col flags add to."""
    value = config.get("columns", {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise UsageError(f"{source}: [columns] must be a table of column = \"Header\"")
    return {str(k): v for k, v in value.items()}


def default_map(config: dict[str, Any], commands: list[str],
                source: str = DEFAULT_NAME) -> dict[str, dict[str, Any]]:
    """Turn the config into Click's default_map: {command: {param: value}}.

    [columns] is not a default of --col (a --col flag would replace it whole);
    see :func:`config_columns`.
    """
    common: dict[str, Any] = {}
    per: dict[str, dict[str, Any]] = {}
    for key, value in config.items():
        name = key.replace("-", "_")
        if name == "columns":
            config_columns(config, source)
        elif name in ("accounts", "payments"):  # the second files' mappings (kamtool.io.tables)
            from kamtool.io.tables import config_mapping

            config_mapping(config, name, source)
        elif isinstance(value, dict):
            if key not in commands:
                raise UsageError(
                    f"{source}: [{key}] is not a kamtool command; the commands are {', '.join(commands)}"
                )
            per[key] = {k.replace("-", "_"): _option_value(v) for k, v in value.items()}
        else:
            common[name] = _option_value(value)
    return {cmd: {**common, **per.get(cmd, {})} for cmd in commands}


def _option_value(value: Any) -> Any:
    # Lists of numbers become the comma form the options take ("80,95").
    if isinstance(value, list) and all(isinstance(v, int | float) for v in value):
        return ",".join(str(v) for v in value)
    return value
