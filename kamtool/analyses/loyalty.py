"""Loyalty groups: customers by their attitude to our products (``kamtool loyalty``).

The seed practice sorts customers into loyal customers (including the first buyers
of new products), brand switchers and customers with no brand loyalty; the company
keeps close to the loyal and works to win the other two.

Two modes:

* **Brand mode** (the lines carry a ``brand``): share of wallet of a focal brand per
  calendar period. Groups, checked in this order: ``loyal`` (the focal brand holds
  at least ``share_threshold`` of spend in more than ``majority`` of the customer's
  active periods), ``switcher`` (bought the focal brand and another, and the leading
  brand differs between periods), ``no_loyalty`` (no brand reaches the threshold in
  most periods), ``other_brands`` (the rest: mostly dominated by another brand).
* **Behaviour mode** (no brand): repeat purchase across the last ``last_n`` periods:
  ``loyal``, ``lost``, ``one_time``, ``lapsing``, ``developing`` (that order).

In both, ``no_net_purchase`` holds customers whose net spend is never above zero in a
period, and those whose net spend over the whole data is not above zero (returns
outweigh purchases: a customer at −19,818 is never "loyal", whatever its periods; its
share of wallet is not defined).  Shares of revenue are of the other customers' total;
when it is 0 there is none (``base_status`` "no_positive_value").
Early adopters of new products are flagged (they keep their group).

Definitions: a *period* is a calendar month, quarter (Jan–Mar …) or year; a customer
is *active* in a period when its net spend there is above zero; a *purchase of a
product* is a customer-day whose net revenue for that product is above zero, so raw
lines and lines pre-aggregated by customer, day, brand and product give the same
answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kamtool.analyses.rules import (
    MONTHS_PER,
    as_of_day,
    check_period,
    period_label,
    period_of_days,
    runs,
    sorted_codes,
)
from kamtool.errors import AnalysisError, DataError, UsageError
from kamtool.lazy import lazy_module
from kamtool.result import Chart, Result

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

BRAND_GROUPS = ("loyal", "switcher", "no_loyalty", "other_brands", "no_net_purchase")
BEHAVIOUR_GROUPS = ("loyal", "developing", "one_time", "lapsing", "lost", "no_net_purchase")
# Shares such as 70/100 land a hair below 0.7 in floating point; compare with slack.
TOLERANCE = 1e-9
# A net amount counts as above zero beyond this, so 0.1 + 0.2 − 0.3 is not a purchase.
MONEY_EPS = 1e-6
# Key spaces up to this size are summed with one dense bincount instead of a sort.
DENSE_LIMIT = 10_000_000  # 80 MB of float64 at most
# The leading brand of a customer who mostly buys lines without a brand (a code).
NO_BRAND = "(no brand)"


def _day_numbers(dates: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 as int64 (whole days; the dates are already normalised)."""
    return dates.to_numpy().astype("datetime64[D]").astype("int64")


def _check_params(
    period: str,
    share_threshold: float,
    majority: float,
    launch_window: int,
    new_product_grace_days: int,
    last_n: int,
) -> None:
    check_period(period)
    if not 0.5 < share_threshold <= 1:
        raise UsageError.said("error.loyalty.share_threshold_must_above", share_threshold=share_threshold)
    if not 0 <= majority < 1:
        raise UsageError.said("error.loyalty.majority_must_least_below", majority=majority)
    for name, value, low in (
        ("--launch-window", launch_window, 1),
        ("new_product_grace_days", new_product_grace_days, 0),
        ("--last-n", last_n, 1),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise UsageError.said("error.loyalty.must_whole_number_least", name=name, low=low, value=value)


def _net(key: np.ndarray, revenue: np.ndarray, key_space: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys (sorted) with a net revenue above zero, and that net revenue.

    Keys lie in ``0 … key_space − 1``; a small key space is summed densely (one pass),
    a large one through a sort.
    """
    if key_space <= DENSE_LIMIT:
        net = np.bincount(key, weights=revenue, minlength=key_space)
        keys = np.flatnonzero(net > MONEY_EPS)
        return keys, net[keys]
    keys, inverse = np.unique(key, return_inverse=True)
    net = np.bincount(inverse.ravel(), weights=revenue, minlength=len(keys))
    positive = net > MONEY_EPS
    return keys[positive], net[positive]


def _distinct(key: np.ndarray, key_space: int) -> np.ndarray:
    """The distinct keys, sorted."""
    if key_space <= DENSE_LIMIT:
        return np.flatnonzero(np.bincount(key, minlength=key_space))
    return np.unique(key)


def _leaders(starts: np.ndarray, run: np.ndarray, spend: np.ndarray, is_focal: np.ndarray) -> np.ndarray:
    """Row index of the leading brand of each run: most spend, ties to focal, then first.

    Rows within a run are sorted by brand code, i.e. alphabetically.
    """
    top = np.maximum.reduceat(spend, starts)
    candidate = spend >= top[run] - MONEY_EPS
    index = np.arange(len(spend))
    none = len(spend)
    first = np.minimum.reduceat(np.where(candidate, index, none), starts)
    focal_first = np.minimum.reduceat(np.where(candidate & is_focal, index, none), starts)
    return np.where(focal_first < none, focal_first, first)


def _brand_groups(
    cust: np.ndarray,
    pid: np.ndarray,
    brand_code: np.ndarray,
    n_brands: int,
    revenue: np.ndarray,
    n_customers: int,
    focal: int,
    share_threshold: float,
    majority: float,
) -> dict[str, np.ndarray]:
    """Per customer (indexed 0 … n−1): group and the share-of-wallet figures."""
    p0 = int(pid.min())
    n_periods = int(pid.max()) - p0 + 1
    # one int64 key per (customer, period, brand); sorting it sorts by all three
    keys, spend = _net(
        (cust * n_periods + (pid - p0)) * n_brands + brand_code,
        revenue,
        n_customers * n_periods * n_brands,
    )
    brand = keys % n_brands
    cp = keys // n_brands
    c = cp // n_periods
    is_focal = brand == focal

    starts, run = runs(cp)
    total = np.add.reduceat(spend, starts)
    focal_share_p = np.bincount(run, weights=np.where(is_focal, spend, 0.0)) / total
    lead = _leaders(starts, run, spend, is_focal)
    lead_share = spend[lead] / total
    cp_c = c[starts]

    def per_customer(weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(cp_c, weights=weights, minlength=n_customers)

    periods_active = per_customer().astype("int64")
    focal_periods = per_customer(focal_share_p >= share_threshold - TOLERANCE).astype("int64")
    dominated = per_customer(lead_share >= share_threshold - TOLERANCE).astype("int64")
    leader_pairs = _distinct(cp_c * n_brands + brand[lead], n_customers * n_brands)
    leaders = np.bincount(leader_pairs // n_brands, minlength=n_customers)

    # per (customer, brand) over all periods: brands bought and the overall leading brand
    cb_keys, cb_spend = _net(c * n_brands + brand, spend, n_customers * n_brands)
    cb_c = cb_keys // n_brands
    cb_brand = cb_keys % n_brands
    brands = np.bincount(cb_c, minlength=n_customers)
    leading_brand = np.full(n_customers, -1, dtype="int64")
    if len(cb_keys):
        c_starts, c_run = runs(cb_c)
        top = _leaders(c_starts, c_run, cb_spend, cb_brand == focal)
        leading_brand[cb_c[c_starts]] = cb_brand[top]
    spend_total = np.bincount(c, weights=spend, minlength=n_customers)
    focal_total = np.bincount(c, weights=np.where(is_focal, spend, 0.0), minlength=n_customers)
    with np.errstate(invalid="ignore", divide="ignore"):
        focal_share = np.where(periods_active > 0, focal_total / spend_total, np.nan)

    most = majority * periods_active
    loyal = focal_periods > most
    switcher = (focal_total > 0) & (brands >= 2) & (leaders >= 2)
    no_loyalty = dominated <= most
    group = np.select(
        [periods_active == 0, loyal, switcher, no_loyalty],
        [BRAND_GROUPS.index(g) for g in ("no_net_purchase", "loyal", "switcher", "no_loyalty")],
        default=BRAND_GROUPS.index("other_brands"),
    )
    return {
        "group": group,
        "focal_share": focal_share,
        "focal_periods": focal_periods,
        "periods_active": periods_active,
        "brands": brands.astype("int64"),
        "leading_brand": leading_brand,
    }


def _behaviour_groups(
    cust: np.ndarray,
    pid: np.ndarray,
    revenue: np.ndarray,
    n_customers: int,
    latest: int,
    last_n: int,
    majority: float,
) -> dict[str, np.ndarray]:
    p0 = int(pid.min())
    n_periods = max(int(pid.max()), latest) - p0 + 1
    keys, _ = _net(cust * n_periods + (pid - p0), revenue, n_customers * n_periods)
    c = keys // n_periods
    p = keys % n_periods + p0
    ever = np.bincount(c, minlength=n_customers).astype("int64")
    window = np.bincount(c, weights=p > latest - last_n, minlength=n_customers).astype("int64")
    active_latest = np.bincount(c, weights=p == latest, minlength=n_customers) > 0
    group = np.select(
        [ever == 0, window > majority * last_n, window == 0, ever == 1, ~active_latest],
        [BEHAVIOUR_GROUPS.index(g) for g in ("no_net_purchase", "loyal", "lost", "one_time", "lapsing")],
        default=BEHAVIOUR_GROUPS.index("developing"),
    )
    return {"group": group, "periods_active": ever, "periods_in_window": window}


def _no_new_products() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product": pd.Series([], dtype="str"),
            "first_sale": pd.Series([], dtype="datetime64[ns]"),
            "adopters": pd.Series([], dtype="int64"),
            "window_complete": pd.Series([], dtype="bool"),
        }
    )


def _check_lines(lines: pd.DataFrame) -> tuple[pd.Series, np.ndarray]:
    """Dates (normalised) and revenue of raw order lines."""
    missing = [c for c in ("customer", "date", "revenue") if c not in lines]
    if missing:
        raise AnalysisError(f"loyalty needs the columns {', '.join(missing)}")
    if lines.empty:
        raise AnalysisError.said("error.loyalty.loyalty_there_are_no")
    dates = pd.to_datetime(lines["date"]).dt.normalize()
    if dates.isna().any():
        raise AnalysisError.said("error.loyalty.loyalty_lines_have_no", sum=int(dates.isna().sum()))
    last = dates.max()
    if last > pd.Timestamp.max:  # the grain's dates are nanoseconds: 9999-12-31 would wrap to 1816
        raise DataError.said("error.loyalty.order_date_column_date", datetime64=np.datetime64(last, 'D'),
                             date=pd.Timestamp.max.date())
    revenue = lines["revenue"].to_numpy(dtype="float64")
    if np.isnan(revenue).any():
        raise AnalysisError.said("error.loyalty.loyalty_lines_have_no_2", sum=int(np.isnan(revenue).sum()))
    return dates, revenue


def _text(values: pd.Series) -> pd.Series:
    """Brands and products as text, missing ones missing."""
    return values.astype("str").where(values.notna(), None)


def purchase_grain(lines: pd.DataFrame) -> pd.DataFrame:
    """Order lines (``customer``, ``date``, ``revenue``, optionally ``brand``, ``product``; raw
    or pre-aggregated) -> the grain loyalty reads, as the load's query returns it
    (:func:`kamtool.engine.duck.rolled_sql`):

    - period rows, one per customer × month × brand (``month``: months since January 1970):
      net ``revenue``, ``lines``, ``first_date``, ``last_date``; ``first_purchase`` empty;
    - purchase rows, one per customer × brand × product (``month`` empty): ``first_purchase``,
      the first day whose net revenue for the product is above zero (empty when none).
    """
    dates, revenue = _check_lines(lines)
    days = _day_numbers(dates)
    frame = pd.DataFrame({"customer": lines["customer"].to_numpy(), "day": days, "revenue": revenue,
                          "month": days.astype("datetime64[D]").astype("datetime64[M]").astype("int64")})
    for column in ("brand", "product"):
        frame[column] = _text(lines[column]).to_numpy() if column in lines else None
    periods = frame.groupby(["customer", "month", "brand"], dropna=False, sort=True).agg(
        revenue=("revenue", "sum"), lines=("revenue", "size"), first_date=("day", "min"),
        last_date=("day", "max")).reset_index()
    periods["product"] = None
    bought = frame[frame["product"].notna()]
    daily = bought.groupby(["customer", "day", "brand", "product"], dropna=False)["revenue"].sum().to_frame()
    daily = daily.reset_index()
    daily["day"] = daily["day"].where(daily["revenue"] > MONEY_EPS)
    purchases = daily.groupby(["customer", "brand", "product"], dropna=False)["day"].min().reset_index()
    purchases = purchases.rename(columns={"day": "first_purchase"}).assign(lines=0, revenue=np.nan)
    grain = pd.concat([periods, purchases], ignore_index=True).sort_values(
        ["customer", "month", "brand", "product"], na_position="last", ignore_index=True)  # as the query
    for column in ("first_date", "last_date", "first_purchase"):
        days = grain[column].astype("float64").to_numpy().astype("datetime64[D]")
        grain[column] = days.astype("datetime64[ns]")
    return grain[["customer", "month", "brand", "product", "revenue", "lines", "first_date", "last_date",
                  "first_purchase"]]


def _as_of(days: np.ndarray, as_of: Any) -> int:
    """The as-of day number (rules.as_of_day); a given one must lie after the last order."""
    last = int(days.max())
    day = as_of_day(as_of, last)
    assert day is not None
    if as_of is not None and day <= last:
        raise UsageError.said("error.loyalty.not_after_last_order", datetime64=np.datetime64(day, 'D'),
                              datetime642=np.datetime64(last, 'D'))
    return day


def _focal_brand(brand_names: Any, by_brand: np.ndarray, brand: str | None) -> tuple[int, str]:
    """The focal brand's code and how it was chosen ("default" or "given")."""
    if brand is None:
        # most revenue; ties to the alphabetically first brand (codes are sorted)
        return int(np.argmax(by_brand)), "default"
    matches = np.flatnonzero(np.asarray(brand_names, dtype=object) == str(brand))
    if len(matches) == 0:
        top = np.argsort(-by_brand, kind="stable")[:5]
        raise UsageError.said("error.loyalty.no_such_brand", brand=brand,
                              top=", ".join(str(brand_names[i]) for i in top))
    return int(matches[0]), "given"


def _brand_mode(
    brands: pd.Series, cust: np.ndarray, pid: np.ndarray, revenue: np.ndarray, n: int,
    brand: str | None, share_threshold: float, majority: float,
) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """Per-customer figures of brand mode (``brands``: the brand of each period row), the
    focal brand, and the facts (focal brand and rule) for params and summary."""
    # the load's brands are text already (categories, or pandas' text, where _text changes
    # nothing but costs a second on 10M lines)
    coded = isinstance(brands.dtype, (pd.CategoricalDtype, pd.StringDtype))
    brand_code, brand_names = pd.factorize(brands if coded else _text(brands), sort=True)
    # missing brands get the last code, after every named brand
    brand_code = np.where(brand_code < 0, len(brand_names), brand_code).astype("int64")
    names_all = np.append(np.asarray(brand_names, dtype=object), NO_BRAND)
    by_brand = np.bincount(brand_code, weights=revenue, minlength=len(brand_names) + 1)[: len(brand_names)]
    focal, rule = _focal_brand(brand_names, by_brand, brand)
    per: dict[str, Any] = _brand_groups(
        cust, pid, brand_code, len(brand_names) + 1, revenue, n, focal, share_threshold, majority
    )
    # each brand's text once, then taken per customer (-1: no leading brand, None)
    spelt = np.array([*(str(b) for b in names_all), None], dtype=object)
    per["leading_brand"] = spelt[per["leading_brand"]].tolist()
    return per, str(brand_names[focal]), {"brand": str(brand_names[focal]), "brand_rule": rule}


def _rows(
    customers: Any, groups_order: tuple[str, ...], per: dict[str, Any], revenue: np.ndarray,
    cust: np.ndarray, days: np.ndarray, adopter: np.ndarray, mode: str,
) -> pd.DataFrame:
    group_code = per["group"]
    last_day = np.full(len(customers), np.iinfo("int64").min, dtype="int64")
    np.maximum.at(last_day, cust, days)
    rows = pd.DataFrame(
        {
            "customer": customers.array,
            "group": pd.array(np.asarray(groups_order, dtype=object)[group_code], dtype="str"),
            "revenue": revenue,
        }
    )
    columns = (("focal_share", "focal_periods", "periods_active", "brands", "leading_brand")
               if mode == "brand" else ("periods_active", "periods_in_window"))  # fmt: skip
    for column in columns:
        rows[column] = pd.array(per[column], dtype="str") if column == "leading_brand" else per[column]
    rows["last_date"] = pd.to_datetime(last_day.astype("datetime64[D]"))
    rows["early_adopter"] = adopter
    return (
        rows.assign(_g=group_code)
        .sort_values(["_g", "revenue", "customer"], ascending=[True, False, True], ignore_index=True)
        .drop(columns="_g")
    )


def _groups(
    groups_order: tuple[str, ...], group_code: np.ndarray, revenue: np.ndarray, adopter: np.ndarray
) -> pd.DataFrame:
    """Customers, revenue and early adopters per group; no_net_purchase only when used."""
    n = len(group_code)
    in_base = group_code != groups_order.index("no_net_purchase")
    # the base of the revenue shares: customers with a net purchase (no_net_purchase apart)
    total_revenue = float(revenue[in_base].sum())
    n_groups = len(groups_order)
    customers_per = np.bincount(group_code, minlength=n_groups).astype("int64")
    revenue_per = np.bincount(group_code, weights=revenue, minlength=n_groups)
    adopters_per = np.bincount(group_code, weights=adopter, minlength=n_groups).astype("int64")
    # no_net_purchase (always last) only appears when someone is in it
    shown = np.arange(n_groups if customers_per[-1] else n_groups - 1)
    return pd.DataFrame(
        {
            "group": [groups_order[g] for g in shown],
            "customers": customers_per[shown],
            "share": customers_per[shown] / n,
            "revenue": revenue_per[shown],
            "revenue_share": np.where(
                (shown != groups_order.index("no_net_purchase")) & (total_revenue > 0),
                revenue_per[shown] / (total_revenue if total_revenue > 0 else 1.0), np.nan,
            ),
            "early_adopters": adopters_per[shown],
        }
    )


def _adopters(
    grain: pd.DataFrame, is_purchase: np.ndarray, customers: pd.Index, focal: str | None, start: int,
    as_of_number: int, launch_window: int, grace_days: int,
) -> tuple[np.ndarray, pd.DataFrame]:
    """The early-adopter flag per customer code and the new-products table, from the purchase
    rows of ``grain`` (of the focal brand in brand mode: ``focal``); ``start``: the first day
    of the data."""
    adopter = np.zeros(len(customers), dtype=bool)
    keep = is_purchase & grain["first_purchase"].notna().to_numpy()
    if focal is not None:
        keep &= (grain["brand"] == focal).to_numpy(dtype=bool, na_value=False)
    if not keep.any():
        return adopter, _no_new_products()
    product = grain["product"][keep]
    # the load's products are categories of text: factorized as they are, in the same order of
    # first appearance, not re-made as 2M texts (1.1 s on 10M lines)
    text_categories = isinstance(product.dtype, pd.CategoricalDtype) and isinstance(
        product.cat.categories.dtype, pd.StringDtype)
    codes, new_products = _early_adopters(
        _codes_of(grain["customer"], keep, customers), _day_numbers(grain["first_purchase"][keep]),
        product if text_categories else _text(product), start, as_of_number, launch_window, grace_days,
    )
    adopter[codes] = True
    return adopter, new_products


def _codes_of(column: pd.Series, keep: np.ndarray, customers: pd.Index) -> np.ndarray:
    """The customer codes (positions in ``customers``) of ``column``'s rows under ``keep``; a
    categorical column (the load's) through its categories, not millions of texts (10M lines:
    2M purchase rows would each become a Python string to be looked up)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        lookup = np.append(customers.get_indexer(column.cat.categories), -1)  # code -1: no customer
        return lookup[column.cat.codes.to_numpy()[keep]]
    return customers.get_indexer(pd.Index(column[keep]))


def _window(latest: int, last_n: int, period: str) -> dict[str, str]:
    """The behaviour window as period codes: "2024Q2 – 2025Q1" and its last period."""
    first, last = period_label(latest - last_n + 1, period), period_label(latest, period)
    return {"window": f"{first} – {last}", "latest_period": last}


def _group_summary(groups_order: tuple[str, ...], group_code: np.ndarray, groups: pd.DataFrame,
                   adopter: np.ndarray, revenue: np.ndarray, new_products: int | None) -> dict[str, Any]:
    counts = np.bincount(group_code, minlength=len(groups_order))
    loyal_row = groups.iloc[0]
    no_net = group_code == groups_order.index("no_net_purchase")
    return {
        "revenue": float(revenue.sum()),
        "base_status": "no_positive_value" if no_net.all() else (
            "negative_net" if float(revenue.sum()) < 0 else "ok"),
        "no_net_purchase_revenue": float(revenue[no_net].sum()),
        "group_counts": {g: int(c) for g, c in zip(groups_order, counts, strict=True)},
        "loyal_revenue_share": float(loyal_row["revenue_share"]),  # NaN (null in JSON) without a base
        "early_adopters": int(adopter.sum()),
        "early_adopters_loyal": int(loyal_row["early_adopters"]),
        "new_products": new_products,
    }


def _early_adopters(
    c: np.ndarray, day: np.ndarray, product: pd.Series, start: int, as_of_day: int,
    launch_window: int, grace_days: int,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Customer codes that adopted a new product early, and the new-products table.

    One row per customer and product: ``day``, the customer's first purchase of it.  A
    product's first sale is its buyers' earliest first purchase; a customer adopted it early
    when its own first purchase lies within ``launch_window`` days of that.
    """
    prod, prod_names = pd.factorize(product)
    n_prod = len(prod_names)
    first = np.full(n_prod, np.iinfo("int64").max, dtype="int64")
    np.minimum.at(first, prod, day)
    is_new = first - start >= grace_days
    if not is_new.any():
        return np.array([], dtype="int64"), _no_new_products()
    early = is_new[prod] & (day < first[prod] + launch_window)
    adopters = np.bincount(prod[early], minlength=n_prod)
    new = np.flatnonzero(is_new)
    table = pd.DataFrame(
        {
            "product": pd.array(np.asarray(prod_names, dtype=object)[new].astype(str), dtype="str"),
            "first_sale": pd.to_datetime(first[new].astype("datetime64[D]")),
            "adopters": adopters[new].astype("int64"),
            "window_complete": first[new] + launch_window <= as_of_day,
        }
    )
    table = table.sort_values(["first_sale", "product"], ignore_index=True)
    return np.unique(c[early]), table


from kamtool.needs import Needs, rolled_period  # noqa: E402 - beside the declaration it serves

# What loyalty() reads: the lines per customer, day, brand and product, rolled up in the load's
# own query ("first_purchase") to period rows per customer × month × brand and purchase rows per
# customer × brand × product (see purchase_grain); a file may lack brand and product: loyalty
# then follows repeat buying.
NEEDS = Needs(keys=("customer", "date", "brand", "product"), optional=("brand", "product"), measures=(),
              figures=("first_purchase",))


def needs(period: str = "month") -> Needs:
    """:data:`NEEDS` with the period rows rolled up to ``period`` in the query (per quarter: a
    third fewer rows than per month; their ``month`` is the quarter's first month).  Such a
    grain serves :func:`loyalty` with that ``period`` (or a longer one that it divides) only."""
    from dataclasses import replace

    check_period(period)
    return replace(NEEDS, figures=(*NEEDS.figures, *rolled_period(period)))


def loyalty(
    lines: pd.DataFrame,
    *,
    brand: str | None = None,
    period: str = "quarter",
    share_threshold: float = 0.70,
    majority: float = 0.5,
    launch_window: int = 90,
    new_product_grace_days: int = 90,
    last_n: int = 4,
    as_of: Any = None,
) -> Result:
    """Sort customers into loyalty groups and flag the early adopters of new products.

    Parameters
    ----------
    lines : DataFrame
        ``customer``, ``date``, ``revenue`` and optionally ``brand`` and ``product``;
        raw order lines or one row per distinct combination of those keys (same answer); or
        their :func:`purchase_grain` (``first_purchase`` column), as the load's query returns it.
    brand : str, optional
        The focal brand (brand mode). Default: the brand with the most net revenue.
    period : {"month", "quarter", "year"}, default "quarter"
        Calendar periods for share of wallet and repeat purchase.
    share_threshold : float, default 0.70
        Share of a period's spend a brand must hold to lead it "loyally" (0.5 < x <= 1).
    majority : float, default 0.5
        "Most periods" means more than this fraction of the periods considered.
    launch_window : int, default 90
        Days from a new product's first sale in which its buyers are early adopters.
    new_product_grace_days : int, default 90
        A product is new only when its first sale is at least this many days after the
        first day of the data; earlier products may predate the data.
    last_n : int, default 4
        Behaviour mode: the window of periods, ending with the period of the day before
        ``as_of``.
    as_of : date-like, optional
        Default: the day after the last order in the data.

    Returns
    -------
    Result
        ``rows`` per customer (customer, group code, revenue, periods …, early_adopter), tables
        ``groups`` and ``new_products``, a chart; period labels are codes (2024Q1, 2024-03).
    """
    _check_params(period, share_threshold, majority, launch_window, new_product_grace_days, last_n)
    grain = lines if "first_purchase" in lines.columns else purchase_grain(lines)
    is_period = grain["month"].notna().to_numpy()
    if not is_period.any():
        raise AnalysisError.said("error.loyalty.loyalty_there_are_no")
    has_brand = "brand" in grain and bool(grain["brand"][is_period].notna().any())
    if brand is not None and not has_brand:
        raise UsageError.said("error.loyalty.brand_needs_brand_column", brand=brand)
    customers, cust, last_days, start, pid, revenue = _period_rows(grain, is_period, period)
    n, as_of_number = len(customers), _as_of(last_days, as_of)
    summary: dict[str, Any] = {"as_of": pd.Timestamp(np.datetime64(as_of_number, "D")), "customers": n}
    params = _params(period, share_threshold, majority, launch_window, new_product_grace_days,
                     summary["as_of"], as_of)
    if has_brand:
        per, focal, facts = _brand_mode(grain["brand"][is_period], cust, pid, revenue, n, brand,
                                        share_threshold, majority)
        groups_order: tuple[str, ...] = BRAND_GROUPS
        params.update(facts, mode="brand")
        summary.update(mode="brand", brand=facts["brand"])
    else:
        focal, groups_order = None, BEHAVIOUR_GROUPS
        per = _behaviour_mode(cust, pid, revenue, n, as_of_number, period, last_n, majority, params, summary)
    adopter, new_products = _adopters(grain, ~is_period, customers, focal, start, as_of_number,
                                      launch_window, new_product_grace_days)
    customer_revenue = np.bincount(cust, weights=revenue, minlength=n) / 100
    _no_net_purchase(per, customer_revenue, groups_order)
    rows = _rows(customers, groups_order, per, customer_revenue, cust, last_days, adopter, params["mode"])
    groups = _groups(groups_order, per["group"], customer_revenue, adopter)
    has_product = "product" in grain and bool(grain["product"][~is_period].notna().any())
    summary.update(_group_summary(groups_order, per["group"], groups, adopter, customer_revenue,
                                  len(new_products) if has_product else None))
    return _result(params, summary, rows, groups, new_products, brand_column="brand" in grain,
                   data_start=start)


def _behaviour_mode(cust: np.ndarray, pid: np.ndarray, revenue: np.ndarray, n: int, as_of_number: int,
                    period: str, last_n: int, majority: float, params: dict[str, Any],
                    summary: dict[str, Any]) -> dict[str, np.ndarray]:
    """Behaviour mode's per-customer figures; its window into params and summary."""
    latest = int(period_of_days(np.array([as_of_number - 1]), period)[0])
    params.update(last_n=last_n, mode="behaviour")
    summary.update(mode="behaviour", **_window(latest, last_n, period))
    return _behaviour_groups(cust, pid, revenue, n, latest, last_n, majority)


def _period_rows(grain: pd.DataFrame, is_period: np.ndarray, period: str) -> tuple[pd.Index, np.ndarray,
                                                                                  np.ndarray, int, np.ndarray,
                                                                                  np.ndarray]:
    """From the period rows: the customers (sorted), each row's customer code, last day and
    period, the first day of the data, and each row's revenue in whole cents (exact in float64
    up to 2**53: sums and shares then do not depend on the order or the grain of the rows)."""
    def rows(column: str) -> pd.Series:
        return grain[column][is_period]  # one column at a time: no copy of the whole grain

    codes, customers = sorted_codes(rows("customer"))  # the grain comes by customer
    start = int(_day_numbers(rows("first_date")).min())
    pid = rows("month").to_numpy(dtype="int64") // MONTHS_PER[period]
    revenue = np.rint(rows("revenue").to_numpy(dtype="float64") * 100)
    return (pd.Index(customers.astype("str")), codes.astype("int64"), _day_numbers(rows("last_date")), start,
            pid, revenue)


def _params(period: str, share_threshold: float, majority: float, launch_window: int, grace_days: int,
            as_of_stamp: Any, as_of: Any) -> dict[str, Any]:
    return dict(
        period=period, share_threshold=share_threshold, majority=majority, launch_window=launch_window,
        new_product_grace_days=grace_days, as_of=as_of_stamp,
        as_of_rule="given" if as_of is not None else "day after the last order in the data",
        active_period="net spend in the period > 0",
    )  # fmt: skip


def _no_net_purchase(
    per: dict[str, Any], customer_revenue: np.ndarray, groups_order: tuple[str, ...]
) -> None:
    """Customers whose net over the whole data is not above zero go to no_net_purchase,
    without a share of wallet (of a wallet that is not there)."""
    no_net = customer_revenue <= MONEY_EPS
    per["group"] = np.where(no_net, groups_order.index("no_net_purchase"), per["group"])
    if "focal_share" in per:
        per["focal_share"] = np.where(no_net, np.nan, per["focal_share"])


def _result(params: dict[str, Any], summary: dict[str, Any], rows: pd.DataFrame, groups: pd.DataFrame,
            new_products: pd.DataFrame, *, brand_column: bool, data_start: int) -> Result:
    return Result(
        command="loyalty", params=params, summary=summary, rows=rows,
        tables={"groups": groups, "new_products": new_products},
        charts=[Chart(kind="column", table="groups", category="group", values=["revenue"],
                      title="loyalty.chart.revenue")],
        display_columns=[c for c in rows.columns if c != "last_date"],
        kinds={"focal_periods": "count", "periods_active": "count", "periods_in_window": "count"},
        # facts the notes state, not figures for scripts
        context={"brand_column": brand_column, "data_start": pd.Timestamp(np.datetime64(data_start, "D"))},
    )  # fmt: skip
