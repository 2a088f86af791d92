"""Labels of the loyalty analysis (忠诚客户 / 品牌转移客户 / 无品牌忠诚客户).

Templates are filled with ``str.format``; numbers arrive already formatted.
"""

LABELS: dict[str, tuple[str, str]] = {
    "loyalty.title": ("Customer loyalty", "客户忠诚度"),
    # columns of the rows and tables
    "group": ("Group", "客户群"),
    "focal_share": ("Share of wallet (focal brand)", "本品牌钱包份额"),
    "focal_periods": ("Periods focal brand leads", "本品牌达标期数"),
    "periods_active": ("Active periods", "购买期数"),
    "periods_in_window": ("Active periods in window", "窗口内购买期数"),
    "leading_brand": ("Leading brand", "主要品牌"),
    "early_adopter": ("Early adopter", "新产品率先使用者"),
    "early_adopters": ("Early adopters", "新产品率先使用者数"),
    "first_sale": ("First sale", "首次销售"),
    "adopters": ("Early buyers", "率先购买客户数"),
    "window_complete": ("Launch window complete", "上市窗口已完整"),
    # group names (not "loyalty.group.…": rows carry codes until the words name them)
    "loyalty.name.loyal": ("Loyal", "忠诚客户"),
    "loyalty.name.switcher": ("Brand switcher", "品牌转移客户"),
    "loyalty.name.no_loyalty": ("No brand loyalty", "无品牌忠诚客户"),
    "loyalty.name.other_brands": ("Mainly other brands", "主要购买其他品牌"),
    "loyalty.name.developing": ("Developing", "成长中客户"),
    "loyalty.name.one_time": ("One-time", "一次性客户"),
    "loyalty.name.lapsing": ("Lapsing", "流失中客户"),
    "loyalty.name.lost": ("Lost", "已流失客户"),
    "loyalty.name.no_net_purchase": ("No net purchase", "无净购买"),
    # recommended actions (from the seed: keep the loyal, win the switchers and the non-loyal)
    "loyalty.action.loyal": (
        "Keep close: priority service, first offer of new products, regular contact.",
        "保持紧密联系：优先服务，新产品优先提供，定期沟通。",
    ),
    "loyalty.action.switcher": (
        "Win them: find out why they switch and match the competing offer.",
        "争取：查明转换品牌的原因，针对竞争对手的条件提出方案。",
    ),
    "loyalty.action.no_loyalty": (
        "Win them: give a reason to prefer our brand (value, service, bundles).",
        "争取：给出偏好本品牌的理由（价值、服务、组合优惠）。",
    ),
    "loyalty.action.other_brands": (
        "Win them over: trials and comparisons against the brand they buy now.",
        "争取转向本品牌：提供试用，与其现用品牌做对比。",
    ),
    "loyalty.action.developing": (
        "Nurture into regular buying: follow up after each order, suggest a routine.",
        "培养成稳定购买：每次下单后跟进，建议固定的采购节奏。",
    ),
    "loyalty.action.one_time": (
        "Win a second order: follow up on the first purchase, make a repeat offer.",
        "争取第二单：跟进首次购买，提供复购优惠。",
    ),
    "loyalty.action.lapsing": (
        "Act now: contact them to learn why they missed the latest period.",
        "立即行动：联系客户，了解最近一期未购买的原因。",
    ),
    "loyalty.action.lost": (
        "Analyse why they left; win back the valuable ones.",
        "分析流失原因；挽回有价值的客户。",
    ),
    "loyalty.headline.no_positive_value": (
        "No customer has a net purchase (net total {net}): there is no base for a share of "
        "revenue, so none is shown.",
        "没有客户有净购买（净合计 {net}）：没有销售额占比的基数，因此不显示占比。",
    ),
    "loyalty.action.no_net_purchase": (
        "Check returns and credit notes: no net purchase (returns cancel or outweigh purchases).",
        "核查退货与红字发票：无净购买（退货抵消或超过购买）。",
    ),
    # periods
    "loyalty.period.month": ("month", "月"),
    "loyalty.period.quarter": ("quarter", "季度"),
    "loyalty.period.year": ("year", "年"),
    "loyalty.period.quarter_detail": (
        " (Jan–Mar, Apr–Jun, Jul–Sep, Oct–Dec)",
        "（1–3 月、4–6 月、7–9 月、10–12 月）",
    ),
    "loyalty.no_brand": ("(no brand)", "（无品牌）"),
    "loyalty.table.groups": ("Loyalty groups", "忠诚度分组"),
    "loyalty.table.new_products": ("New products and their early buyers", "新产品及其率先购买客户"),
    "loyalty.chart.revenue": ("Revenue by loyalty group", "各忠诚度分组销售额"),
    # headline sentences
    "loyalty.headline.brand": (
        "{customers} customers, focal brand {brand}: {loyal} loyal ({loyal_share} of revenue), "
        "{switchers} brand switchers, {no_loyalty} without brand loyalty, "
        "{other} mainly on other brands.",
        "共 {customers} 个客户，本品牌 {brand}：忠诚客户 {loyal} 个（占销售额 {loyal_share}），"
        "品牌转移客户 {switchers} 个，无品牌忠诚客户 {no_loyalty} 个，"
        "主要购买其他品牌 {other} 个。",
    ),
    "loyalty.headline.behaviour": (
        "{customers} customers over the last {n} {period}s ({window}): {loyal} loyal "
        "({loyal_share} of revenue), {developing} developing, {one_time} one-time, "
        "{lapsing} lapsing, {lost} lost.",
        "共 {customers} 个客户，最近 {n} 个{period}（{window}）：忠诚客户 {loyal} 个"
        "（占销售额 {loyal_share}），成长中 {developing} 个，一次性 {one_time} 个，"
        "流失中 {lapsing} 个，已流失 {lost} 个。",
    ),
    "loyalty.headline.adopters": (
        "{count} early adopters of {products} new products; {loyal} of them are loyal.",
        "{products} 个新产品共有 {count} 个率先使用者，其中 {loyal} 个为忠诚客户。",
    ),
    # notes
    "loyalty.note.as_of": (
        "As-of date {as_of} ({rule}).",
        "基准日 {as_of}（{rule}）。",
    ),
    "loyalty.as_of.given": ("given", "指定"),
    "loyalty.as_of.default": (
        "the day after the last order in the data",
        "数据中最后一笔订单的次日",
    ),
    "loyalty.note.periods": (
        "Periods are calendar {period}s{detail}; a "
        "customer is active in a period when its net spend there is above zero. Several rows "
        "of one customer, day and product count as one purchase.",
        "期间按自然{period}划分{detail}；客户某期净消费大于零"
        "即为该期有购买。同一客户同一天同一产品的多行合计为一次购买。",
    ),
    "loyalty.note.focal": (
        "Focal brand {brand} ({rule}); all periods up to the as-of date count.",
        "本品牌为 {brand}（{rule}）；计入基准日之前的全部期间。",
    ),
    "loyalty.focal.given": ("given", "指定"),
    "loyalty.focal.default": ("the brand with the most net revenue", "净销售额最高的品牌"),
    "loyalty.note.share": (
        "Share of wallet in a period = spend on {brand} / spend on all brands; a brand's net "
        "spend below zero in a period counts as zero. The focal brand's share of wallet is the "
        "same ratio over all active periods. Shares are compared with a tolerance of 1e-9.",
        "某期钱包份额 = 该期购买 {brand} 的金额 / 购买所有品牌的金额；某品牌当期净额为负时按零计。"
        "本品牌钱包份额为全部有购买期间的同一比值。份额比较容差为 1e-9。",
    ),
    "loyalty.note.loyal_brand": (
        "Loyal: {brand} holds at least {threshold} of the customer's spend in more than "
        '{majority} of its active periods ("most periods").',
        "忠诚客户：在超过 {majority} 的有购买期间内，{brand} 占该客户消费的 {threshold} 以上（“多数期间”）。",
    ),
    "loyalty.note.switcher": (
        "Brand switcher: not loyal, bought {brand} and at least one other brand, and the "
        "leading brand (most spend in the period; ties go to {brand}, then alphabetical) "
        "differs between active periods.",
        "品牌转移客户：非忠诚客户，购买过 {brand} 及至少一个其他品牌，且各期的主要品牌"
        "（当期消费最多的品牌；并列时 {brand} 优先，其次按名称排序）不同。",
    ),
    "loyalty.note.no_loyalty": (
        "No brand loyalty: neither of the above, and no brand reaches {threshold} in more than "
        "{majority} of the active periods.",
        "无品牌忠诚客户：不属于以上两类，且没有任何品牌在超过 {majority} 的有购买期间内达到 {threshold}。",
    ),
    "loyalty.note.other_brands": (
        "Mainly other brands: the rest — in most active periods a brand other than {brand} "
        "holds at least {threshold}.",
        "主要购买其他品牌：其余客户——在多数有购买期间内，{brand} 以外的某个品牌达到 {threshold}。",
    ),
    "loyalty.note.window": (
        "Window: the last {n} {period}s up to and including {latest}, the {period} holding the "
        "day before the as-of date (it may be incomplete).",
        "窗口：截至并包含 {latest} 的最近 {n} 个{period}；{latest} 为基准日前一天所在的{period}"
        "（可能不完整）。",
    ),
    "loyalty.note.behaviour": (
        "Checked in this order. Loyal: bought in more than {majority} of the {n} {period}s of "
        "the window. Lost: no purchase in the window. One-time: bought in one {period} only. "
        "Lapsing: bought in two or more {period}s and in the window, but not in the latest "
        "{period}. Developing: bought in two or more {period}s including the latest, but not "
        "in most of the window.",
        "按以下顺序判定。忠诚客户：在窗口 {n} 个{period}中超过 {majority} 有购买。"
        "已流失：窗口内无购买。一次性客户：仅在一个{period}有购买。流失中：在两个及以上{period}"
        "有购买且窗口内有购买，但最近一个{period}无购买。成长中：在两个及以上{period}有购买"
        "（含最近一个{period}），但未在窗口的多数{period}购买。",
    ),
    "loyalty.note.no_net_purchase": (
        "No net purchase: net spend is zero or below in every period, or over the whole data "
        "(returns cancel or outweigh purchases); no share of wallet, outside the shares of revenue.",
        "无净购买：各期净消费均为零或负数，或全部数据的净消费为零或负数（退货抵消或超过购买）；"
        "不计钱包份额，不计入销售额占比。",
    ),
    "loyalty.note.new_product": (
        "New product: its first sale (first customer-day with positive net revenue for it) is "
        "at least {grace} days after the first day of the data ({start}); products first sold "
        "earlier may simply predate the data and are not new.{focal}",
        "新产品：首次销售（首个该产品净销售额为正的客户-日期）不早于数据首日（{start}）之后 "
        "{grace} 天；更早首次销售的产品可能在数据开始前已上市，不算新产品。{focal}",
    ),
    "loyalty.note.new_product_focal": (
        " Only products of the focal brand count.",
        "仅计本品牌的产品。",
    ),
    "loyalty.note.adopter": (
        "Early adopter: bought a new product within {window} days of its first sale (the "
        "first-sale day and the {rest} days after). The flag does not change the group; each "
        "group's row counts its early adopters.",
        "新产品率先使用者：在新产品首次销售后 {window} 天内（首次销售当天及其后 {rest} 天）"
        "购买过该产品。该标记不改变客户所属分组；各分组行显示其中的率先使用者人数。",
    ),
    "loyalty.note.no_product": (
        "No product column: early adopters cannot be identified.",
        "没有产品列：无法识别新产品率先使用者。",
    ),
    "loyalty.note.brand_empty": (
        "The brand column is empty: loyalty is measured from repeat purchases instead.",
        "品牌列为空：改为按重复购买衡量忠诚度。",
    ),
}
