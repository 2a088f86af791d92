"""kamtool.toml: a misspelled key or a bad value is an error naming the file and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from kamtool.config import check_keys, check_values, default_map, known_options, load_config
from kamtool.errors import UsageError

SOURCE = "/srv/reports/kamtool.toml"


@pytest.fixture(scope="module")
def group() -> Any:
    from kamtool.cli.app import _register, app

    _register()
    return typer.main.get_command(app)


def test_known_options_are_the_commands_options(group: Any) -> None:
    known = known_options(group)
    assert {"thresholds", "shares", "method", "lang", "top", "skip_bad_rows"} <= known["abc"]
    assert "thresholds" not in known["pareto"]
    assert "files" not in known["abc"]  # the FILE argument is not an option


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[abc]\ntresholds = "70,90"\n',
         f"{SOURCE}: [abc] tresholds is not an option of kamtool abc; did you mean thresholds?"),
        ('lnag = "zh"\n', f"{SOURCE}: lnag is not an option of any kamtool command; did you mean lang?"),
        ('[pareto]\nthresholds = "70,90"\n',
         f"{SOURCE}: [pareto] thresholds is not an option of kamtool pareto"),
        ("[abc]\nzzzz = 1\n", f"{SOURCE}: [abc] zzzz is not an option of kamtool abc"),
    ],
)
def test_unknown_key_names_file_key_and_near_option(
    group: Any, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "kamtool.toml"
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    with pytest.raises(UsageError) as caught:
        default_map(config, list(group.commands), SOURCE, known=known_options(group))
    assert str(caught.value) == message


def test_known_keys_pass_and_hyphens_match(group: Any) -> None:
    config = {"skip-bad-rows": True, "lang": "zh", "abc": {"thresholds": [70, 90], "top": 5},
              "columns": {"customer": "Kunde"}}  # fmt: skip
    defaults = default_map(config, list(group.commands), SOURCE, known=known_options(group))
    assert defaults["abc"]["thresholds"] == "70,90"
    assert defaults["abc"]["skip_bad_rows"] is True
    assert defaults["pareto"]["lang"] == "zh"
    check_values(config, group, SOURCE)  # no error


def test_unknown_table_still_names_the_commands(group: Any) -> None:
    with pytest.raises(UsageError, match=r"\[abx\] is not a kamtool command"):
        default_map({"abx": {"top": 1}}, list(group.commands), SOURCE, known=known_options(group))


def test_without_known_any_key_passes_as_before(group: Any) -> None:
    assert default_map({"abc": {"tresholds": "70,90"}}, ["abc"], SOURCE)["abc"] == {"tresholds": "70,90"}


def test_check_keys_alone() -> None:
    with pytest.raises(UsageError, match="did you mean top"):
        check_keys({"abc": {"tpo": 3}}, {"abc": {"top"}}, SOURCE)


@pytest.mark.parametrize(
    ("config", "start"),
    [
        ({"lang": "fr"}, f"{SOURCE}: lang = 'fr' (--lang): "),
        ({"abc": {"top": "x"}}, f"{SOURCE}: [abc] top = 'x' (--top): "),
        ({"skip-bad-rows": "maybe"}, f"{SOURCE}: skip-bad-rows = 'maybe' (--skip-bad-rows): "),
    ],
)
def test_bad_value_names_the_file_not_an_environment_variable(
    group: Any, config: dict[str, Any], start: str
) -> None:
    with pytest.raises(UsageError) as caught:
        check_values(config, group, SOURCE)
    assert str(caught.value).startswith(start)
    assert "env var" not in str(caught.value)
