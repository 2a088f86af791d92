"""Labels shared by every command: canonical columns, ledger fields, messages."""

LABELS: dict[str, tuple[str, str]] = {
    # canonical order-line columns
    "customer": ("Customer", "客户"),
    "date": ("Date", "日期"),
    "amount": ("Amount", "金额"),
    "order_id": ("Order", "订单号"),
    "quantity": ("Quantity", "数量"),
    "unit_price": ("Unit price", "单价"),
    "cost": ("Cost", "成本"),
    "profit": ("Profit", "利润"),
    "customer_name": ("Customer name", "客户名称"),
    "salesperson": ("Salesperson", "业务员"),
    "region": ("Region", "区域"),
    "channel": ("Channel", "渠道"),
    "product": ("Product", "产品"),
    "brand": ("Brand", "品牌"),
    "category": ("Category", "品类"),
    "due_date": ("Due date", "到期日"),
    "paid_date": ("Paid date", "付款日期"),
    "paid_amount": ("Paid amount", "付款金额"),
    # ledger fields
    "revenue": ("Revenue", "销售额"),
    "orders": ("Orders", "订单数"),
    "lines": ("Lines", "明细行数"),
    "first_date": ("First order", "首次下单"),
    "last_date": ("Last order", "最近下单"),
    "active_days": ("Active days", "有交易天数"),
    "products": ("Products", "产品数"),
    "brands": ("Brands", "品牌数"),
    "returns": ("Return lines", "退货行数"),
    "returns_value": ("Returns value", "退货金额"),
    "share": ("Share", "占比"),
    "cumulative_share": ("Cumulative share", "累计占比"),
    "rank": ("Rank", "排名"),
    "customers": ("Customers", "客户数"),
    # RFM's words (clv overrides them with its own meanings as clv.recency …)
    "recency": ("Recency (days)", "最近消费（天）"),
    "frequency": ("Frequency", "消费频率"),
    "monetary": ("Monetary", "消费金额"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    # the filters of a load (--from, --to, --where), stated in every headline
    "filters.sentence": ("Filtered: {parts}.", "筛选：{parts}。"),
    "filters.join": ("; ", "；"),
    "filters.dates.both": ("order dates {first} to {last}", "订单日期 {first} 至 {last}"),
    "filters.dates.from": ("order dates from {first}", "订单日期自 {first} 起"),
    "filters.dates.to": ("order dates up to {last}", "订单日期截至 {last}"),
    "filters.where": ("{column} {values}", "{column}为{values}"),
    "filters.or": (" or ", "或"),
    "filters.title": ("filtered: {parts}", "筛选：{parts}"),
    # --per: the headline figures per value of a column
    "per": ("Headline figures per value", "各值的主要指标"),
    "per.note": (
        "Per {dim}: each row holds the figures the command gives with --where {dim}=that value{as_of}.",
        "按{dim}：每行即用 --where {dim}=该值 运行本命令所得的指标{as_of}。",
    ),
    "per.note.as_of": (", as of {as_of} for every row", "，各行统一以 {as_of} 为基准日"),
    "per.none": ("(none)", "（无）"),
    "inspect.reason.filtered out: --from/--to": ("filtered out: --from/--to", "筛选剔除：--from/--to"),
}
# a drop reason per --where on a kamtool column, in both languages
for _column in ("customer", "customer_name", "order_id", "salesperson", "region", "channel",
                "product", "brand", "category"):
    LABELS[f"inspect.reason.filtered out: --where {_column}"] = (
        f"filtered out: --where {_column}", f"筛选剔除：--where {_column}（{LABELS[_column][1]}）")
