"""The words of a load's filters (``--from``, ``--to``, ``--where``), for every command.

Every headline starts with the filter sentence when the run was filtered (see
:func:`kamtool.render.words.headline`), and every workbook sheet's title line states it: a
figure read off a filtered run is never mistaken for the whole business.  The filters come
from the result's ``params.filters`` (canonical names, the same in every language); only the
words here change with the language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kamtool.labels import has_label, label

if TYPE_CHECKING:
    from kamtool.engine.filters import Unmatched


def parts(filters: Mapping[str, Any], lang: str) -> list[str]:
    """One phrase per filter: the order dates, then each --where column with its values."""
    out = []
    first, last = filters.get("from"), filters.get("to")
    if first is not None and last is not None:
        out.append(label("filters.dates.both", lang).format(first=first, last=last))
    elif first is not None:
        out.append(label("filters.dates.from", lang).format(first=first))
    elif last is not None:
        out.append(label("filters.dates.to", lang).format(last=last))
    for column, values in (filters.get("where") or {}).items():
        # a kamtool column in the reader's words; a file's own column by its header
        name = label(column, lang) if has_label(column) else str(column)
        if lang == "en" and has_label(column):
            name = name.lower()
        shown = label("filters.or", lang).join(str(v) for v in values)
        out.append(label("filters.where", lang).format(column=name, values=shown))
    return out


def sentence(params: Mapping[str, Any], lang: str) -> str | None:
    """"Filtered: order dates 2024-01-01 to 2024-06-30; region East or West." (None unfiltered)."""
    found = parts(params.get("filters") or {}, lang)
    if not found:
        return None
    return label("filters.sentence", lang).format(parts=label("filters.join", lang).join(found))


def title_part(params: Mapping[str, Any], lang: str) -> str | None:
    """The same, as a part of a sheet's title line ("filtered: region East")."""
    found = parts(params.get("filters") or {}, lang)
    if not found:
        return None
    return label("filters.title", lang).format(parts=label("filters.join", lang).join(found))


def unmatched(missing: Unmatched, lang: str) -> str:
    """"--where region=Esat: no line has region Esat (values: East, North, …)": a --where value
    no line of the files holds, with the column's first values (a typo shows at once)."""
    return label("filters.unmatched", lang).format(option=f"{missing.name}={','.join(missing.given)}",
                                                   no_line=no_line_has(missing, lang))


def no_line_has(missing: Unmatched, lang: str) -> str:
    """"no line has region Esat (values: East, North, …)": the warning's sentence, also part of
    the error when the filters leave no line."""
    column = missing.column
    name = label(column, lang) if has_label(column) else str(missing.name)
    if lang == "en" and has_label(column):
        name = name.lower()
    values = list(missing.first_values) + ([label("filters.values.more", lang)] if missing.more else [])
    key = "filters.no_line_has" if values else "filters.no_line_has.empty"
    return label(key, lang).format(column=name, missing=label("filters.or", lang).join(missing.missing),
                                   values=label("filters.values.join", lang).join(values))
