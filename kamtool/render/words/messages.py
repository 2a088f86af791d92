"""Words of the messages on stderr that name what the load left out (kamtool/labels/messages.py)."""

from __future__ import annotations

import re

from kamtool.io.rules import REASON_BLANK, REASON_RAGGED, REASON_TOTALS
from kamtool.labels import label

_FIXED = {REASON_TOTALS: "totals", REASON_BLANK: "blank", REASON_RAGGED: "ragged"}
# what a cell check found, as the cleaner writes it after "column: " (kamtool.io.clean, io.tables)
_CELL = {"missing": "missing", "not a date": "not_a_date", "not a number": "not_a_number",
         "too large for an amount": "too_large", "outside the date range": "outside_range"}


def reason(text: str, lang: str) -> str:
    """A reason lines were left out (``totals / subtotal lines``, ``amount: not a number``) in
    ``lang``; one kamtool does not know reads as it is."""
    if text in _FIXED:
        return label(f"message.reason.{_FIXED[text]}", lang)
    column, sep, what = text.partition(": ")
    what = what.removeprefix("is ")
    if sep and what in _CELL:
        found = label(f"message.reason.{_CELL[what]}", lang)
        return label("message.reason.cell", lang).format(column=column, what=found)
    return text


def left_out(file: str, count: int, text: str, lang: str) -> str:
    """``FILE: dropped N totals / subtotal lines`` (lines that are no data: totals, blank rows) or
    ``FILE: skipped N amount: not a number`` (bad lines under --skip-bad-rows), in ``lang``."""
    key = "message.dropped" if text.startswith(("totals", "blank")) else "message.skipped"
    return label(key, lang).format(file=file, count=f"{count:,}", reason=reason(text, lang))


# Click's own usage errors, as Typer's Click writes them (typer/_click), read back into their
# parts so that --lang zh says them in Chinese with the options and values as the reader typed them
_USAGE = [
    (r"No such option: (?P<option>.+?) \(Possible options: (?P<choices>.+)\)", "usage.no_such_option_near"),
    (r"No such option: (?P<option>.+)", "usage.no_such_option"),
    (r"No such command (?P<name>'.+')\. Did you mean (?P<near>.+)\?", "usage.no_such_command_near"),
    (r"No such command (?P<name>'.+')\.", "usage.no_such_command"),
    (r"Missing argument (?P<name>'.+')\.", "usage.missing_argument"),
    (r"Missing option (?P<name>'.+')\.", "usage.missing_option"),
    (r"Option (?P<option>'.+') requires an argument\.", "usage.needs_value"),
    (r"Option (?P<option>'.+') requires (?P<count>\d+) arguments\.", "usage.needs_values"),
    (r"Option (?P<option>'.+') does not take a value\.", "usage.takes_no_value"),
    (r"Got unexpected extra arguments? \((?P<args>.*)\)", "usage.extra_arguments"),
    (r"Invalid value for (?P<option>'[^']*'(?: / '[^']*')*(?: \(env var: '[^']*'\))?): (?P<why>.*)",
     "usage.invalid_value"),
]
_WHY = [
    (r"Input should be a valid integer.*", "usage.why.integer"),
    (r"Input should be a valid number.*", "usage.why.number"),
    (r"Input should be greater than or equal to (?P<n>.+)", "usage.why.at_least"),
    (r"Input should be greater than (?P<n>.+)", "usage.why.above"),
    (r"Input should be less than or equal to (?P<n>.+)", "usage.why.at_most"),
    (r"Input should be less than (?P<n>.+)", "usage.why.below"),
    (r"(?:Value error, )?(?P<value>'.*') is not one of (?P<choices>.+)\.", "usage.why.choice"),
    (r"(?:Value error, )?(?P<what>File|Path|Directory) (?P<path>'.*') does not exist\.", "usage.why.no_path"),
]


def _read_back(text: str, table: list[tuple[str, str]], lang: str) -> str | None:
    for pattern, key in table:
        found = re.fullmatch(pattern, text, flags=re.DOTALL)
        if found:
            fields = found.groupdict()
            if "why" in fields:
                fields["why"] = _read_back(fields["why"], _WHY, lang) or fields["why"]
            if "what" in fields:
                fields["what"] = label(f"usage.what.{fields['what'].lower()}", lang)
            return label(key, lang).format(**fields)
    return None


def usage_error(message: str, usage: str | None, command: str | None, lang: str) -> str:
    """Click's usage error in ``lang``: the usage line (``usage``, as Click writes it), the hint to
    ``COMMAND -h`` and ``Error: message``; a message kamtool does not know keeps Click's words."""
    lines = []
    if usage is not None:
        lines.append(label("usage.usage", lang) + usage.removeprefix("Usage:").strip())
        if command is not None:
            lines.append(label("usage.try_help", lang).format(command=command))
        lines.append("")
    said = message if lang == "en" else _read_back(message, _USAGE, lang) or message
    lines.append(f"{label('message.error', lang)}{'' if lang == 'zh' else ' '}{said}")
    return "\n".join(lines)


# Phrases the code passes into an error's fields in English (a row, what is wrong with a value, a
# hint): said in the reader's language when the error is (kamtool.errors.KamtoolError.in_lang)
_PHRASES = [
    (r"line (?P<n>[\d,]+)", "phrase.line"),
    (r"row (?P<n>[\d,]+)", "phrase.row"),
    (r"is not a date", "phrase.not_a_date"),
    (r"is not a number", "phrase.not_a_number"),
    (r"is too large for an amount", "phrase.too_large"),
    (r"is outside (?P<first>\S+)\.\.(?P<last>\S+)", "phrase.outside"),
    (r"; for day-first dates like 31/01/2024 add --dayfirst", "phrase.dayfirst"),
    (r"; for decimal commas like 1\.234,56 add --decimal ,", "phrase.decimal_comma"),
    (r"--date-range FIRST,LAST widens it; ", "phrase.widen_range"),
    (r"; order dates are filtered with --from / --to", "phrase.dates_from_to"),
    (r"; did you mean (?P<name>.+)\?", "phrase.did_you_mean"),
    (r"Try a longer calibration period \(a later --calibration-end\), a coarser --unit, or more customers; "
     r"this fit had (?P<n>[\d,]+) customers, (?P<repeat>[\d,]+) with a repeat purchase\.",
     "phrase.fit_advice_calibration_end"),
    (r"Try a longer calibration period, a coarser --unit or more customers; this fit had (?P<n>[\d,]+) "
     r"customers, (?P<repeat>[\d,]+) with a repeat purchase\.", "phrase.fit_advice"),
    (r"Try a longer calibration period or more customers, or check the spend data \(this fit had "
     r"(?P<n>[\d,]+) repeat customers with positive spend\)\.", "phrase.fit_advice_spend"),
    (r"; closest: (?P<names>.+)", "phrase.closest"),
    (r"declares", "phrase.declares"),
    (r"spans", "phrase.spans"),
    (r"sheet (?P<sheet>'.*')", "phrase.sheet"),
    (r"sheet file (?P<member>.+)", "phrase.sheet_file"),
    (r"a cell of sheet (?P<sheet>'.*')", "phrase.cell_of_sheet"),
    (r"a cell of sheet file (?P<member>.+)", "phrase.cell_of_sheet_file"),
    (r"a shared string", "phrase.shared_string"),
    (r"a kamtool column", "phrase.kamtool_column"),
    (r"a column of the (?P<kind>\w+) file", "phrase.column_of_file"),
    (r"holds bytes that are not UTF-8 text", "phrase.not_utf8_bytes"),
    (r"holds text that is not valid UTF-8", "phrase.not_utf8_text"),
    (r"strategic value", "phrase.strategic_value"),
    (r"a sales elasticity rating", "phrase.elasticity_rating"),
    (r"a credit limit", "phrase.credit_limit"),
    (r"a whole number ≥ (?P<least>\d+)", "phrase.whole_number_at_least"),
    (r"a share from 0 to 1", "phrase.share_0_1"),
    (r"a number ≥ 0", "phrase.number_at_least_0"),
]


def phrase(text: str, lang: str) -> str:
    """An English phrase of an error's field (``line 1,204``, ``is not a date``) in ``lang``; a
    value from the data or a phrase kamtool does not know reads as it is."""
    if lang == "en":
        return text
    counted = [re.fullmatch(r"(?P<count>\d[\d,]*) (?P<reason>.+)", part) for part in text.split(", ")]
    if all(counted) and any(reason(m["reason"], lang) != m["reason"] for m in counted if m):
        # "1,234 totals / subtotal lines, 5 amount: not a number": the lines a load left out
        return label("phrase.separator", lang).join(
            label("phrase.counted", lang).format(count=m["count"], reason=reason(m["reason"], lang))
            for m in counted if m)
    for pattern, key in _PHRASES:
        found = re.fullmatch(pattern, text)
        if found:
            return label(key, lang).format(**found.groupdict())
    return text
