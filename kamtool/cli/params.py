"""Option value parsers shared by every command: number lists and dates, written once."""

from __future__ import annotations

from typing import Any

from kamtool.errors import UsageError


def number_list(text: str, *, name: str, count: int | None = None) -> list[float]:
    """'80,95' or '0.8,0.95' -> [0.8, 0.95]: percents above 1 are divided by 100."""
    try:
        values = [float(v) for v in text.replace(" ", "").split(",") if v]
    except ValueError:
        raise UsageError.said("error.numbers", option=name, value=repr(text)) from None
    if count is not None and len(values) != count:
        raise UsageError.said("error.n_numbers", option=name, count=count, value=repr(text))
    if any(v > 1 for v in values):
        values = [v / 100 for v in values]
    return values


def parse_day(text: str | None, option: str) -> Any:
    """A date option (ISO, 2024/3/5, 20240305 …) as a naive midnight pandas Timestamp, or None."""
    if text is None:
        return None
    from kamtool.analyses.rules import as_of_timestamp

    return as_of_timestamp(text.replace("/", "-"), option)


def day_after(text: str, option: str) -> str:
    """The ISO day after a date option's day (--to 2024-06-30 -> '2024-07-01')."""
    import datetime as dt

    return (parse_day(text, option).date() + dt.timedelta(days=1)).isoformat()


def filters(date_from: str | None, date_to: str | None, where: list[str]) -> Any:
    """``--from``, ``--to`` and every ``--where COLUMN=VALUE[,VALUE…]`` -> the load's
    :class:`kamtool.io.request.Filters`, in canonical names; a bad form is a UsageError naming
    the option.  Values are split at commas (, or ，) and trimmed, as the cleaning trims cells."""
    from kamtool.io.request import Filters, Where, resolve_where

    first = parse_day(date_from, "--from")
    last = parse_day(date_to, "--to")
    if first is not None and last is not None and first > last:
        raise UsageError.said("error.from_after_to", first=date_from, last=date_to)
    out: list[Where] = []
    for i, item in enumerate(where, 1):
        column, sep, text = item.partition("=")
        if not sep or not column.strip():
            raise UsageError.said("error.where_form", value=repr(item))
        values = tuple(dict.fromkeys(v.strip() for v in text.replace("，", ",").split(",") if v.strip()))
        if not values:
            raise UsageError.said("error.where_value", item=item, column=column.strip())
        name, label = resolve_where(column.strip(), i)
        found = Where(column=name, values=values, label=label)
        if any(w.column == found.column or (label is not None and w.label == label) for w in out):
            raise UsageError.said("error.params.where_column_filtered_twice", item=item, name=found.name)
        out.append(found)
    return Filters(first=None if first is None else first.date(), last=None if last is None else last.date(),
                   where=tuple(out))


def weight_map(
    text: str, *, name: str = "--weights", keys: tuple[str, ...] | None = None
) -> dict[str, float]:
    """'strategic=20,profit=30' -> {"strategic": 20.0, "profit": 30.0}, as written (the
    analysis rescales them to sum to 1). Keys are lower-cased; a key twice, a key not in
    ``keys`` (when given), or a value that is not a number of 0 or more is a UsageError."""
    weights: dict[str, float] = {}
    example = "strategic=20,profit=30,loyalty=20,elasticity=10,future=20"
    for item in text.replace(" ", "").split(","):
        if not item:
            continue
        key, sep, value = item.partition("=")
        key = key.lower()
        if not sep or not key:
            raise UsageError.said("error.params.takes_factor_weight_pairs_2", name=name, example=example,
                                  item=item)
        if keys is not None and key not in keys:
            raise UsageError.said("error.params.unknown_factor_factors_are", name=name, key=key,
                                  keys=', '.join(keys))
        if key in weights:
            raise UsageError.said("error.params.given_twice", name=name, key=key)
        try:
            weight = float(value)
        except ValueError:
            raise UsageError.said("error.params.weight_not_number_got", name=name, key=key,
                                  value=value) from None
        if not weight >= 0 or weight == float("inf"):
            raise UsageError.said("error.params.weight_must_number_more", name=name, key=key, value=value)
        weights[key] = weight
    if not weights:
        raise UsageError.said("error.params.takes_factor_weight_pairs", name=name, example=example, text=text)
    return weights


def whole_list(text: str, *, name: str) -> list[int]:
    """'30,60,90,180' -> [30, 60, 90, 180]: whole numbers, taken as written (no percent rule)."""
    try:
        numbers = [float(v) for v in text.replace(" ", "").split(",") if v]
    except ValueError:
        raise UsageError.said("error.params.whole_numbers", name=name, text=text) from None
    if not numbers or any(not n.is_integer() for n in numbers):
        raise UsageError.said("error.params.whole_numbers", name=name, text=text)
    return [int(n) for n in numbers]


def grade_map(text: str, *, name: str) -> dict[str, float]:
    """'A=1.2,B=1,C=0.7,D=0' -> {'A': 1.2, 'B': 1.0, 'C': 0.7, 'D': 0.0}; grades left out keep
    their default (the analysis checks the grades and the values)."""
    out: dict[str, float] = {}
    for part in (p for p in text.replace(" ", "").split(",") if p):
        grade, sep, value = part.partition("=")
        try:
            if not sep or not grade:
                raise ValueError
            out[grade.upper()] = float(value)
        except ValueError:
            raise UsageError.said("error.params.takes_grade_factor_pairs", name=name, text=text) from None
    return out
