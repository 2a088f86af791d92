"""Labels of the messages on stderr: the Error / Warning tags, warnings, and the errors raised
with :meth:`kamtool.errors.KamtoolError.said` (each field filled from the data: a file, a count)."""

LABELS: dict[str, tuple[str, str]] = {
    "message.error": ("Error:", "错误："),
    "message.warning": ("Warning:", "警告："),
    "message.interrupted": ("interrupted", "已中断"),
    "message.out_of_memory": ("out of memory; try fewer files at once, or --engine dask",
                              "内存不足；请一次读取更少的文件，或使用 --engine dask"),
    "message.bug": ("{error} (this may be a kamtool bug; rerun with --traceback and report it)",
                    "{error}（这可能是 kamtool 的缺陷；请加 --traceback 重新运行并报告）"),
    # lines left out of the data, by reason (kamtool.io.rules and the cleaner's cell checks)
    "message.dropped": ("{file}: dropped {count} {reason}", "{file}：已去除{reason} {count} 行"),
    "message.skipped": ("{file}: skipped {count} {reason}", "{file}：已跳过{reason} {count} 行"),
    "message.reason.totals": ("totals / subtotal lines", "合计/小计行"),
    "message.reason.blank": ("blank rows", "空行"),
    "message.reason.ragged": ("rows of the wrong width", "列数不符的行"),
    "message.reason.cell": ("{column}: {what}", "{column} 列{what}的行"),
    "message.reason.missing": ("missing", "缺失"),
    "message.reason.not_a_date": ("not a date", "不是日期"),
    "message.reason.not_a_number": ("not a number", "不是数字"),
    "message.reason.too_large": ("too large for an amount", "金额过大"),
    "message.reason.outside_range": ("outside the date range", "超出日期范围"),
    "message.cells_cut": (
        "{count} cells held more than Excel's 32,767 characters and were cut in {path}; the CSV and JSON "
        "outputs keep them whole",
        "{count} 个单元格超过 Excel 的 32,767 个字符上限，已在 {path} 中截断；CSV 和 JSON 输出保留完整内容"),
    "message.accounts_duplicates": (
        "{file}: {count} customer ids appear more than once (the first row of each is used): {ids}",
        "{file}：{count} 个客户编号出现多次（每个取第一行）：{ids}"),
    "message.accounts_prospects": (
        "{file}: {count} customers have no order line in the files (prospects): {ids}",
        "{file}：{count} 个客户在订单文件中没有订单行（潜在客户）：{ids}"),
    # errors
    "error.no_such_file": ("{file}: no such file", "{file}：文件不存在"),
    "error.is_directory": ("{file}: is a directory; give the files, e.g. {file}/*.csv",
                           "{file}：这是一个文件夹；请给出其中的文件，例如 {file}/*.csv"),
    "error.no_column": (
        "{file}: no {columns} column found. The file's columns are: {headers}. Tell kamtool which one it "
        "is, e.g. {hint}",
        "{file}：找不到 {columns} 列。文件中的列为：{headers}。请告诉 kamtool 是哪一列，例如 {hint}"),
    "error.no_amount_column": (
        "{file}: no {columns} column (or quantity and unit_price columns) found. The file's columns are: "
        "{headers}. Tell kamtool which one it is, e.g. {hint}",
        "{file}：找不到 {columns} 列（或数量和单价列）。文件中的列为：{headers}。请告诉 kamtool 是哪一列，"
        "例如 {hint}"),
    "error.not_a_date": ("{option} {value} is not a date; write e.g. 2024-07-01",
                         "{option} {value} 不是日期；请写成例如 2024-07-01"),
    "error.numbers": ("{option} takes numbers separated by commas, e.g. 80,95 (got {value})",
                      "{option} 需要以逗号分隔的数字，例如 80,95（收到 {value}）"),
    "error.n_numbers": ("{option} takes {count} numbers, e.g. 80,95 (got {value})",
                        "{option} 需要 {count} 个数字，例如 80,95（收到 {value}）"),
    "error.from_after_to": ("--from {first} is after --to {last}", "--from {first} 晚于 --to {last}"),
    "error.where_form": ("--where takes COLUMN=VALUE, e.g. --where region=East,West (got {value})",
                         "--where 需要 列=值 的形式，例如 --where region=华东,华南（收到 {value}）"),
    "error.where_value": ("--where {item}: no value; give one or more, e.g. {column}=East,West",
                          "--where {item}：没有给出值；请给出一个或多个，例如 {column}=华东,华南"),
}
