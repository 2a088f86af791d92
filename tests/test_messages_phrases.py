"""A message put together from parts, each said from its own label (errors.Phrase).

churn's "two complete periods" listed the periods, each "complete" or "incomplete", and its
advice, in English under --lang zh.  The list items and the advice are now Phrases: the
message is said whole in the reader's language, and its English stays word for word.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kamtool.errors import AnalysisError, Phrase
from kamtool.labels import label
from tests.conftest import run_kamtool

ORDERS = "customer,date,amount\na,2024-01-10,10\na,2024-03-10,10\na,2024-04-10,10\na,2024-05-10,10\n"


def test_phrases_are_said_in_each_language() -> None:
    error = AnalysisError.said("error.churn.too_few_periods", period=Phrase("churn.period.quarter"),
                               first="2024-01-10", last="2024-05-10", as_of="2024-05-11", complete=1,
                               listing=[Phrase("phrase.churn.period_complete", {"period": "2024Q1"}),
                                        Phrase("phrase.churn.period_incomplete", {"period": "2024Q2"})],
                               advice=Phrase("phrase.churn.advice_shorter", {"shorter": "month"}))
    assert str(error) == ("churn compares two complete quarters, but the orders (2024-01-10 to "
                          "2024-05-10, as of 2024-05-11) give 1 complete quarter: 2024Q1 (complete), "
                          "2024Q2 (incomplete); use a shorter period (--period month)")
    assert error.in_lang("zh") == ("churn：需比较两个完整的季度，但订单（2024-01-10 至 2024-05-10，"
                                   "截至 2024-05-11）只有 1 个完整的季度：2024Q1（完整）、2024Q2（不完整）；"
                                   "请改用更短的周期（--period month）")
    assert error.in_lang("en") == str(error)


@pytest.mark.parametrize("key", ["error.churn.too_few_periods", "error.churn.too_few_periods_n",
                                 "phrase.churn.advice_both", "phrase.churn.advice_compare"])
def test_both_languages_have_the_same_fields(key: str) -> None:
    import string

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    assert fields(label(key, "en")) == fields(label(key, "zh"))


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "Error: churn compares two complete quarters, but the orders (2024-01-10 to 2024-05-10, "
           "as of 2024-05-11) give 1 complete quarter: 2024Q1 (complete), 2024Q2 (incomplete); use a "
           "shorter period (--period month) or two periods of your choice (--compare 2024Q1 2024Q2; an "
           "incomplete period is compared as it stands)"),
    ("zh", "错误：churn：需比较两个完整的季度，但订单（2024-01-10 至 2024-05-10，截至 2024-05-11）"
           "只有 1 个完整的季度：2024Q1（完整）、2024Q2（不完整）；请改用更短的周期（--period "
           "month），或自选两个周期（--compare 2024Q1 2024Q2；不完整的周期按现有数据比较）"),
])
def test_churn_too_few_periods_end_to_end(tmp_path: Path, lang: str, expected: str) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS)
    run = run_kamtool(["churn", str(orders), "--lang", lang])
    assert run.code == 1
    assert "".join(run.stderr.split()) == "".join(expected.split())


FILTERED = "customer,date,amount,region\na,2024-01-10,10,East\nb,2024-03-10,10,West\n"


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "Error: {f}: no order line is left after the filters --from 2030-01-01 --where region=Esat "
           "(lines left out: 2 --from/--to); no line has region Esat (values: East, West)"),
    ("zh", "错误：{f}：按筛选条件 --from 2030-01-01 --where region=Esat 筛选后没有剩下任何订单行"
           "（筛除的行：--from/--to 2 行）；没有一行的区域为Esat（已有的值：East、West）"),
])
def test_nothing_left_after_the_filters_end_to_end(tmp_path: Path, lang: str, expected: str) -> None:
    orders = tmp_path / "o.csv"
    orders.write_text(FILTERED)
    run = run_kamtool(["abc", str(orders), "--from", "2030-01-01", "--where", "region=Esat", "--lang", lang])
    assert run.code == 1
    assert "".join(run.stderr.split()) == "".join(expected.format(f=orders).split())


def test_models_failing_for_different_reasons_are_said_in_each_language(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """clv's model choice, when every model fails and not for one reason: each model's own
    refusal, in the reader's language (they were joined as English text)."""
    from kamtool.analyses.clv import select
    from kamtool.analyses.clv.fit import FitError

    refusals = {
        "bgnbd": FitError.said_with("error.fit.not_converged", {"model": "BG/NBD", "advice": ""},
                                    "not_converged", model="BG/NBD"),
        "mbgnbd": FitError.said_with("error.fit.unidentified", {"model": "MBG/NBD", "parameters": "a, b",
                                                                "advice": ""}, "unidentified",
                                     model="MBG/NBD", parameters=["a", "b"]),
    }
    monkeypatch.setattr(select, "_fit_row", lambda name, *rest: ({"model": name}, None, refusals[name]))
    with pytest.raises(AnalysisError) as caught:
        select.choose_model([1, 2, 0], [5.0, 8.0, 0.0], [10.0, 10.0, 10.0], models=("bgnbd", "mbgnbd"))
    error = caught.value
    assert str(error) == f"{refusals['bgnbd']} {refusals['mbgnbd']}"  # the English as before
    each = refusals["bgnbd"].in_lang("zh") + refusals["mbgnbd"].in_lang("zh")
    assert error.in_lang("zh") == "各模型均未能拟合：" + each
    assert "拟合未收敛" in error.in_lang("zh")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("first_values", [("East", "West"), ()])
def test_nothing_left_says_the_warnings_own_sentence(lang: str, first_values: tuple[str, ...]) -> None:
    # one sentence for "no line has region Esat (…)": the warning's and the error's, in both languages
    from kamtool.engine.filters import Unmatched, nothing_left
    from kamtool.io.request import Filters, Where
    from kamtool.render.words.filters import no_line_has, unmatched

    gone = Unmatched(name="region", column="region", given=("Esat",), missing=("Esat",),
                     first_values=first_values, more=False)
    error = nothing_left("o.csv", {"--where region": 2}, Filters(where=(Where("region", ("Esat",)),)), [gone])
    sentence = no_line_has(gone, lang)
    assert error.in_lang(lang).endswith(label("phrase.filters.no_line_has", lang).format(no_line=sentence))
    assert unmatched(gone, lang).endswith(sentence)
    assert ("区域" in sentence) == (lang == "zh")
