"""Labels of `kamtool inspect`."""

LABELS: dict[str, tuple[str, str]] = {
    "inspect.title": ("Column mapping", "列映射"),
    "inspect.source": (
        "{source}: {format}{where}{header}; {rows:,} rows read, {dropped:,} dropped",
        "{source}：{format}{where}{header}；读取 {rows:,} 行，剔除 {dropped:,} 行",
    ),
    "inspect.csv": (", {encoding}, separator '{delimiter}'", "，编码 {encoding}，分隔符 '{delimiter}'"),
    "inspect.sheet": (", sheet '{sheet}'", "，工作表 '{sheet}'"),
    "inspect.header": (", header on row {row}", "，表头在第 {row} 行"),
    "inspect.totals": (
        "{lines:,} order lines, {customers:,} customers, {orders:,} orders ({basis}), "
        "{first} to {last}; "
        "net revenue {revenue:,.2f} including returns of {returns:,.2f} ({return_lines:,} lines)",
        "订单明细 {lines:,} 行，客户 {customers:,} 个，订单 {orders:,} 个（{basis}），"
        "{first} 至 {last}；"
        "净销售额 {revenue:,.2f}，其中退货 {returns:,.2f}（{return_lines:,} 行）",
    ),
    "inspect.engine": (
        "Engine: {engine} ({reason})",
        "引擎：{engine}（{reason}）",
    ),
    "inspect.dropped": ("Dropped {n:,} rows: {reasons}", "剔除 {n:,} 行：{reasons}"),
    "inspect.basis.order_id": ("distinct order ids", "按订单号去重"),
    "inspect.basis.customer-day": (
        "no order id: one order per customer per day", "无订单号：每客户每天计一单",
    ),
    "inspect.note.order_id": (
        "An order is a distinct order id per customer; lines without one count one order per customer-day.",
        "订单数 = 每个客户不同订单号的个数；无订单号的明细按每客户每天计一单。",
    ),
    "inspect.note.customer-day": (
        "The file has no order id: an order is a distinct customer-day.",
        "文件没有订单号：订单数按每个客户的不同下单日期计。",
    ),
    "inspect.note.unread": (
        "Empty cells are counted in the columns the figures read ({columns}); the other mapped columns "
        "are not read by inspect and show no count.",
        "空值数只统计计算所用的列（{columns}）；其余已识别的列 inspect 不读取，不显示空值数。",
    ),
    "inspect.note.profit": (
        "Profit = amount − cost (or the profit column); lines without a cost have no profit.",
        "利润 = 金额 − 成本（或利润列）；无成本的明细不计利润。",
    ),
    "source": ("Source", "来源"),
    "column": ("Column", "字段"),
    "header": ("Header in file", "文件表头"),
    "missing": ("Empty cells", "空值数"),
    "format": ("Format", "格式"),
    "encoding": ("Encoding", "编码"),
    "delimiter": ("Separator", "分隔符"),
    "sheet": ("Sheet", "工作表"),
    "header_row": ("Header row", "表头行"),
    "rows_read": ("Rows read", "读取行数"),
    "rows_dropped": ("Rows dropped", "剔除行数"),
    "unused_columns": ("Unused columns", "未使用的列"),
    "reason": ("Reason", "原因"),
    "rows": ("Rows", "行数"),
    "sources": ("Files", "文件"),
    "dropped": ("Dropped rows", "剔除的行"),
    # drop reasons, as shown in the "dropped" table
    "inspect.reason.totals / subtotal lines": ("totals / subtotal lines", "合计/小计行"),
    "inspect.reason.blank rows": ("blank rows", "空行"),
    "inspect.reason.rows of the wrong width": ("rows of the wrong width", "列数不符的行"),
    "inspect.reason.customer: missing": ("customer: missing", "缺少客户"),
    "inspect.reason.date: missing": ("date: missing", "缺少日期"),
    "inspect.reason.amount: missing": ("amount: missing", "缺少金额"),
    "inspect.reason.date: not a date": ("date: not a date", "日期无法识别"),
    "inspect.reason.amount: not a number": ("amount: not a number", "金额无法识别"),
    "inspect.reason.quantity: not a number": ("quantity: not a number", "数量无法识别"),
}
