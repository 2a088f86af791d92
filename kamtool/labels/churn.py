"""Labels of the churn analysis: columns, bridge steps, statuses, headlines, notes."""

LABELS: dict[str, tuple[str, str]] = {
    # columns of rows and tables (unprefixed: they are column names)
    "status": ("Status", "状态"),
    "start_revenue": ("Start revenue", "期初销售额"),
    "end_revenue": ("End revenue", "期末销售额"),
    "change": ("Change", "变化额"),
    "start_class": ("Start class", "期初类别"),
    "end_class": ("End class", "期末类别"),
    "days_since_last": ("Days since last purchase", "距上次购买天数"),
    "median_gap": ("Median gap (days)", "购买间隔中位数（天）"),
    "silence_ratio": ("Silence ratio", "沉默倍数"),
    "at_risk": ("At risk", "流失风险"),
    "from_class": ("From class", "期初类别"),
    "to_class": ("To class", "期末类别"),
    "revenue_lost": ("Revenue lost", "损失销售额"),
    "revenue_at_stake": ("Revenue at stake", "风险销售额"),
    "step": ("Step", "步骤"),
    "step_label": ("Step", "步骤"),
    "cohort": ("Cohort", "同期群"),
    # tables
    "churn.bridge": ("Revenue bridge", "销售额变动桥图"),
    "churn.migration": ("ABC migration", "ABC类别迁移"),
    "churn.migration_matrix": ("ABC migration matrix", "ABC类别迁移矩阵"),
    "churn.key_account_losses": ("Key accounts lost or declined", "重点客户流失与降级"),
    "churn.early_warning": ("Early warning", "流失预警"),
    "churn.cohorts": ("Cohort retention", "同期群留存"),
    # bridge steps
    "churn.step.start": ("Start revenue", "期初销售额"),
    "churn.step.new": ("New customers", "新增客户"),
    "churn.step.reactivated": ("Reactivated customers", "回流客户"),
    "churn.step.expansion": ("Expansion", "增购"),
    "churn.step.contraction": ("Contraction", "减购"),
    "churn.step.lost": ("Lost customers", "流失客户"),
    "churn.step.other": ("Other (returns of non-buyers)", "其他（未购买客户的退货）"),
    "churn.step.end": ("End revenue", "期末销售额"),
    # statuses (values of the status column)
    "churn.status.new": ("New", "新增客户"),
    "churn.status.retained": ("Retained", "留存客户"),
    "churn.status.reactivated": ("Reactivated", "回流客户"),
    "churn.status.lost": ("Lost", "流失客户"),
    "churn.status.inactive": ("Inactive", "未购买"),
    "churn.as_of.given": ("given", "指定日期"),
    "churn.as_of.default": ("the day after the last order", "最后一笔订单的次日"),
    # period words
    "churn.period.month": ("month", "月"),
    "churn.period.quarter": ("quarter", "季度"),
    "churn.period.year": ("year", "年"),
    # headlines
    "churn.headline_customers": (
        "{start} → {end}: {start_customers} customers bought in {start}; {retained} retained, "
        "{lost} lost (churn rate {churn_rate}), {new} new, {reactivated} reactivated.",
        "{start} → {end}：{start} 有 {start_customers} 个客户购买；留存 {retained} 个，"
        "流失 {lost} 个（流失率 {churn_rate}），新增 {new} 个，回流 {reactivated} 个。",
    ),
    "churn.headline_revenue": (
        "Revenue {start_revenue} → {end_revenue}: gross revenue retention {grr}, "
        "net revenue retention {nrr}.",
        "销售额 {start_revenue} → {end_revenue}：销售额毛留存率 {grr}，销售额净留存率 {nrr}。",
    ),
    "churn.headline_key_accounts": (
        "{count} A-class customers lost or fell a class; {revenue} revenue lost.",
        "{count} 个A类客户流失或降级，损失销售额 {revenue}。",
    ),
    "churn.headline_at_risk": (
        "{count} active customers at risk; {revenue} revenue at stake (end-period revenue).",
        "{count} 个活跃客户有流失风险，涉及销售额 {revenue}（期末销售额）。",
    ),
    "churn.not_available": ("n/a", "无法计算"),
    # notes
    "churn.note_as_of": (
        "As of {as_of} ({rule}). A {period} is complete when the as-of date is after its last "
        "day. Compared: {start} with {end}.",
        "截至 {as_of}（{rule}）。截至日期晚于某{period}的最后一天时，该{period}为完整期间。"
        "比较：{start} 与 {end}。",
    ),
    "churn.note_incomplete": (
        "{label} is not complete as of {as_of}; its figures may still grow.",
        "{label} 截至 {as_of} 尚未结束，数字可能仍会增加。",
    ),
    "churn.note_bought": (
        "A customer bought in a period when its net revenue there (purchases less returns) is "
        "above zero; a purchase day is a day of positive net revenue.",
        "客户在某期间的净销售额（购买减退货）大于零，即视为该期间有购买；净销售额为正的日子为购买日。",
    ),
    "churn.note_status": (
        "new: bought in the end period, not in the start period, and no order before the start "
        "period; retained: bought in both; reactivated: bought in the end period, not in the "
        "start period, but ordered before it; lost: bought in the start period, not in the end "
        "period; inactive: has order lines in one of the two periods but bought in neither.",
        "新增客户：期末有购买、期初无购买，且期初之前从未下单；留存客户：两期均有购买；"
        "回流客户：期末有购买、期初无购买，但期初之前下过单；流失客户：期初有购买、期末无购买；"
        "未购买：在两期之一有订单行但两期均无购买。",
    ),
    "churn.note_rates": (
        "Churn rate = lost / start customers; retention rate = retained / start customers. "
        "Gross revenue retention = (start revenue − contraction − lost) / start revenue; net "
        "revenue retention = (start revenue − contraction − lost + expansion) / start revenue.",
        "流失率 = 流失客户数 / 期初客户数；留存率 = 留存客户数 / 期初客户数。"
        "销售额毛留存率 = (期初销售额 − 减购 − 流失) / 期初销售额；"
        "销售额净留存率 = (期初销售额 − 减购 − 流失 + 增购) / 期初销售额。",
    ),
    "churn.note_bridge": (
        "Bridge: start revenue + new + reactivated + expansion − contraction − lost + other = "
        "end revenue, exact to the cent. Expansion and contraction are the revenue changes of "
        "retained customers; lost is the start revenue of lost customers less their end-period "
        "returns; reactivated customers are a step of their own; other is the change of "
        "inactive customers.",
        "桥图：期初销售额 + 新增 + 回流 + 增购 − 减购 − 流失 + 其他 = 期末销售额，精确到分。"
        "增购与减购为留存客户的销售额变化；流失为流失客户的期初销售额减去其期末退货；"
        "回流客户单列一步；其他为未购买客户的销售额变化。",
    ),
    "churn.note_abc": (
        "ABC classes per period by cumulative revenue share: A up to {a}, B up to {b}, C the "
        "rest; the customer whose revenue reaches a cut-off belongs to the higher class; ties by "
        "revenue, then customer id; '-' = did not buy in that period. Key account losses: A "
        "customers lost or fallen to B or C, sorted by revenue lost (start − end revenue).",
        "每期按累计销售额占比划分ABC类：累计占比至 {a} 为A类，至 {b} 为B类，其余为C类；"
        "累计占比到达分界点的客户归入较高类别；销售额相同时按客户编号排序；“-”表示该期无购买。"
        "重点客户流失与降级：流失或降为B、C类的A类客户，按损失销售额（期初 − 期末）排序。",
    ),
    "churn.note_warning": (
        "Early warning as of {as_of}, for customers who bought in the end period: at risk when "
        "the days since their last purchase exceed {factor} × their median gap between purchase "
        "days (a single purchase day gives no rhythm){p_alive}; sorted by end-period revenue "
        "(revenue at stake).",
        "流失预警（截至 {as_of}），对象为期末有购买的客户：距上次购买天数超过其购买间隔中位数的 "
        "{factor} 倍即有流失风险（只有一个购买日的客户无法判断节奏）{p_alive}；"
        "按期末销售额（风险销售额）排序。",
    ),
    "churn.note_warning_p_alive": (
        ", or when P(alive) is below {threshold}",
        "，或存活概率低于 {threshold}",
    ),
    "churn.note_cohorts": (
        "Cohorts by {cohort} of first order; each cell is the share of the cohort that bought "
        "in that later {cohort} (+0 = the first); complete {cohort}s only.",
        "按首次下单的{cohort}划分同期群；每格为该同期群在其后第 N 个{cohort}仍有购买的客户占比"
        "（+0 为首个{cohort}）；只计完整的{cohort}。",
    ),
    # why the early warning goes without P(alive) (summary p_alive_reason, a FitError code)
    "churn.note_p_alive.too_few_customers": (
        "P(alive) not used in the early warning: {model} needs at least {min_customers} customers and "
        "{min_repeat_customers} with a repeat purchase before {as_of}; this data has {customers:,} and "
        "{repeat_customers:,}.",
        "流失预警未使用存活概率：{model} 模型至少需要 {min_customers} 个客户，其中 {min_repeat_customers} 个"
        "在 {as_of} 之前有重复购买；本数据只有 {customers:,} 个和 {repeat_customers:,} 个。",
    ),
    "churn.note_p_alive.unidentified": (
        "P(alive) not used in the early warning: the {model} fit did not converge ({parameters} drifted "
        "towards 0 or infinity: the data cannot pin them down).",
        "流失预警未使用存活概率：{model} 模型拟合未收敛（{parameters} 趋向 0 或无穷大，"
        "数据无法确定其取值）。",
    ),
    "churn.note_p_alive.not_converged": (
        "P(alive) not used in the early warning: the {model} fit did not converge.",
        "流失预警未使用存活概率：{model} 模型拟合未收敛。",
    ),
    "churn.note_p_alive.other": (
        "P(alive) not used in the early warning: the {model} model did not fit this data ({reason}).",
        "流失预警未使用存活概率：{model} 模型无法拟合本数据（{reason}）。",
    ),
    # churn types: why customers were lost (churn_types)
    "churn_type": ("Churn type", "流失类型"),
    "churn_type_basis": ("Basis", "依据"),
    "churn_reason": ("Churn reason", "流失原因"),
    "key_customers": ("Key accounts", "重点客户数"),
    "key_account": ("Key account", "重点客户"),
    "key_revenue_lost": ("Revenue lost (key accounts)", "重点客户损失销售额"),
    "churn.table.churn_types": ("Why customers were lost", "客户流失原因"),
    "churn.sheet.churn_types": ("Churn types", "流失类型"),
    "churn.churn_type.recorded": ("Recorded reason", "已记录原因"),
    "churn.churn_type.dropped": ("Dropped by us", "我方终止"),
    "churn.churn_type.competitor": ("Won by a competitor", "被竞争对手争取"),
    "churn.churn_type.value_declined": ("Value declined", "价值下降"),
    "churn.churn_type.left": ("Left on its own", "客户自行流失"),
    "churn.churn_type_basis.recorded": ("Recorded", "已记录"),
    "churn.churn_type_basis.inferred": ("Inferred", "推断"),
    "churn.headline_types": (
        "Main reason for the loss: {type} — {count} of {subjects} lost or declined customers, "
        "{revenue} of {total} revenue lost.",
        "主要流失原因：{type}——流失或价值下降的 {subjects} 个客户中有 {count} 个，"
        "损失销售额 {total} 中占 {revenue}。",
    ),
    "churn.headline_types_key": (
        "Key accounts ({basis}): {subjects} lost or declined, {total} revenue lost; main reason: {type}.",
        "重点客户（{basis}）：{subjects} 个流失或价值下降，损失销售额 {total}；主要原因：{type}。",
    ),
    "churn.headline_types_none": (
        "No customer was lost or declined in value: no churn type to give.",
        "没有客户流失或价值下降，无流失类型。",
    ),
    "churn.key_basis.key_tier": ("the key tier as of {as_of}", "截至 {as_of} 的重点客户等级"),
    "churn.key_basis.start_class_a": ("start class A", "期初A类客户"),
    "churn.note_types": (
        "Churn types, for every lost customer and every retained one whose end revenue is at most "
        "{decline} of its start revenue or whose ABC class fell; the first that applies: recorded "
        "(the accounts file gives a churn reason); dropped (an account status meaning we stopped: "
        "{statuses} and their Chinese forms, compared without case, spaces, _ or -; or "
        "receivables over {days} days past due at the customer's last purchase); "
        "competitor (the own brand's share of the customer's revenue fell by {drop} points or more "
        "from the first to the last period with purchases among the end period and the {periods} "
        "before it; or a product line bought in the start period is bought in the end period while "
        "another stopped); value_declined (retained); left (every other lost customer). Basis: "
        "recorded when the accounts file says so (a reason or a status), else inferred. Revenue "
        "lost = start − end revenue.",
        "流失类型：对象为每个流失客户，以及期末销售额不超过期初 {decline} 或ABC类别下降的留存客户；"
        "按以下顺序取第一个适用的类型：已记录原因（客户资料中填写了流失原因）；我方终止（客户状态表示"
        "我方停止合作：{statuses}，不区分大小写、空格、_ 和 -；"
        "或在客户最后一次购买时有逾期超过 {days} 天的应收账款）；"
        "被竞争对手争取（在期末期间及其前 {periods} 个期间中，本品牌占该客户销售额的比例从第一个到"
        "最后一个有购买的期间下降了 {drop} 个百分点或更多；或期初购买的某一产品线在期末仍在购买，"
        "而另一产品线已停止）；价值下降（留存客户）；客户自行流失（其余流失客户）。依据：客户资料"
        "写明的（原因或状态）为已记录，其余为推断。损失销售额 = 期初 − 期末销售额。",
    ),
    "churn.note_key_basis.key_tier": (
        "Key accounts: the key tier of `kamtool tiers` as of {as_of} (default weights and shares, "
        "the 12 months before; future value from growth, without the CLV fit).",
        "重点客户：截至 {as_of} 的 `kamtool tiers` 重点客户等级（默认权重与比例，此前 12 个月；"
        "客户未来价值按增长率计，未拟合客户终身价值模型）。",
    ),
    "churn.note_key_basis.start_class_a": (
        "Key accounts: the A class of the start period (the key tier could not be computed).",
        "重点客户：期初A类客户（无法计算重点客户等级）。",
    ),
    "churn.note_not_inferable.accounts": (
        "recorded reasons and account statuses: no --accounts file",
        "已记录原因与客户状态：未提供 --accounts 客户资料",
    ),
    "churn.note_not_inferable.credit": (
        "overdue receivables: the lines have no due_date, paid_date or paid_amount and no --payments "
        "file is given",
        "逾期应收账款：订单行没有到期日、回款日期或回款金额，也未提供 --payments 收款记录",
    ),
    "churn.note_not_inferable.brand_shares": (
        "the own brand's share: no --brand, or no brand column",
        "本品牌占比：未指定 --brand，或没有品牌列",
    ),
    "churn.note_not_inferable.lines": (
        "product lines: no category column",
        "产品线：没有品类列",
    ),
    "churn.note_not_inferable": (
        "Not inferable from these inputs, so no customer gets the type through them: {items}.",
        "以下依据无法从现有数据推断，因此没有客户经由它们获得相应类型：{items}。",
    ),
    # the accounts check (kamtool.analyses.accounts.attach_checks)
    "churn.table.account_duplicates": (
        "Customer ids given more than once in the accounts file", "客户资料中重复出现的客户编号"
    ),
    "churn.table.account_unknown": (
        "Accounts with no order line (prospects)", "客户资料中无订单的客户（潜在客户）"
    ),
    "churn.row": ("Row in the accounts file", "客户资料行号"),
    # the workbook's Summary: key figures and parameters of the churn types
    "churn.kpi.churn_type_recorded": ("Churn type: recorded reason", "流失类型：已记录原因"),
    "churn.kpi.churn_type_dropped": ("Churn type: dropped by us", "流失类型：我方终止"),
    "churn.kpi.churn_type_competitor": ("Churn type: won by a competitor", "流失类型：被竞争对手争取"),
    "churn.kpi.churn_type_value_declined": ("Churn type: value declined", "流失类型：价值下降"),
    "churn.kpi.churn_type_left": ("Churn type: left on its own", "流失类型：客户自行流失"),
    "churn.kpi.churn_type_subjects": ("Customers lost or declined in value", "流失或价值下降的客户数"),
    "churn.kpi.churn_type_revenue_lost": ("Revenue lost by them", "其损失销售额"),
    "churn.kpi.churn_type_main": ("Main churn type (most revenue lost)", "主要流失类型（损失销售额最多）"),
    "churn.kpi.churn_type_main_revenue_lost": (
        "Revenue lost by the main churn type", "主要流失类型的损失销售额",
    ),
    "churn.kpi.key_churn_type_subjects": (
        "Key accounts lost or declined in value", "流失或价值下降的重点客户数",
    ),
    "churn.kpi.key_churn_type_revenue_lost": ("Revenue lost by key accounts", "重点客户损失销售额"),
    "churn.kpi.key_churn_type_main": ("Main churn type of key accounts", "重点客户的主要流失类型"),
    "churn.kpi.account_duplicate_ids": ("Duplicated ids in the accounts", "客户资料中重复的客户编号数"),
    "churn.kpi.account_unknown": ("Accounts with no order line", "客户资料中无订单的客户数"),
    "churn.param.churn_type_precedence": ("Churn types, in precedence", "流失类型（按优先顺序）"),
    "churn.param.churn_type_decline_share": (
        "Value declined at end revenue ≤", "价值下降：期末销售额不超过期初的",
    ),
    "churn.param.churn_type_share_drop": ("Own brand's share fell by at least", "本品牌占比下降至少"),
    "churn.param.churn_type_share_periods": ("Periods before the end followed", "追踪的期末前期间数"),
    "churn.param.churn_type_overdue_days": ("Overdue more than (days)", "逾期超过（天）"),
    "churn.param.key_accounts_basis": ("Key accounts", "重点客户"),
    "churn.param.key_tier_as_of": ("Key tier as of", "重点客户等级截至"),
    "churn.param.brand": ("Own brand", "本品牌"),
    "churn.param.churn_type_from_accounts": ("Types from the accounts file", "流失类型依据客户资料"),
    "churn.param.churn_type_from_credit": ("Types from overdue receivables", "流失类型依据逾期应收账款"),
    "churn.param.churn_type_from_brand_shares": (
        "Types from the own brand's share", "流失类型依据本品牌占比",
    ),
    "churn.param.churn_type_line_column": ("Product lines from column", "产品线所在列"),
    "churn.param.account_strategic_scale": ("Strategic values read on the scale", "战略价值的原始量表"),
    "param.value.key_accounts_basis.key_tier": ("the key tier", "重点客户等级"),
    "param.value.key_accounts_basis.start_class_a": ("start class A", "期初A类客户"),
    "param.value.churn_type_line_column.category": ("category", "品类"),
    "param.value.churn_type_precedence.recorded": ("recorded reason", "已记录原因"),
    "param.value.churn_type_precedence.dropped": ("dropped by us", "我方终止"),
    "param.value.churn_type_precedence.competitor": ("won by a competitor", "被竞争对手争取"),
    "param.value.churn_type_precedence.value_declined": ("value declined", "价值下降"),
    "param.value.churn_type_precedence.left": ("left on its own", "客户自行流失"),
    "param.value.churn_type_main.recorded": ("recorded reason", "已记录原因"),
    "param.value.churn_type_main.dropped": ("dropped by us", "我方终止"),
    "param.value.churn_type_main.competitor": ("won by a competitor", "被竞争对手争取"),
    "param.value.churn_type_main.value_declined": ("value declined", "价值下降"),
    "param.value.churn_type_main.left": ("left on its own", "客户自行流失"),
    "param.value.key_churn_type_main.recorded": ("recorded reason", "已记录原因"),
    "param.value.key_churn_type_main.dropped": ("dropped by us", "我方终止"),
    "param.value.key_churn_type_main.competitor": ("won by a competitor", "被竞争对手争取"),
    "param.value.key_churn_type_main.value_declined": ("value declined", "价值下降"),
    "param.value.key_churn_type_main.left": ("left on its own", "客户自行流失"),
}
