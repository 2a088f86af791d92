"""The warning on a --where value that no line holds (the filters' other words are in common)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    # --where region=Esat: no line has region Esat (values: East, North, …)
    "filters.unmatched": ("--where {option}: {no_line}", "--where {option}：{no_line}"),
    # the sentence itself, in the warning and in the error when no line is left
    "filters.no_line_has": ("no line has {column} {missing} (values: {values})",
                            "没有一行的{column}为{missing}（已有的值：{values}）"),
    "filters.no_line_has.empty": ("no line has {column} {missing} (the column is empty)",
                                  "没有一行的{column}为{missing}（该列为空）"),
    "filters.values.join": (", ", "、"),
    "filters.values.more": ("…", "…"),
}
