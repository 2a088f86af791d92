"""Labels of the RFM analysis (最近消费 / 消费频率 / 消费金额).

Templates are filled with ``str.format``; numbers arrive already formatted.
"""

LABELS: dict[str, tuple[str, str]] = {
    "rfm.title": ("RFM analysis", "RFM分析"),
    # columns of the rows
    "r_score": ("R score", "R得分"),
    "f_score": ("F score", "F得分"),
    "m_score": ("M score", "M得分"),
    "rfm_score": ("RFM score", "RFM得分"),
    "segment": ("Segment", "客户细分"),
    # columns of the tables
    # generic column names shared with the loyalty tables (candidates for common.py)
    "revenue_share": ("Share of revenue", "销售额占比"),
    "action": ("Recommended action", "建议措施"),
    "mean_recency": ("Mean recency (days)", "平均最近消费天数"),
    "mean_frequency": ("Mean frequency", "平均消费频率"),
    "mean_monetary": ("Mean monetary", "平均消费金额"),
    "rule": ("Rule", "规则"),
    "r_low": ("R from", "R下限"),
    "r_high": ("R to", "R上限"),
    "f_low": ("F from", "F下限"),
    "f_high": ("F to", "F上限"),
    "m_low": ("M from", "M下限"),
    "m_high": ("M to", "M上限"),
    "dimension": ("Dimension", "维度"),
    "score": ("Score", "得分"),
    "lower": ("From (>=)", "下限（≥）"),
    "upper": ("To (<)", "上限（<）"),
    "min_value": ("Lowest value", "最小值"),
    "max_value": ("Highest value", "最大值"),
    "f_1": ("F = 1", "F = 1"),
    "f_2": ("F = 2", "F = 2"),
    "f_3": ("F = 3", "F = 3"),
    "f_4": ("F = 4", "F = 4"),
    "f_5": ("F = 5", "F = 5"),
    "f_6": ("F = 6", "F = 6"),
    "f_7": ("F = 7", "F = 7"),
    "f_8": ("F = 8", "F = 8"),
    "f_9": ("F = 9", "F = 9"),
    # table and chart titles
    "rfm.table.segments": ("Segment summary", "细分汇总"),
    "rfm.table.rules": ("Segment rules (first match wins)", "细分规则（按顺序匹配第一条）"),
    "rfm.table.scores": ("Thresholds and customers per score", "各得分的阈值与客户数"),
    "rfm.table.rf_heatmap": (
        "Mean monetary by R score (rows) and F score (columns)",
        "按R得分（行）与F得分（列）的平均消费金额",
    ),
    "rfm.chart.segments": ("Customers per segment", "各细分客户数"),
    # segment names of the default rule table
    "rfm.segment.champions": ("Champions", "冠军客户"),
    "rfm.segment.loyal_customers": ("Loyal Customers", "忠诚客户"),
    "rfm.segment.potential_loyalist": ("Potential Loyalist", "潜在忠诚客户"),
    "rfm.segment.new_customers": ("New Customers", "新客户"),
    "rfm.segment.promising": ("Promising", "有潜力客户"),
    "rfm.segment.need_attention": ("Need Attention", "需要关注客户"),
    "rfm.segment.about_to_sleep": ("About To Sleep", "即将沉睡客户"),
    "rfm.segment.at_risk": ("At Risk", "有流失风险客户"),
    "rfm.segment.cant_lose_them": ("Can't Lose Them", "不能失去的客户"),
    "rfm.segment.hibernating": ("Hibernating", "休眠客户"),
    "rfm.segment.lost": ("Lost", "已流失客户"),
    "rfm.segment.others": ("Others", "其他"),
    "rfm.segment.negative_value": ("Negative Value", "净值为负"),
    # one-line recommended actions
    "rfm.action.champions": (
        "Retain: reward them, offer new products first, ask for referrals.",
        "保持：给予回馈，新品优先提供，请其推荐新客户。",
    ),
    "rfm.action.loyal_customers": (
        "Upsell higher-value products; invite them to a loyalty programme.",
        "向上销售高价值产品；邀请加入会员计划。",
    ),
    "rfm.action.potential_loyalist": (
        "Grow into loyal: offer membership, recommend related products.",
        "培养为忠诚客户：提供会员权益，推荐相关产品。",
    ),
    "rfm.action.new_customers": (
        "Onboard: welcome, support the first orders, build the relationship early.",
        "引导：做好首单服务与跟进，尽早建立关系。",
    ),
    "rfm.action.promising": (
        "Build awareness: offer trials and a reason to order again.",
        "提升认知：提供试用，给出再次下单的理由。",
    ),
    "rfm.action.need_attention": (
        "Reactivate: limited-time offers based on past purchases.",
        "重新激活：根据以往购买提供限时优惠。",
    ),
    "rfm.action.about_to_sleep": (
        "Reconnect before they lapse: recommend popular products, share useful news.",
        "在沉睡前重新联系：推荐畅销产品，分享有用信息。",
    ),
    "rfm.action.at_risk": (
        "Win back: personal contact, renewals, offers that answer their needs.",
        "挽回：亲自联系，续约，提供针对需求的优惠。",
    ),
    "rfm.action.cant_lose_them": (
        "Win back now: senior contact, find out why they stopped before a competitor wins them.",
        "立即挽回：由高层联系，在竞争对手抢走之前查明停止购买的原因。",
    ),
    "rfm.action.hibernating": (
        "Re-engage cheaply: relevant products and special offers; otherwise lower priority.",
        "低成本唤醒：推荐相关产品与特别优惠；否则降低优先级。",
    ),
    "rfm.action.lost": (
        "Try one low-cost win-back campaign; otherwise let go.",
        "尝试一次低成本挽回活动；否则放弃。",
    ),
    "rfm.action.negative_value": (
        "Returns outweigh purchases: check the returns and credit notes before any campaign.",
        "退货超过购买：在任何营销活动之前先核查退货与红字发票。",
    ),
    "rfm.action.others": (
        "No rule matched: review these customers by hand.",
        "未匹配任何规则：请逐一查看这些客户。",
    ),
    # headline sentences
    "rfm.headline": (
        "{customers} customers scored as of {as_of}; largest segment: {segment} "
        "({share} of customers, {revenue_share} of revenue).",
        "截至 {as_of} 共为 {customers} 个客户评分；最大的细分为「{segment}」"
        "（占客户 {share}，占销售额 {revenue_share}）。",
    ),
    "rfm.headline.no_positive_value": (
        "No customer has a positive net revenue (net total {net}): there is no base for a "
        "share of revenue, so none is shown.",
        "没有客户的净销售额为正（净合计 {net}）：没有销售额占比的基数，因此不显示占比。",
    ),
    "rfm.headline.negative": (
        "{count} customers have a negative net revenue (total {value}): they are segment "
        "Negative Value whatever their scores, outside the shares of revenue.",
        "{count} 个客户的净销售额为负数（合计 {value}）：无论得分如何均归入「净值为负」，"
        "不计入销售额占比。",
    ),
    "rfm.headline.others": (
        "{count} customers match no segment rule and are counted as Others.",
        "{count} 个客户未匹配任何细分规则，计入「其他」。",
    ),
    "rfm.headline.empty": (
        "Empty scores: {scores}. Equal values always share a score, so on tied data some "
        "scores stay empty; see the thresholds table, or fix the breaks with --thresholds.",
        "空得分：{scores}。相同数值总是得到相同得分，数据中并列较多时部分得分为空；"
        "请查看阈值表，或用 --thresholds 手工设定分界点。",
    ),
    # notes
    "rfm.note.quantile": (
        "Breaks: R quantile type 7 (numpy method 'linear') at i/{bins} for i = 1 … {last}, "
        "computed from the exact position (n − 1) × i / {bins} in the sorted values.",
        "分界点：R 分位数第 7 型（numpy 'linear' 方法），取 i/{bins}（i = 1 … {last}），"
        "按排序后数值中的精确位置 (n − 1) × i / {bins} 计算。",
    ),
    "rfm.note.bins": (
        "A value gets the score of the bin with lower <= x < upper; the lowest bin has no "
        "lower limit and the top bin includes the maximum. Equal values always share a score. "
        "Repeated breaks are kept as they are, so the scores between them stay empty "
        "(as in the R rfm package).",
        "数值归入满足 下限 <= x < 上限 的区间；最低区间无下限，最高区间包含最大值。"
        "相同数值总是得到相同得分。重复的分界点保持不变，其间的得分为空（与 R 语言 rfm 包一致）。",
    ),
    "rfm.note.custom": (
        "Breaks set by hand for {dims}; n breaks give scores 1 … n + 1.",
        "{dims} 的分界点为手工设定；n 个分界点对应得分 1 … n + 1。",
    ),
    "rfm.note.recency": (
        "Recency = days from the last order to the as-of date {as_of} ({rule}); the R score "
        "is reversed so the most recent customers score highest.",
        "最近消费 = 最后一次下单到基准日 {as_of} 的天数（{rule}）；R 得分反向计，最近下单的客户得分最高。",
    ),
    "rfm.as_of.given": ("given", "指定"),
    "rfm.as_of.default": ("the day after the last order in the data", "数据中最后一笔订单的次日"),
    "rfm.note.measures": (
        "Frequency = orders as the ledger counts them (distinct order ids, else distinct "
        "customer-days); monetary = net revenue after returns. RFM score = R × 100 + F × 10 + M.",
        "消费频率 = 订单数（不同订单号，无订单号时为不同的客户-日期）；消费金额 = 扣除退货后的"
        "净销售额。RFM得分 = R × 100 + F × 10 + M。",
    ),
    "rfm.note.rules": (
        "Segments ({source}): the first rule whose R, F and M ranges (inclusive) all hold the "
        "customer's scores; a customer matching no rule is Others.",
        "细分（{source}）：按顺序取第一条 R、F、M 范围（含端点）均包含客户得分的规则；"
        "未匹配任何规则的客户计入「其他」。",
    ),
    "rfm.rules.default": ("default rule table", "默认规则表"),
}
