"""The messy twin of a benchmark file, and the cleaning fast paths it exercises.

benchmarks/messy.py writes a clean file's lines as an ERP exports them (GBK, Chinese headers and
values, a title line, money text, slashed dates, a totals line); kamtool must read it to the clean
file's figures. io/clean.py reads 2024/3/5 dates and 1,234.50 money text on fast paths, which must
give what the general path gives, value for value. No timing is asserted.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from kamtool.io.clean import PLAIN_GROUPED, parse_date_text, parse_number_text

REPO = Path(__file__).resolve().parent.parent
KAMTOOL = str(Path(sys.executable).parent / "kamtool")


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


messy = _load("kamtool_bench_messy", REPO / "benchmarks" / "messy.py")

# Three lines, two customers, written by hand.
CLEAN = (
    "order_id,order_date,customer_id,customer_name,salesperson,region,channel,product,brand,category,"
    "quantity,unit_price,amount,cost\n"
    "SO1,2024-03-05,C1,Harbor Labs,Alice Chen,East,Direct,KAM-A4,Kamaro,Paper,250,4.94,1234.50,900.00\n"
    "SO2,2024-11-20,C2,Maple Foods,Tom Becker,North,Online,NRD-BK,Nordline,Toner,1,-12.25,-12.25,-8.00\n"
    "SO3,2024-12-31,C1,Harbor Labs,Alice Chen,East,Direct,KAM-A4,Kamaro,Paper,2000,600.00,1200000.00,1.50\n"
)
# Its twin, as GBK text: 4.94 × 250 and the sums 1,234.50 - 12.25 + 1,200,000.00 = 1,201,222.25
# (amount), 900.00 - 8.00 + 1.50 = 893.50 (cost), 250 + 1 + 2000 = 2251 (quantity).
TWIN = (
    "销售订单明细（共 3 行）\n"
    "\n"
    "订单号,订单日期,客户编号,客户名称,业务员,区域,渠道,产品,品牌,品类,数量,单价,金额,成本\n"
    'SO1,2024/3/5,C1,Harbor Labs,Alice Chen,华东,直销,KAM-A4,凯马,纸品,250,4.94,"1,234.50",900.00\n'
    "SO2,2024/11/20,C2,Maple Foods,Tom Becker,华北,线上,NRD-BK,北辰,硒鼓,1,-12.25,-12.25,-8.00\n"
    'SO3,2024/12/31,C1,Harbor Labs,Alice Chen,华东,直销,KAM-A4,凯马,纸品,2000,600.00,"1,200,000.00",1.50\n'
    '合计,,,,,,,,,,2251,,"1,201,222.25",893.50\n'
)


def test_twin_of_three_lines_is_the_export_written_by_hand(tmp_path: Path) -> None:
    clean, twin = tmp_path / "clean.csv", tmp_path / "twin.csv"
    clean.write_text(CLEAN)
    assert messy.write_messy(clean, twin) == 3
    assert twin.read_bytes().decode("gbk") == TWIN
    with pytest.raises(UnicodeDecodeError):
        twin.read_bytes().decode("utf-8")  # GBK, not UTF-8


def _json(*args: str) -> dict[str, object]:
    done = subprocess.run([KAMTOOL, *args, "--format", "json"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    loaded: dict[str, object] = json.loads(done.stdout)
    return loaded


def _inspect(path: Path) -> str:
    done = subprocess.run([KAMTOOL, "inspect", str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_twin_of_three_lines_reads_to_the_clean_figures(tmp_path: Path) -> None:
    clean, twin = tmp_path / "clean.csv", tmp_path / "twin.csv"
    clean.write_text(CLEAN)
    messy.write_messy(clean, twin)
    said = _inspect(twin)
    # 4 rows below the header, the totals line dropped: 3 lines, C1 and C2, 1,234.50 - 12.25 + 1,200,000.
    assert "4 rows read, 1 dropped" in said
    assert "3 order lines, 2 customers" in said
    assert "net revenue 1,201,222.25" in said
    assert "totals / subtotal lines: 1" in said
    rows = _json("abc", str(twin))["rows"]
    assert [(r["customer"], r["revenue"]) for r in rows] == [("C1", 1_201_234.5), ("C2", -12.25)]  # type: ignore[index]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A 4,000-line benchmark file, its CSV twin and its workbook twin."""
    root = tmp_path_factory.mktemp("messy")
    clean = root / "orders.csv"
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_orders.py"), "--lines", "4000",
                    "--customers", "80", "--seed", "3", "--format", "csv", "-o", str(clean)], check=True)
    twin_csv, twin_xlsx = root / "orders_messy.csv", root / "orders_messy.xlsx"
    assert messy.write_messy(clean, twin_csv) == 4000
    assert messy.write_messy(clean, twin_xlsx) == 4000
    return clean, twin_csv, twin_xlsx


@pytest.mark.parametrize("which", [1, 2])
@pytest.mark.parametrize("command", ["abc", "rfm", "churn"])
def test_generated_twins_give_the_clean_file_s_json(generated: tuple[Path, Path, Path], which: int,
                                                     command: str) -> None:
    clean, twin = generated[0], generated[which]
    want, got = _json(command, str(clean)), _json(command, str(twin))
    for out in (want, got):
        assert isinstance(out["params"], dict)
        for key in ("engine", "engine_reason"):
            out["params"].pop(key, None)  # the clean file is read natively, the twin by Arrow
    assert got == want


def test_generated_twin_line_counts(generated: tuple[Path, Path, Path]) -> None:
    clean = pacsv.read_csv(generated[0])
    said = _inspect(generated[1])
    assert f"{clean.num_rows:,} order lines" in said and "1 dropped" in said


# --------------------------------------------------------------------------- fast paths

DAYS = [f"{y}{s}{m}{s}{d}" for y in (2023, 2024) for s in ("/", ".", "-")
        for m in (*range(0, 14), "01", "09", "012") for d in (*range(0, 33), "01", "07", "031")]
# A value that only the general path reads: appended, it sends the whole column there.
GENERAL_ONLY_DATE = "2024年3月5日"


def _general_dates(values: list[str | None]) -> tuple[list[object], list[object]]:
    parsed, bad, _ = parse_date_text(pa.array([*values, GENERAL_ONLY_DATE]))
    return parsed.to_pylist()[:-1], pa.array(bad).to_pylist()[:-1]


@pytest.mark.parametrize("sep", ["/", ".", "-"])
def test_separated_dates_match_the_general_path(sep: str) -> None:
    values: list[str | None] = [v for v in DAYS if v[4] == sep]
    values.insert(3, None)
    parsed, bad, text = parse_date_text(pa.array(values))
    assert text is not None  # the column needed cleaning
    general_parsed, general_bad = _general_dates(values)
    assert parsed.to_pylist() == general_parsed
    assert pa.array(bad).to_pylist() == general_bad


def test_separated_dates_worked_by_hand() -> None:
    parsed, bad, _ = parse_date_text(pa.array(["2024/3/5", "2024/02/29", "2023/2/29", "2024/4/31",
                                               "2024/13/1", "2024/12/31", None, " 2024/1/2 "]))
    assert parsed.to_pylist() == [date(2024, 3, 5), date(2024, 2, 29), None, None, None,
                                  date(2024, 12, 31), None, date(2024, 1, 2)]
    assert pa.array(bad).to_pylist() == [False, False, True, True, True, False, False, False]


def test_mixed_separators_take_the_general_path() -> None:
    parsed, bad, _ = parse_date_text(pa.array(["2024/3/5", "2024.3.6", "5/3/2024"]))
    assert parsed.to_pylist() == [date(2024, 3, 5), date(2024, 3, 6), date(2024, 5, 3)]
    assert not any(pa.array(bad).to_pylist())


# Money text the fast path reads (each matches PLAIN_GROUPED), and text only the general path reads.
FAST_MONEY = ["1,234.50", "-1,234.50", "12.5", "0.01", "1,000,000.00", "999", "1234.50", "-0",
              "1,234,567.891", "007", "00,123.4", None, "", "  2,500.00 ", "9" * 400]
GENERAL_MONEY = ["1,23", "12,50", "1,2345.00", ",123", "1,234.", "1.2.3", "+1,234.50", "(1,234.50)",
                 "¥1,234.50", "1 234.50"]


def test_fast_money_list_takes_the_fast_path() -> None:
    assert all(re.match(PLAIN_GROUPED, v.strip()) for v in FAST_MONEY if v and v.strip())
    assert not any(re.match(PLAIN_GROUPED, v) for v in GENERAL_MONEY)


@pytest.mark.parametrize("general", GENERAL_MONEY)
def test_grouped_money_matches_the_general_path(general: str) -> None:
    values, bad, text = parse_number_text(pa.array(FAST_MONEY))
    general_values, general_bad, _ = parse_number_text(pa.array([*FAST_MONEY, general]))
    assert text is not None
    assert values.to_pylist() == general_values.to_pylist()[:-1]
    assert pa.array(bad).to_pylist() == pa.array(general_bad).to_pylist()[:-1]


def test_grouped_money_worked_by_hand() -> None:
    values, bad, _ = parse_number_text(pa.array(["1,234.50", "-1,234.50", "1,000,000.00", "12.5", None]))
    assert values.to_pylist() == [1234.5, -1234.5, 1_000_000.0, 12.5, None]
    assert pa.array(bad).to_pylist() == [False, False, False, False, False]
    # 12,50 is a decimal comma, not twelve hundred and fifty: the general path refuses it.
    values, bad, _ = parse_number_text(pa.array(["1,234.50", "12,50"]))
    assert values.to_pylist() == [1234.5, None]
    assert pa.array(bad).to_pylist() == [False, True]


# --------------------------------------------------------------------------- GB18030 as bytes

HEAD = "订单号,订单日期,客户编号,客户名称,区域,金额\n"


def _read(path: Path, gb: bool, monkeypatch: pytest.MonkeyPatch, skip_bad_rows: bool = False,
          columns: tuple[str, ...] = ("客户编号", "客户名称", "金额")) -> tuple[pa.Table, int, list[int]]:
    """Every batch of ``path``, read as bytes (``gb``) or transcoded, as one table."""
    import kamtool.io.read as read

    monkeypatch.setattr(read, "GB_ENCODINGS", {"gb18030", "gbk", "gb2312"} if gb else set())
    source = read.open_source(str(path), read.ReadOptions())
    source.skip_bad_rows = skip_bad_rows
    tables, offsets = [], []
    for table, offset in source.batches(list(columns)):
        tables.append(table)
        offsets.append(offset)
    return pa.concat_tables(tables), source.ragged_rows, offsets


def _gbk(path: Path, lines: list[str]) -> Path:
    path.write_bytes((HEAD + "".join(lines)).encode("gb18030"))
    return path


def _error(path: Path, gb: bool, monkeypatch: pytest.MonkeyPatch) -> str:
    from kamtool.errors import DataError

    with pytest.raises(DataError) as caught:
        _read(path, gb, monkeypatch)
    return str(caught.value)


def test_gb_bytes_read_the_transcoded_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 30,000 lines (several Arrow blocks): names in Chinese, one with a 4-byte GB18030 character.
    names = ("㐀 Harbor", "华东贸易")
    lines = [f'SO{i},2024/3/{i % 28 + 1},C{i % 97},{names[i % 2]},华东,"1,{i % 1000:03d}.50"\n'
             for i in range(30_000)]
    path = _gbk(tmp_path / "gb.csv", lines)
    got, _, _ = _read(path, True, monkeypatch)
    want, _, _ = _read(path, False, monkeypatch)
    assert got.equals(want)
    assert got.num_rows == 30_000 and got["客户名称"][1].as_py() == "华东贸易"
    assert got["客户名称"][0].as_py() == "㐀 Harbor"


def test_a_bad_byte_in_an_unread_column_is_the_same_error(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # Past the first MiB the sniffing reads; the bad byte (0xFF) is in 区域, which is not read.
    good = [f"SO{i},2024/3/5,C{i},华东贸易有限公司,华东,12.50\n" for i in range(40_000)]
    data = (HEAD + "".join(good)).encode("gb18030") + b"SO9,2024/3/5,C9,x,\xff\xff,1.00\n"
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    assert len(data) > 1 << 20
    assert _error(path, True, monkeypatch) == _error(path, False, monkeypatch)
    assert "not valid gb18030 text" in _error(path, True, monkeypatch)


def test_a_ragged_chinese_row_is_the_same_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _gbk(tmp_path / "ragged.csv", ["SO1,2024/3/5,C1,华东,华东,1.00\n",
                                          "SO2,2024/3/5,C2,华南,多,一列,2.00\n",
                                          "SO3,2024/3/6,C3,华北,华北,3.00\n"])
    said = _error(path, True, monkeypatch)
    assert said == _error(path, False, monkeypatch)
    assert "line 3: 7 fields where the header has 6" in said


def test_skipped_ragged_rows_read_and_count_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 20,000 good lines, then a ragged one in Chinese (Arrow hands its text over as UTF-8, which it
    # is not: the bytes path starts over transcoded and goes on from where it stopped), then more.
    lines = [f"SO{i},2024/3/5,C{i % 50},华东,华东,{i}.00\n" for i in range(20_000)]
    lines += ["SOX,2024/3/5,CX,华南,多,一列,2.00\n", "SOY,2024/3/6,CY,华北,华北,3.00\n"]
    path = _gbk(tmp_path / "ragged.csv", lines)
    got, got_ragged, _ = _read(path, True, monkeypatch, skip_bad_rows=True)
    want, want_ragged, _ = _read(path, False, monkeypatch, skip_bad_rows=True)
    assert got.equals(want)
    assert (got_ragged, want_ragged) == (1, 1)
    assert got.num_rows == 20_001 and got["客户编号"][-1].as_py() == "CY"


def test_pipes_are_read_transcoded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 丨 is 0xD8 0x7C in GBK: its second byte is a '|', so a pipe-separated file is never split as bytes.
    path = tmp_path / "pipes.csv"
    path.write_bytes((HEAD.replace(",", "|") + "SO1|2024/3/5|C1|丨号|华东|1.00\n").encode("gbk"))
    import kamtool.io.read as read

    assert not read.open_source(str(path), read.ReadOptions())._gb_bytes_readable()
    got, _, _ = _read(path, True, monkeypatch)
    assert got["客户名称"].to_pylist() == ["丨号"]


# --------------------------------------------------------------------------- the runner

runner = _load("kamtool_bench_run_messy", REPO / "benchmarks" / "run.py")


def _result(section: str, name: str, fmt: str, lines: int, seconds: float) -> object:
    r = runner.Result(section, name, name, fmt, lines)
    r.seconds, r.peaks_kib = [seconds], [1024]
    return r


def test_messy_targets_judge_csv_at_10m_against_duckdb_and_workbooks_against_kamtool() -> None:
    results = [
        # 10M CSV: 9 s on the twin, 4 s DuckDB on the clean file: 2.25x, missed.
        _result("messy", "messy:abc", "csv", 10_000_000, 9.0),
        _result("messy", "clean:abc", "csv", 10_000_000, 5.0),
        _result("messy", "duckdb:abc", "csv", 10_000_000, 4.0),
        # 1M CSV: below 10M lines, not judged.
        _result("messy", "messy:abc", "csv", 1_000_000, 9.0),
        _result("messy", "duckdb:abc", "csv", 1_000_000, 1.0),
        # Workbook: 3 s on the twin, 2 s on the clean workbook: 1.5x, met (DuckDB's 0.5 s is not the base).
        _result("messy", "messy:abc", "xlsx", 100_000, 3.0),
        _result("messy", "clean:abc", "xlsx", 100_000, 2.0),
        _result("messy", "duckdb:abc", "xlsx", 100_000, 0.5),
    ]
    assert runner.messy_targets(results) == [
        "- abc, messy csv, 10,000,000 lines: 2.25× its DuckDB query on the clean CSV (≤ 2×) — MISSED",
        "- abc, messy xlsx, 100,000 lines: 1.50× kamtool on the clean workbook (≤ 2×) — met",
    ]
    table = runner.messy_table(results)
    assert table[2] == "| abc | csv | 10,000,000 | 9.00 | 5.00 | 4.00 | 2.25 | 1.80 | 1 |  |"


def test_report_targets_and_table() -> None:
    results = [_result("report", "report:abc", "csv", 1_000_000, 2.0),
               _result("report", "report:report", "csv", 1_000_000, 7.0),
               _result("report", "report:report-o", "csv", 1_000_000, 10.0),
               _result("report", "report:profile", "csv", 1_000_000, 5.0)]
    # 7 s is 3.5x abc's 2 s: over 3x; the write is 10 - 7 = 3 s.
    assert runner.report_targets(results) == [
        "- report, csv, 1,000,000 lines: 3.50× kamtool abc (≤ 3×, plus the write) — MISSED"]
    assert runner.report_table(results)[2] == (
        "| csv | 1,000,000 | 2.00 | 6.00 | 7.00 | 3.50 | 10.00 | 3.00 | 1 | 1 | 5.00 | 2.50 |")


def test_parse_dropped() -> None:
    said = ("t.csv: CSV, gb18030, separator ',', header on row 3; 4,926 rows read, 1 dropped\n"
            "Dropped 1 rows: totals / subtotal lines: 1\n")
    assert runner.parse_dropped(said) == {"rows_read": 4926, "dropped": 1, "totals_dropped": 1}


def test_runner_checks_the_messy_twin_end_to_end(tmp_path: Path) -> None:
    report = tmp_path / "run.json"
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--lines", "3000", "--customers", "60",
         "--formats", "csv", "--repeat", "1", "--only", "messy", "--messy-commands", "abc",
         "--excel-lines", "0", "--data-dir", str(tmp_path / "data"), "--json", str(report)],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    runs = {r["contender"]: r for r in json.loads(report.read_text())["results"]}
    assert sorted(runs) == ["clean:abc", "duckdb:abc", "messy:abc"]
    assert runs["messy:abc"]["check"] == "ok (its totals line dropped)"
    customers = {"customers": runs["duckdb:abc"]["summary"]["rows"]}  # abc's query: a row per customer
    assert runs["messy:abc"]["summary"] == runs["clean:abc"]["summary"] == customers
    assert (tmp_path / "data" / "orders_3000_60c_7_messy.csv").exists()
