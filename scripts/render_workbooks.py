"""Write every command's workbook in both languages from sample_data, open each as a person
would (headless LibreOffice -> PDF -> PNG pages), and report the sheets that did not render.

    python scripts/render_workbooks.py [--out DIR] [--commands abc,churn] [--langs en,zh]

Needs ``soffice`` (libreoffice-calc, with fonts-noto-cjk for Chinese) and ``pdftoppm``
(poppler-utils) on PATH.  Exit 0 when every sheet of every workbook rendered, 1 otherwise.
A sheet "rendered" when the PDF has at least one page whose text holds the sheet's title
line (data sheets) or its first cell (the Summary).  The PNGs (60 dpi) are for review.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COMMANDS = ("inspect", "pareto", "abc", "rfm", "loyalty", "churn", "clv", "tiers", "stages", "credit",
            "profile", "report")
LANGS = ("en", "zh")
SAMPLE = REPO / "sample_data" / "orders.csv"
ACCOUNTS = ["--accounts", str(REPO / "sample_data" / "accounts.csv")]
PAYMENTS = ["--payments", str(REPO / "sample_data" / "payments.csv")]
# The second files a command reads from sample_data (the report and the cards: all three files).
EXTRA = {"tiers": ACCOUNTS, "churn": [*ACCOUNTS, *PAYMENTS], "credit": [*ACCOUNTS, *PAYMENTS],
         "profile": [*ACCOUNTS, *PAYMENTS], "report": [*ACCOUNTS, *PAYMENTS]}
# What comes before the file: every customer's card, not one
BEFORE = {"profile": ["--all"]}


def write_workbook(command: str, lang: str, out: Path) -> Path:
    """``kamtool COMMAND sample_data/orders.csv --lang LANG -o out/COMMAND.LANG.xlsx``."""
    path = out / f"{command}.{lang}.xlsx"
    subprocess.run(
        [sys.executable, "-m", "kamtool", command, *BEFORE.get(command, []), str(SAMPLE),
         *EXTRA.get(command, []), "--lang", lang, "-o", str(path)],
        check=True,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return path


def to_pdf(workbook: Path, out: Path, timeout: float = 180) -> Path:
    """The workbook printed to PDF by headless LibreOffice (a private profile, so a running
    LibreOffice or a parallel run cannot interfere)."""
    profile = out / ".lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(workbook),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=timeout,
    )
    pdf = out / (workbook.stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice wrote no PDF for {workbook}")
    return pdf


def pdf_pages_text(pdf: Path) -> list[str]:
    """The text of each page (pdftotext, pages split at form feeds)."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")


def to_png(pdf: Path, out: Path, dpi: int = 60) -> list[Path]:
    prefix = out / pdf.stem
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True)
    return sorted(out.glob(f"{pdf.stem}-*.png"))


def sheet_markers(workbook: Path) -> dict[str, str]:
    """Sheet name -> a text that must appear on its pages (hidden sheets are not printed)."""
    import openpyxl

    book = openpyxl.load_workbook(workbook, read_only=False)
    markers = {}
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        first = ws.cell(1, 1).value
        # the first few characters: a long title line may be cut at the page edge
        markers[ws.title] = str(first or "")[:12]
    return markers


def missing_sheets(workbook: Path, pages: list[str]) -> list[str]:
    """The visible sheets whose marker appears on no page."""
    squeeze = [page.replace(" ", "") for page in pages]
    return [
        name
        for name, marker in sheet_markers(workbook).items()
        if not any(marker.replace(" ", "") in page for page in squeeze)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "build" / "rendered")
    parser.add_argument("--commands", default=",".join(COMMANDS))
    parser.add_argument("--langs", default=",".join(LANGS))
    args = parser.parse_args(argv)
    for tool in ("soffice", "pdftoppm", "pdftotext"):
        if shutil.which(tool) is None:
            print(f"{tool} not found: install libreoffice-calc fonts-noto-cjk poppler-utils", file=sys.stderr)
            return 2
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    failures = 0
    for command in args.commands.split(","):
        for lang in args.langs.split(","):
            workbook = write_workbook(command, lang, out)
            pdf = to_pdf(workbook, out)
            pages = pdf_pages_text(pdf)
            pngs = to_png(pdf, out)
            missing = missing_sheets(workbook, pages)
            failures += len(missing)
            status = "ok" if not missing else "NOT RENDERED: " + ", ".join(missing)
            print(
                f"{workbook.name}: {len([p for p in pages if p.strip()])} pages, {len(pngs)} PNGs, {status}"
            )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
