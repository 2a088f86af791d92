"""Labels of the credit analysis: columns, aging buckets, grades, tables, headlines, notes.

Every key starts with ``credit.`` so no other area's label can collide with one of these;
column captions are found as ``credit.{column}`` (see kamtool.labels.column_label) and
coded values as ``credit.{column}.{value}``.
"""

LABELS: dict[str, tuple[str, str]] = {
    # columns
    "credit.customer": ("Customer", "客户"),
    "credit.balance": ("Balance", "应收余额"),
    "credit.not_due": ("Not due", "未到期"),
    "credit.overdue_1_30": ("1–30 days overdue", "逾期1–30天"),
    "credit.overdue_31_60": ("31–60 days overdue", "逾期31–60天"),
    "credit.overdue_61_90": ("61–90 days overdue", "逾期61–90天"),
    "credit.overdue_91_180": ("91–180 days overdue", "逾期91–180天"),
    "credit.overdue_over_180": ("Over 180 days overdue", "逾期180天以上"),
    "credit.overdue": ("Overdue", "逾期合计"),
    "credit.max_days_past_due": ("Oldest days past due (0: not yet due)", "最长逾期天数（未到期为0）"),
    "credit.dso": ("DSO (days)", "应收账款周转天数"),
    "credit.days_to_pay": ("Days to pay", "平均回款天数"),
    "credit.days_beyond_terms": ("Days beyond terms", "平均超期天数"),
    "credit.lateness": ("Days after due (net)", "平均回款早晚（天）"),
    "credit.on_time_share": ("Paid on time", "按期回款占比"),
    "credit.trend": ("Trend of days beyond terms", "超期天数变化"),
    "credit.grade": ("Credit grade", "信用等级"),
    "credit.terms": ("Payment terms (days)", "账期（天）"),
    "credit.dso_sales": ("Credit sales in the DSO window", "DSO期间赊销额"),
    "credit.limit_sales": ("Net sales for the limit", "测算期净销售额"),
    "credit.highest_balance": ("Highest balance (month-ends, as-of)", "最高余额（月末及截止日）"),
    "credit.credit_limit": ("Suggested credit limit", "建议授信额度"),
    "credit.current_limit": ("Current credit limit", "现有授信额度"),
    "credit.utilisation": ("Utilisation", "额度使用率"),
    "credit.over_limit": ("Over limit", "超出额度"),
    "credit.worsening": ("Paying later", "回款变慢"),
    "credit.owner": ("Account owner", "客户经理"),
    "credit.region": ("Region", "区域"),
    "credit.bucket": ("Aging bucket", "账龄段"),
    "credit.amount": ("Amount", "金额"),
    "credit.share": ("Share", "占比"),
    "credit.customers": ("Customers", "客户数"),
    "credit.receivables": ("Receivables", "应收账款"),
    "credit.date": ("Month end (last: as-of date)", "月末（末行为截止日）"),
    # summary figures and parameters (the workbook's summary sheet)
    "credit.as_of": ("As of", "截至日期"),
    "credit.invoices": ("Invoices", "发票数"),
    "credit.credit_notes": ("Credit notes and returns", "红字发票及退货数"),
    "credit.payments": ("Payments", "收款笔数"),
    "credit.later_lines": ("Invoice lines on or after the as-of date", "截至日及之后的发票行（未计入）"),
    "credit.later_payments": ("Payments on or after the as-of date", "截至日及之后的收款（未计入）"),
    "credit.unmatched_references": ("Payments naming an invoice not open", "注明的发票不在未结清之列的收款"),
    "credit.invoiced": ("Invoiced", "开票金额"),
    "credit.credited": ("Credit notes and returns (amount)", "红字发票及退货金额"),
    "credit.paid": ("Paid", "已收款"),
    "credit.overdue_share": ("Overdue share of receivables", "逾期占比"),
    "credit.credit_balances": ("Credit balances", "客户贷方余额"),
    "credit.key_account_share": ("Key accounts' share of receivables", "重点客户应收占比"),
    "credit.key_account_count": ("Key accounts", "重点客户数"),
    "credit.buckets": ("Aging bucket edges (days)", "账龄段分界（天）"),
    "credit.grade_factors": ("Grade factor", "等级系数"),
    "credit.cap": ("Cap (× highest balance)", "上限（×最高余额）"),
    "credit.grade_rule": ("Grade rule", "评级规则"),
    "credit.a_past_due": ("A: at most days past due", "A级：最长逾期天数不超过"),
    "credit.b_beyond": ("B: at most days beyond terms", "B级：平均超期天数不超过"),
    "credit.c_beyond": ("C: at most days beyond terms", "C级：平均超期天数不超过"),
    "credit.d_past_due": ("D: more than days past due", "D级：逾期天数超过"),
    "credit.worsening_days": ("Paying later: trend above (days)", "回款变慢：变化超过（天）"),
    "credit.dso_days": ("DSO window (days)", "DSO计算期（天）"),
    "credit.history_months": ("Months behind the limit", "授信测算月数"),
    "credit.trend_months": ("Months of the trend", "趋势比较月数"),
    "credit.key_accounts": ("Key accounts given", "指定重点客户数"),
    "credit.key_share": ("Key accounts: class A cut-off of net sales", "重点客户：净销售额A类分界"),
    "credit.application": ("Payment application", "收款冲销规则"),
    "credit.credit_note": ("Credit notes", "红字发票"),
    "credit.credit_balance": ("Credit balances", "贷方余额"),
    "credit.as_of_rule": ("As-of rule", "截至日规则"),
    "credit.no_payment_grade": ("Grade without payments", "无回款客户等级"),
    "credit.row_order": ("Row order", "排序"),
    # the grade rule as a sentence in the workbook's Parameters block (its figures by name)
    "credit.param.grade_rule": (
        "Grade rule: D if anything is more than {d_past_due} days past due; A if nothing is more than "
        "{a_past_due} days past due and payments arrive within terms on average; B if the days beyond "
        "terms average at most {b_beyond}; C if at most {c_beyond}; D otherwise",
        "评级规则：有任何款项逾期超过{d_past_due}天为D级；没有逾期超过{a_past_due}天的款项且平均在账期内回款为"
        "A级；平均超期天数不超过{b_beyond}天为B级；不超过{c_beyond}天为C级；其余为D级"),
    # the aging table's total row (the console's and the workbook's, not the JSON's)
    "credit.bucket.total": ("Total", "合计"),
    # coded values
    "credit.bucket.not_due": ("Not due", "未到期"),
    "credit.bucket.overdue_1_30": ("1–30 days overdue", "逾期1–30天"),
    "credit.bucket.overdue_31_60": ("31–60 days overdue", "逾期31–60天"),
    "credit.bucket.overdue_61_90": ("61–90 days overdue", "逾期61–90天"),
    "credit.bucket.overdue_91_180": ("91–180 days overdue", "逾期91–180天"),
    "credit.bucket.overdue_over_180": ("Over 180 days overdue", "逾期180天以上"),
    "credit.bucket.between": ("{low}–{high} days overdue", "逾期{low}–{high}天"),
    "credit.bucket.over": ("Over {days} days overdue", "逾期{days}天以上"),
    "credit.grade.A": ("A", "A级"),
    "credit.grade.B": ("B", "B级"),
    "credit.grade.C": ("C", "C级"),
    "credit.grade.D": ("D", "D级"),
    # tables and charts
    "credit.table.aging": ("Receivables aging", "应收账款账龄"),
    "credit.table.by_owner": ("Receivables by account owner", "各客户经理应收账款"),
    "credit.table.by_region": ("Receivables by region", "各区域应收账款"),
    "credit.table.largest_overdue": ("Largest overdue balances", "逾期金额最大的客户"),
    "credit.table.over_limit": ("Customers over their credit limit", "超出授信额度的客户"),
    "credit.table.grades": ("Credit grades", "信用等级分布"),
    "credit.table.balance_history": ("Receivables at month-ends and the as-of date", "月末及截止日应收账款"),
    "credit.table.largest_balances": ("Largest balances by aging bucket", "应收余额最大客户的账龄"),
    "credit.chart.aging": ("Aging of the largest balances", "应收余额最大客户的账龄结构"),
    "credit.chart.buckets": ("Receivables by aging bucket", "各账龄段应收账款"),
    # headline
    "credit.headline.receivables": (
        "Receivables at {as_of}: {receivables} from {customers} customers; {overdue} overdue ({share}).",
        "截至{as_of}，应收账款{receivables}，共{customers}个客户；其中逾期{overdue}（占{share}）。"),
    "credit.headline.dso": (
        "DSO {dso} days: receivables ÷ (credit sales of the last {days} days ÷ {days}).",
        "应收账款周转天数（DSO）{dso}天：应收账款 ÷（近{days}天赊销额 ÷ {days}）。"),
    "credit.headline.no_dso": (
        "No DSO: there were no net credit sales in the last {days} days.",
        "无法计算DSO：近{days}天没有净赊销额。"),
    "credit.headline.limits": (
        "{over_limit} customers are over their credit limit; {worsening} pay later than before.",
        "{over_limit}个客户超出授信额度；{worsening}个客户回款比以前慢。"),
    "credit.headline.grades": (
        "Credit grades: A {A}, B {B}, C {C}, D {D} customers.",
        "信用等级：A级{A}个、B级{B}个、C级{C}个、D级{D}个客户。"),
    "credit.headline.credit_balances": (
        "Credit balances (overpayments, unused credit notes): {amount}.",
        "客户贷方余额（多付款、未用完的红字发票）：{amount}。"),
    "credit.headline.key_accounts": (
        "Key accounts hold {share} of receivables.",
        "重点客户占应收账款的{share}。"),
    "credit.headline.key_accounts_class_a": (
        "Key accounts (class A: the {count} largest customers making {cut} of net sales of the last "
        "{months} months) hold {share} of receivables.",
        "重点客户（A类：近{months}个月净销售额占{cut}的前{count}个客户）占应收账款的{share}。"),
    # notes: the rules, printed with every result
    "credit.note.as_of": (
        "As of {as_of}: invoices and payments dated before this day count; {lines} invoice lines and "
        "{payments} payments dated on or after it are left out.",
        "截至{as_of}：计入该日之前的发票和收款；该日及之后的{lines}条发票明细和{payments}笔收款未计入。"),
    "credit.note.due": (
        "Due date: the invoice's own due date, else the invoice date + the customer's payment terms, "
        "else {terms} days. Days past due = as-of date − due date, and 0 for an invoice not yet due: one "
        "due on the as-of date or later is not past due (oldest days past due is never negative).",
        "到期日：发票自带的到期日；否则为开票日期加客户账期，未设账期的按{terms}天。逾期天数 = 截止日期 − "
        "到期日；截止日当天或之后到期的发票尚未逾期，逾期天数为0（最长逾期天数不会是负数）。"),
    "credit.note.application": (
        "A payment settles the invoice it names while that invoice is open; the rest, and a payment "
        "naming no open invoice, goes first in, first out to the oldest open invoice (by date, then "
        "invoice number). {unmatched} payments named an invoice that was not open.",
        "收款先冲销其注明且尚未结清的发票；余额以及未注明未结发票的收款，按先进先出冲销最早的未结发票"
        "（先按日期，再按发票号）。有{unmatched}笔收款注明的发票不在未结清之列。"),
    "credit.note.credit_notes": (
        "Credit notes and returns reduce what is owed like a payment, first in, first out; they are "
        "not cash, so they do not count in days to pay.",
        "红字发票和退货像收款一样按先进先出冲减欠款；它们不是现金回款，不计入回款天数。"),
    "credit.note.credit_balance": (
        "An overpayment or unused credit note stays as a credit balance: it shows as a negative amount "
        "under not due (so the buckets add up to the balance) and settles the customer's next invoice "
        "on the day it is issued. Receivables and their shares are net of credit balances.",
        "多付款或未用完的红字发票保留为客户贷方余额：在“未到期”中显示为负数（各账龄段之和等于应收余额），"
        "并在下一张发票开出当天冲抵该发票。应收账款总额及其占比均为扣除贷方余额后的净额。"),
    "credit.note.measures": (
        "Days to pay: amount-weighted days from invoice to payment; days beyond terms: amount-weighted "
        "days paid after the due date (0 when on time); paid on time: share of the amount paid by the "
        "due date; trend: days beyond terms of the payments received in the last {months} months minus "
        "those of the {months} months before; paying later means a trend above {worsening} days.",
        "平均回款天数：从开票到回款的天数按金额加权；平均超期天数：超过到期日回款的天数按金额加权（按期为0）；"
        "按期回款占比：到期日前回款金额的占比；超期天数变化：近{months}个月所收回款的平均超期天数减去之前"
        "{months}个月的；变化超过{worsening}天即为回款变慢。"),
    "credit.note.grade": (
        "Grade: D if anything is more than {d_past_due} days past due; A if nothing is more than "
        "{a_past_due} days past due and payments arrive within terms on average (amount-weighted, early "
        "payments offset late ones); B if the days beyond terms average at most {b_beyond}; C if at most "
        "{c_beyond}; D otherwise. A customer with no payment yet is B.",
        "信用等级：有任何款项逾期超过{d_past_due}天为D级；没有逾期超过{a_past_due}天的款项、且平均在账期内"
        "回款（按金额加权，提前回款可抵消延迟回款）为A级；平均超期天数不超过{b_beyond}天为B级；不超过"
        "{c_beyond}天为C级；其余为D级。尚无回款记录的客户为B级。"),
    "credit.note.formula": (
        "Suggested credit limit = net sales of the last {months} months ÷ {months} × (payment terms + "
        "days beyond terms) ÷ 30 × grade factor (A {A}, B {B}, C {C}, D {D}), at most {cap} × the "
        "highest balance at the month-ends of the last {months} months and on the as-of date, rounded to "
        "the cent.",
        "建议授信额度 = 近{months}个月净销售额 ÷ {months} ×（账期 + 平均超期天数）÷ 30 × 等级系数"
        "（A级{A}，B级{B}，C级{C}，D级{D}），且不超过近{months}个月各月末及截止日最高余额的{cap}倍，四舍五入到分。"),
    "credit.note.utilisation": (
        "Utilisation = balance ÷ the current credit limit from the accounts file when there is one, "
        "else ÷ the suggested limit. Customers over their limit come first, then those paying later, "
        "then by balance.",
        "额度使用率 = 应收余额 ÷ 客户资料中的现有授信额度；没有现有额度的除以建议授信额度。超出额度的客户排在"
        "最前，其次是回款变慢的客户，再按应收余额排序。"),
}
