"""Labels of the Pareto (80/20, 帕累托) and ABC (ABC分类) analyses.

Templates are filled with ``str.format``; numbers arrive already formatted
(``share="32.6 %"``, ``count="7,695"``) so each language controls its own spacing.
"""

LABELS: dict[str, tuple[str, str]] = {
    # titles
    "pareto.title": ("Pareto analysis", "帕累托分析"),
    "abc.title": ("ABC classification", "ABC分类"),
    "pareto.chart_title": ("Pareto of {measure} by {by}", "{by}{measure}帕累托图"),
    "abc.chart_classes": (
        "ABC classes: share of {noun} and of {measure}",
        "ABC分类：{noun}占比与{measure}占比",
    ),
    # plural nouns for the entities of --by (fallback: "<column> values")
    "pareto.noun.customer": ("customers", "客户"),
    "pareto.noun.salesperson": ("salespeople", "业务员"),
    "pareto.noun.product": ("products", "产品"),
    "pareto.noun.region": ("regions", "区域"),
    "pareto.noun.channel": ("channels", "渠道"),
    "pareto.noun.brand": ("brands", "品牌"),
    "pareto.noun.category": ("categories", "品类"),
    "pareto.noun.fallback": ("{by} values", "{by}"),
    # quantities named inside sentences (lower case in English)
    "pareto.measure.revenue": ("revenue", "销售额"),
    "pareto.measure.profit": ("profit", "利润"),
    "pareto.measure.quantity": ("quantity", "数量"),
    "pareto.measure.orders": ("orders", "订单数"),
    # columns of the rows and tables
    "rank_share": ("Rank share", "排名占比"),
    "included": ("In shares", "计入占比"),
    "class": ("Class", "类别"),
    "entities": ("Count", "个数"),
    "entity_share": ("Share of count", "个数占比"),
    "value": ("Value", "数值"),
    "value_share": ("Share of value", "数值占比"),
    "average_value": ("Average value", "平均值"),
    "profit_class": ("Profit class", "利润类别"),
    "profit_A": ("Profit A", "利润A类"),
    "profit_B": ("Profit B", "利润B类"),
    "profit_C": ("Profit C", "利润C类"),
    # table names
    "abc.table.classes": ("Class summary", "分类汇总"),
    "abc.table.grid": ("Class × profit class", "类别 × 利润类别"),
    "abc.table.grid_entities": (
        "Count by class (rows) and profit class (columns)",
        "按类别（行）与利润类别（列）的个数",
    ),
    "abc.table.grid_value": (
        "{measure} by class (rows) and profit class (columns)",
        "按类别（行）与利润类别（列）的{measure}",
    ),
    "pareto.table.rows": ("Ranked {noun}", "{noun}排名"),
    # headline sentences
    "pareto.headline.target": (
        "{share} of {noun} ({count}) make {target} of {measure}.",
        "{share} 的{noun}（{count} 个）贡献了 {target} 的{measure}。",
    ),
    "pareto.headline.top": (
        "The top 20 % of {noun} ({count}) hold {top20} of {measure}; "
        "the top 1 / 5 / 10 hold {top1} / {top5} / {top10}.",
        "前 20% 的{noun}（{count} 个）占{measure}的 {top20}；"
        "前 1 / 5 / 10 名分别占 {top1} / {top5} / {top10}。",
    ),
    "pareto.headline.concentration": (
        "Concentration: Gini {gini} over {base} {noun}, HHI {hhi} (as concentrated as {equivalent} "
        "equal {noun}).",
        "集中度：{base} 个{noun}的基尼系数 {gini}，HHI {hhi}（相当于 {equivalent} 个同等规模的{noun}）。",
    ),
    "pareto.headline.risk": (
        "The largest, {entity}, holds {share} of {measure} ({value}): "
        "that much is at risk if it is lost.",
        "最大的{noun}「{entity}」占{measure}的 {share}（{value}），"
        "一旦流失，这部分{measure}将受损。",
    ),
    "pareto.headline.zero": (
        "{Noun} with zero net {measure}: {count}; they are part of the base of every share.",
        "{count} 个{noun}的净{measure}为零，计入各项占比的基数。",
    ),
    "pareto.headline.negative": (
        "{Noun} with a negative net {measure}: {count} (total {value}); they are listed "
        "apart, outside the shares.",
        "{count} 个{noun}的净{measure}为负数（合计 {value}），单独列出，不计入占比。",
    ),
    # base_status: the share base is empty, or returns outweigh purchases
    "pareto.headline.no_positive_value": (
        "None of the {count} {noun} has a positive net {measure} (net total {net}): there is "
        "nothing to share out, so no shares or concentration are shown.",
        "{count} 个{noun}中没有一个的净{measure}为正（净合计 {net}）：没有可分配的基数，"
        "因此不显示占比或集中度。",
    ),
    "pareto.headline.negative_net": (
        "Returns outweigh purchases: the net {measure} of all {count} {noun} is {net}; every share "
        "is of the {base} {noun} with a non-negative net {measure} (total {total}).",
        "退货超过购买：全部 {count} 个{noun}的净{measure}为 {net}；各项占比仅以净{measure}不为负的 "
        "{base} 个{noun}为基数（合计 {total}）。",
    ),
    "abc.headline.class": (
        "Class {cls}: {share} of {noun} ({count}) make {value_share} of {measure}.",
        "{cls}类{noun}：{share} 的{noun}（{count} 个）贡献了 {value_share} 的{measure}。",
    ),
    "abc.headline.method_cumulative": (
        "Method: cumulative share, cut-offs {cut_a} / {cut_b}.",
        "方法：累计占比，分界 {cut_a} / {cut_b}。",
    ),
    "abc.headline.method_rank": (
        "Method: rank, top {share_a} of {noun} are A, the next {share_b} B, the rest C.",
        "方法：排名，前 {share_a} 的{noun}为A类，其后 {share_b} 为B类，其余为C类。",
    ),
    "abc.headline.grid": (
        "Class A {noun} that are only class C by profit: {count} ({value_share} of {measure}).",
        "{count} 个A类{noun}（占{measure}的 {value_share}）按利润只是C类。",
    ),
    # notes: the definitions printed with every result
    "pareto.note.order": (
        "Ranked by {measure}, largest first; equal values are ordered by {by} id ascending "
        "(compared as text), so the order of rows in the file never matters.",
        "按{measure}从大到小排名；数值相同时按{by}编号升序（按文本比较），结果与文件行序无关。",
    ),
    "pareto.note.base": (
        "Every share is of the {base} {noun} with a non-negative net {measure}, zero included "
        "(total {total}); {noun} with a negative net {measure} are listed last, outside the shares "
        "(In shares: no).",
        "各项占比均以净{measure}不为负（含零）的 {base} 个{noun}为基数（合计 {total}）；"
        "净{measure}为负数的{noun}排在最后，不计入占比（“计入占比”为“否”）。",
    ),
    "pareto.note.missing": (
        "{Noun} without a {measure} value: {count}; they count as zero.",
        "{count} 个{noun}没有{measure}数值，按零计。",
    ),
    "pareto.note.target": (
        "{Noun} for the target: the fewest top {noun} whose cumulative {measure} reaches {target} "
        "of the total, compared in whole units (cents for money), so no rounding decides it.",
        "达到目标所需的{noun}：累计{measure}达到合计 {target} 所需的最少头部{noun}个数"
        "（以最小单位比较，金额按分），不受舍入影响。",
    ),
    "pareto.note.top20": (
        "Top 20 %: the first ceil(20 % × n) of the n {noun} of the base.",
        "前 20%：基数中 n 个{noun}的前 ceil(20% × n) 个。",
    ),
    "pareto.note.gini": (
        "Gini coefficient over the {noun} of the base: sum of |x_i − x_j| over all pairs / "
        "(2 n² × mean); 0 = all equal, (n − 1)/n = one holds everything; no small-sample "
        "correction.",
        "基尼系数（基数中的{noun}）：所有两两差值 |x_i − x_j| 之和 / (2 n² × 均值)；"
        "0 表示完全均等，(n − 1)/n 表示全部集中于一个；不做小样本修正。",
    ),
    "pareto.note.hhi": (
        "HHI (Herfindahl–Hirschman index): sum of the squared shares of the {noun} of the base, "
        "between 1/n and 1 (not multiplied by 10,000); 1/HHI is the number of equal {noun} "
        "that would be as concentrated.",
        "HHI（赫芬达尔—赫希曼指数）：基数中{noun}占比的平方和，介于 1/n 与 1 之间（未乘以 10,000）；"
        "1/HHI 为同等集中度下的等规模{noun}个数。",
    ),
    "abc.note.cumulative": (
        "Classes by cumulative share of {measure}: A up to {cut_a}, B up to {cut_b}, C the rest; "
        "the entity whose cumulative share first reaches a cut-off belongs to the higher "
        "class (compared in whole units: cents for money).",
        "按{measure}累计占比分类：累计至 {cut_a} 为A类，至 {cut_b} 为B类，其余为C类；"
        "累计占比首次达到分界的{noun}归入较高的类别（以最小单位比较，金额按分）。",
    ),
    "abc.note.rank": (
        "Classes by rank among the n {noun} of the base: A = the first ceil({share_a} × n), "
        "A + B = the first ceil({share_ab} × n) (rounded up, so A is never empty), C the rest.",
        "按排名分类（基数中 n 个{noun}）：A类为前 ceil({share_a} × n) 个，"
        "A类与B类合计为前 ceil({share_ab} × n) 个（向上取整，A类不会为空），其余为C类。",
    ),
    "abc.note.ties": (
        "Equal values at a class boundary are split by {by} id ascending (as text): the lower id "
        "goes to the higher class.",
        "分界处数值相同时按{by}编号升序（按文本比较）拆分：编号小的归入较高类别。",
    ),
    "abc.note.non_positive": (
        "{Noun} with zero or negative net {measure} are class C; the class summary's share of "
        "count is of the base (negative {noun} are counted in C but not in the shares), its "
        "share of value is of the base's total (negative {noun} are in C's value, not in its share).",
        "净{measure}为零或负数的{noun}归入C类；分类汇总中的个数占比以基数为准（净值为负的{noun}"
        "计入C类个数，但不计入占比），数值占比以基数合计为准（负值{noun}计入C类数值，但不计入其占比）。",
    ),
    "abc.note.grid": (
        "Profit class: the same method and cut-offs applied to profit; zero or negative profit "
        "is class C.",
        "利润类别：对利润采用相同的方法与分界；利润为零或负数者为C类。",
    ),
}
