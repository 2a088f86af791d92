"""Header mapping: a file's column names -> kamtool's canonical columns.

Headers are compared after normalising case, width, spaces and punctuation, so
``Customer ID``, ``customer_id``, ``CUSTOMERID`` and ``客户 编号`` all match.
``--col canonical=Header`` overrides any guess.

Three kinds of file, each with its own synonym table (:data:`TABLES`), because one header
means different things in different files:

- ``orders`` (:data:`SYNONYMS`): the order lines every command reads;
- ``accounts`` (:data:`ACCOUNT_SYNONYMS`, ``--accounts``): one row per customer; there
  客户经理 / owner is the account ``owner``, not an order line's ``salesperson``;
- ``payments`` (:data:`PAYMENT_SYNONYMS`, ``--payments``): one row per payment received;
  there 收款日期 / paid_date is the payment's ``date`` and 收款金额 / paid_amount its
  ``amount``.

实收金额 ("amount actually received").  In a payments file it is the payment's ``amount``.
In an order file it is the line's ``amount`` unless the file has another amount column
(金额, 销售额, 含税金额, amount, …): then that one is ``amount`` and 实收金额 is the line's
``paid_amount``.  The rule follows from the order of the synonyms: 实收金额 is the *last*
synonym of ``amount`` (any other amount header claims ``amount`` first) and a synonym of
``paid_amount`` (which takes it when ``amount`` did not).  The same holds for 已收金额.

``invoice_id`` in an order file: a second document number.  The first of 订单号 / 发票号 /
invoice_no … is the ``order_id``; another one, when present, is the ``invoice_id``
(a file with 订单号 and 发票号: order_id = 订单号, invoice_id = 发票号).  The credit load
falls back to order_id when a file has no invoice_id (:mod:`kamtool.engine.prepare`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kamtool.errors import ColumnError, UsageError

# Canonical column -> synonyms, most specific first.  Order matters only inside one
# canonical column; a header is claimed by the first canonical column listing it.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer": (
        "customer", "customer_id", "customerid", "customer_no", "customer_code", "cust_id",
        "client", "client_id", "account", "account_id", "buyer", "kunde",
        "客户", "客户编号", "客户代码", "客户编码", "客户id", "客户号", "客户名称", "客户名",
        "购货单位", "购买方",
    ),
    "customer_name": ("customer_name", "client_name", "account_name", "客户名称", "客户名"),
    "date": (
        "date", "order_date", "orderdate", "invoice_date", "invoicedate", "transaction_date",
        "sale_date", "sales_date", "日期", "订单日期", "下单日期", "销售日期", "开票日期",
        "单据日期", "交易日期", "业务日期",
    ),
    "amount": (
        "amount", "net_amount", "revenue", "sales", "net_sales", "sales_amount", "line_total",
        "total", "value", "金额", "销售额", "销售金额", "含税金额", "价税合计",
        "成交金额", "订单金额",
        "实收金额",  # last: any other amount column wins, and this one is paid_amount (module doc)
    ),
    "order_id": (
        "order_id", "orderid", "order_no", "order_number", "order", "invoice", "invoice_no",
        "invoiceno", "invoice_number", "document_no", "订单号", "订单编号", "单号", "单据编号",
        "发票号", "发票号码",
    ),
    "quantity": ("quantity", "qty", "units", "数量", "销售数量", "件数"),
    "unit_price": ("unit_price", "unitprice", "price", "单价", "销售单价", "含税单价"),
    "cost": ("cost", "cost_amount", "cogs", "成本", "成本金额", "销售成本"),
    "profit": ("profit", "margin", "gross_profit", "gross_margin", "毛利", "利润", "毛利额"),
    "salesperson": (
        "salesperson", "sales_person", "sales_rep", "salesrep", "rep", "owner",
        "account_manager", "业务员", "销售员", "销售代表", "客户经理", "负责人",
    ),
    "region": ("region", "area", "territory", "区域", "地区", "大区", "片区", "省份"),
    "channel": ("channel", "渠道", "销售渠道"),
    "product": (
        "product", "product_id", "product_code", "sku", "item", "item_code", "stockcode",
        "stock_code", "产品", "商品", "品名", "产品编号", "产品名称", "商品名称", "物料", "存货名称",
    ),
    "brand": ("brand", "品牌"),
    "category": ("category", "product_category", "品类", "类别", "产品类别", "商品类别"),
    "due_date": ("due_date", "duedate", "到期日", "应收日期"),
    "paid_date": ("paid_date", "payment_date", "付款日期", "回款日期", "收款日期"),
    "paid_amount": ("paid_amount", "payment", "paid", "付款金额", "回款金额", "已收金额", "实收金额"),
    # Only a second document number: the first one is order_id (module doc).
    "invoice_id": ("invoice_id", "invoiceid", "invoice", "invoice_no", "invoiceno", "invoice_number",
                   "发票号", "发票号码", "发票编号"),
}

_CUSTOMER = SYNONYMS["customer"]

# The accounts file (客户资料), keyed by customer.
ACCOUNT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer": _CUSTOMER,
    "customer_name": SYNONYMS["customer_name"],
    "strategic_value": ("strategic_value", "strategic", "strategic_score", "战略价值", "战略价值评分",
                        "战略评分", "战略重要性"),
    "elasticity": ("elasticity", "sales_elasticity", "销售弹性", "弹性", "销售弹性系数"),
    "owner": ("owner", "account_owner", "account_manager", "key_account_manager", "salesperson",
              "sales_rep", "客户经理", "负责人", "大客户经理", "业务员", "销售员", "销售代表"),
    "segment": ("segment", "customer_segment", "customer_type", "客户分类", "客户类型", "细分市场", "客户群"),
    "industry": ("industry", "sector", "行业", "所属行业", "行业类别"),
    "region": SYNONYMS["region"],
    "credit_limit": ("credit_limit", "creditlimit", "credit_line", "limit", "授信额度", "信用额度",
                     "信用限额", "授信金额"),
    "payment_terms": ("payment_terms", "terms", "credit_terms", "账期", "付款条件", "信用期",
                      "付款期限", "账期天数"),
    "status": ("status", "account_status", "状态", "客户状态"),
    "churn_reason": ("churn_reason", "lost_reason", "reason", "流失原因", "流失理由"),
}

# The payments file (收款记录): one row per payment received.
PAYMENT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer": _CUSTOMER,
    "date": ("date", "paid_date", "payment_date", "receipt_date", "收款日期", "付款日期", "回款日期",
             "到账日期", "日期"),
    "amount": ("amount", "paid_amount", "payment", "payment_amount", "paid", "收款金额", "付款金额",
               "回款金额", "实收金额", "已收金额", "到账金额", "金额"),
    "invoice_id": SYNONYMS["invoice_id"],
    "order_id": ("order_id", "orderid", "order_no", "order_number", "order", "订单号", "订单编号"),
}

# The support file (tiers' sales elasticity): support given to a customer on a day or in a month
# (visits, marketing spend), summed per customer × month.
SUPPORT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer": _CUSTOMER,
    "date": ("date", "month", "period", "visit_date", "日期", "月份", "拜访日期", "期间"),
    "support": ("support", "visits", "marketing_spend", "spend", "支持", "拜访次数", "营销费用", "投入"),
}

KINDS = ("orders", "accounts", "payments", "support")
TABLES: dict[str, dict[str, tuple[str, ...]]] = {
    "orders": SYNONYMS, "accounts": ACCOUNT_SYNONYMS, "payments": PAYMENT_SYNONYMS,
    "support": SUPPORT_SYNONYMS,
}

CANONICAL: tuple[str, ...] = tuple(SYNONYMS)
# The column a file's own header becomes under --by HEADER (pareto --by Kundengruppe): its
# values are text, and the header travels on as a display label only.
ENTITY = "entity"
REQUIRED: tuple[str, ...] = ("customer",)
DATE_COLUMNS = frozenset({"date", "due_date", "paid_date"})
# How an accounts file's columns are cleaned (the others are text).
ACCOUNT_MONEY = frozenset({"credit_limit"})
ACCOUNT_NUMBERS = frozenset({"strategic_value", "elasticity"})
MONEY_COLUMNS = frozenset({"amount", "unit_price", "cost", "profit", "paid_amount"})
NUMBER_COLUMNS = MONEY_COLUMNS | {"quantity"}
TEXT_COLUMNS = frozenset(
    {"customer", "customer_name", "order_id", "invoice_id", "salesperson", "region", "channel", "product",
     "brand", "category"}
)

_PUNCT = re.compile(r"[\s_\-./\\()（）\[\]【】:：#·,，]+")


def normalise(header: str) -> str:
    """Compare headers by letters and digits only, case- and width-insensitive."""
    text = unicodedata.normalize("NFKC", str(header)).strip().lower()
    return _PUNCT.sub("", text)


_LOOKUPS: dict[str, dict[str, str]] = {}
for _kind, _table in TABLES.items():
    _lookup = _LOOKUPS.setdefault(_kind, {})
    for _canon, _names in _table.items():
        for _name in _names:
            _lookup.setdefault(normalise(_name), _canon)


def _synonyms(kind: str) -> dict[str, tuple[str, ...]]:
    if kind not in TABLES:
        raise ValueError(f"no synonym table for {kind!r}; the kinds are {', '.join(KINDS)}")
    return TABLES[kind]


def guess(header: str, kind: str = "orders") -> str | None:
    """The canonical column a header of a ``kind`` file names, or None."""
    _synonyms(kind)
    return _LOOKUPS[kind].get(normalise(header))


def parse_overrides(values: Iterable[str] | None, kind: str = "orders",
                    option: str = "--col") -> dict[str, str]:
    """``["customer=Kunde", "amount=Umsatz"]`` -> ``{"customer": "Kunde", ...}``.

    ``kind``: whose columns the names must be; ``option``: the flag or config table named in errors.
    """
    table = _synonyms(kind)
    overrides: dict[str, str] = {}
    for item in values or ():
        canon, sep, header = item.partition("=")
        canon = canon.strip()
        if not sep or not canon or not header.strip():
            raise UsageError.said("error.columns.takes_canonical_header_customer", option=option, item=item)
        if canon not in table:
            what = "a kamtool column" if kind == "orders" else f"a column of the {kind} file"
            raise UsageError.said("error.columns.not_use_one", option=option, item=item, canon=canon,
                                  what=what, table=', '.join(table))
        overrides[canon] = header.strip()
    return overrides


@dataclass
class Mapping:
    """Which file header feeds which canonical column."""

    columns: dict[str, str] = field(default_factory=dict)  # canonical -> file header
    unused: list[str] = field(default_factory=list)  # file headers no column claimed

    def header_for(self, canonical: str) -> str | None:
        return self.columns.get(canonical)

    def __contains__(self, canonical: object) -> bool:
        return canonical in self.columns


def score_header_row(cells: Sequence[object], kind: str = "orders") -> int:
    """How many cells of a row look like known headers of a ``kind`` file (to find the header row)."""
    seen: set[str] = set()
    for cell in cells:
        if cell is None:
            continue
        canon = guess(str(cell), kind)
        if canon is not None:
            seen.add(canon)
    return len(seen)


def map_columns(
    headers: Sequence[str],
    overrides: dict[str, str] | None = None,
    *,
    source: str = "the file",
    entity: str | None = None,
    kind: str = "orders",
) -> Mapping:
    """Map a file's headers onto canonical columns.

    Overrides win.  Otherwise each header goes to the canonical column whose
    synonym it matches; where two headers match one canonical column the
    earlier synonym wins (``客户编号`` beats ``客户名称`` for ``customer``), and the
    other is offered to the next column listing it (``客户名称`` -> customer_name).
    ``entity``: the header ``--by`` named, mapped to :data:`ENTITY` (compared normalised).
    ``kind``: which synonym table (:data:`TABLES`) the file's headers are read with.
    """
    table = _synonyms(kind)
    overrides = overrides or {}
    mapping: dict[str, str] = {}
    by_norm = {normalise(h): h for h in headers}
    if entity is not None:
        found = entity if entity in headers else by_norm.get(normalise(entity))
        if found is None:
            raise ColumnError.said("error.columns.no_such_column_file", source=source, entity=entity,
                                   headers=', '.join(map(str, headers)), canonical=', '.join(CANONICAL))
        mapping[ENTITY] = found
    for canon, header in overrides.items():
        if header in headers:
            mapping[canon] = header
        elif normalise(header) in by_norm:
            mapping[canon] = by_norm[normalise(header)]
        else:
            raise ColumnError.said("error.columns.col_no_column_file", source=source, canon=canon,
                                   header=header, headers=', '.join(map(str, headers)))
    taken = set(mapping.values())
    for canon, names in table.items():
        if canon in mapping:
            continue
        for name in names:
            found = by_norm.get(normalise(name))
            if found is not None and found not in taken:
                mapping[canon] = found
                taken.add(found)
                break
    unused = [h for h in headers if h not in taken]
    return Mapping(columns=mapping, unused=unused)


def require(mapping: Mapping, headers: Sequence[str], needed: Iterable[str], *, source: str) -> None:
    """Raise a ColumnError naming the file's headers and the --col flag that fixes it."""
    missing = [c for c in needed if c not in mapping]
    if "amount" in missing and "quantity" in mapping and "unit_price" in mapping:
        missing.remove("amount")  # amount = quantity x unit_price
    if not missing:
        return
    shown = ", ".join(repr(str(h)) for h in headers) or "(none)"
    first = missing[0]
    example = next((str(h) for h in mapping.unused), "HEADER") if mapping.unused else "HEADER"
    hint = f"--col {first}={example}"
    key = "error.no_amount_column" if "amount" in missing else "error.no_column"
    raise ColumnError.said(key, file=source, columns=" / ".join(missing), headers=shown, hint=hint)
