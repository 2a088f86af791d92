"""The load request: canonical names only, derived from what an analysis declares."""

from __future__ import annotations

from pathlib import Path

import pytest

from kamtool.errors import ColumnError, UsageError
from kamtool.io.columns import map_columns
from kamtool.io.read import ReadOptions
from kamtool.io.request import build_request, resolve_by
from kamtool.needs import Needs


@pytest.mark.parametrize(("by", "expected"), [
    ("customer", ("customer", None)),       # a kamtool column as it is
    ("salesperson", ("salesperson", None)),
    ("业务员", ("salesperson", None)),       # a synonym of one becomes that column
    ("Sales Rep", ("salesperson", None)),
    ("Kundengruppe", ("entity", "Kundengruppe")),  # any other header: the entity column
    (" Kundengruppe ", ("entity", "Kundengruppe")),
])
def test_resolve_by(by: str, expected: tuple[str, str | None]) -> None:
    assert resolve_by(by) == expected


def test_the_entity_header_is_matched_in_io_and_named_when_missing() -> None:
    headers = ["Kunde", "Datum", "Umsatz", "Kunden Gruppe"]
    mapping = map_columns(headers, {"customer": "Kunde"}, source="de.csv", entity="kundengruppe")
    assert mapping.columns["entity"] == "Kunden Gruppe"  # compared normalised, as --col is
    assert "Kunden Gruppe" not in mapping.unused
    with pytest.raises(ColumnError, match=r"de\.csv: --by Nope: no such column\. The file's columns are: "
                                          r"Kunde, Datum, Umsatz, Kunden Gruppe"):
        map_columns(headers, source="de.csv", entity="Nope")


def test_the_request_is_the_needs_and_the_shared_options() -> None:
    needs = Needs(keys=("entity",), measures=("profit",), figures=("orders",))
    request = build_request(needs, ["a.csv", Path("b.csv").as_posix()], read=ReadOptions(encoding="gbk"),
                            overrides={"customer": "Kunde"}, by_label="Kundengruppe")
    assert request.files == ("a.csv", "b.csv")
    assert (request.keys, request.measures, request.figures) == (("entity",), ("profit",), ("orders",))
    assert request.columns == ("customer", "date", "amount") and request.optional == ()
    assert request.read.encoding == "gbk" and request.overrides == {"customer": "Kunde"}
    assert (request.engine, request.by_label) == ("local", "Kundengruppe")
    assert build_request(Needs(measures=None), ["a.csv"]).measures is None  # every column (inspect)


def test_the_request_refuses_an_unknown_engine_and_an_entity_without_its_header() -> None:
    with pytest.raises(UsageError, match="--engine takes local or dask"):
        build_request(Needs(), ["a.csv"], engine="spark")
    with pytest.raises(ValueError, match="disagree"):
        build_request(Needs(keys=("entity",)), ["a.csv"])


def test_pareto_and_abc_declare_their_needs_from_their_options() -> None:
    from kamtool.analyses import abc, inspection, loyalty, pareto, rfm

    assert pareto.needs("entity", "revenue") == Needs(keys=("entity",), measures=("revenue",), figures=())
    assert pareto.needs("customer", "orders").figures == ("orders",)
    assert abc.needs("customer", "revenue", grid="profit").measures == ("revenue", "profit")
    assert rfm.NEEDS.figures == ("orders", "dates")
    assert loyalty.NEEDS.optional == ("brand", "product")
    assert inspection.NEEDS.measures is None
