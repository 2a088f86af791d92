"""Header mapping: a file's column names -> kamtool's canonical columns.

Headers are compared after normalising case, width, spaces and punctuation, so
``Customer ID``, ``customer_id``, ``CUSTOMERID`` and ``客户 编号`` all match.
``--col canonical=Header`` overrides any guess.
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
        "total", "value", "金额", "销售额", "销售金额", "实收金额", "含税金额", "价税合计",
        "成交金额", "订单金额",
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
    "paid_amount": ("paid_amount", "payment", "paid", "付款金额", "回款金额", "已收金额"),
}

CANONICAL: tuple[str, ...] = tuple(SYNONYMS)
# The column a file's own header becomes under --by HEADER (pareto --by Kundengruppe): its
# values are text, and the header travels on as a display label only.
ENTITY = "entity"
REQUIRED: tuple[str, ...] = ("customer",)
DATE_COLUMNS = frozenset({"date", "due_date", "paid_date"})
MONEY_COLUMNS = frozenset({"amount", "unit_price", "cost", "profit", "paid_amount"})
NUMBER_COLUMNS = MONEY_COLUMNS | {"quantity"}
TEXT_COLUMNS = frozenset(
    {"customer", "customer_name", "order_id", "salesperson", "region", "channel", "product",
     "brand", "category"}
)

_PUNCT = re.compile(r"[\s_\-./\\()（）\[\]【】:：#·,，]+")


def normalise(header: str) -> str:
    """Compare headers by letters and digits only, case- and width-insensitive."""
    text = unicodedata.normalize("NFKC", str(header)).strip().lower()
    return _PUNCT.sub("", text)


_LOOKUP: dict[str, str] = {}
for _canon, _names in SYNONYMS.items():
    for _name in _names:
        _LOOKUP.setdefault(normalise(_name), _canon)


def guess(header: str) -> str | None:
    return _LOOKUP.get(normalise(header))


def parse_overrides(values: Iterable[str] | None) -> dict[str, str]:
    """``["customer=Kunde", "amount=Umsatz"]`` -> ``{"customer": "Kunde", ...}``."""
    overrides: dict[str, str] = {}
    for item in values or ():
        canon, sep, header = item.partition("=")
        canon = canon.strip()
        if not sep or not canon or not header.strip():
            raise UsageError(f"--col takes canonical=Header, e.g. --col customer=Kunde (got {item!r})")
        if canon not in SYNONYMS:
            raise UsageError(
                f"--col {item}: {canon!r} is not a kamtool column; use one of {', '.join(CANONICAL)}"
            )
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


def score_header_row(cells: Sequence[object]) -> int:
    """How many cells of a row look like known headers (to find the header row)."""
    seen: set[str] = set()
    for cell in cells:
        if cell is None:
            continue
        canon = guess(str(cell))
        if canon is not None:
            seen.add(canon)
    return len(seen)


def map_columns(
    headers: Sequence[str],
    overrides: dict[str, str] | None = None,
    *,
    source: str = "the file",
    entity: str | None = None,
) -> Mapping:
    """Map a file's headers onto canonical columns.

    Overrides win.  Otherwise each header goes to the canonical column whose
    synonym it matches; where two headers match one canonical column the
    earlier synonym wins (``客户编号`` beats ``客户名称`` for ``customer``), and the
    other is offered to the next column listing it (``客户名称`` -> customer_name).
    ``entity``: the header ``--by`` named, mapped to :data:`ENTITY` (compared normalised).
    """
    overrides = overrides or {}
    mapping: dict[str, str] = {}
    by_norm = {normalise(h): h for h in headers}
    if entity is not None:
        found = entity if entity in headers else by_norm.get(normalise(entity))
        if found is None:
            raise ColumnError(
                f"{source}: --by {entity}: no such column. The file's columns are: "
                f"{', '.join(map(str, headers))}. Name one of them, or a kamtool column "
                f"({', '.join(CANONICAL)})"
            )
        mapping[ENTITY] = found
    for canon, header in overrides.items():
        if header in headers:
            mapping[canon] = header
        elif normalise(header) in by_norm:
            mapping[canon] = by_norm[normalise(header)]
        else:
            raise ColumnError(
                f"{source}: --col {canon}={header}: no column {header!r}. "
                f"The file's columns are: {', '.join(map(str, headers))}"
            )
    taken = set(mapping.values())
    for canon, names in SYNONYMS.items():
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
    extra = " (or quantity and unit_price columns)" if "amount" in missing else ""
    raise ColumnError(
        f"{source}: no {' / '.join(missing)} column{extra} found. "
        f"The file's columns are: {shown}. Tell kamtool which one it is, e.g. {hint}"
    )
