"""The Dask engine on a real LocalCluster (two worker processes on loopback)
gives exactly the local engines' ledger (native and Arrow), in every column."""

from __future__ import annotations

from pathlib import Path

import pandas.testing as pdt
import pytest

from kamtool.engine.load import load
from kamtool.errors import UsageError
from kamtool.io.request import build_request
from kamtool.ledger import Ledger
from kamtool.needs import ALL_FIGURES, Needs

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


def _ledger(files: list[str], keys: tuple[str, ...] = ("customer",), *, client=None,
            measures: tuple[str, ...] | None = ("profit", "quantity")) -> Ledger:
    needs = Needs(keys=keys, measures=measures, figures=ALL_FIGURES)
    if client is None:
        return load(build_request(needs, files))
    return load(build_request(needs, files, engine="dask", scheduler=client))


@pytest.mark.parametrize("keys", [("customer",), ("customer", "date"), ("salesperson",), ("region",),
                                  ("customer", "date", "brand", "product")])
def test_dask_ledger_equals_local(client, tmp_path: Path, keys: tuple[str, ...],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    files = [*_split(tmp_path), str(SAMPLE_XLSX)]
    remote = _ledger(files, keys, client=client)
    local = _ledger(files, keys)
    assert (remote.engine, local.engine) == ("dask", "arrow")
    pdt.assert_frame_equal(remote.table.to_pandas(), local.table.to_pandas())
    assert remote.totals() == local.totals()
    assert remote.present == local.present
    # One plain file with the dimensions in it: native, Arrow and Dask give one ledger.
    native = _ledger([str(SAMPLE_CSV)], keys)
    monkeypatch.setenv("KAMTOOL_NATIVE", "off")
    arrow = _ledger([str(SAMPLE_CSV)], keys)
    on_cluster = _ledger([str(SAMPLE_CSV)], keys, client=client)
    # every grouping here, customer × day × brand × product included, is one the native path proves plain
    assert (native.engine, arrow.engine) == ("native", "arrow")
    assert {"salesperson", "region", "brand", "product"} <= set(native.sources[0].mapping)  # in the file
    for other in (arrow, on_cluster):
        pdt.assert_frame_equal(other.table.to_pandas(), native.table.to_pandas())
    if keys == ("customer",):
        # Splitting the English sample into three files changes nothing either.
        whole = _ledger([str(SAMPLE_CSV), str(SAMPLE_XLSX)], keys)
        pdt.assert_frame_equal(whole.customers, local.customers)
        assert list(native.customers.columns) == list(on_cluster.customers.columns)


def test_dask_expands_globs_and_directories(client, tmp_path: Path) -> None:
    from kamtool.engine.dask import expand_inputs

    _split(tmp_path)
    assert len(expand_inputs([str(tmp_path / "part*.csv")])) == 2
    assert len(expand_inputs([str(tmp_path)])) == 3
    remote = _ledger([str(tmp_path)], client=client)
    local = _ledger([str(SAMPLE_CSV)])
    pdt.assert_frame_equal(remote.customers, local.customers)


def test_dask_errors_name_the_file(client, tmp_path: Path) -> None:
    from kamtool.errors import DataError

    bad = tmp_path / "bad.csv"
    bad.write_text("customer,date,amount\nA,2024-01-01,12\nB,not a date,3\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.csv line 3: 'not a date' is not a date"):
        _ledger([str(bad)], client=client)


def test_dask_refuses_stdin_and_needs_a_scheduler() -> None:
    needs = Needs()
    with pytest.raises(UsageError, match="stdin"):
        load(build_request(needs, ["-"], engine="dask", scheduler="tcp://127.0.0.1:1"))
    with pytest.raises(UsageError, match="--scheduler"):
        load(build_request(needs, [str(SAMPLE_CSV)], engine="dask", scheduler=None))


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
