"""Words of the account card: its blocks of captions and values, the reasons a part is
empty, the sentences of the churn warning, the notes; the console and the workbook lay the
same blocks out (:mod:`kamtool.render.card`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kamtool.labels import has_label, label
from kamtool.render.formats import figure, percent

if TYPE_CHECKING:
    from kamtool.result import Result


@dataclass
class Line:
    """One line of a block: a caption and its cells, each a value and its kind (``text``
    for words; ``money``, ``share``, ``count``, ``number``, ``date`` for figures)."""

    caption: str
    cells: list[tuple[Any, str]]
    alert: bool = False  # a warning the reader must not miss (at risk, over limit)


@dataclass
class Block:
    title: str
    lines: list[Line] = field(default_factory=list)
    header: list[str] | None = None  # captions of the cells, for a block that is a table


def headline(result: Result, lang: str) -> list[str]:
    s = result.summary
    return [label("profile.headline", lang).format(cards=s["cards"], as_of=s["as_of"])]


def notes(result: Result, lang: str) -> list[str]:
    p = result.params
    (start, end), (prior_start, prior_end) = p["last_12m"], p["prior_12m"]
    basis = label(f"param.value.orders_basis.{p.get('orders_basis', 'order_id').replace('-', '_')}", lang)
    return [
        label("profile.note_windows", lang).format(
            start=start, end=end, prior_start=prior_start, prior_end=prior_end, basis=basis
        ),
        label("profile.note_commands", lang),
    ]


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):
        return False


def code_text(command: str, column: str, code: Any, lang: str) -> str:
    """A command's code (tiers' ``key``) in its words (重点客户), else as written."""
    key = f"{command}.{column}.{code}"
    return label(key, lang) if has_label(key) else str(code)


def title(row: Mapping[str, Any], lang: str) -> str:
    name = row.get("customer_name")
    if _missing(name) or not str(name).strip():
        return label("profile.card_title_no_name", lang).format(customer=row["customer"])
    return label("profile.card_title", lang).format(customer=row["customer"], name=name)


def reason_text(status: Mapping[str, Any] | None, section: str, lang: str) -> str | None:
    """Why a part of the card is empty, or None when it was computed."""
    if status is None or _missing(status.get("reason")):
        return None
    reason = str(status["reason"])
    if reason == "failed":
        detail = status.get("detail")
        return label("profile.reason.failed", lang).format(detail="" if _missing(detail) else detail)
    if reason == "no_row":
        return label("profile.reason.no_row", lang).format(why=label(f"profile.why.{section}", lang))
    return label(f"profile.reason.{reason}", lang)


def blocks(result: Result, index: int, lang: str) -> list[Block]:
    """The card of ``result.rows`` row ``index`` as blocks of lines, in ``lang``."""
    row = {str(k): v for k, v in result.rows.iloc[index].to_dict().items()}
    sections = result.tables["sections"]
    own = sections[sections["customer"] == row["customer"]]
    status = {r["section"]: r for r in own.to_dict("records")}
    why = {name: reason_text(status.get(name), name, lang) for name in status}
    return [
        _account(row, result, why, lang),
        _business(row, result, why, lang),
        _classes(row, why, lang),
        _outlook(row, result, why, lang),
        _credit(row, why, lang),
    ]


def _text(value: Any) -> list[tuple[Any, str]]:
    return [("" if _missing(value) else value, "text")]


def _account(row: dict[str, Any], result: Result, why: dict[str, str | None], lang: str) -> Block:
    block = Block(label("profile.block.account", lang))
    for key in ("customer", "customer_name", "owner", "region", "segment", "industry", "status"):
        if key in ("industry", "status") and _missing(row.get(key)):
            continue
        block.lines.append(Line(label(f"profile.{key}", lang), _text(row.get(key))))
    first, last = row.get("first_date"), row.get("last_date")
    if _missing(first):
        block.lines.append(
            Line(label("profile.first_date", lang), _text(label("profile.reason.no_orders", lang)))
        )
    else:
        block.lines.append(Line(label("profile.first_date", lang), [(first, "date")]))
        block.lines.append(Line(label("profile.last_date", lang), [(last, "date")]))
    tenure = row.get("tenure_months")
    tenure_text = (
        why.get("stages")
        if tenure is None or _missing(tenure)
        else label("profile.tenure_value", lang).format(months=f"{float(tenure):g}")
    )
    block.lines.append(Line(label("profile.tenure", lang), _text(tenure_text)))
    block.lines.append(Line(label("profile.as_of", lang), [(result.params["as_of"], "text")]))
    return block


def _business(row: dict[str, Any], result: Result, why: dict[str, str | None], lang: str) -> Block:
    header = [
        label("profile.last_12m", lang),
        label("profile.prior_12m", lang),
        label("profile.change", lang),
    ]
    block = Block(label("profile.block.business", lang), header=header)
    block.lines.append(
        Line(
            label("profile.revenue", lang),
            [
                (row.get("revenue_12m"), "money"),
                (row.get("revenue_prior_12m"), "money"),
                (row.get("revenue_change"), "change"),
            ],
        )
    )
    if why.get("profit"):
        block.lines.append(Line(label("profile.profit", lang), _text(why["profit"])))
    else:
        block.lines.append(
            Line(
                label("profile.profit", lang),
                [(row.get("profit_12m"), "money"), (row.get("profit_prior_12m"), "money"), ("", "text")],
            )
        )
    block.lines.append(
        Line(
            label("profile.orders", lang),
            [(row.get("orders_12m"), "count"), (row.get("orders_prior_12m"), "count"), ("", "text")],
        )
    )
    block.lines.append(
        Line(
            label("profile.aov", lang),
            [(row.get("aov_12m"), "money"), (row.get("aov_prior_12m"), "money"), ("", "text")],
        )
    )
    if why.get("abc"):
        block.lines.append(Line(label("profile.revenue_share", lang), _text(why["abc"])))
    else:
        block.lines.append(Line(label("profile.revenue_share", lang), [(row.get("revenue_share"), "share")]))
        rank = label("profile.rank_value", lang).format(
            rank=figure(row.get("revenue_rank"), "count"),
            customers=figure(result.summary.get("customers"), "count"),
        )
        block.lines.append(Line(label("profile.rank", lang), _text(rank)))
    months = result.tables["months"]
    own = months[months["customer"] == row["customer"]]
    values = [float(v) for v in own["revenue"]]
    block.lines.append(
        Line(
            months_caption(result, lang),
            [(values, "sparkline"), (months_peak(values, list(own["month"]), lang), "text")],
        )
    )
    for column, key in (("product", "profile.top_products"), ("brand", "profile.top_brands")):
        frame = result.tables[f"{column}s"]
        has = bool(result.params.get(f"has_{column}", column in frame.columns and len(frame) > 0))
        block.lines.append(Line(label(key, lang), _text(top_text(frame, column, row["customer"], has, lang))))
    return block


def months_caption(result: Result, lang: str) -> str:
    p = result.params
    return label("profile.months", lang).format(first=p.get("first_month"), last=p.get("last_month"))


def months_peak(values: list[float], months: list[str], lang: str) -> str:
    if not values or max(values) <= 0:
        return label("profile.months_none", lang)
    at = values.index(max(values))
    return label("profile.months_peak", lang).format(value=figure(values[at], "money"), month=months[at])


def top_text(frame: Any, column: str, customer: str, has_column: bool, lang: str) -> str:
    """ "KAM-PAP-A4 45.0 % · NRD-PKG-FILM 20.1 %": the top items and their share."""
    if not has_column:
        return label("profile.top_none", lang).format(what=label(f"profile.what.{column}", lang))
    own = frame[frame["customer"] == customer]
    if own.empty:
        return label("profile.top_empty", lang)
    return " · ".join(
        f"{item} {percent(share, lang) if not _missing(share) else ''}".strip()
        for item, share in zip(own[column], own["share"], strict=True)
    )


def _classes(row: dict[str, Any], why: dict[str, str | None], lang: str) -> Block:
    from kamtool.analyses.rfm import DEFAULT_SEGMENTS
    from kamtool.render.words.loyalty import group_name
    from kamtool.render.words.rfm import segment_words

    block = Block(label("profile.block.classes", lang))

    def line(key: str, section: str, text: str) -> None:
        block.lines.append(Line(label(key, lang), _text(why.get(section) or text)))

    line("profile.abc_class", "abc", label("profile.abc_class_value", lang).format(cls=row.get("abc_class")))
    code = str(row.get("rfm_segment"))
    segment = segment_words(DEFAULT_SEGMENTS, lang).get(code, (code, ""))[0]
    scores = label("profile.rfm_scores", lang).format(
        r=_int(row.get("r_score")), f=_int(row.get("f_score")), m=_int(row.get("m_score"))
    )
    line("profile.rfm_segment", "rfm", _paren(segment, scores, lang))
    group = str(group_name(row.get("loyalty_group"), lang))
    extras = []
    if not _missing(row.get("leading_brand")) and not _missing(row.get("focal_share")):
        extras.append(
            label("profile.leading_brand", lang).format(
                brand=row["leading_brand"], share=percent(float(row["focal_share"]), lang)
            )
        )
    if _true(row.get("early_adopter")):
        extras.append(label("profile.early_adopter", lang))
    line("profile.loyalty_group", "loyalty", _paren(group, "; ".join(extras), lang) if extras else group)
    tier = code_text("tiers", "tier", row.get("tier"), lang)
    score = label("profile.tier_score", lang).format(score=_number(row.get("tier_score")))
    line("profile.tier", "tiers", f"{tier} · {score}")
    if not why.get("tiers"):
        missing = label("profile.factor_missing", lang)
        factors = " · ".join(
            f"{label(f'profile.factor.{f}', lang)} "
            f"{missing if _missing(row.get(f'{f}_score')) else _number(row.get(f'{f}_score'))}"
            for f in ("strategic", "profit", "loyalty", "elasticity", "future")
        )
        block.lines.append(Line(label("profile.factors", lang), _text(factors)))
    stage = code_text("stages", "stage", row.get("stage"), lang)
    flags = [label(f"profile.stage_flags.{f}", lang) for f in ("declining", "lost") if _true(row.get(f))]
    rule = code_text("stages", "stage_rule", row.get("stage_rule"), lang)
    stage_text = _paren(stage, rule, lang) + (
        f" · {label('profile.list_sep', lang).join(flags)}" if flags else ""
    )
    block.lines.append(
        Line(label("profile.stage", lang), _text(why.get("stages") or stage_text), alert=bool(flags))
    )
    return block


def _int(value: Any) -> str:
    return "–" if _missing(value) else f"{int(value)}"


def _number(value: Any) -> str:
    return "–" if _missing(value) else f"{float(value):.1f}"


def _outlook(row: dict[str, Any], result: Result, why: dict[str, str | None], lang: str) -> Block:
    block = Block(label("profile.block.outlook", lang))
    if why.get("clv"):
        block.lines.append(Line(label("profile.clv", lang), _text(why["clv"])))
    else:
        horizon, unit = result.params.get("clv_horizon"), result.params.get("clv_unit")
        purchases = figure(row.get("expected_purchases"), "number")
        if horizon is not None and unit is not None:
            span = label("profile.expected_horizon", lang).format(
                horizon=horizon,
                unit=label(f"profile.unit.{unit}", lang) if has_label(f"profile.unit.{unit}") else unit,
            )
            purchases = _paren(purchases, span, lang)
        block.lines.append(Line(label("profile.p_alive", lang), [(row.get("p_alive"), "share")]))
        block.lines.append(Line(label("profile.expected_purchases", lang), _text(purchases)))
        block.lines.append(Line(label("profile.clv", lang), [(row.get("clv"), "money")]))
    block.lines.append(_churn_line(row, result, why, lang))
    return block


def _churn_line(row: dict[str, Any], result: Result, why: dict[str, str | None], lang: str) -> Line:
    caption = label("profile.churn", lang)
    if why.get("churn"):
        return Line(caption, _text(why["churn"]))
    start, end = result.params.get("churn_periods", [None, None])
    status = label("profile.churn_status", lang).format(
        status=code_text("churn", "status", row.get("churn_status"), lang), start=start, end=end
    )
    if _true(row.get("at_risk")):
        warning = label("profile.churn_at_risk", lang).format(
            ratio=f"{float(row['silence_ratio']):.1f}",
            days=_int(row.get("days_since_last")),
            gap=_int(row.get("median_gap_days")),
        )
        return Line(caption, _text(f"{warning} · {status}"), alert=True)
    alert = row.get("churn_status") == "lost"
    return Line(
        caption,
        _text(f"{label('profile.churn_none', lang)} · {status}" if not alert else status),
        alert=alert,
    )


def _credit(row: dict[str, Any], why: dict[str, str | None], lang: str) -> Block:
    block = Block(label("profile.block.credit", lang))
    if why.get("credit"):
        block.lines.append(Line(label("profile.balance", lang), _text(why["credit"])))
        return block
    block.lines.append(Line(label("profile.balance", lang), [(row.get("balance"), "money")]))
    late = not _missing(row.get("overdue")) and float(row["overdue"]) > 0
    overdue = (
        label("profile.overdue_days", lang).format(
            amount=figure(row.get("overdue"), "money"), days=_int(row.get("max_days_past_due"))
        )
        if late
        else figure(row.get("overdue"), "money")
    )
    block.lines.append(Line(label("profile.overdue", lang), _text(overdue), alert=late))
    block.lines.append(
        Line(label("profile.grade", lang), _text(code_text("credit", "grade", row.get("credit_grade"), lang)))
    )
    suggested = figure(row.get("credit_limit"), "money")
    limit = (
        label("profile.limit_suggested", lang).format(suggested=suggested)
        if _missing(row.get("current_limit"))
        else label("profile.limit_given", lang).format(
            limit=figure(row["current_limit"], "money"), suggested=suggested
        )
    )
    block.lines.append(Line(label("profile.limit", lang), _text(limit)))
    over = _true(row.get("over_limit"))
    utilisation = percent(float(row["utilisation"]), lang) if not _missing(row.get("utilisation")) else "–"
    block.lines.append(
        Line(
            label("profile.utilisation", lang),
            _text(f"{utilisation} · {label('profile.over_limit', lang)}" if over else utilisation),
            alert=over,
        )
    )
    return block


def _true(value: Any) -> bool:
    return not _missing(value) and bool(value)


def _paren(text: str, extra: str, lang: str) -> str:
    return label("profile.paren", lang).format(text=text, extra=extra)
