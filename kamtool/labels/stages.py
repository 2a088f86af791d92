"""Labels of the relationship stages: stages, rules, columns, tables, headlines, notes."""

LABELS: dict[str, tuple[str, str]] = {
    # columns
    "stages.stage": ("Stage", "合作阶段"),
    "stages.stage_rule": ("Rule", "判定规则"),
    "stages.tenure_months": ("Tenure (months)", "合作时长（月）"),
    "stages.quarters_active": ("Active quarters (of the last 4)", "近4季度活跃季度数"),
    "stages.trend": ("Revenue trend", "销售额趋势"),
    "stages.breadth": ("Categories bought", "购买品类数"),
    "stages.declining": ("Declining", "下滑"),
    "stages.lost": ("Lost", "已流失"),
    "stages.days_since_last": ("Days since last purchase", "距上次购买天数"),
    "stages.median_gap": ("Median gap (days)", "购买间隔中位数（天）"),
    "stages.compare_stage": ("Earlier stage", "对比日阶段"),
    "stages.from_stage": ("From stage", "原阶段"),
    "stages.to_stage": ("To stage", "现阶段"),
    "stages.cultivation": ("Cultivation", "孕育阶段"),
    "stages.initial": ("Initial", "初期合作"),
    "stages.stable": ("Stable", "稳定合作"),
    "stages.strategic": ("Strategic", "战略合作"),
    # values
    "stages.stage.cultivation": ("Cultivation", "孕育阶段"),
    "stages.stage.initial": ("Initial cooperation", "初期合作"),
    "stages.stage.stable": ("Stable cooperation", "稳定合作"),
    "stages.stage.strategic": ("Strategic partnership", "战略合作"),
    "stages.compare_stage.cultivation": ("Cultivation", "孕育阶段"),
    "stages.compare_stage.initial": ("Initial cooperation", "初期合作"),
    "stages.compare_stage.stable": ("Stable cooperation", "稳定合作"),
    "stages.compare_stage.strategic": ("Strategic partnership", "战略合作"),
    "stages.from_stage.cultivation": ("Cultivation", "孕育阶段"),
    "stages.from_stage.initial": ("Initial cooperation", "初期合作"),
    "stages.from_stage.stable": ("Stable cooperation", "稳定合作"),
    "stages.from_stage.strategic": ("Strategic partnership", "战略合作"),
    "stages.to_stage.cultivation": ("Cultivation", "孕育阶段"),
    "stages.to_stage.initial": ("Initial cooperation", "初期合作"),
    "stages.to_stage.stable": ("Stable cooperation", "稳定合作"),
    "stages.to_stage.strategic": ("Strategic partnership", "战略合作"),
    "stages.stage_rule.strategic_rule": (
        "Strategic: tenure, every quarter, key or A, breadth",
        "战略：时长、每季度活跃、重点或A类、品类广度",
    ),
    "stages.stage_rule.stable_rule": (
        "Stable: tenure, active quarters, trend",
        "稳定：时长、季度活跃、趋势",
    ),
    "stages.stage_rule.initial_default": (
        "Initial: bought, neither of the above",
        "初期：有购买，不满足以上条件",
    ),
    "stages.stage_rule.cultivation_prospect": ("Cultivation: no order yet", "孕育：尚无订单"),
    "stages.stage_rule.cultivation_no_net": ("Cultivation: no net purchase", "孕育：无净购买"),
    # tables
    "stages.table.transitions": ("Stage transitions", "阶段迁移矩阵"),
    "stages.table.regressions": ("Customers whose stage fell", "阶段倒退的客户"),
    "stages.table.account_duplicates": (
        "Customer ids given more than once in the accounts file", "客户资料中重复出现的客户编号"
    ),
    "stages.table.account_unknown": (
        "Accounts with no order line (prospects)", "客户资料中无订单的客户（潜在客户）"
    ),
    "stages.row": ("Row in the accounts file", "客户资料行号"),
    # headlines
    "stages.headline_counts": (
        "{customers} customers: {strategic} strategic, {stable} stable, {initial} initial, "
        "{cultivation} in cultivation.",
        "共{customers}位客户：战略合作{strategic}位，稳定合作{stable}位，初期合作{initial}位，孕育阶段{cultivation}位。",
    ),
    "stages.headline_declining": (
        "{count} customers are declining (revenue down {drop} or more on the year before).",
        "{count}位客户销售额下滑（较上年同期下降{drop}及以上）。",
    ),
    "stages.headline_lost": (
        "{count} customers look lost (silent more than {multiple} × their own gap and at least {days} days).",
        "{count}位客户疑似流失（沉默超过自身购买间隔的{multiple}倍且至少{days}天）。",
    ),
    "stages.headline_regressions": (
        "Since {compare}: {count} customers moved back a stage (listed).",
        "自{compare}以来：{count}位客户阶段倒退（见列表）。",
    ),
    # notes
    "stages.note_rules": (
        "Evaluated from the top: strategic = tenure ≥ {strategic_tenure} months, active in all of the last "
        "{quarters} quarters, key tier or class A, ≥ {min_breadth} {breadth}; stable = tenure ≥ "
        "{stable_tenure} months, active in ≥ {stable_quarters} of the last {quarters} quarters, "
        "revenue trend above {stable_trend}; initial = bought, neither; cultivation = no net purchase.",
        "自上而下判定：战略合作 = 合作时长 ≥ {strategic_tenure}个月，近{quarters}个季度均活跃，"
        "重点客户或A类，{breadth} ≥ {min_breadth}；稳定合作 = 合作时长 ≥ {stable_tenure}个月，"
        "近{quarters}个季度中至少{stable_quarters}个季度活跃，销售额趋势高于{stable_trend}；"
        "初期合作 = 有购买但不满足以上条件；孕育阶段 = 无净购买。",
    ),
    "stages.note_window": (
        "As of {as_of}; window {window} months to {last}; tenure counts calendar months from the first "
        "purchase month; the trend compares the window's last half with its first.",
        "截至{as_of}；统计窗口为截至{last}的{window}个月；合作时长按首次购买月份起的自然月计；"
        "趋势比较窗口后半段与前半段。",
    ),
    "stages.note_no_breadth": (
        "No category, brand or product was given: the breadth condition was not applied.",
        "未提供品类、品牌或产品：未应用品类广度条件。",
    ),
    "stages.note_no_lost": (
        "No per-day purchases were given: the lost flag was not evaluated.",
        "未提供逐日购买记录：未评估流失标记。",
    ),
    "stages.breadth.category": ("categories", "品类数"),
    "stages.breadth.brand": ("brands", "品牌数"),
    "stages.breadth.product": ("products", "产品数"),
    # parameters and key figures as the workbook's Summary names them
    "stages.param.window_months": ("Window (months)", "统计窗口（月）"),
    "stages.param.abc_thresholds": ("Revenue ABC cut-offs", "销售额ABC分界"),
    "stages.param.account_strategic_scale": ("Strategic values read on the scale", "战略价值的原始量表"),
    "stages.param.last_month": ("Last month of the window", "窗口最后一个月"),
    "stages.param.compare": ("Compared with", "对比日期"),
    "stages.param.breadth_basis": ("Breadth counted over", "广度依据"),
    "stages.param.lost": ("Lost flag from", "流失标记依据"),
    "stages.param.key_tier_given": ("Key tier given", "已提供重点客户等级"),
    "stages.param.stage_thresholds": ("Thresholds", "阈值"),
    "stages.param.rules": ("Rules", "规则"),
    # the thresholds' names in the Parameters block ("Thresholds: strategic tenure (months) 24, …")
    "stages.stage_thresholds.strategic_tenure": ("strategic tenure (months)", "战略合作最短合作时长（月）"),
    "stages.stage_thresholds.stable_tenure": ("stable tenure (months)", "稳定合作最短合作时长（月）"),
    "stages.stage_thresholds.quarters": ("quarters looked at", "考察季度数"),
    "stages.stage_thresholds.stable_quarters": ("stable active quarters", "稳定合作最少活跃季度数"),
    "stages.stage_thresholds.min_breadth": ("strategic breadth", "战略合作最低购买广度"),
    "stages.stage_thresholds.stable_trend": ("stable revenue trend above", "稳定合作销售额趋势下限"),
    "stages.stage_thresholds.declining_drop": ("declining revenue drop", "下滑标记的销售额降幅"),
    "stages.stage_thresholds.lost_gap_multiple": ("lost gap multiple", "流失标记的间隔倍数"),
    "stages.stage_thresholds.lost_min_days": ("lost minimum days", "流失标记的最少天数"),
    "stages.kpi.customers": ("Customers", "客户数"),
    "stages.kpi.cultivation": ("Cultivation", "孕育阶段"),
    "stages.kpi.initial": ("Initial cooperation", "初期合作"),
    "stages.kpi.stable": ("Stable cooperation", "稳定合作"),
    "stages.kpi.strategic": ("Strategic partnership", "战略合作"),
    "stages.kpi.declining": ("Declining customers", "销售额下滑客户数"),
    "stages.kpi.lost": ("Lost customers", "疑似流失客户数"),
    "stages.kpi.regressions": ("Customers whose stage fell", "阶段倒退客户数"),
    "stages.kpi.account_duplicate_ids": ("Duplicated ids in the accounts", "客户资料中重复的客户编号数"),
    "stages.kpi.account_unknown": ("Accounts with no order line", "客户资料中无订单的客户数"),
    # parameter values in words (the workbook's Summary)
    "param.value.lost.days": ("the purchase days", "逐日购买记录"),
    "param.value.lost.not_known": ("not known", "未知"),
    "param.value.account_strategic_scale.1-5": ("1–5", "1–5分"),
    "param.value.account_strategic_scale.0-100": ("0–100", "0–100分"),
}
# The Parameters block lists the rules by code (params "rules"): each reads as its stage rule's
# label, the one copy of its words above.
LABELS.update({f"stages.rules.{key.rsplit('.', 1)[1]}": words for key, words in list(LABELS.items())
               if key.startswith("stages.stage_rule.")})
