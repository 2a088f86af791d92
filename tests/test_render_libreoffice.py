"""Workbooks opened as a person opens them: headless LibreOffice prints abc's, churn's and
the report's workbook in both languages to PDF, and every visible sheet — its title line, and the
charts' titles — is on a page (scripts/render_workbooks.py does the same for every command
and renders PNGs for review).  Skipped when ``soffice`` is not on PATH."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REPO

pytestmark = pytest.mark.libreoffice

_TOOLS = ("soffice", "pdftotext", "pdftoppm")
_MISSING = [tool for tool in _TOOLS if shutil.which(tool) is None]
needs_libreoffice = pytest.mark.skipif(
    bool(_MISSING),
    reason=f"{', '.join(_MISSING)} not on PATH "
    "(apt-get install libreoffice-calc fonts-noto-cjk poppler-utils)",
)


def _script() -> ModuleType:
    path = REPO / "scripts" / "render_workbooks.py"
    spec = importlib.util.spec_from_file_location("render_workbooks", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["render_workbooks"] = module
    spec.loader.exec_module(module)
    return module


# the chart titles each workbook must show on its pages
CHART_TITLES = {
    ("abc", "en"): "(cumulative share at every 1 % of entities",
    ("abc", "zh"): "每 1% 的对象取一点",
    # the waterfall's legend: words only the chart holds (its series sit on a hidden sheet)
    ("churn", "en"): "Increase",
    ("churn", "zh"): "增加",
    # the report: the Overview's own charts, and the churn sheet's waterfall among its sheets
    ("report", "en"): "Customers by RFM segment",
    ("report", "zh"): "各RFM细分的客户数",
}


@needs_libreoffice
@pytest.mark.parametrize(("command", "lang"), sorted(CHART_TITLES))
def test_every_sheet_renders(command: str, lang: str, tmp_path: Path) -> None:
    script = _script()
    workbook = script.write_workbook(command, lang, tmp_path)
    pdf = script.to_pdf(workbook, tmp_path)
    pages = script.pdf_pages_text(pdf)
    assert script.missing_sheets(workbook, pages) == []
    text = "".join(pages).replace(" ", "")
    assert CHART_TITLES[command, lang].replace(" ", "") in text
    pngs = script.to_png(pdf, tmp_path, dpi=30)
    assert len(pngs) >= len(script.sheet_markers(workbook))  # at least a page per sheet
