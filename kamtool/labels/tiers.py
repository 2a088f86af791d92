"""Labels of the tiers analysis: factors, tiers, columns, tables, headlines, notes."""

LABELS: dict[str, tuple[str, str]] = {
    # columns
    "tiers.score": ("Score", "综合得分"),
    "tiers.tier": ("Tier", "客户等级"),
    "tiers.strategic_score": ("Strategic value", "战略及品牌价值"),
    "tiers.profit_score": ("Profit contribution", "利润及贡献"),
    "tiers.loyalty_score": ("Loyalty", "忠诚度"),
    "tiers.elasticity_score": ("Sales elasticity", "销售弹性"),
    "tiers.future_score": ("Future value", "客户未来价值"),
    "tiers.stage": ("Stage", "合作阶段"),
    "tiers.owner": ("Account manager", "客户经理"),
    "tiers.hours": ("Hours", "工时"),
    "tiers.flags": ("Flags", "标记"),
    # a value of the flags column for people: the factors a customer is scored without
    "tiers.flag_missing": ("Missing: {factors}", "缺少：{factors}"),
    "tiers.customers": ("Customers", "客户数"),
    "tiers.customer_share": ("Share of customers", "客户占比"),
    "tiers.revenue_share": ("Share of revenue", "销售额占比"),
    "tiers.accounts": ("Accounts", "客户数"),
    "tiers.overloaded": ("Overloaded", "负荷过重"),
    "tiers.key": ("Key", "重点客户"),
    "tiers.general": ("General", "一般客户"),
    "tiers.small": ("Small", "小客户"),
    "tiers.factor": ("Factor", "因素"),
    "tiers.delta": ("Weight change (points)", "权重变动（点）"),
    "tiers.weight": ("Weight", "权重"),
    "tiers.changed": ("Customers changing tier", "等级变动客户数"),
    # values
    "tiers.tier.key": ("Key account", "重点客户"),
    "tiers.tier.general": ("General customer", "一般客户"),
    "tiers.tier.small": ("Small customer", "小客户"),
    "tiers.stage.cultivation": ("Cultivation", "孕育阶段"),
    "tiers.stage.initial": ("Initial cooperation", "初期合作"),
    "tiers.stage.stable": ("Stable cooperation", "稳定合作"),
    "tiers.stage.strategic": ("Strategic partnership", "战略合作"),
    "tiers.factor.strategic": ("Strategic value", "战略及品牌价值"),
    "tiers.factor.profit": ("Profit contribution", "利润及贡献"),
    "tiers.factor.loyalty": ("Loyalty", "忠诚度"),
    "tiers.factor.elasticity": ("Sales elasticity", "销售弹性"),
    "tiers.factor.future": ("Future value", "客户未来价值"),
    "tiers.basis.profit": ("gross profit", "毛利"),
    "tiers.basis.revenue": ("revenue (no cost known)", "销售额（无成本数据）"),
    "tiers.basis.rating": ("the accounts' rating", "客户资料中的评分"),
    "tiers.basis.support_slope": ("the slope of revenue on support", "销售额对投入资源的斜率"),
    "tiers.basis.clv": (
        "the CLV model's expected value of the next 12 months",
        "CLV模型未来12个月的预期价值",
    ),
    "tiers.basis.growth": (
        "growth of the last 6 months over the same months a year before",
        "近6个月较上年同期的增长率",
    ),
    "tiers.component.active_share": ("share of active months", "活跃月份占比"),
    "tiers.component.tenure": ("tenure", "合作时长"),
    "tiers.component.trend": ("revenue trend", "销售额趋势"),
    "tiers.component.brand_share": ("share of wallet of {brand}", "{brand}的钱包份额"),
    # tables
    "tiers.table.tier_sizes": ("Tier sizes", "客户等级规模"),
    "tiers.table.tier_abc": ("Tier against revenue ABC", "客户等级与销售额ABC分类对照"),
    "tiers.table.factor_correlation": ("Correlation between factors", "因素得分相关性"),
    "tiers.table.sensitivity": ("Tier changes when a weight moves", "权重变动的等级敏感性"),
    "tiers.table.owners": ("Accounts and hours per account manager", "客户经理的客户数与工时"),
    # headlines
    "tiers.headline_split": (
        "{customers} customers scored over {first} to {last}: {key} key, {general} general, {small} small.",
        "{first}至{last}期间共评分{customers}位客户：重点客户{key}位，一般客户{general}位，小客户{small}位。",
    ),
    "tiers.headline_left_out": (
        "Left out for lack of data: {factors}; their weight is spread over the other factors.",
        "因无数据未计入：{factors}；其权重按比例分配给其他因素。",
    ),
    "tiers.headline_flagged": (
        "{count} customers lack a factor and are scored on the others (see flags).",
        "{count}位客户缺少某项因素，按其余因素评分（见标记）。",
    ),
    "tiers.headline_overloaded": (
        "{count} account managers carry more key accounts than 1.5 × the team's median: {names}.",
        "{count}位客户经理负责的重点客户数超过团队中位数的1.5倍：{names}。",
    ),
    "tiers.headline_sensitivity": (
        "Moving any one weight by {points} points changes the tier of at most {most} customers.",
        "任一权重变动{points}个点，最多{most}位客户的等级发生变化。",
    ),
    "tiers.headline_hours": (
        "{hours} hours a period: {key_hours} for key, {general_hours} for general, "
        "{small_hours} for small accounts.",
        "每期{hours}工时：重点客户{key_hours}，一般客户{general_hours}，小客户{small_hours}。",
    ),
    # notes
    "tiers.note_weights": ("Weights used: {weights}.", "实际使用的权重：{weights}。"),
    "tiers.note_percentile": (
        "Factor scores are percentile ranks 0–100 among the scored customers: 100 × (r − 1) / (n − 1), "
        "ties sharing the mean rank; the score is the weighted mean of a customer's known factors.",
        "因素得分为评分客户中的百分位排名（0–100）：100 × (r − 1) / (n − 1)，并列取平均名次；"
        "综合得分为该客户已知因素的加权平均。",
    ),
    "tiers.note_basis": (
        "Profit: {profit}. Loyalty: {loyalty}. Elasticity: {elasticity}. Future: {future}.",
        "利润：{profit}。忠诚度：{loyalty}。销售弹性：{elasticity}。未来价值：{future}。",
    ),
    "tiers.note_shares": (
        "Tiers by rank: the first ceil({key} × n) customers are key, the first ceil({both} × n) key or "
        "general; equal scores are ordered by customer id.",
        "按排名分级：前 ceil({key} × n) 位为重点客户，前 ceil({both} × n) 位为重点或一般客户；"
        "得分相同按客户编号排序。",
    ),
    "tiers.note_cutoffs": (
        "Tiers by score: {key} or more is key, {general} or more general, the rest small.",
        "按得分分级：{key}分及以上为重点客户，{general}分及以上为一般客户，其余为小客户。",
    ),
    "tiers.note_window": (
        "Window: {first} to {last} (as of {as_of}); only customers with positive net revenue in it are "
        "scored ({not_scored} not scored).",
        "统计窗口：{first}至{last}（截至{as_of}）；仅对窗口内净销售额为正的客户评分（另有{not_scored}位）。",
    ),
    "tiers.note_effort": (
        "Hours split {key} / {general} / {small} across key / general / small, evenly within a tier.",
        "工时按 {key} / {general} / {small} 分配给重点 / 一般 / 小客户，同级客户平均分配。",
    ),
    "tiers.note_none": ("none", "无"),
    "tiers.note_clv_failed": (
        "The CLV model could not be fitted ({code}): the future factor is the growth rate instead.",
        "CLV模型无法拟合（{code}）：未来价值因素改用增长率。",
    ),
    "tiers.note_clv": (
        "Future value: the BG/NBD × Gamma-Gamma expected revenue of the next 52 weeks, discounted, "
        "fitted on the purchases before the as-of date.",
        "未来价值：按截至日前的购买拟合BG/NBD × Gamma-Gamma模型，未来52周的折现预期销售额。",
    ),
    "tiers.table.account_duplicates": (
        "Customer ids given more than once in the accounts file", "客户资料中重复出现的客户编号"
    ),
    "tiers.table.account_unknown": (
        "Accounts with no order line (prospects)", "客户资料中无订单的客户（潜在客户）"
    ),
    "tiers.row": ("Row in the accounts file", "客户资料行号"),
    # parameters and key figures as the workbook's Summary names them
    "tiers.param.window_months": ("Window (months)", "统计窗口（月）"),
    "tiers.param.abc_thresholds": ("Revenue ABC cut-offs", "销售额ABC分界"),
    "tiers.param.account_strategic_scale": ("Strategic values read on the scale", "战略价值的原始量表"),
    "tiers.param.last_month": ("Last month of the window", "窗口最后一个月"),
    "tiers.param.first_month": ("First month of the window", "窗口第一个月"),
    "tiers.param.weights": ("Weights used", "实际权重"),
    "tiers.param.weights_given": ("Weights given", "设定权重"),
    "tiers.param.factors_left_out": ("Factors left out", "未计入的因素"),
    "tiers.param.profit_basis": ("Profit factor from", "利润因素依据"),
    "tiers.param.loyalty_components": ("Loyalty from", "忠诚度构成"),
    "tiers.param.elasticity_basis": ("Elasticity factor from", "销售弹性依据"),
    "tiers.param.future_basis": ("Future factor from", "未来价值依据"),
    "tiers.param.clv_fit": ("CLV model fit", "CLV模型拟合"),
    "tiers.param.clv_error": ("CLV model error", "CLV模型错误"),
    "tiers.param.clv_horizon_weeks": ("CLV horizon (weeks)", "CLV预测期（周）"),
    "tiers.param.clv_margin": ("CLV margin", "CLV利润率"),
    "tiers.param.shares": ("Tier shares (key, general)", "等级比例（重点、一般）"),
    "tiers.param.cutoffs": ("Score cut-offs (key, general)", "得分分界（重点、一般）"),
    "tiers.param.effort": ("Effort split (key, general, small)", "工时分配（重点、一般、小）"),
    "tiers.param.hours": ("Hours per period", "每期工时"),
    "tiers.param.brand": ("Focal brand", "主品牌"),
    "tiers.param.sensitivity_points": ("Weight moved by (points)", "权重变动（点）"),
    "tiers.param.overload_factor": ("Overload at × the median of key accounts", "重点客户数超过中位数的倍数"),
    "tiers.kpi.customers": ("Customers scored", "评分客户数"),
    "tiers.kpi.not_scored": ("Customers not scored", "未评分客户数"),
    "tiers.kpi.key": ("Key accounts", "重点客户数"),
    "tiers.kpi.general": ("General customers", "一般客户数"),
    "tiers.kpi.small": ("Small customers", "小客户数"),
    "tiers.kpi.flagged": ("Customers missing a factor", "缺少因素的客户数"),
    "tiers.kpi.overloaded_owners": ("Overloaded account managers", "负荷过重的客户经理数"),
    "tiers.kpi.unowned": ("Customers without an account manager", "无客户经理的客户数"),
    "tiers.kpi.most_changed": ("Most customers changing tier (±5 points)", "权重±5点时最多变动等级的客户数"),
    "tiers.kpi.hours_unallocated": ("Hours not allocated (empty tier)", "未分配工时（空等级）"),
    "tiers.kpi.account_duplicate_ids": ("Duplicated ids in the accounts", "客户资料中重复的客户编号数"),
    "tiers.kpi.account_unknown": ("Accounts with no order line", "客户资料中无订单的客户数"),
    "tiers.strategic": ("Strategic", "战略"),
    "tiers.loyalty": ("Loyalty", "忠诚度"),
    "tiers.elasticity": ("Elasticity", "弹性"),
    "tiers.future": ("Future", "未来价值"),
    # parameter values in words (the workbook's Summary)
    "param.value.elasticity_basis.rating": ("the accounts' rating", "客户资料中的评分"),
    "param.value.elasticity_basis.support_slope": ("revenue on support", "销售额对投入资源的斜率"),
    "param.value.future_basis.growth": ("growth rate", "增长率"),
    "param.value.loyalty_components.active_share": ("share of active months", "活跃月份占比"),
    "param.value.loyalty_components.tenure": ("tenure", "合作时长"),
    "param.value.loyalty_components.trend": ("revenue trend", "销售额趋势"),
    "param.value.loyalty_components.brand_share": ("focal brand's share of wallet", "主品牌钱包份额"),
    "param.value.clv_fit.too_few_customers": ("too few customers", "客户过少"),
    "param.value.clv_fit.one_time_buyers_only": ("one-time buyers only", "仅有一次性购买客户"),
    "param.value.clv_fit.not_converged": ("not converged", "未收敛"),
    "param.value.clv_fit.not_fitted": ("not fitted", "未拟合"),
}
# The factors a run left out (params.factors_left_out) read by the factors' own names.
LABELS.update({f"param.value.factors_left_out.{key.rsplit('.', 1)[1]}": pair
               for key, pair in list(LABELS.items()) if key.startswith("tiers.factor.")})
