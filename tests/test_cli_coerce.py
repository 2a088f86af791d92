"""kamtool.cli.coerce: the quick check of plain option values answers exactly what Typer's own
(pydantic) check answers, and leaves every other value, and every error, to Typer."""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from kamtool.cli import coerce
from kamtool.cli.app import _register, app

REPO = Path(__file__).resolve().parent.parent
ORDERS = str(REPO / "sample_data" / "orders.csv")

# Values a command line or a kamtool.toml hands an option: plain ones the quick check takes,
# and others it must leave to Typer (spaces, signs, exponents, other cases, out of range).
WORDS = ("", "x", "20", "0", "-3", "007", "+5", " 7", "1_000", "7.0", "1.5", "-0.25", ".5", "1e3",
         "nan", "inf", "99999999999999999999", "json", "JSON", "en", "zh", "quarter", "week", "true",
         "80,95", "a\udcffb")


def _params() -> Iterator[Any]:
    _register()
    root = typer.main.get_command(app)
    yield from root.params
    for command in root.commands.values():  # type: ignore[attr-defined]
        yield from command.params


def _full(param: Any, value: Any) -> tuple[bool, Any]:
    """Typer's own answer: (True, value) or (False, the error's text)."""
    from typer._coercion import build_runtime_param

    try:
        return True, build_runtime_param(param.type_descriptor).coerce(value, param=param, ctx=None)  # type: ignore[arg-type]
    except Exception as exc:  # Typer's BadParameter and whatever else it raises
        return False, str(exc)


def _same(quick: Any, full: Any) -> bool:
    if isinstance(full, float) and math.isnan(full):
        return isinstance(quick, float) and math.isnan(quick)
    return type(quick) is type(full) and quick == full and \
        all(type(a) is type(b) for a, b in zip(quick, full, strict=True)) \
        if isinstance(full, (list, tuple)) else type(quick) is type(full) and quick == full


def _samples(param: Any) -> list[Any]:
    annotation = param.type_descriptor.annotation
    values: list[Any] = [param.default, *WORDS, 3, 2.5, True]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        values += [*annotation, *(m.value for m in annotation)]
    if param.multiple or param.nargs != 1:
        values += [(), ("a", "b"), ["x"], ("20", "x"), ("a", "b", "c"), "a"]
    return [v for v in values if v is not None and not callable(v)]


def test_every_quick_answer_is_typers() -> None:
    answered = 0
    for param in _params():
        multi = param.multiple or param.nargs == -1
        for value in _samples(param):
            quick = coerce.quick_value(param.type_descriptor.annotation,
                                       param.type_descriptor.parameter_info, value, multi)
            if quick is coerce._NO:
                continue
            ok, full = _full(param, value)
            assert ok, (param.name, value, full)
            assert _same(quick, full), (param.name, value, quick, full)
            answered += 1
    assert answered > 500  # the check answers most plain values itself


@pytest.mark.parametrize(("annotation", "value"), [
    (int, "+5"), (int, " 7"), (int, "7.0"), (int, "1_000"), (int, "x"), (float, "1e3"),
    (float, "nan"), (float, ".5"), (str, 5), (bool, "true"), (list[str], "a"),
])
def test_unplain_values_are_left_to_typer(annotation: Any, value: Any) -> None:
    from typer.models import OptionInfo

    assert coerce.quick_value(annotation, OptionInfo(), value) is coerce._NO


def test_a_value_out_of_range_is_left_to_typer() -> None:
    from typer.models import OptionInfo

    assert coerce.quick_value(int, OptionInfo(min=1), "0") is coerce._NO
    assert coerce.quick_value(int, OptionInfo(min=1), "1") == 1
    assert coerce.quick_value(float, OptionInfo(min=0.0, max=1.0), "1.5") is coerce._NO
    assert coerce.quick_value(float, OptionInfo(min=0.0, max=1.0), "0.5") == 0.5
    assert coerce.quick_value(int, OptionInfo(min=1, clamp=True), "5") is coerce._NO


@pytest.mark.parametrize("args", [
    ["abc", ORDERS, "--top", "x"],
    ["abc", ORDERS, "--top", "-1"],
    ["abc", ORDERS, "--format", "JSON"],
    ["rfm", ORDERS, "--lang", "fr"],
    ["churn", ORDERS, "--period", "decade"],
    ["abc", ORDERS, "--max-rows", "1e3"],
])
def test_bad_values_get_typers_own_error(args: list[str], kamtool_process: Callable[..., Any],
                                         tmp_path: Path) -> None:
    """The console script (quick check installed) says what Typer alone says, exit 2."""
    plain = CliRunner().invoke(app, args)  # Typer's command, built without the quick check
    run = kamtool_process(args, cwd=tmp_path)
    assert run.returncode == plain.exit_code == 2
    assert run.stderr.decode() == plain.output


def test_a_run_answers_as_typer_does(kamtool_process: Callable[..., Any], tmp_path: Path) -> None:
    args = ["abc", ORDERS, "--top", "5", "--thresholds", "70,90", "--lang", "zh", "--format", "json",
            "--max-rows", "100000"]
    plain = CliRunner().invoke(app, args)
    run = kamtool_process(args, cwd=tmp_path)
    assert run.returncode == plain.exit_code == 0
    assert run.stdout.decode() == plain.output
