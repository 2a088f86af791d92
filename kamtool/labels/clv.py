"""Labels of the customer-lifetime-value analysis (``kamtool clv``)."""

LABELS: dict[str, tuple[str, str]] = {
    # columns of Result.rows
    "clv.frequency": ("Repeat purchases", "重复购买次数"),
    "clv.recency": ("First to last purchase", "首末购买间隔"),
    "T": ("Customer age", "客户存续期"),
    "clv.monetary": ("Avg repeat spend", "平均重复消费金额"),
    "p_alive": ("P(alive)", "存活概率"),
    "expected_purchases": ("Expected purchases", "预期购买次数"),
    "expected_spend": ("Expected spend per purchase", "预期单次消费金额"),
    "clv": ("Customer lifetime value", "客户终身价值"),
    "holdout_actual": ("Holdout purchases", "验证期实际购买次数"),
    "holdout_predicted": ("Holdout predicted", "验证期预测购买次数"),
    # columns of Result.tables
    "model": ("Model", "模型"),
    "parameter": ("Parameter", "参数"),
    "estimate": ("Estimate", "估计值"),
    "std_error": ("Std. error", "标准误"),
    "calibration_frequency": ("Repeat purchases in calibration", "校准期重复购买次数"),
    "actual_purchases": ("Actual per customer", "人均实际购买次数"),
    "predicted_purchases": ("Predicted per customer", "人均预测购买次数"),
    "actual_total": ("Actual total", "实际购买总数"),
    "predicted_total": ("Predicted total", "预测购买总数"),
    "clv_decile": ("CLV decile", "客户终身价值十分位"),
    # table and chart titles
    "clv.table.parameters": ("Fitted parameters", "模型参数"),
    "clv.holdout": ("Holdout: predicted vs actual repeat purchases", "验证期：预测与实际重复购买"),
    "clv.deciles": ("CLV by decile", "客户终身价值十分位分布"),
    # units
    "clv.unit.day": ("days", "天"),
    "clv.unit.week": ("weeks", "周"),
    "clv.unit.month": ("months", "个月"),
    "clv.all": ("all", "全部"),
    # headline sentences
    "clv.headline": (
        "{customers:,} customers are worth {total:,.0f} over the next {horizon} {unit} "
        "(margin {margin:.0%}, discount rate {discount:.0%} a year); "
        "the top 10 % of customers hold {top_share:.0%} of it.",
        "{customers:,} 位客户未来 {horizon} {unit}的客户终身价值合计 {total:,.0f}"
        "（利润率 {margin:.0%}，年贴现率 {discount:.0%}）；前 10% 的客户占 {top_share:.0%}。",
    ),
    "clv.headline_alive": (
        "{purchases:,.0f} purchases expected; {alive:.0%} of customers are probably still "
        "active (P(alive) ≥ 0.5), {one_time_alive:,} of them one-time buyers whom BG/NBD "
        "counts as alive by assumption (it lets a customer drop out only after a repeat purchase).",
        "预计购买 {purchases:,.0f} 次；{alive:.0%} 的客户很可能仍然活跃（存活概率 ≥ 0.5），"
        "其中 {one_time_alive:,} 位只购买过一次，BG/NBD 模型按其假设视为存活"
        "（该模型只允许客户在重复购买之后流失）。",
    ),
    # the fit sentence: the purchase model's part and the spend model's, joined
    "clv.headline_fit": ("{bgnbd}; {gamma_gamma}.", "{bgnbd}；{gamma_gamma}。"),
    "clv.per_unit.day": ("a day", "每天"),
    "clv.per_unit.week": ("a week", "每周"),
    "clv.per_unit.month": ("a month", "每月"),
    # BG/NBD with an interior maximum, then at each boundary (summary bgnbd_boundary)
    "clv.fit.bgnbd": (
        "BG/NBD r = {r:.3f}, α = {alpha:.3f}, a = {a:.3f}, b = {b:.3f} (log-likelihood {ll:,.1f})",
        "BG/NBD 模型 r = {r:.3f}，α = {alpha:.3f}，a = {a:.3f}，b = {b:.3f}（对数似然 {ll:,.1f}）",
    ),
    "clv.fit.bgnbd.homogeneous_dropout": (
        "BG/NBD r = {r:.3f}, α = {alpha:.3f}, the same drop-out probability {dropout:.4f} after "
        "each repeat purchase for every customer (a, b → ∞; log-likelihood {ll:,.1f})",
        "BG/NBD 模型 r = {r:.3f}，α = {alpha:.3f}，所有客户每次重复购买后的流失概率相同，均为 "
        "{dropout:.4f}（a、b → ∞；对数似然 {ll:,.1f}）",
    ),
    "clv.fit.bgnbd.no_dropout": (
        "BG/NBD r = {r:.3f}, α = {alpha:.3f}, and nobody drops out: the fit is the limit "
        "a/(a+b) → 0 (the NBD model), so every customer counts as alive (log-likelihood {ll:,.1f})",
        "BG/NBD 模型 r = {r:.3f}，α = {alpha:.3f}，且没有客户流失：拟合结果为 a/(a+b) → 0 的极限"
        "（NBD 模型），所有客户都视为存活（对数似然 {ll:,.1f}）",
    ),
    "clv.fit.bgnbd.certain_dropout": (
        "BG/NBD r = {r:.3f}, α = {alpha:.3f}, and every customer drops out right after the first "
        "repeat purchase (a/(a+b) → 1: nobody bought more than twice; log-likelihood {ll:,.1f})",
        "BG/NBD 模型 r = {r:.3f}，α = {alpha:.3f}，且每位客户在第一次重复购买后即流失"
        "（a/(a+b) → 1：没有客户购买超过两次；对数似然 {ll:,.1f}）",
    ),
    "clv.fit.bgnbd.homogeneous_purchase": (
        "BG/NBD with one purchase rate for every customer, {rate:.4f} purchases {per_unit} "
        "(r, α → ∞), a = {a:.3f}, b = {b:.3f} (log-likelihood {ll:,.1f})",
        "BG/NBD 模型所有客户的购买率相同，{per_unit} {rate:.4f} 次（r、α → ∞），"
        "a = {a:.3f}，b = {b:.3f}（对数似然 {ll:,.1f}）",
    ),
    "clv.fit.bgnbd.homogeneous_purchase_and_dropout": (
        "BG/NBD with one purchase rate for every customer, {rate:.4f} purchases {per_unit} "
        "(r, α → ∞), and the same drop-out probability {dropout:.4f} after each repeat "
        "purchase (a, b → ∞; log-likelihood {ll:,.1f})",
        "BG/NBD 模型所有客户的购买率相同，{per_unit} {rate:.4f} 次（r、α → ∞），每次重复购买后的"
        "流失概率也相同，均为 {dropout:.4f}（a、b → ∞；对数似然 {ll:,.1f}）",
    ),
    "clv.fit.bgnbd.homogeneous_purchase_no_dropout": (
        "BG/NBD with one purchase rate for every customer, {rate:.4f} purchases {per_unit} "
        "(r, α → ∞), and nobody drops out (a/(a+b) → 0): a Poisson process for all, every "
        "customer alive (log-likelihood {ll:,.1f})",
        "BG/NBD 模型所有客户的购买率相同，{per_unit} {rate:.4f} 次（r、α → ∞），且没有客户流失"
        "（a/(a+b) → 0）：所有客户都是同一泊松过程，均视为存活（对数似然 {ll:,.1f}）",
    ),
    # Gamma-Gamma with an interior maximum, then at each boundary (summary gamma_gamma_boundary)
    "clv.fit.gamma_gamma": (
        "Gamma-Gamma p = {p:.2f}, q = {q:.2f}, γ = {gamma:.2f} (log-likelihood {ll_gg:,.1f})",
        "Gamma-Gamma 模型 p = {p:.2f}，q = {q:.2f}，γ = {gamma:.2f}（对数似然 {ll_gg:,.1f}）",
    ),
    "clv.fit.gamma_gamma.same_mean_spend": (
        "Gamma-Gamma at the limit q, γ → ∞: every customer has the same mean spend "
        "{mean_spend:,.2f} per purchase, whatever they spent so far (p = {p_limit:.2f}; "
        "log-likelihood {ll_gg:,.1f})",
        "Gamma-Gamma 模型取 q、γ → ∞ 的极限：无论以往消费多少，所有客户的单次平均消费相同，"
        "均为 {mean_spend:,.2f}（p = {p_limit:.2f}；对数似然 {ll_gg:,.1f}）",
    ),
    "clv.fit.gamma_gamma.steady_spend": (
        "Gamma-Gamma at the limit p → ∞: each customer spends the same on every purchase, so "
        "the expected spend is the customer's own average (q = {q_limit:.2f}, mean "
        "{mean_spend:,.2f}; log-likelihood {ll_gg:,.1f})",
        "Gamma-Gamma 模型取 p → ∞ 的极限：每位客户每次消费金额相同，因此预期消费即该客户自己的"
        "平均消费（q = {q_limit:.2f}，均值 {mean_spend:,.2f}；对数似然 {ll_gg:,.1f}）",
    ),
    "clv.fit.gamma_gamma.identical_spend": (
        "every repeat purchase is worth the same {mean_spend:,.2f}, so Gamma-Gamma has nothing "
        "to fit: the expected spend is that amount for every customer",
        "每次重复购买的金额都相同，为 {mean_spend:,.2f}，Gamma-Gamma 模型无需拟合："
        "所有客户的预期消费均为该金额",
    ),
    # the purchase model: which and why (summary model, model_criterion)
    "clv.model.given": (
        "Purchase model: {model} (chosen with --model).",
        "购买模型：{model}（由 --model 指定）。",
    ),
    "clv.model.holdout": (
        "Purchase model: {model}, the smallest error in total holdout repeat purchases among "
        "the models fitted on the calibration period (predicted vs actual: {others}).",
        "购买模型：{model}，在校准期拟合的模型中验证期重复购买总数误差最小（预测与实际之差：{others}）。",
    ),
    "clv.model.log_likelihood": (
        "Purchase model: {model}, the highest log-likelihood among models with four parameters "
        "({others}); with --calibration-end and --holdout-end the choice is by holdout error.",
        "购买模型：{model}，在四参数模型中对数似然最高（{others}）；指定 --calibration-end 和 "
        "--holdout-end 时按验证期误差选择。",
    ),
    "clv.model.aic": (
        "Purchase model: {model}, the lowest AIC ({others}).",
        "购买模型：{model}，AIC 最低（{others}）。",
    ),
    "clv.model.failed": (" Not fitted: {models}.", "未能拟合：{models}。"),
    "clv.headline_alive_other": (
        "{purchases:,.0f} purchases expected; {alive:.0%} of customers are probably still "
        "active (P(alive) ≥ 0.5); {model} lets a one-time buyer drop out too.",
        "预计购买 {purchases:,.0f} 次；{alive:.0%} 的客户很可能仍然活跃（存活概率 ≥ 0.5）；"
        "{model} 模型允许只购买一次的客户同样流失。",
    ),
    "clv.fit.other": (
        "{model} {params} (log-likelihood {ll:,.1f})",
        "{model} 模型 {params}（对数似然 {ll:,.1f}）",
    ),
    "clv.fit.other_limit": (", at its limit: {limit}", "，取其极限：{limit}"),
    "clv.limit.homogeneous_dropout": ("one drop-out rate for every customer", "所有客户流失率相同"),
    "clv.limit.homogeneous_purchase": ("one purchase rate for every customer", "所有客户购买率相同"),
    "clv.limit.homogeneous_purchase_and_dropout": (
        "one purchase rate and one drop-out rate for every customer",
        "所有客户购买率和流失率均相同",
    ),
    "clv.limit.no_dropout": ("nobody drops out", "无客户流失"),
    "clv.limit.homogeneous_purchase_no_dropout": (
        "one purchase rate for every customer, nobody drops out",
        "所有客户购买率相同，且无客户流失",
    ),
    "clv.note_interval": (
        "Bounds (_low, _high): the central {level:.0%} of 200 seeded draws of the {model} "
        "parameters from their estimated sampling distribution; the CLV bounds hold the spend "
        "per purchase at its Gamma-Gamma estimate, so its uncertainty is not in them.",
        "区间（_low、_high）：{model} 参数按其估计抽样分布随机抽取 200 次（固定种子）的中间 "
        "{level:.0%}；客户终身价值区间将单次消费金额固定为 Gamma-Gamma 估计值，未计入其不确定性。",
    ),
    "clv.note_sample": (
        "Pareto/NBD was fitted on a seeded sample of {fitted:,} of the {customers:,} customers (its "
        "likelihood costs a quadrature per customer); its log-likelihood and predictions are on all.",
        "Pareto/NBD 模型在 {customers:,} 位客户中按固定种子抽取 {fitted:,} 位拟合（其似然对每位客户"
        "需数值积分）；对数似然和预测基于全部客户。",
    ),
    "clv.note_tracking": (
        "Diagnostics: tracking (actual vs expected cumulative repeat purchases per period), "
        "the P(alive) matrix (mean P(alive) by repeat purchases × recency, bins of {bin:.1f} {unit}) "
        "and customers by repeat purchases, observed vs expected.",
        "诊断：跟踪表（每期实际与预期累计重复购买）、存活概率矩阵（按重复购买次数 × 最近度的平均"
        "存活概率，区间宽 {bin:.1f} {unit}）以及按重复购买次数的实际与预期客户数。",
    ),
    # diagnostics tables and columns
    "clv.models": ("Purchase models compared", "购买模型比较"),
    # coded values of the tables, for people (JSON keeps the codes)
    "clv.phase.calibration": ("Calibration", "校准期"),
    "clv.phase.holdout": ("Holdout", "验证期"),
    "clv.boundary.homogeneous_dropout": ("One drop-out rate for all", "所有客户流失率相同"),
    "clv.boundary.no_dropout": ("No drop-out", "无流失"),
    "clv.boundary.certain_dropout": ("Certain drop-out", "必然流失"),
    "clv.boundary.homogeneous_purchase": ("One purchase rate for all", "所有客户购买率相同"),
    "clv.boundary.homogeneous_purchase_and_dropout": (
        "One purchase rate and one drop-out rate for all", "所有客户购买率和流失率均相同"),
    "clv.boundary.homogeneous_purchase_no_dropout": (
        "One purchase rate for all, no drop-out", "所有客户购买率相同且无流失"),
    "clv.tracking": ("Tracking: cumulative repeat purchases", "跟踪：累计重复购买"),
    "clv.p_alive_matrix": ("P(alive) by repeat purchases × recency", "按重复购买次数 × 最近度的存活概率"),
    "clv.repeat_counts": (
        "Customers by repeat purchases: observed vs expected",
        "按重复购买次数的客户数：实际与预期",
    ),
    "expected_customers": ("Expected customers", "预期客户数"),
    "name": ("Name", "名称"),
    "boundary": ("Limit reached", "所达极限"),
    "log_likelihood": ("Log-likelihood", "对数似然"),
    "parameters": ("Parameters estimated", "估计参数个数"),
    "nominal_parameters": ("Parameters of the model", "模型参数个数"),
    "error": ("Error (predicted − actual)", "误差（预测 − 实际）"),
    "abs_error": ("Absolute error", "绝对误差"),
    "failed": ("Fit failed", "拟合失败原因"),
    "chosen": ("Chosen", "已选用"),
    "period_end": ("Period end", "期末"),
    "phase": ("Period", "阶段"),
    "actual": ("Actual", "实际"),
    "expected": ("Expected", "预期"),
    "actual_cumulative": ("Actual cumulative", "实际累计"),
    "expected_cumulative": ("Expected cumulative", "预期累计"),
    "expected_purchases_low": ("Expected purchases, low", "预期购买次数下限"),
    "expected_purchases_high": ("Expected purchases, high", "预期购买次数上限"),
    "clv_low": ("CLV, low", "客户终身价值下限"),
    "clv_high": ("CLV, high", "客户终身价值上限"),
    "recency_1": ("Recency bin 1", "最近度区间 1"),
    "recency_2": ("Recency bin 2", "最近度区间 2"),
    "recency_3": ("Recency bin 3", "最近度区间 3"),
    "recency_4": ("Recency bin 4", "最近度区间 4"),
    "recency_5": ("Recency bin 5", "最近度区间 5"),
    "recency_6": ("Recency bin 6", "最近度区间 6"),
    "recency_7": ("Recency bin 7", "最近度区间 7"),
    "recency_8": ("Recency bin 8", "最近度区间 8"),
    "clv.headline_holdout": (
        "Holdout {start} … {end}: {predicted:,.0f} repeat purchases predicted, "
        "{actual:,.0f} happened ({error:+.1%}).",
        "验证期 {start} … {end}：预测重复购买 {predicted:,.0f} 次，实际 {actual:,.0f} 次"
        "（偏差 {error:+.1%}）。",
    ),
    # notes: the definitions behind the figures
    "clv.note_purchase": (
        "A purchase is a customer-day with net revenue ≥ 0 (orders of one day merged; "
        "days with net returns are not purchases). frequency = repeat purchase days in the "
        "calibration period (distinct purchase days − 1); recency = first to last purchase; "
        "T = first purchase to the calibration end {calibration_end} (inclusive); "
        "all in {unit} of {unit_days:g} days.",
        "一次购买指净销售额 ≥ 0 的客户-日（同日订单合并；净退货日不算购买）。"
        "重复购买次数 = 校准期内不同购买日数 − 1；首末购买间隔 = 首次到最近一次购买；"
        "客户存续期 = 首次购买到校准期末 {calibration_end}（含当日）；"
        "单位为{unit}（每单位 {unit_days:g} 天）。",
    ),
    "clv.note_monetary": (
        "monetary = mean net revenue of the repeat purchase days (first purchase excluded; "
        "0 without a repeat purchase). Gamma-Gamma is fitted on the {n:,} repeat customers "
        "with monetary > 0 and assumes spend per purchase does not depend on how often a "
        "customer buys (correlation of frequency and monetary here: {corr:.2f}).",
        "平均重复消费金额 = 重复购买日净销售额的平均值（不含首次购买；无重复购买时为 0）。"
        "Gamma-Gamma 模型基于 {n:,} 位平均重复消费金额 > 0 的重复购买客户拟合，"
        "假设单次消费金额与购买频率无关（本数据中两者相关系数为 {corr:.2f}）。",
    ),
    "clv.note_excluded": (
        "Left out: {after:,} customers whose first purchase is after the calibration end, "
        "{returns_only:,} customers with only net-return days.",
        "未纳入：首次购买晚于校准期末的客户 {after:,} 位，只有净退货日的客户 {returns_only:,} 位。",
    ),
    "clv.note_ignored": (
        "Orders after {end} are ignored.",
        "{end} 之后的订单不参与计算。",
    ),
    "clv.note_discount": (
        # No square brackets: the console would read them as Rich markup and drop them.
        "CLV = margin × expected spend × Σ_k (expected purchases by the end of period k − "
        "those by the end of period k−1) / (1 + {rate:g})^(k × {years:.6g}), k = 1 … {horizon} "
        "{unit}: each period's purchases are discounted from the period's end at the yearly "
        "rate.",
        "客户终身价值 = 利润率 × 预期单次消费金额 × Σ_k (截至第 k 期的预期购买次数 − "
        "截至第 k−1 期的预期购买次数) / (1 + {rate:g})^(k × {years:.6g})，k = 1 … {horizon} "
        "{unit}：每期的购买按年贴现率从该期期末贴现。",
    ),
    "clv.note_margin_default": (
        "No margin given and the data has no profit: margin 100 %, so CLV is revenue, not "
        "profit. Give --margin for profit.",
        "未指定利润率且数据中没有利润：按 100% 计算，客户终身价值是销售额而非利润。"
        "请用 --margin 指定利润率。",
    ),
    "clv.note_margin_profit": (
        "Margin {margin:.1%} is the data's profit / revenue.",
        "利润率 {margin:.1%} 取自数据中的利润 / 销售额。",
    ),
    "clv.note_margin_given": (
        "Margin {margin:.1%} as given.",
        "利润率 {margin:.1%}（用户指定）。",
    ),
    "clv.note_p_alive": (
        "P(alive) is 1 for customers without a repeat purchase: BG/NBD lets a customer drop "
        "out only right after a repeat purchase.",
        "无重复购买的客户存活概率为 1：BG/NBD 模型假设客户只会在一次重复购买之后流失。",
    ),
    "clv.note_holdout": (
        "Fitted and scored as of the calibration end {calibration_end}; purchases from "
        "{start} to {end} only serve to compare predictions with what happened. Run without "
        "--holdout-end for CLV as of the last order.",
        "模型按校准期末 {calibration_end} 拟合和计算；{start} 至 {end} 的购买仅用于对比预测与实际。"
        "不加 --holdout-end 运行可得到截至最近订单的客户终身价值。",
    ),
    "clv.note_dropout.homogeneous": (
        "Drop-out heterogeneity is not identified: the BG/NBD likelihood keeps rising as a and "
        "b grow together (Beta(a, b) narrows to a point), so the fit is the limit a, b → ∞ in "
        "which every customer drops out with the same probability p = a/(a+b) = {dropout:.4f} "
        "after each repeat purchase (log-likelihood {ll:,.3f}). Predictions use that limiting "
        "model; a and b are left blank, with no standard errors; those of r, α and a/(a+b) are "
        "the limiting model's.",
        "流失异质性无法识别：a 与 b 同步增大时 BG/NBD 似然持续上升（Beta(a, b) 收缩为一点），"
        "因此采用 a、b → ∞ 的极限模型：所有客户每次重复购买后以相同概率 p = a/(a+b) = {dropout:.4f} "
        "流失（对数似然 {ll:,.3f}）。预测基于该极限模型；a、b 留空且无标准误；r、α 与 a/(a+b) "
        "的标准误取自极限模型。",
    ),
    "clv.note_dropout.none": (
        "Nobody seems to drop out: the BG/NBD likelihood keeps rising as a/(a+b) goes to 0, so "
        "the fit is that limit, the NBD model, in which every customer stays alive and buys at "
        "their own Gamma-distributed rate. P(alive) is 1 for everyone; a and b are left blank.",
        "看不到客户流失：a/(a+b) 趋于 0 时 BG/NBD 似然持续上升，因此采用该极限，即 NBD 模型："
        "所有客户都保持存活，各自按服从 Gamma 分布的购买率购买。所有客户的存活概率为 1；a、b 留空。",
    ),
    "clv.note_dropout.certain": (
        "Nobody bought more than twice: the BG/NBD likelihood keeps rising as a/(a+b) goes to 1, "
        "so the fit is the limit in which every customer drops out right after the first repeat "
        "purchase. P(alive) is 0 for customers with a repeat purchase and 1 for the others, who "
        "are expected to buy once more at most; a and b are left blank.",
        "没有客户购买超过两次：a/(a+b) 趋于 1 时 BG/NBD 似然持续上升，因此采用每位客户在第一次重复"
        "购买后即流失的极限模型。有重复购买的客户存活概率为 0，其余客户为 1，预计最多再购买一次；"
        "a、b 留空。",
    ),
    "clv.note_rate.one": (
        "Purchase rates do not vary between customers: the BG/NBD likelihood keeps rising as r "
        "and α grow together (Gamma(r, α) narrows to a point), so the fit is the limit in which "
        "every customer buys at the same Poisson rate r/α = {rate:.4f} {per_unit} while alive. "
        "Predictions use that limiting model; r and α are left blank, with no standard errors.",
        "客户之间的购买率没有差异：r 与 α 同步增大时 BG/NBD 似然持续上升（Gamma(r, α) 收缩为一点），"
        "因此采用所有客户在存活期间按相同泊松率 r/α = {per_unit} {rate:.4f} 次购买的极限模型。"
        "预测基于该极限模型；r、α 留空且无标准误。",
    ),
    "clv.note_spend.same_mean_spend": (
        "Mean spend does not vary between customers: the Gamma-Gamma likelihood keeps rising as "
        "q and γ grow together, so the fit is the limit in which every customer's spend per "
        "purchase is Gamma(p, ν) with one ν = q/γ = {nu:.6g}; expected spend is the mean "
        "{mean_spend:,.2f} for everyone. q and γ are left blank.",
        "客户之间的平均消费没有差异：q 与 γ 同步增大时 Gamma-Gamma 似然持续上升，因此采用所有客户"
        "单次消费服从同一 Gamma(p, ν)（ν = q/γ = {nu:.6g}）的极限模型；所有客户的预期消费均为均值 "
        "{mean_spend:,.2f}。q、γ 留空。",
    ),
    "clv.note_spend.steady_spend": (
        "Spend does not vary within a customer: the Gamma-Gamma likelihood keeps rising as p "
        "grows (and γ shrinks, p·γ = {delta:.6g}), so the fit is the limit in which each customer "
        "spends the same amount on every purchase and the amounts follow an inverse Gamma "
        "across customers; expected spend is the customer's own average, the mean "
        "{mean_spend:,.2f} for customers without a repeat purchase. p and γ are left blank.",
        "同一客户的消费金额没有波动：p 增大（γ 相应减小，p·γ = {delta:.6g}）时 Gamma-Gamma 似然"
        "持续上升，因此采用每位客户每次消费金额相同、客户间金额服从逆 Gamma 分布的极限模型；"
        "预期消费为客户自己的平均消费，无重复购买的客户取均值 {mean_spend:,.2f}。p、γ 留空。",
    ),
    "clv.note_spend.identical_spend": (
        "Every repeat customer's average spend is the same ({mean_spend:,.2f}): spend varies "
        "neither within nor between customers, so Gamma-Gamma's p, q and γ all run away and are "
        "left blank; expected spend is that amount for everyone.",
        "所有重复购买客户的平均消费都相同（{mean_spend:,.2f}）：消费在客户内部和客户之间都没有差异，"
        "Gamma-Gamma 的 p、q、γ 均趋于无穷并留空；所有客户的预期消费均为该金额。",
    ),
    "clv.note_holdout_past_data": (
        "The data's last purchase ({data_end}) is before the holdout end ({end}): the days "
        "after it count as days without purchases, so the actual holdout figures are too low "
        "unless the file really covers them. Choose a holdout end on or before the data's end.",
        "数据中最后一次购买（{data_end}）早于验证期末（{end}）：此后的日期按无购买计算，"
        "除非文件确实覆盖这些日期，否则验证期实际数偏低。请把验证期末设在数据截止日或之前。",
    ),
    "clv.note_se_missing": (
        "No standard errors for {model}: the likelihood is flat in some direction "
        "(the numerical Hessian is not negative definite).",
        "{model} 模型没有标准误：似然函数在某个方向上是平的（数值 Hessian 矩阵非负定）。",
    ),
}
