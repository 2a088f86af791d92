"""The Dask engine on a real LocalCluster (two worker processes on loopback)
gives exactly the local engine's ledger."""

from __future__ import annotations

from pathlib import Path

import pandas.testing as pdt
import pytest

from kamtool.errors import UsageError
from kamtool.ledger import LoadOptions, load

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CSV = ROOT / "sample_data" / "orders.csv"
SAMPLE_XLSX = ROOT / "sample_data" / "订单明细.xlsx"


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None, silence_logs=50,
    ) as cluster, distributed.Client(cluster) as c:
        yield c


def _split(tmp_path: Path) -> list[str]:
    """The English sample as three monthly-style files, one of them Parquet."""
    import pandas as pd

    frame = pd.read_csv(SAMPLE_CSV, dtype=str)
    parts = [frame.iloc[:1500], frame.iloc[1500:3200], frame.iloc[3200:]]
    names = []
    for i, part in enumerate(parts):
        if i == 2:
            path = tmp_path / f"part{i}.parquet"
            part.to_parquet(path, index=False)
        else:
            path = tmp_path / f"part{i}.csv"
            part.to_csv(path, index=False)
        names.append(str(path))
    return names


def test_dask_ledger_equals_local(client, tmp_path: Path) -> None:
    from kamtool.engine_dask import load_dask

    files = [*_split(tmp_path), str(SAMPLE_XLSX)]
    extra = {"entity": ["salesperson"]}
    remote = load_dask(files, LoadOptions(), extra=extra, scheduler=client)
    local = load(files, LoadOptions(), extra=extra)
    pdt.assert_frame_equal(remote.customers, local.customers)
    pdt.assert_frame_equal(remote.daily, local.daily)
    pdt.assert_frame_equal(
        remote.group("entity").sort_values("salesperson").reset_index(drop=True),
        local.group("entity").sort_values("salesperson").reset_index(drop=True),
    )
    assert remote.totals() == local.totals()
    # Splitting the English sample into three files changes nothing either.
    whole = load([str(SAMPLE_CSV), str(SAMPLE_XLSX)], LoadOptions())
    pdt.assert_frame_equal(whole.customers, local.customers)


def test_dask_expands_globs_and_directories(client, tmp_path: Path) -> None:
    from kamtool.engine_dask import expand_inputs, load_dask

    _split(tmp_path)
    assert len(expand_inputs([str(tmp_path / "part*.csv")])) == 2
    assert len(expand_inputs([str(tmp_path)])) == 3
    remote = load_dask([str(tmp_path)], LoadOptions(), scheduler=client)
    local = load([str(SAMPLE_CSV)], LoadOptions())
    pdt.assert_frame_equal(remote.customers, local.customers)


def test_dask_errors_name_the_file(client, tmp_path: Path) -> None:
    from kamtool.engine_dask import load_dask
    from kamtool.errors import DataError

    bad = tmp_path / "bad.csv"
    bad.write_text("customer,date,amount\nA,2024-01-01,12\nB,not a date,3\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.csv line 3: 'not a date' is not a date"):
        load_dask([str(bad)], LoadOptions(), scheduler=client)


def test_dask_refuses_stdin_and_needs_a_scheduler() -> None:
    from kamtool.engine_dask import load_dask

    with pytest.raises(UsageError, match="stdin"):
        load_dask(["-"], LoadOptions(), scheduler="tcp://127.0.0.1:1")
    with pytest.raises(UsageError, match="--scheduler"):
        load_dask([str(SAMPLE_CSV)], LoadOptions(), scheduler=None)


def test_cli_engine_dask_prints_the_local_figures(client, capsys) -> None:
    import json

    from kamtool.cli.app import main

    def run(*args: str) -> dict:
        with pytest.raises(SystemExit) as info:
            main(["abc", str(SAMPLE_CSV), "--format", "json", *args])
        out, err = capsys.readouterr()
        assert info.value.code in (0, None), err
        return json.loads(out)

    remote = run("--engine", "dask", "--scheduler", client.scheduler.address)
    local = run()
    assert remote["rows"] == local["rows"]
    assert remote["summary"] == local["summary"]
