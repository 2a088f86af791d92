"""Labels of the Excel workbook: sheet names, Summary-sheet captions, chart words."""

LABELS: dict[str, tuple[str, str]] = {
    # sheet names (Excel allows 31 characters; keep them short)
    "report.sheet.summary": ("Summary", "摘要"),
    "report.sheet.rows": ("Details", "明细"),
    "report.sheet.chart_data": ("Chart data", "图表数据"),
    # Summary sheet
    "report.title": ("kamtool report: {command}", "kamtool 报告：{command}"),
    "report.command": ("Command", "命令"),
    "report.headline": ("Headline", "要点"),
    "report.summary": ("Key figures", "关键指标"),
    "report.params": ("Parameters", "参数"),
    "report.notes": ("Notes", "说明"),
    "report.sources": ("Source files", "数据来源文件"),
    "report.version": ("kamtool version", "kamtool 版本"),
    "report.generated_at": ("Generated at", "生成时间"),
    # charts
    "report.chart.by": ("{value} by {category}", "{value}（按{category}）"),
    "report.waterfall.total": ("Total", "合计"),
    "report.waterfall.increase": ("Increase", "增加"),
    "report.waterfall.decrease": ("Decrease", "减少"),
    "report.waterfall.base": ("Base", "基数"),
    "report.more_table_rows": (
        "({shown:,} of {total:,} rows; -o FILE writes all)",
        "（显示 {shown:,} / {total:,} 行；-o 文件 输出全部）",
    ),
    "report.more_rows": (
        "({shown:,} of {total:,} rows; --top N shows more, -o FILE writes all)",
        "（显示 {shown:,} / {total:,} 行；--top N 显示更多，-o 文件 输出全部）",
    ),
}
