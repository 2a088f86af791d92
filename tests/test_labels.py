"""The labels: every key in both languages, captions and coded values looked up one way."""

from __future__ import annotations

import pandas as pd

from kamtool.labels import all_labels, column_label, label, table_label, value_labels


def test_every_label_has_english_and_chinese() -> None:
    for key, (en, zh) in all_labels().items():
        assert en.strip() and zh.strip(), key


def test_unknown_keys_read_as_words() -> None:
    assert label("net_revenue_total") == "Net revenue total"
    assert label("revenue", "zh") == "销售额"


def test_command_captions_come_before_shared_ones() -> None:
    assert column_label("frequency", "clv") != column_label("frequency", "rfm")
    assert table_label("no_such_table", "abc") == "No such table"


def test_coded_values_read_in_the_report_language_and_stay_codes_elsewhere() -> None:
    frame = pd.DataFrame({"customer": ["A", "B"], "status": ["lost", "retained"]})
    shown = value_labels(frame, "churn", "zh")
    assert shown["status"].tolist() == ["流失客户", "留存客户"]
    assert frame["status"].tolist() == ["lost", "retained"]  # the original is untouched
    assert value_labels(frame, "abc", "zh") is frame  # no labels for abc statuses: no copy
