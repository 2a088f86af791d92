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
    # Click's own usage errors (kamtool.render.words.messages.usage_error), the options as typed
    "usage.usage": ("Usage: ", "用法："),
    "usage.try_help": ("Try '{command}' for help.", "请运行 '{command}' 查看帮助。"),
    "usage.no_such_option": ("No such option: {option}", "没有这个选项：{option}"),
    "usage.no_such_option_near": ("No such option: {option} (Possible options: {choices})",
                                  "没有这个选项：{option}（可能的选项：{choices}）"),
    "usage.no_such_command": ("No such command {name}.", "没有这个命令：{name}。"),
    "usage.no_such_command_near": ("No such command {name}. Did you mean {near}?",
                                   "没有这个命令：{name}。您是不是想用 {near}？"),
    "usage.missing_argument": ("Missing argument {name}.", "缺少参数 {name}。"),
    "usage.missing_option": ("Missing option {name}.", "缺少选项 {name}。"),
    "usage.needs_value": ("Option {option} requires an argument.", "选项 {option} 需要一个值。"),
    "usage.needs_values": ("Option {option} requires {count} arguments.",
                           "选项 {option} 需要 {count} 个值。"),
    "usage.takes_no_value": ("Option {option} does not take a value.", "选项 {option} 不接受值。"),
    "usage.extra_arguments": ("Got unexpected extra arguments ({args})", "多余的参数（{args}）"),
    "usage.invalid_value": ("Invalid value for {option}: {why}", "{option} 的值无效：{why}"),
    "usage.why.integer": ("Input should be a valid integer", "应为整数"),
    "usage.why.number": ("Input should be a valid number", "应为数字"),
    "usage.why.at_least": ("Input should be greater than or equal to {n}", "应大于或等于 {n}"),
    "usage.why.above": ("Input should be greater than {n}", "应大于 {n}"),
    "usage.why.at_most": ("Input should be less than or equal to {n}", "应小于或等于 {n}"),
    "usage.why.below": ("Input should be less than {n}", "应小于 {n}"),
    "usage.why.choice": ("{value} is not one of {choices}.", "{value} 不是 {choices} 之一。"),
    "usage.why.no_path": ("{what} {path} does not exist.", "{what} {path} 不存在。"),
    "usage.what.file": ("File", "文件"),
    "usage.what.path": ("Path", "路径"),
    "usage.what.directory": ("Directory", "文件夹"),
    # phrases the code puts into an error's fields (kamtool.render.words.messages.phrase)
    "phrase.line": ("line {n}", "第 {n} 行"),
    "phrase.row": ("row {n}", "第 {n} 行"),
    "phrase.not_a_date": ("is not a date", "不是日期"),
    "phrase.not_a_number": ("is not a number", "不是数字"),
    "phrase.too_large": ("is too large for an amount", "作为金额过大"),
    "phrase.outside": ("is outside {first}..{last}", "超出 {first}..{last} 的范围"),
    "phrase.dayfirst": ("; for day-first dates like 31/01/2024 add --dayfirst",
                        "；日在前的日期（如 31/01/2024）请加 --dayfirst"),
    "phrase.decimal_comma": ("; for decimal commas like 1.234,56 add --decimal ,",
                             "；小数点为逗号的数字（如 1.234,56）请加 --decimal ,"),
    "phrase.widen_range": ("--date-range FIRST,LAST widens it; ", "--date-range 起始,结束 可放宽范围；"),
    "phrase.dates_from_to": ("; order dates are filtered with --from / --to",
                             "；订单日期请用 --from / --to 筛选"),
    "phrase.did_you_mean": ("; did you mean {name}?", "；您是不是想写 {name}？"),
    "phrase.fit_advice_calibration_end": (
        "Try a longer calibration period (a later --calibration-end), a coarser --unit, or more "
        "customers; this fit had {n} customers, {repeat} with a repeat purchase.",
        "请尝试更长的校准期（更晚的 --calibration-end）、更粗的 --unit 或更多客户；本次拟合有 {n} 个客户，"
        "其中 {repeat} 个有重复购买。"),
    "phrase.fit_advice": (
        "Try a longer calibration period, a coarser --unit or more customers; this fit had {n} "
        "customers, {repeat} with a repeat purchase.",
        "请尝试更长的校准期、更粗的 --unit 或更多客户；本次拟合有 {n} 个客户，其中 {repeat} 个有重复购买。"),
    "phrase.fit_advice_spend": (
        "Try a longer calibration period or more customers, or check the spend data (this fit had {n} "
        "repeat customers with positive spend).",
        "请尝试更长的校准期或更多客户，或检查消费数据（本次拟合有 {n} 个消费为正的重复购买客户）。"),
    "phrase.counted": ("{count} {reason}", "{reason} {count} 行"),
    "phrase.separator": (", ", "、"),
    "phrase.closest": ("; closest: {names}", "；最接近的：{names}"),
    "phrase.declares": ("declares", "声明的范围为"),
    "phrase.spans": ("spans", "占据"),
    "phrase.sheet": ("sheet {sheet}", "工作表 {sheet}"),
    "phrase.sheet_file": ("sheet file {member}", "工作表文件 {member}"),
    "phrase.cell_of_sheet": ("a cell of sheet {sheet}", "工作表 {sheet} 中的一个单元格"),
    "phrase.cell_of_sheet_file": ("a cell of sheet file {member}", "工作表文件 {member} 中的一个单元格"),
    "phrase.shared_string": ("a shared string", "一个共享字符串"),
    "phrase.kamtool_column": ("a kamtool column", " kamtool 的列"),
    "phrase.column_of_file": ("a column of the {kind} file", " {kind} 文件的列"),
    "phrase.not_utf8_bytes": ("holds bytes that are not UTF-8 text", "含有不是 UTF-8 文本的字节"),
    "phrase.not_utf8_text": ("holds text that is not valid UTF-8", "含有无效的 UTF-8 文本"),
    "phrase.strategic_value": ("strategic value", "战略及品牌价值"),
    "phrase.elasticity_rating": ("a sales elasticity rating", "销售弹性评分"),
    "phrase.credit_limit": ("a credit limit", "授信额度"),
    "phrase.whole_number_at_least": ("a whole number ≥ {least}", "≥ {least} 的整数"),
    "phrase.share_0_1": ("a share from 0 to 1", "0 到 1 之间的占比"),
    "phrase.number_at_least_0": ("a number ≥ 0", "≥ 0 的数字"),
    # read (helpers that build the error next to the raise)
    "error.read.ragged_line": (
        "{name} line {line:,}: {actual} fields where the header has {expected} ({text!r}); is a quote "
        "missing? (--skip-bad-rows skips such rows and counts them)",
        "{name} 第 {line:,} 行：有 {actual} 个字段，而表头有 {expected} 个（{text!r}）；是否缺少引号？"
        "（--skip-bad-rows 会跳过这样的行并计数）"),
    "error.read.ragged_row": (
        "{name} a row: {actual} fields where the header has {expected} ({text!r}); is a quote missing? "
        "(--skip-bad-rows skips such rows and counts them)",
        "{name} 某一行：有 {actual} 个字段，而表头有 {expected} 个（{text!r}）；是否缺少引号？"
        "（--skip-bad-rows 会跳过这样的行并计数）"),
    "error.read.csv_not_valid_text": (
        "{name}: not valid {encoding} text further into the file; try --encoding gb18030 (or the "
        "export's encoding)",
        "{name}：文件后部不是有效的 {encoding} 文本；请尝试 --encoding gb18030（或导出文件的编码）"),
    "error.read.csv_row_width": (
        "{name}: a row has a different number of fields than the header ({detail}); is a field's quote "
        "missing?",
        "{name}：某一行的字段数与表头不同（{detail}）；是否有字段缺少引号？"),
    "error.read.cannot_read_csv": ("{name}: cannot read this CSV ({detail})",
                                   "{name}：无法读取该 CSV（{detail}）"),
    "error.read.not_utf8_cell": ("{name} row {row:,}: column {column} {what} ({cell!r})",
                                 "{name} 第 {row:,} 行：列 {column} {what}（{cell!r}）"),
    "error.read.not_utf8_column": ("{name}: column {column} {what}", "{name}：列 {column} {what}"),
    # errors whose words were put together in the code before (a suffix, one of two sentences)
    "error.config.not_an_option_of": ("{source}: [{key}] {inner} is not an option of kamtool {key}{near}",
                                      "{source}：[{key}] {inner} 不是 kamtool {key} 的选项{near}"),
    "error.config.not_an_option": ("{source}: {key} is not an option of any kamtool command{near}",
                                   "{source}：{key} 不是任何 kamtool 命令的选项{near}"),
    "error.outfile.no_directory": ("-o {shown}: no directory {folder}", "-o {shown}：文件夹 {folder} 不存在"),
    "error.outfile.not_a_directory": ("-o {shown}: {folder} is not a directory",
                                      "-o {shown}：{folder} 不是文件夹"),
    "error.loyalty.no_such_brand": (
        "--brand {brand!r} is not in the data; brands with the most revenue: {top}",
        "--brand {brand!r} 不在数据中；销售额最高的品牌：{top}"),
    "error.params.whole_numbers": (
        "{name} takes whole numbers separated by commas, e.g. 30,60,90 (got {text!r})",
        "{name} 需要以逗号分隔的整数，例如 30,60,90（收到 {text!r}）"),
    # pareto: a --measure the data has no column for (kamtool.analyses.pareto.MISSING_MEASURE)
    "error.pareto.missing_revenue": ("revenue needs an amount column (or quantity and unit price)",
                                     "销售额需要金额列（或数量和单价列）"),
    "error.pareto.missing_profit": ("profit needs a cost or profit column", "利润需要成本列或利润列"),
    "error.pareto.missing_quantity": ("quantity needs a quantity column", "数量需要数量列"),
    "error.pareto.missing_orders": ("orders needs an order id or date column",
                                    "订单数需要订单编号列或日期列"),
    # the CLV fits' refusals (FitError.said_with: a reason code and figures as well)
    "error.fit.unidentified": (
        "the {model} fit did not converge: {parameters} drifted towards 0 or infinity (the data cannot "
        "pin them down). {advice}",
        "{model} 拟合未收敛：{parameters} 趋向 0 或无穷大（数据无法确定它们）。{advice}"),
    "error.fit.not_converged": ("the {model} fit did not converge. {advice}", "{model} 拟合未收敛。{advice}"),
    "error.fit.one_time_buyers_only": (
        "{model} cannot be fitted: none of the {n:,} customers bought a second time in the calibration "
        "period, so neither how often customers buy nor when they drop out can be told. It needs repeat "
        "purchases: use a longer calibration period.",
        "无法拟合 {model}：校准期内 {n:,} 个客户中没有一个再次购买，因此既无法得知客户多久购买一次，"
        "也无法得知何时流失。它需要重复购买：请使用更长的校准期。"),
    "error.fit.too_few_customers": (
        "{model} needs at least {min_customers} customers and {min_repeat_customers} with a repeat "
        "purchase in the calibration period; this data has {n:,} and {n_repeat:,}. Use a longer "
        "calibration period or more customers.",
        "{model} 需要至少 {min_customers} 个客户和 {min_repeat_customers} 个在校准期内有重复购买的客户；"
        "该数据有 {n:,} 个和 {n_repeat:,} 个。请使用更长的校准期或更多客户。"),
    "error.gamma_gamma.too_few_customers": (
        "Gamma-Gamma needs at least {min_customers} customers with a repeat purchase and positive spend; "
        "this data has {n:,}. Use a longer calibration period.",
        "Gamma-Gamma 需要至少 {min_customers} 个有重复购买且消费为正的客户；该数据有 {n:,} 个。"
        "请使用更长的校准期。"),
    "error.gamma_gamma.infinite_mean_spend": (
        "the Gamma-Gamma fit gives q = {q:.3f} <= 1, so the average spend has no finite mean (a few "
        "huge orders?). Check for outliers or use a longer calibration period.",
        "Gamma-Gamma 拟合得到 q = {q:.3f} <= 1，因此平均消费没有有限的均值（少数特大订单？）。"
        "请检查异常值或使用更长的校准期。"),
    "error.regimes.no_maximum": (
        "the {model} fit found no maximum of the likelihood, not even at a limit of the model (one "
        "purchase rate, one drop-out rate, no drop-out). {advice}",
        "{model} 拟合找不到似然函数的最大值，即使在模型的极限处（单一购买率、单一流失率、无流失）也没有。"
        "{advice}"),
    "error.summary.no_purchase": ("clv found no purchase (no customer-day with net revenue >= 0)",
                                  "clv 没有找到任何购买（没有净销售额 >= 0 的客户日）"),
    "error.summary.no_purchase_in_calibration": (
        "no purchase on or before the calibration end {date}; pick a later calibration end",
        "校准期结束日 {date} 当天或之前没有购买；请选择更晚的校准期结束日"),
    # profile: CUSTOMER that matches no customer or several (the words of render/words/profile.py)
    "error.profile.no_customer_id": ("no customer id {ids} in the orders or the accounts",
                                     "订单和客户资料中都没有客户编号 {ids}"),
    "error.profile.matches_several": (
        "CUSTOMER {query!r} matches {count:,} customers (listed above); give an id or more of the name",
        "客户 {query!r} 匹配到 {count:,} 个客户（见上方列表）；请给出客户编号或更完整的名称"),
    "error.profile.matches_none": ("CUSTOMER {query!r} matches no customer id or name{hint}",
                                   "客户 {query!r} 没有匹配到任何客户编号或名称{hint}"),
    # errors raised with said(), by the module that raises them
    # abc
    "error.abc.takes_two_values_b": (
        "--{name} takes two values (A and B), got {n_pair}: {pair}",
        "--{name} 需要两个值（A 和 B），收到 {n_pair} 个：{pair}"),
    "error.abc.thresholds_must_shares_got": (
        "--thresholds must be shares in (0, 1], e.g. 0.8,0.95 for 80 % and 95 %; got {a}, {b}",
        "--thresholds 必须是 (0, 1] 之间的占比，例如 0.8,0.95 表示 80 % 和 95 %；收到 {a}, {b}"),
    "error.abc.thresholds_must_ascend_cut": (
        "--thresholds must ascend (A cut-off below B cut-off); got {a}, {b}",
        "--thresholds 必须递增（A 类分界低于 B 类分界）；收到 {a}, {b}"),
    "error.abc.shares_must_both_above": (
        "--shares must both be above 0; got {a}, {b}",
        "--shares 的两个值都必须大于 0；收到 {a}, {b}"),
    "error.abc.shares_must_add_up": (
        "--shares must add up to at most 1 (100 %); got {a} + {b} = {a2:g}",
        "--shares 之和最多为 1（100 %）；收到 {a} + {b} = {a2:g}"),
    "error.abc.grid_crosses_measure_pick": (
        "--grid {grid} crosses {grid} with the measure; pick another --measure",
        "--grid {grid} 把 {grid} 与度量交叉；请选择另一个 --measure"),
    # accounts
    "error.accounts.accounts_row_column_strategic": (
        "accounts row {row}, column 'strategic_value': {iloc:g} is on neither scale 1–5 nor 0–100",
        "accounts 第 {row} 行，列 'strategic_value'：{iloc:g} 既不在 1–5 的尺度上，也不在 0–100 的尺度上"),
    "error.accounts.accounts_row_column_not": (
        "accounts row {row}, column {column!r}: {iloc!r} is not a number ({what})",
        "accounts 第 {row} 行，列 {column!r}：{iloc!r} 不是数字（{what}）"),
    "error.accounts.accounts_file_has_no": (
        "the accounts file has no customer column",
        "客户资料文件没有客户（customer）列"),
    "error.accounts.accounts_row_column_customer": (
        "accounts row {row}, column 'customer': the customer id is empty",
        "accounts 第 {row} 行，列 'customer'：客户编号为空"),
    "error.accounts.accounts_row_column_credit": (
        "accounts row {row}, column 'credit_limit': a credit limit cannot be negative",
        "accounts 第 {row} 行，列 'credit_limit'：授信额度不能为负"),
    # churn
    "error.churn.churn_there_are_no": ("churn: there are no orders to analyse", "churn：没有可分析的订单"),
    "error.churn.churn_some_order_dates": (
        "churn: some order dates are empty; every order line needs a date",
        "churn：部分订单日期为空；每个订单行都需要日期"),
    "error.churn.churn_some_revenue_values": (
        "churn: some revenue values are empty; every order line needs an amount",
        "churn：部分销售额为空；每个订单行都需要金额"),
    "error.churn.not_after_last_order": (
        "--as-of {day_to_iso} is not after the last order in the data ({day_to_iso2}); choose a later date "
        "or leave out the later orders",
        "--as-of {day_to_iso} 不晚于数据中的最后一笔订单（{day_to_iso2}）；请选择更晚的日期，"
        "或去掉更晚的订单"),
    "error.filters.nothing_left": (
        "{names}: no order line is left after the filters {filters} "
        "(lines left out: {left_out}{besides}){missing}",
        "{names}：按筛选条件 {filters} 筛选后没有剩下任何订单行（筛除的行：{left_out}{besides}）{missing}"),
    "phrase.filters.besides": ("; dropped besides: {reasons}", "；此外舍弃：{reasons}"),
    "phrase.filters.no_line_has": ("; {no_line}", "；{no_line}"),
    "error.select.models_failed": ("{failures}", "各模型均未能拟合：{failures}"),
    "phrase.sentence_then": ("{sentence} ", "{sentence}"),  # a sentence another follows
    "error.churn.too_few_periods": (
        "churn compares two complete {period}s, but the orders ({first} to {last}, as of {as_of}) give "
        "{complete} complete {period}: {listing}{advice}",
        "churn：需比较两个完整的{period}，但订单（{first} 至 {last}，截至 {as_of}）只有 {complete} 个完整的"
        "{period}：{listing}{advice}"),
    "error.churn.too_few_periods_n": (
        "churn compares two complete {period}s, but the orders ({first} to {last}, as of {as_of}) give "
        "{complete} complete {period}s: {listing}{advice}",
        "churn：需比较两个完整的{period}，但订单（{first} 至 {last}，截至 {as_of}）只有 {complete} 个完整的"
        "{period}：{listing}{advice}"),
    "phrase.churn.period_complete": ("{period} (complete)", "{period}（完整）"),
    "phrase.churn.period_incomplete": ("{period} (incomplete)", "{period}（不完整）"),
    "phrase.churn.advice_both": (
        "; use a shorter period (--period {shorter}) or two periods of your choice "
        "(--compare {first} {last}; an incomplete period is compared as it stands)",
        "；请改用更短的周期（--period {shorter}），或自选两个周期"
        "（--compare {first} {last}；不完整的周期按现有数据比较）"),
    "phrase.churn.advice_shorter": ("; use a shorter period (--period {shorter})",
                                    "；请改用更短的周期（--period {shorter}）"),
    "phrase.churn.advice_compare": (
        "; use two periods of your choice (--compare {first} {last}; "
        "an incomplete period is compared as it stands)",
        "；请自选两个周期（--compare {first} {last}；不完整的周期按现有数据比较）"),
    "error.churn.churn_no_customer_bought": (
        "churn: no customer bought in {period_label} (net revenue above zero), so churn from it is "
        "undefined; pick other periods with --compare (the data covers {period_label2} to {period_label3})",
        "churn：{period_label} 中没有客户购买（净销售额大于零），因此无法定义从该期开始的流失；请用 "
        "--compare 选择其他期间（数据覆盖 {period_label2} 至 {period_label3}）"),
    "error.churn.period_choose_one": (
        "--period {period!r}: choose one of {periods}",
        "--period {period!r}：请选择 {periods} 之一"),
    "error.churn.abc_thresholds_give_two": (
        "ABC thresholds {thresholds}: give two cumulative shares with 0 < A < B <= 1, e.g. 0.8 0.95",
        "ABC 分界 {thresholds}：请给出两个累计占比，满足 0 < A < B <= 1，例如 0.8 0.95"),
    "error.churn.silence_factor_must_above": (
        "silence factor {silence_factor}: must be above 0, e.g. 2",
        "沉默系数 {silence_factor}：必须大于 0，例如 2"),
    "error.churn.p_alive_threshold_must": (
        "P(alive) threshold {p_alive_threshold}: must be between 0 and 1",
        "P(alive) 阈值 {p_alive_threshold}：必须在 0 和 1 之间"),
    "error.churn.cohort_choose_one": (
        "cohort {cohort!r}: choose one of {cohorts}",
        "cohort {cohort!r}：请选择 {cohorts} 之一"),
    "error.churn.compare_takes_two_period": (
        "--compare takes two period labels, e.g. --compare 2024Q1 2024Q2",
        "--compare 需要两个期间标签，例如 --compare 2024Q1 2024Q2"),
    "error.churn.compare_start_period_must": (
        "--compare {compare} {compare2}: the start period must come before the end period",
        "--compare {compare} {compare2}：起始期间必须早于结束期间"),
    "error.churn.compare_there_are_no": (
        "--compare {text}: there are no orders in that {period}; the orders cover {period_label} to "
        "{period_label2}",
        "--compare {text}：该{period}没有订单；订单覆盖 {period_label} 至 {period_label2}"),
    # assembly
    "error.assembly.horizon_must_whole_number": (
        "horizon must be a whole number of {unit}s >= 1, not {horizon!r}",
        "horizon 必须是 >= 1 的整数个 {unit}，而不是 {horizon!r}"),
    "error.assembly.discount_rate_must_year": (
        "discount rate must be >= 0 (0.10 = 10 % a year), not {discount_rate}",
        "折现率必须 >= 0（0.10 = 每年 10 %），而不是 {discount_rate}"),
    "error.assembly.margin_must_fraction_not": (
        "margin must be a fraction in (0, 1] (0.3 = 30 %), not {margin}",
        "毛利率必须是 (0, 1] 之间的比例（0.3 = 30 %），而不是 {margin}"),
    "error.assembly.profit_margin_must_fraction": (
        "profit margin must be a fraction <= 1, not {profit_margin}",
        "利润率必须是 <= 1 的比例，而不是 {profit_margin}"),
    "error.assembly.model_must_one_auto": (
        "--model must be one of auto, bgnbd, mbgnbd, pareto-nbd, not {model!r}",
        "--model 必须是 auto、bgnbd、mbgnbd、pareto-nbd 之一，而不是 {model!r}"),
    "error.assembly.holdout_end_needs_calibration": (
        "--holdout-end needs --calibration-end: the model is fitted on the calibration period and checked "
        "on the days after it",
        "--holdout-end 需要 --calibration-end：模型在校准期内拟合，并在其后的日子里检验"),
    "error.assembly.fitted_models_give_non": (
        "the fitted models give non-finite predictions for some customers; try a coarser --unit or a "
        "shorter --horizon",
        "拟合的模型对部分客户给出了非有限的预测；请尝试更粗的 --unit 或更短的 --horizon"),
    # intervals
    "error.intervals.interval_must_probability_between": (
        "--interval must be a probability between 0 and 1 (0.9 = 90 %), not {level}",
        "--interval 必须是 0 到 1 之间的概率（0.9 = 90 %），而不是 {level}"),
    # select
    "error.select.model_must_among_not": (
        "--model must be among {models}, not {value}",
        "--model 必须是 {models} 之一，而不是 {value}"),
    "error.select.choosing_model_holdout_error": (
        "choosing a model by its holdout error needs the holdout duration (> 0)",
        "按留存期误差选择模型需要留存期的长度（> 0）"),
    # summary
    "error.summary.holdout_end_needs_calibration": (
        "a holdout end needs a calibration end: give the last day of the calibration period (e.g. "
        "--calibration-end 2024-06-30)",
        "留存期结束日需要校准期结束日：请给出校准期的最后一天（例如 --calibration-end 2024-06-30）"),
    "error.summary.unit_not_one_pick": (
        "unit {unit!r} is not one of {unit_days}; pick one of those",
        "unit {unit!r} 不是 {unit_days} 之一；请从中选择"),
    "error.summary.holdout_end_must_after": (
        "the holdout end {date} must be after the calibration end {date2}",
        "留存期结束日 {date} 必须晚于校准期结束日 {date2}"),
    # assemble
    "error.assemble.takes_got": (
        "{option} takes {what} (got {value!r})",
        "{option} 需要{what}（收到 {value!r}）"),
    "error.assemble.key_share_takes_share": (
        "--key-share takes a share from 0 to 1 (got {key_share!r})",
        "--key-share 需要 0 到 1 之间的占比（收到 {key_share!r}）"),
    "error.assemble.credit_there_are_no": (
        "credit: there are no invoices to analyse",
        "credit：没有可分析的发票"),
    "error.assemble.credit_no_invoice_dated": (
        "credit: no invoice is dated before the as-of day {datetime64}; choose a later --as-of",
        "credit：没有早于截止日 {datetime64} 的发票；请选择更晚的 --as-of"),
    "error.assemble.takes_got_2": (
        "{name} takes {what} (got {value!r})",
        "{name} 需要{what}（收到 {value!r}）"),
    "error.assemble.takes_number_got": (
        "{name} takes a number ≥ 0 (got {ratio!r})",
        "{name} 需要 ≥ 0 的数字（收到 {ratio!r}）"),
    # grading
    "error.grading.grade_factors_not_grade": (
        "--grade-factors: {grade!r} is not a grade; use A, B, C or D",
        "--grade-factors：{grade!r} 不是等级；请使用 A、B、C 或 D"),
    "error.grading.grade_factors_factor_must": (
        "--grade-factors: the factor of {key} must be a number ≥ 0 (got {value!r})",
        "--grade-factors：{key} 的系数必须是 ≥ 0 的数字（收到 {value!r}）"),
    # inputs
    "error.inputs.credit_row_not_date": (
        "credit: {what} row {row}: {iloc!r} is not a date in column {column}",
        "credit：{what} 第 {row} 行：列 {column} 中的 {iloc!r} 不是日期"),
    "error.inputs.credit_row_not_amount": (
        "credit: {what} row {row}: {iloc!r} is not an amount in column {column}",
        "credit：{what} 第 {row} 行：列 {column} 中的 {iloc!r} 不是金额"),
    "error.inputs.credit_row_customer_empty": (
        "credit: {what} row {row}: the customer is empty",
        "credit：{what} 第 {row} 行：客户为空"),
    "error.inputs.credit_invoices_row_paid": (
        "credit: invoices row {row}: paid_amount {paid:.2f} has no paid_date; a payment needs the day it "
        "was received",
        "credit：invoices 第 {row} 行：paid_amount {paid:.2f} 没有 paid_date；一笔付款需要收款日期"),
    "error.inputs.credit_row_negative_record": (
        "credit: {what} row {rows}: {column} {iloc:.2f} is negative; record a refund or return as a credit "
        "note (a negative invoice line), not as a payment",
        "credit：{what} 第 {rows} 行：{column} {iloc:.2f} 为负；退款或退货请记为贷项（负的发票行），"
        "而不是付款"),
    "error.inputs.credit_accounts_row_customer": (
        "credit: accounts row {row}: customer {iloc!r} is listed twice",
        "credit：accounts 第 {row} 行：客户 {iloc!r} 出现了两次"),
    "error.inputs.credit_need_column_found": (
        "credit: the {what} need a column {names}; found {value}",
        "credit：{what} 需要 {names} 列；找到的是 {value}"),
    "error.inputs.credit_accounts_row_payment": (
        "credit: accounts row {row}: payment_terms {iloc!r} is not a number of days",
        "credit：accounts 第 {row} 行：payment_terms {iloc!r} 不是天数"),
    # measures
    "error.measures.buckets_takes_whole_days": (
        "--buckets takes whole days in increasing order, each at least 1, e.g. 30,60,90,180 (got {buckets})",
        "--buckets 需要递增的整天数，每个至少为 1，例如 30,60,90,180（收到 {buckets}）"),
    "error.measures.buckets_takes_whole_days_2": (
        "--buckets takes whole days, e.g. 30,60,90,180 (got {buckets!r})",
        "--buckets 需要整天数，例如 30,60,90,180（收到 {buckets!r}）"),
    # loyalty
    "error.loyalty.share_threshold_must_above": (
        "the share threshold {share_threshold!r} must be above 0.5 and at most 1, so that only one brand "
        "can hold it",
        "占比阈值 {share_threshold!r} 必须大于 0.5 且不超过 1，这样只有一个品牌能达到它"),
    "error.loyalty.majority_must_least_below": (
        "majority {majority!r} must be at least 0 and below 1",
        "多数比例 {majority!r} 必须至少为 0 且小于 1"),
    "error.loyalty.loyalty_there_are_no": ("loyalty: there are no order lines", "loyalty：没有订单行"),
    "error.loyalty.loyalty_lines_have_no": ("loyalty: {sum} lines have no date", "loyalty：{sum} 行没有日期"),
    "error.loyalty.order_date_column_date": (
        "the order date {datetime64} (column date) is past {date}, the last day kamtool's analyses can "
        "hold; correct or remove the lines with that date",
        "订单日期 {datetime64}（date 列）晚于 {date}，即 kamtool 的分析能处理的最后一天；"
        "请更正或删除该日期的行"),
    "error.loyalty.loyalty_lines_have_no_2": (
        "loyalty: {sum} lines have no revenue",
        "loyalty：{sum} 行没有销售额"),
    "error.loyalty.not_after_last_order": (
        "--as-of {datetime64} is not after the last order in the data ({datetime642}); choose a later date "
        "or leave out the later orders",
        "--as-of {datetime64} 不晚于数据中的最后一笔订单（{datetime642}）；请选择更晚的日期，"
        "或去掉更晚的订单"),
    "error.loyalty.brand_needs_brand_column": (
        "--brand {brand} needs a brand column in the data, and there is none",
        "--brand {brand} 需要数据中有品牌列，但没有"),
    "error.loyalty.must_whole_number_least": (
        "{name} must be a whole number of at least {low}, not {value!r}",
        "{name} 必须是至少为 {low} 的整数，而不是 {value!r}"),
    # pareto
    "error.pareto.unknown_measure_choose_one": (
        "unknown measure {measure!r}; choose one of {measures}",
        "未知度量 {measure!r}；请选择 {measures} 之一"),
    "error.pareto.cannot_rank_choose_another": (
        "cannot rank {measure} by {measure}; choose another --by column",
        "无法按 {measure} 对 {measure} 排名；请选择另一个 --by 列"),
    "error.pareto.target_must_share_got": (
        "--target must be a share in (0, 1], e.g. 0.8 for 80 %; got {target}",
        "--target 必须是 (0, 1] 之间的占比，例如 0.8 表示 80 %；收到 {target}"),
    # rfm
    "error.rfm.must_score_from_not": (
        "{where}: '{dim}' must be a score or [from, to], not {value!r}",
        "{where}：'{dim}' 必须是一个分数或 [起, 止]，而不是 {value!r}"),
    "error.rfm.must_satisfy_from": (
        "{where}: '{dim}' = {value!r} must satisfy 1 <= from <= to <= {max_scores}",
        "{where}：'{dim}' = {value!r} 必须满足 1 <= 起 <= 止 <= {max_scores}"),
    "error.rfm.unknown_key_expected_scale": (
        "{source}: unknown key(s) {unknown}; expected 'scale' and [[segment]] tables",
        "{source}：未知的键 {unknown}；应为 'scale' 和 [[segment]] 表"),
    "error.rfm.scale_must_whole_number": (
        "{source}: 'scale' must be a whole number from 2 to {max_scores}",
        "{source}：'scale' 必须是 2 到 {max_scores} 之间的整数"),
    "error.rfm.no_segment_rules_found": (
        "{source}: no [[segment]] rules found",
        "{source}：没有找到 [[segment]] 规则"),
    "error.rfm.thresholds_expected_only_r": (
        "thresholds for {unknown}: expected only r, f and m",
        "{unknown} 的分界：只能是 r、f 和 m"),
    "error.rfm.rfm_customers_have_no": (
        "rfm: {sum} customers have no last order date",
        "rfm：{sum} 个客户没有最近订单日期"),
    "error.rfm.rfm_customers_have_no_2": (
        "rfm: {sum} customers have no revenue",
        "rfm：{sum} 个客户没有销售额"),
    "error.rfm.binning_takes_got": (
        "--binning takes {binnings} (got {binning!r})",
        "--binning 需要 {binnings}（收到 {binning!r}）"),
    "error.rfm.frequency_takes_got": (
        "--frequency takes {frequencies} (got {frequency!r})",
        "--frequency 需要 {frequencies}（收到 {frequency!r}）"),
    "error.rfm.rfm_there_are_no": ("rfm: there are no customers to score", "rfm：没有可评分的客户"),
    "error.rfm.bins_must_whole_number": (
        "--bins must be a whole number from 2 to {max_scores}, not {bins!r}",
        "--bins 必须是 2 到 {max_scores} 之间的整数，而不是 {bins!r}"),
    "error.rfm.not_after_last_order": (
        "--as-of {date} is not after the last order in the data ({date2}); choose a later date or leave "
        "out the later orders",
        "--as-of {date} 不晚于数据中的最后一笔订单（{date2}）；请选择更晚的日期，或去掉更晚的订单"),
    "error.rfm.segment_rules_are_written": (
        "the segment rules ({source}) are written for scores 1 … {scale}, but {wrong} scores; give "
        "--segments rules written for that scale (scale = … in the file) or keep the number of scores at "
        "the rules' scale",
        "分群规则（{source}）是按 1 … {scale} 分写的，但这里有 {wrong} 档分数；请给出按该尺度写的 "
        "--segments 规则（文件中的 scale = …），或保持规则的分数档数"),
    "error.rfm.must_segment_table": (
        "{where}: must be a [[segment]] table",
        "{where}：必须是一个 [[segment]] 表"),
    "error.rfm.unknown_key_allowed": (
        "{where}: unknown key(s) {extra}; allowed: {_rule_keys}",
        "{where}：未知的键 {extra}；允许的键：{_rule_keys}"),
    "error.rfm.name_missing_empty": ("{where}: 'name' is missing or empty", "{where}：'name' 缺失或为空"),
    "error.rfm.reserved_customers_matching_no": (
        "{where}: '{others}' is reserved for customers matching no rule",
        "{where}：'{others}' 保留给不符合任何规则的客户"),
    "error.rfm.reserved_customers_negative_net": (
        "{where}: '{negative}' is reserved for customers with a negative net revenue",
        "{where}：'{negative}' 保留给净销售额为负的客户"),
    "error.rfm.segment_name_used_twice": (
        "{where}: segment name {name!r} is used twice",
        "{where}：分群名称 {name!r} 用了两次"),
    "error.rfm.cannot_read_segment_rules": (
        "{source}: cannot read the segment rules ({strerror})",
        "{source}：无法读取分群规则（{strerror}）"),
    "error.rfm.not_valid_toml_file": (
        "{source}: not a valid TOML file ({exc})",
        "{source}：不是有效的 TOML 文件（{exc}）"),
    "error.rfm.thresholds_give_breaks_n": (
        "thresholds for {dim}: give 1 to {max_scores} breaks (n breaks = n + 1 scores)",
        "{dim} 的分界：请给出 1 到 {max_scores} 个分界值（n 个分界 = n + 1 档分数）"),
    "error.rfm.thresholds_must_finite_strictly": (
        "thresholds for {dim}: {shown} must be finite and strictly increasing",
        "{dim} 的分界：{shown} 必须是有限值且严格递增"),
    "error.rfm.goes_beyond_scale": (
        "{where}: '{dim}' = {rng} goes beyond scale {scale}",
        "{where}：'{dim}' = {rng} 超出了 {scale} 分的尺度"),
    "error.rfm.must_text": ("{where}: '{key}' must be text", "{where}：'{key}' 必须是文本"),
    "error.rfm.thresholds_are_not_numbers": (
        "thresholds for {dim}: {raw!r} are not numbers",
        "{dim} 的分界：{raw!r} 不是数字"),
    "error.rfm.thresholds_takes_r_f": (
        "--thresholds takes r=…, f=… or m=…, e.g. --thresholds f=2,3,5,8 (got {item!r})",
        "--thresholds 需要 r=…、f=… 或 m=…，例如 --thresholds f=2,3,5,8（收到 {item!r}）"),
    "error.rfm.thresholds_breaks_must_numbers": (
        "--thresholds {item}: the breaks must be numbers",
        "--thresholds {item}：分界值必须是数字"),
    # rules
    "error.rules.period_takes_one_got": (
        "--period takes one of {periods} (got {period!r})",
        "--period 需要 {periods} 之一（收到 {period!r}）"),
    "error.rules.not_period_label_write": (
        "{option} {raw!r} is not a period label; write 2024 for a year, 2024Q1 for a quarter, 2024-03 for "
        "a month",
        "{option} {raw!r} 不是期间标签；年写作 2024，季度写作 2024Q1，月写作 2024-03"),
    "error.rules.but_period_add_period": (
        "{option} {raw!r} is a {kind} but --period is {period}; add --period {kind}",
        "{option} {raw!r} 是 {kind}，但 --period 为 {period}；请加 --period {kind}"),
    "error.rules.last_order_date_column": (
        "the last order date is {datetime64} (column date): a placeholder, not an order date, and the "
        "as-of day after it is past the calendar; correct or remove the lines with that date",
        "最后一个订单日期为 {datetime64}（date 列）：这是占位值而不是订单日期，其后的截止日已超出日历；"
        "请更正或删除该日期的行"),
    "error.rules.date_range_first_date": (
        "--date-range {text}: the first date is after the last",
        "--date-range {text}：第一个日期晚于最后一个日期"),
    "error.rules.date_range_kamtool_analyses": (
        "--date-range {text}: kamtool's analyses handle dates from 1678 to 2261",
        "--date-range {text}：kamtool 的分析只能处理 1678 年到 2261 年的日期"),
    "error.rules.date_range_takes_first": (
        "--date-range takes FIRST,LAST as YYYY-MM-DD,YYYY-MM-DD (got {text!r})",
        "--date-range 需要 起始,结束，格式为 YYYY-MM-DD,YYYY-MM-DD（收到 {text!r}）"),
    # stages
    "error.stages.stage_window_must_even": (
        "the stage window must be an even number of months ≥ 2 (got {window_months})",
        "阶段窗口必须是 ≥ 2 的偶数个月（收到 {window_months}）"),
    "error.stages.stable_quarters_cannot_exceed": (
        "--stable-quarters ({stable_quarters}) cannot exceed --quarters ({quarters})",
        "--stable-quarters（{stable_quarters}）不能超过 --quarters（{quarters}）"),
    "error.stages.compare_must_before_date": (
        "--compare {compare} must be before the as-of date",
        "--compare {compare} 必须早于截止日期"),
    # tiers
    "error.tiers.weights_unknown_factor_factors": (
        "--weights: unknown factor {unknown!r}; the factors are {factors}",
        "--weights：未知因素 {unknown!r}；因素为 {factors}"),
    "error.tiers.weights_must_numbers_more": (
        "--weights must be numbers of 0 or more; got {given}",
        "--weights 必须是 0 或更大的数字；收到 {given}"),
    "error.tiers.weights_least_one_factor": (
        "--weights: at least one factor needs a weight above 0",
        "--weights：至少要有一个因素的权重大于 0"),
    "error.tiers.takes_values_got": (
        "--{name} takes {size} values, got {n_values}: {values}",
        "--{name} 需要 {size} 个值，收到 {n_values} 个：{values}"),
    "error.tiers.no_factor_weight_has": (
        "no factor with a weight has data for any customer; give --accounts or other weights",
        "有权重的因素对任何客户都没有数据；请给出 --accounts 或其他权重"),
    "error.tiers.effort_must_three_shares": (
        "--effort must be three shares of 0 or more summing to 1 (100 %); got {split}",
        "--effort 必须是三个 0 或更大、总和为 1（100 %）的占比；收到 {split}"),
    "error.tiers.hours_must_number_hours": (
        "--hours must be a number of hours of 0 or more; got {hours}",
        "--hours 必须是 0 或更多的小时数；收到 {hours}"),
    "error.tiers.tiers_window_must_even": (
        "the tiers window must be an even number of months ≥ 2; got {window_months}",
        "客户等级窗口必须是 ≥ 2 的偶数个月；收到 {window_months}"),
    "error.tiers.shares_must_above_add": (
        "--shares must be above 0 and add up to at most 1 (100 %); got {a}, {b}",
        "--shares 必须大于 0 且总和最多为 1（100 %）；收到 {a}, {b}"),
    "error.tiers.no_customer_has_positive": (
        "no customer has positive revenue in the {window_months} months to the as-of date",
        "截止日之前的 {window_months} 个月中没有客户的销售额为正"),
    "error.tiers.tiers_need_date": ("tiers need an as-of date (--as-of)", "客户等级需要截止日期（--as-of）"),
    "error.tiers.cutoffs_are_scores_key": (
        "--cutoffs are scores 0–100, key first: e.g. 70,40; got {cut}",
        "--cutoffs 是 0–100 的分数，大客户在前：例如 70,40；收到 {cut}"),
    "error.tiers.files_hold_no_order": (
        "the files hold no order line to date the tiers by; give --as-of",
        "文件中没有可用来确定客户等级日期的订单行；请给出 --as-of"),
    "error.tiers.give_shares_cutoffs_not": (
        "give --shares or --cutoffs, not both",
        "请给出 --shares 或 --cutoffs，不要同时给出"),
    "error.tiers.cutoffs_takes_two_scores": (
        "--cutoffs takes two scores, e.g. 70,40 (got {cutoffs!r})",
        "--cutoffs 需要两个分数，例如 70,40（收到 {cutoffs!r}）"),
    "error.tiers.cutoffs_takes_two_scores_2": (
        "--cutoffs takes two scores separated by a comma, e.g. 70,40 (got {cutoffs!r})",
        "--cutoffs 需要两个以逗号分隔的分数，例如 70,40（收到 {cutoffs!r}）"),
    # profile
    "error.profile.kamtool_profile_reads_files": (
        "kamtool profile reads its files once for each analysis on the card and cannot read standard input "
        "('-'); save it to a file first",
        "kamtool profile 为卡片上的每项分析各读取一次文件，无法读取标准输入（'-'）；请先将其保存为文件"),
    "error.profile.give_customer_least_one": (
        "give CUSTOMER and at least one FILE (kamtool profile C0011 orders.csv), or --all for every key "
        "account",
        "请给出客户 CUSTOMER 和至少一个文件 FILE（kamtool profile C0011 orders.csv），或用 --all "
        "查看每个大客户"),
    "error.profile.files_hold_no_order": (
        "the files hold no order line to date the card by; give --as-of",
        "文件中没有可用来确定卡片日期的订单行；请给出 --as-of"),
    "error.profile.all_needs_key_tier": (
        "--all needs the key tier, and the tiers cannot be computed: {detail}",
        "--all 需要大客户等级，但无法计算客户等级：{detail}"),
    "error.profile.all_tiers_hold_no": (
        "--all: the tiers hold no key account",
        "--all：客户等级中没有大客户"),
    # report
    "error.report.split_give_one_header": (
        "--split-by {text}: give one of {split_dimensions} (or a header the file maps to one, e.g. 业务员)",
        "--split-by {text}：请给出 {split_dimensions} 之一（或文件中映射到其中之一的列名，例如 业务员）"),
    "error.report.o_report_workbook_xlsx": (
        "-o {output}: the report is a workbook (.xlsx) or a JSON document (.json)",
        "-o {output}：报告为工作簿（.xlsx）或 JSON 文档（.json）"),
    "error.report.o_would_write_same": (
        "-o {template}: {names} would write the same file; rename one of them in the data",
        "-o {template}：{names} 会写入同一个文件；请在数据中重命名其中之一"),
    "error.report.split_writes_one_workbook": (
        "--split-by writes one workbook per value: give -o with a template that holds {{{split}}}, e.g. -o "
        "'kam_{{{split}}}_{{date}}.xlsx'",
        "--split-by 为每个值写一个工作簿：请给出含 {{{split}}} 的 -o 模板，例如 -o "
        "'kam_{{{split}}}_{{date}}.xlsx'"),
    # params
    "error.params.takes_factor_weight_pairs": (
        "{name} takes factor=weight pairs, e.g. {example} (got {text!r})",
        "{name} 需要 因素=权重 的形式，例如 {example}（收到 {text!r}）"),
    "error.params.where_column_filtered_twice": (
        "--where {item}: the column {name} is filtered twice; give its values once, separated by commas "
        "({name}=A,B keeps either)",
        "--where {item}：列 {name} 被筛选了两次；请一次给出它的值，以逗号分隔（{name}=A,B 保留两者之一）"),
    "error.params.takes_factor_weight_pairs_2": (
        "{name} takes factor=weight pairs separated by commas, e.g. {example} (got {item!r})",
        "{name} 需要以逗号分隔的 因素=权重，例如 {example}（收到 {item!r}）"),
    "error.params.unknown_factor_factors_are": (
        "{name}: unknown factor {key!r}; the factors are {keys}",
        "{name}：未知因素 {key!r}；因素为 {keys}"),
    "error.params.given_twice": ("{name}: {key!r} is given twice", "{name}：{key!r} 给出了两次"),
    "error.params.weight_must_number_more": (
        "{name}: the weight of {key!r} must be a number of 0 or more (got {value!r})",
        "{name}：{key!r} 的权重必须是 0 或更大的数字（收到 {value!r}）"),
    "error.params.weight_not_number_got": (
        "{name}: the weight of {key!r} is not a number (got {value!r})",
        "{name}：{key!r} 的权重不是数字（收到 {value!r}）"),
    "error.params.takes_grade_factor_pairs": (
        "{name} takes GRADE=FACTOR pairs separated by commas, e.g. A=1.2,B=1 (got {text!r})",
        "{name} 需要以逗号分隔的 等级=系数，例如 A=1.2,B=1（收到 {text!r}）"),
    # run
    "error.run.decimal_takes_got": (
        "--decimal takes '.' or ',' (got {decimal!r})",
        "--decimal 需要 '.' 或 ','（收到 {decimal!r}）"),
    "error.run.o_extension_picks_format": (
        "-o {output}: the extension picks the format; use one of {output_suffixes}",
        "-o {output}：扩展名决定格式；请使用 {output_suffixes} 之一"),
    "error.run.o_directory": ("-o {output}: is a directory", "-o {output}：这是一个文件夹"),
    "error.run.o_no_directory": ("-o {output}: no directory {parent}", "-o {output}：文件夹 {parent} 不存在"),
    "error.run.per_command_table_already": (
        "--per {per}: the command's table is already per {dim}; name another column",
        "--per {per}：该命令的表格已经按 {dim} 汇总；请指定另一列"),
    "error.run.per_per_takes_kamtool": (
        "--per {per}: with --by {by_label}, --per takes a kamtool column (salesperson, region, brand …); "
        "one run reads one column of the file's own",
        "--per {per}：与 --by {by_label} 同用时，--per 需要 kamtool 的列（salesperson、region、brand …）；"
        "一次运行只读取文件自身的一列"),
    "error.run.per_not_text_column": (
        "--per {per}: {dim} is not a text column; --per takes a column such as salesperson, region, "
        "channel, brand or category",
        "--per {per}：{dim} 不是文本列；--per 需要 salesperson、region、channel、brand 或 category 这样的列"),
    # config
    "error.config.columns_must_table_column": (
        "{source}: [columns] must be a table of column = \"Header\"",
        "{source}：[columns] 必须是 列 = \"列名\" 的表"),
    "error.config.not_valid_toml": ("{path}: not valid TOML ({exc})", "{path}：不是有效的 TOML（{exc}）"),
    "error.config.cannot_read": ("{path}: cannot read ({exc})", "{path}：无法读取（{exc}）"),
    "error.config.x": (
        "{source}: {where}{key} = {value!r} ({flag}): {message}",
        "{source}：{where}{key} = {value!r}（{flag}）：{message}"),
    "error.config.not_kamtool_command_commands": (
        "{source}: [{key}] is not a kamtool command; the commands are {commands}",
        "{source}：[{key}] 不是 kamtool 的命令；命令为 {commands}"),
    # dask
    "error.dask.engine_dask_needs_scheduler": (
        "--engine dask needs --scheduler tcp://HOST:8786 (or DASK_SCHEDULER_ADDRESS)",
        "--engine dask 需要 --scheduler tcp://HOST:8786（或 DASK_SCHEDULER_ADDRESS）"),
    "error.dask.engine_dask_cannot_send": (
        "--engine dask cannot send stdin to a cluster; give files or URLs",
        "--engine dask 无法把标准输入发送到集群；请给出文件或 URL"),
    "error.dask.reading_urls_needs_fsspec": (
        "{url}: reading URLs needs fsspec ({extra_hint})",
        "{url}：读取 URL 需要 fsspec（{extra_hint}）"),
    "error.dask.install_fsspec_package_scheme": (
        "{url}: {exc} (install the fsspec package for this scheme, e.g. s3fs)",
        "{url}：{exc}（请为该协议安装 fsspec 包，例如 s3fs）"),
    "error.dask.engine_dask_needs_dask": (
        "--engine dask needs Dask: {extra_hint}",
        "--engine dask 需要 Dask：{extra_hint}"),
    "error.dask.cannot_reach_dask_scheduler": (
        "cannot reach the Dask scheduler at {scheduler} ({exc})",
        "无法连接 {scheduler} 上的 Dask 调度器（{exc}）"),
    "error.dask.no_file_matches": ("{name}: no file matches", "{name}：没有匹配的文件"),
    "error.dask.no_csv_excel_parquet": (
        "{name}: no CSV, Excel or Parquet files in this directory",
        "{name}：该文件夹中没有 CSV、Excel 或 Parquet 文件"),
    # filters
    "error.filters.where_no_such_column": (
        "{source}: --where {label}: no such column. The file's columns are: {shown}",
        "{source}：--where {label}：没有这一列。文件中的列为：{shown}"),
    "error.filters.where_file_has_no": (
        "{source}: --where {column}: the file has no {column} column. The file's columns are: {shown}. "
        "Point kamtool at one with --col {column}=HEADER",
        "{source}：--where {column}：文件中没有 {column} 列。文件中的列为：{shown}。请用 --col "
        "{column}=列名 指定"),
    # load
    "error.load.no_order_lines_left": (
        "{names}: no order lines left after dropping {reasons}",
        "{names}：去除{reasons}后没有剩下订单行"),
    # prepare
    "error.prepare.no_column_file_columns": (
        "{name}: no {missing} column. The file's columns are: {headers}. Point kamtool at one with --col "
        "{missing2}=HEADER",
        "{name}：没有 {missing} 列。文件中的列为：{headers}。请用 --col {missing2}=列名 指定"),
    # clean
    "error.clean.column_skip_bad_rows": (
        "{name} {row_label}: {value!r} {what} in column {header}{hint} ({advice}--skip-bad-rows skips such "
        "rows and counts them)",
        "{name} {row_label}：列 {header} 中的 {value!r} {what}{hint}（{advice}--skip-bad-rows "
        "会跳过这样的行并计数）"),
    "error.clean.no_column_empty_skip": (
        "{name} {row_label}: no {canon} (column {header} is empty) (--skip-bad-rows skips such rows and "
        "counts them)",
        "{name} {row_label}：没有 {canon}（列 {header} 为空）（--skip-bad-rows 会跳过这样的行并计数）"),
    # columns
    "error.columns.takes_canonical_header_customer": (
        "{option} takes canonical=Header, e.g. customer=Kunde (got {item!r})",
        "{option} 需要 规范列=列名 的形式，例如 customer=客户名称（收到 {item!r}）"),
    "error.columns.not_use_one": (
        "{option} {item}: {canon!r} is not {what}; use one of {table}",
        "{option} {item}：{canon!r} 不是{what}；请使用 {table} 之一"),
    "error.columns.no_such_column_file": (
        "{source}: --by {entity}: no such column. The file's columns are: {headers}. Name one of them, or "
        "a kamtool column ({canonical})",
        "{source}：--by {entity}：没有这一列。文件中的列为：{headers}。请指定其中一列，或 kamtool "
        "的列（{canonical}）"),
    "error.columns.col_no_column_file": (
        "{source}: --col {canon}={header}: no column {header!r}. The file's columns are: {headers}",
        "{source}：--col {canon}={header}：没有 {header!r} 列。文件中的列为：{headers}"),
    # guard
    "error.guard.field_longer_most_one": (
        "{name}: a field is longer than {limit}, the most one CSV row may hold; a quote that is never "
        "closed makes the rest of the file one field",
        "{name}：某个字段超过 {limit}，即一个 CSV 行的上限；未闭合的引号会让文件其余部分成为一个字段"),
    "error.guard.workbook_expands_disk_more": (
        "{name}: the workbook expands to {size} ({size2} on disk), more than the limit of {size3}; raise "
        "it with --max-input-size",
        "{name}：工作簿解压后为 {size}（磁盘上 {size2}），超过上限 {size3}；可用 --max-input-size 提高上限"),
    "error.guard.workbook_expands_fold_more": (
        "{name}: the workbook expands {ratio:,.0f}-fold to {size}, more than {max_ratio:,.0f}-fold (a zip "
        "bomb?); raise --max-input-size above {size} to read it anyway",
        "{name}：工作簿解压后膨胀 {ratio:,.0f} 倍至 {size}，超过 {max_ratio:,.0f} 倍（压缩炸弹？）；"
        "如仍要读取，请将 --max-input-size 提高到 {size} 以上"),
    "error.guard.rows_more_limit_excel": (
        "{name}: {sheet} {verb} {ref}, {r1:,} rows, more than the limit of {max_rows:,} (Excel's own is "
        "{excel_rows:,}); raise it with --max-rows",
        "{name}：{sheet} {verb} {ref}，共 {r1:,} 行，超过上限 {max_rows:,}（Excel 自身为 {excel_rows:,}）；"
        "可用 --max-rows 提高上限"),
    "error.guard.columns_more_excel_xfd": (
        "{name}: {sheet} {verb} {ref}, {c1:,} columns, more than Excel's {excel_columns:,} (XFD)",
        "{name}：{sheet} {verb} {ref}，共 {c1:,} 列，超过 Excel 的 {excel_columns:,} 列（XFD）"),
    "error.guard.cells_more_limit_delete": (
        "{name}: {sheet} {verb} {ref}, {area:,} cells, more than the limit of {cell_limit:,}; delete the "
        "stray cells beyond the data, or raise the limit with --max-cells",
        "{name}：{sheet} {verb} {ref}，共 {area:,} 个单元格，超过上限 {cell_limit:,}；"
        "请删除数据以外的零散单元格，或用 --max-cells 提高上限"),
    "error.guard.cells_but_holds_only": (
        "{name}: {sheet} {verb} {ref}, {area:,} cells, but holds only {cells:,}: reading the empty "
        "rectangle would take far more memory than the data; delete the stray cells beyond the data, or "
        "pass --max-cells {area} to read it anyway",
        "{name}：{sheet} {verb} {ref}，共 {area:,} 个单元格，但只有 {cells:,} 个有内容："
        "读取这片空白区域所需的内存将远超数据本身；请删除数据以外的零散单元格，或加 --max-cells {area} "
        "仍然读取"),
    "error.guard.holds_characters_more_limit": (
        "{name}: {what} holds {longest:,} characters, more than the limit of {max_cell_chars:,} (Excel's "
        "own is {excel_cell_chars:,}); raise it with --max-cell-chars",
        "{name}：{what}有 {longest:,} 个字符，超过上限 {max_cell_chars:,}（Excel 自身为 "
        "{excel_cell_chars:,}）；可用 --max-cell-chars 提高上限"),
    "error.guard.takes_size_such_gib": (
        "{option} takes a size such as 4GiB, 500MB or a number of bytes (got {text!r})",
        "{option} 需要一个大小，例如 4GiB、500MB 或字节数（收到 {text!r}）"),
    "error.guard.line_line_longer_most": (
        "{name} line {line:,}: the line is longer than {limit}, the most one CSV row may hold; is it a CSV "
        "export?",
        "{name} 第 {line:,} 行：该行超过 {limit}，即一个 CSV 行的上限；这是 CSV 导出文件吗？"),
    "error.guard.member_expands_more_limit": (
        "{name}: member {filename} expands to {size}, more than the limit of {size2}; raise it with "
        "--max-input-size",
        "{name}：成员 {filename} 解压后为 {size}，超过上限 {size2}；可用 --max-input-size 提高上限"),
    "error.guard.more_limit_workbook_raise": (
        "{name}: {size}, more than the limit of {size2} for a workbook; raise it with --max-input-size",
        "{name}：{size}，超过工作簿的上限 {size2}；可用 --max-input-size 提高上限"),
    "error.guard.cannot_open_workbook_archive": (
        "{name}: cannot open this workbook: its archive is damaged or of a kind kamtool cannot check ({exc})",
        "{name}：无法打开该工作簿：其压缩包已损坏，或属于 kamtool 无法检查的类型（{exc}）"),
    "error.guard.member_inflates_more_bytes": (
        "{name}: member {filename} inflates to more than the {file_size:,} bytes the archive declares for "
        "it; refusing a forged archive",
        "{name}：成员 {filename} 解压后超过压缩包为其声明的 {file_size:,} 字节；拒绝读取伪造的压缩包"),
    # outfile
    "error.outfile.o_directory": ("-o {shown}: is a directory", "-o {shown}：这是一个文件夹"),
    "error.outfile.o_cannot_write_report": (
        "-o {shown}: cannot write the report: {message}",
        "-o {shown}：无法写入报告：{message}"),
    "error.outfile.no_field_here_fields": (
        "{option} {template}: no field {{{unknown}}} here; the fields are {known}",
        "{option} {template}：这里没有字段 {{{unknown}}}；字段为 {known}"),
    "error.outfile.o_input_refusing_write": (
        "-o {fspath}: is the input {name}; refusing to write over an input file",
        "-o {fspath}：这是输入文件 {name}；拒绝覆盖输入文件"),
    "error.outfile.o_file_standard_input": (
        "-o {fspath}: is the file on standard input; refusing to write over an input file",
        "-o {fspath}：这是标准输入上的文件；拒绝覆盖输入文件"),
    # read
    "error.read.no_sheet_sheets_are": (
        "{name}: no sheet {wanted!r}; the sheets are {sheet_names} (--sheet takes a name or a 1-based "
        "number)",
        "{name}：没有工作表 {wanted!r}；工作表为 {sheet_names}（--sheet 接受名称或从 1 开始的序号）"),
    "error.read.named_like_but_content": (
        "{name}: is named like {kind} but its content is not one",
        "{name}：文件名看起来是 {kind}，但内容不是"),
    "error.read.looks_like_binary_file": (
        "{name}: looks like a binary file, not a CSV/Excel/Parquet export",
        "{name}：看起来是二进制文件，不是 CSV/Excel/Parquet 导出文件"),
    "error.read.file_empty": ("{name}: the file is empty", "{name}：文件为空"),
    "error.read.found_no_header_row": (
        "{name}: found no header row with at least two columns in the first {header_search_rows} lines; is "
        "this an order export? (--header-row N picks one)",
        "{name}：前 {header_search_rows} 行中找不到至少有两列的表头行；这是订单导出文件吗？（--header-row "
        "N 可指定表头行）"),
    "error.read.stdin_no_data_did": (
        "stdin: no data (did the command before the pipe fail?)",
        "stdin：没有数据（管道前的命令是否失败了？）"),
    "error.read.cannot_decode_try_encoding": (
        "{name}: cannot decode as {encoding} ({exc}); try --encoding",
        "{name}：无法按 {encoding} 解码（{exc}）；请尝试 --encoding"),
    "error.read.cannot_open_workbook": (
        "{name}: cannot open this workbook ({exc})",
        "{name}：无法打开该工作簿（{exc}）"),
    "error.read.sheet_empty": ("{name}: sheet {sheet_name!r} is empty", "{name}：工作表 {sheet_name!r} 为空"),
    "error.read.no_sheet_holds_data": (
        "{name}: no sheet holds data (sheets: {sheet_names})",
        "{name}：没有包含数据的工作表（工作表：{sheet_names}）"),
    "error.read.header_row_past_last": (
        "{name}: --header-row {header_row} is past the last row",
        "{name}：--header-row {header_row} 超出了最后一行"),
    "error.read.cannot_read_sheet": (
        "{name}: cannot read sheet {sheet_name!r} ({exc})",
        "{name}：无法读取工作表 {sheet_name!r}（{exc}）"),
    "error.read.cannot_read_parquet_file": (
        "{name}: cannot read this Parquet file ({exc})",
        "{name}：无法读取该 Parquet 文件（{exc}）"),
    "error.read.header_row_blank_past": (
        "{name}: --header-row {header_row} is blank or past the rows read",
        "{name}：--header-row {header_row} 为空行或超出了已读取的行"),
    "error.read.column_holds_values_not": (
        "{name}: column {column} holds {kind} values, not plain values",
        "{name}：列 {column} 存放的是 {kind} 值，不是普通值"),
    # request
    "error.request.where_not_text_column": (
        "--where {text}: {column} is not a text column; --where compares the text of columns such as "
        "region, salesperson, brand, customer{hint}",
        "--where {text}：{column} 不是文本列；--where 比较的是 region、salesperson、brand、customer "
        "这类列的文本{hint}"),
    "error.request.engine_takes_got": (
        "--engine takes {engines} (got {engine!r})",
        "--engine 需要 {engines}（收到 {engine!r}）"),
    # tables
    "error.tables.file_has_no_column": (
        "{name}: the {kind} file has no {missing} column. Its columns are: {shown}. Tell kamtool which one "
        "it is with {missing2} = \"{example}\" under [{kind}] in kamtool.toml",
        "{name}：{kind} 文件没有 {missing} 列。其中的列为：{shown}。请在 kamtool.toml 的 [{kind}] 下写 "
        "{missing2} = \"{example}\" 告诉 kamtool 是哪一列"),
    "error.tables.must_table_column_header": (
        "{source}: [{kind}] must be a table of column = \"Header\"",
        "{source}：[{kind}] 必须是 列 = \"列名\" 的表"),
    "error.tables.column_skip_bad_rows": (
        "{name} {row_label}: {as_py!r} {what} in column {header} (--skip-bad-rows skips such rows and "
        "counts them)",
        "{name} {row_label}：列 {header} 中的 {as_py!r} {what}（--skip-bad-rows 会跳过这样的行并计数）"),
    "error.tables.no_column_empty_skip": (
        "{name} {row_label}: no {canon} (column {columns} is empty) (--skip-bad-rows skips such rows and "
        "counts them)",
        "{name} {row_label}：没有 {canon}（列 {columns} 为空）（--skip-bad-rows 会跳过这样的行并计数）"),
    # excel
    "error.excel.cannot_write_workbook": (
        "cannot write the workbook {path}: {error}",
        "无法写入工作簿 {path}：{error}"),
    "error.excel.table_has_rows_columns": (
        "table {name!r} has {n_frame:,} rows × {shape:,} columns; an Excel sheet holds at most "
        "{excel_max_rows:,} rows × {excel_max_cols:,} columns. Write .csv or .parquet instead.",
        "表 {name!r} 有 {n_frame:,} 行 × {shape:,} 列；一个 Excel 工作表最多容纳 {excel_max_rows:,} 行 × "
        "{excel_max_cols:,} 列。请改写为 .csv 或 .parquet。"),
}
