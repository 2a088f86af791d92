#!/usr/bin/env python
"""Generate kamtool's sample order exports and large benchmark files.

Two generators share one product catalogue and one sales organisation:

* ``sample`` simulates each customer's buying behaviour day by day (own order rhythm,
  churn, late starts, sharp declines, brand loyalty, brand switching, early adoption of
  new products, returns of goods the customer bought) and writes the files the README,
  tests and demos run on: ``sample_data/orders.csv`` and ``sample_data/订单明细.xlsx``.
* the large mode is fully vectorised with numpy and streams fixed-size chunks to disk, so
  ten million lines take seconds, not minutes, and little memory. Its behaviour is
  coarser (skewed customer weights, churn and late-start windows, brand preference,
  product launches, about 2 % return orders) but its columns are those of orders.csv.

Examples::

    python scripts/make_orders.py sample                     # rewrite both sample files
    python scripts/make_orders.py sample --describe          # ... and print summaries
    python scripts/make_orders.py --lines 10000000 --customers 200000 \\
        --format parquet --seed 7 -o benchmarks/data/orders_10m.parquet

The same arguments always give a byte-identical file (the output depends on the seed,
the line and customer counts, the period and ``--chunk-lines``).

This is a development script, not part of the kamtool package: it needs only numpy,
pandas, pyarrow and xlsxwriter.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import xlsxwriter

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DIR = REPO / "sample_data"
SAMPLE_CSV = "orders.csv"
SAMPLE_XLSX = "订单明细.xlsx"

COLUMNS: tuple[str, ...] = (
    "order_id", "order_date", "customer_id", "customer_name", "salesperson", "region",
    "channel", "product", "brand", "category", "quantity", "unit_price", "amount", "cost",
)
MONEY_COLUMNS: tuple[str, ...] = ("unit_price", "amount", "cost")

# The Chinese export has no channel or category column, like many ERP detail exports.
ZH_HEADERS: dict[str, str] = {
    "order_id": "订单号", "order_date": "订单日期", "customer_id": "客户编号",
    "customer_name": "客户名称", "salesperson": "业务员", "region": "区域", "product": "产品",
    "brand": "品牌", "quantity": "数量", "unit_price": "单价", "amount": "金额", "cost": "成本",
}

EXCEL_MAX_LINES = 1_048_575  # 1,048,576 worksheet rows less the header row
EXCEL_EPOCH = date(1899, 12, 30)
UNIX_EPOCH = date(1970, 1, 1)


# --------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class Product:
    """One SKU of the catalogue; prices are at the start of the period."""

    sku: str
    name_zh: str
    brand: int  # index into Locale.brands
    category: int  # index into Locale.categories
    price_usd: float
    price_cny: float
    cost_share: float  # unit cost / list price
    pack: int  # typical quantity on a line of a mid-size customer
    popularity: float
    launch_frac: float  # 0 = sold before the period; else share of the period before launch


BRAND_HOUSE = 0
# Brand indices: 0 house brand, 1..4 competitors' brands the distributor also carries.
PRODUCTS: tuple[Product, ...] = (
    Product("KAM-PAP-A4", "A4复印纸70g", 0, 0, 4.80, 24.0, 0.70, 40, 3.0, 0.0),
    Product("KAM-PAP-A3", "A3复印纸80g", 0, 0, 9.60, 48.0, 0.70, 10, 1.0, 0.0),
    Product("KAM-TON-BK", "黑色硒鼓", 0, 1, 62.00, 380.0, 0.62, 4, 1.5, 0.0),
    Product("KAM-TON-CL", "彩色硒鼓", 0, 1, 78.00, 460.0, 0.62, 3, 0.8, 0.0),
    Product("KAM-CLN-FLR", "地面清洁剂5L", 0, 2, 14.50, 68.0, 0.55, 12, 1.2, 0.0),
    Product("KAM-CLN-HND", "洗手液500ml", 0, 2, 6.90, 28.0, 0.52, 24, 1.5, 0.0),
    Product("KAM-COF-BNS", "咖啡豆1kg", 0, 3, 21.00, 118.0, 0.60, 10, 1.2, 0.0),
    Product("KAM-PKG-BOX", "五层纸箱", 0, 4, 1.35, 3.5, 0.66, 200, 1.5, 0.0),
    Product("KAM-PKG-TAPE", "封箱胶带", 0, 4, 2.40, 6.5, 0.60, 60, 1.0, 0.0),
    Product("KAM-PAP-ECO", "再生复印纸A4", 0, 0, 5.20, 26.0, 0.66, 40, 1.5, 0.40),
    Product("KAM-COF-PODS", "咖啡胶囊", 0, 3, 29.00, 158.0, 0.55, 8, 1.2, 0.55),
    Product("KAM-CLN-ECO", "环保清洁剂5L", 0, 2, 16.90, 78.0, 0.50, 12, 1.0, 0.72),
    Product("NRD-PAP-A4", "A4复印纸70g", 1, 0, 4.40, 22.0, 0.78, 40, 2.0, 0.0),
    Product("NRD-TON-BK", "黑色硒鼓", 1, 1, 55.00, 340.0, 0.70, 4, 1.0, 0.0),
    Product("NRD-PKG-BOX", "三层纸箱", 1, 4, 1.20, 3.0, 0.74, 200, 1.0, 0.0),
    Product("NRD-PKG-FILM", "缠绕膜", 1, 4, 18.00, 85.0, 0.72, 6, 0.8, 0.0),
    Product("NRD-TON-XL", "大容量硒鼓", 1, 1, 69.00, 420.0, 0.68, 3, 0.8, 0.85),
    Product("VXA-TON-BK", "黑色硒鼓", 2, 1, 58.00, 360.0, 0.72, 4, 1.0, 0.0),
    Product("VXA-TON-CL", "彩色硒鼓", 2, 1, 74.00, 440.0, 0.72, 3, 0.8, 0.0),
    Product("VXA-PAP-PHO", "相片纸", 2, 0, 16.50, 88.0, 0.70, 6, 0.6, 0.0),
    Product("BLP-CLN-FLR", "地面清洁剂5L", 3, 2, 13.90, 62.0, 0.68, 12, 1.0, 0.0),
    Product("BLP-CLN-HND", "洗手液500ml", 3, 2, 6.40, 25.0, 0.66, 24, 1.0, 0.0),
    Product("BLP-CLN-WIPE", "消毒湿巾", 3, 2, 8.90, 36.0, 0.64, 20, 1.0, 0.0),
    Product("SOL-COF-BNS", "咖啡豆1kg", 4, 3, 19.50, 108.0, 0.70, 10, 1.0, 0.0),
    Product("SOL-COF-TEA", "袋泡茶", 4, 3, 11.00, 45.0, 0.66, 12, 1.0, 0.0),
    Product("SOL-COF-CAPS", "咖啡胶囊", 4, 3, 26.00, 138.0, 0.64, 8, 0.8, 0.62),
)


@dataclass(frozen=True)
class Locale:
    """Words and sales organisation of one export."""

    code: str  # "en" or "zh"
    brands: tuple[str, ...]
    categories: tuple[str, ...]
    regions: tuple[str, ...]
    region_weights: tuple[float, ...]
    # (name, region index, seniority); the senior person of a region gets its big accounts
    salespeople: tuple[tuple[str, int, float], ...]
    channels: tuple[str, ...]  # direct, distributor, online
    customer_prefix: str
    price_growth: float  # list-price rise each 1 January


EN = Locale(
    code="en",
    brands=("Kamaro", "Nordline", "Vexa", "Bluepeak", "Solano"),
    categories=("Paper", "Toner", "Cleaning", "Coffee & Tea", "Packaging"),
    regions=("East", "South", "North", "West", "Central"),
    region_weights=(0.30, 0.22, 0.20, 0.14, 0.14),
    salespeople=(
        ("Alice Chen", 0, 3.0), ("Marco Rossi", 0, 1.0),
        ("Sofia Lindqvist", 1, 3.0), ("James Okafor", 1, 1.0),
        ("Priya Nair", 2, 2.5), ("Tom Becker", 2, 1.0),
        ("Hannah Weiss", 3, 1.0), ("Daniel Kim", 4, 1.0),
    ),
    channels=("Direct", "Distributor", "Online"),
    customer_prefix="C",
    price_growth=0.04,
)

ZH = Locale(
    code="zh",
    brands=("凯马", "北辰", "维信", "蓝峰", "金禾"),
    categories=("纸品", "硒鼓", "清洁用品", "咖啡茶饮", "包装材料"),
    regions=("华东", "华南", "华北", "西南", "华中"),
    region_weights=(0.34, 0.22, 0.18, 0.13, 0.13),
    salespeople=(
        ("张伟", 0, 3.0), ("李娜", 0, 1.0), ("王芳", 1, 2.5), ("刘洋", 1, 1.0),
        ("陈静", 2, 1.0), ("杨磊", 3, 1.0), ("赵敏", 4, 1.0),
    ),
    channels=("直销", "经销", "线上"),
    customer_prefix="KH",
    price_growth=0.03,
)

_EN_PLACES = (
    "Harbor", "Summit", "Riverside", "Oakridge", "Lakeside", "Granite", "Northgate",
    "Westfield", "Bayview", "Crestline", "Maple", "Ironwood", "Silverline", "Redstone",
    "Pinecrest", "Brookfield", "Fairview", "Highland", "Meadowbrook", "Cedar", "Stonebridge",
    "Kingsway", "Eastwood", "Clearwater", "Sunrise", "Willow", "Ashford", "Beacon", "Copper",
    "Falcon", "Greenfield", "Hillcrest", "Lighthouse", "Mill Creek", "Orchard", "Parkside",
)
_EN_TRADES = (
    "Logistics", "Dental", "Hotels", "Printing", "Builders", "Foods", "Clinics", "Academy",
    "Motors", "Engineering", "Legal", "Media", "Fitness", "Pharmacy", "Consulting", "Realty",
    "Catering", "Labs", "Architects", "Packaging", "Bakery", "Offices", "Schools", "Storage",
)
_EN_SUFFIXES = ("Ltd", "Inc.", "LLC", "Group", "& Co.", "Partners", "Holdings", "Services")
_EN_SURNAMES = (
    "Baker", "Hart", "Morgan", "Ellis", "Porter", "Fletcher", "Grant", "Hughes", "Lowe",
    "Marsh", "Nolan", "Quinn", "Reyes", "Shaw", "Turner", "Walsh",
)

_ZH_CITIES: tuple[tuple[str, int], ...] = (
    ("上海", 0), ("杭州", 0), ("南京", 0), ("苏州", 0), ("宁波", 0), ("无锡", 0),
    ("广州", 1), ("深圳", 1), ("厦门", 1), ("东莞", 1), ("北京", 2), ("天津", 2),
    ("青岛", 2), ("济南", 2), ("成都", 3), ("重庆", 3), ("昆明", 3), ("武汉", 4),
    ("长沙", 4), ("郑州", 4),
)
_ZH_WORDS = (
    "华东", "恒信", "宏达", "鑫源", "瑞丰", "嘉禾", "永兴", "金鼎", "中联", "博通", "天成",
    "新锐", "汇通", "盛世", "华宇", "东方", "联创", "德昌", "安泰", "富源",
)
_ZH_TRADES = ("贸易", "商贸", "科技", "实业", "物流", "电子", "建材", "食品", "印务", "酒店管理")
_ZH_SUFFIXES = ("有限公司", "股份有限公司", "有限责任公司")


def locale_for(code: str) -> Locale:
    """Return the Locale for ``"en"`` or ``"zh"``."""
    if code == "en":
        return EN
    if code == "zh":
        return ZH
    raise ValueError(f"unknown locale {code!r}: use 'en' or 'zh'")


def product_names(locale: Locale) -> list[str]:
    """The ``product`` column value of each catalogue entry: SKU in English, name in Chinese."""
    if locale.code == "en":
        return [p.sku for p in PRODUCTS]
    return [f"{locale.brands[p.brand]}{p.name_zh}" for p in PRODUCTS]


def list_price_cents(locale: Locale) -> np.ndarray:
    """List price of each product at the start of the period, in cents (fen)."""
    prices = [p.price_usd if locale.code == "en" else p.price_cny for p in PRODUCTS]
    return np.rint(np.array(prices) * 100).astype(np.int64)


def launch_days(span_days: int, start: date) -> np.ndarray:
    """Day offset of each product's launch (0 = already sold), moved to a Monday."""
    days = np.zeros(len(PRODUCTS), dtype=np.int64)
    for i, p in enumerate(PRODUCTS):
        if p.launch_frac > 0:
            d = int(round(p.launch_frac * span_days))
            d += (7 - (start.weekday() + d) % 7) % 7
            days[i] = d
    return days


def customer_names(locale: Locale, n: int, rng: np.random.Generator) -> tuple[list[str], list[int]]:
    """Unique company names and, for Chinese names, the region index implied by the city.

    English names carry no region (-1). About 3 % of English names are partnerships with a
    comma ("Baker, Hart & Co."), so a CSV reader has to honour quoting.
    """
    if locale.code == "en":
        combos = [f"{a} {b} {c}" for a in _EN_PLACES for b in _EN_TRADES for c in _EN_SUFFIXES]
        pairs = [f"{a}, {b} & Co." for a in _EN_SURNAMES for b in _EN_SURNAMES if a != b]
        n_pairs = min(len(pairs), int(round(n * 0.03)))
        chosen_pairs = [pairs[i] for i in rng.choice(len(pairs), n_pairs, replace=False)]
        n_rest = n - n_pairs
        names = _distinct_names(combos, n_rest, rng) + chosen_pairs
        order = rng.permutation(n)
        return [names[i] for i in order], [-1] * n
    combos_zh: list[tuple[str, int]] = [
        (f"{city}{word}{trade}{suffix}", region)
        for city, region in _ZH_CITIES
        for word in _ZH_WORDS
        if word != "华东" or region == 0  # a firm named after East China sits there
        for trade in _ZH_TRADES
        for suffix in _ZH_SUFFIXES
    ]
    picks = rng.choice(len(combos_zh), size=min(n, len(combos_zh)), replace=False)
    out = [combos_zh[i] for i in picks]
    while len(out) < n:  # only for very many customers: add a branch number
        name, region = combos_zh[len(out) % len(combos_zh)]
        out.append((f"{name}{len(out) // len(combos_zh) + 1}分公司", region))
    return [name for name, _ in out], [region for _, region in out]


def _distinct_names(combos: Sequence[str], n: int, rng: np.random.Generator) -> list[str]:
    """n distinct names from combos; past their number, suffix a branch number."""
    k = len(combos)
    if n <= k:
        return [combos[i] for i in rng.choice(k, size=n, replace=False)]
    perm = rng.permutation(k)
    return [
        combos[perm[i % k]] if i < k else f"{combos[perm[i % k]]} {i // k + 1}" for i in range(n)
    ]


def assign_salespeople(
    locale: Locale, region: np.ndarray, size: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Owner of each customer: within its region, big accounts go to the senior person.

    This concentrates revenue on a few salespeople, as the 80/20 rule expects.
    """
    owner = np.empty(len(region), dtype=np.int64)
    log_size = np.log(size)
    for r in range(len(locale.regions)):
        people = [i for i, (_, reg, _) in enumerate(locale.salespeople) if reg == r]
        mask = region == r
        if len(people) == 1:
            owner[mask] = people[0]
            continue
        seniority = np.array([locale.salespeople[i][2] for i in people])
        # Preference for senior people grows with the account's size.
        logits = np.log(seniority)[None, :] * (0.5 + 0.5 * np.clip(log_size[mask], -1, 4))[:, None]
        prob = np.exp(logits - logits.max(axis=1, keepdims=True))
        prob /= prob.sum(axis=1, keepdims=True)
        u = rng.random(mask.sum())
        pick = (u[:, None] > np.cumsum(prob, axis=1)).sum(axis=1)
        owner[mask] = np.array(people)[np.minimum(pick, len(people) - 1)]
    return owner


def assign_channels(size: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """0 direct, 1 distributor, 2 online: key accounts buy direct, the tail online."""
    p_direct = 1.0 / (1.0 + np.exp(-1.3 * (np.log(size) - 0.8)))
    u = rng.random(len(size))
    v = rng.random(len(size))
    return np.where(u < p_direct, 0, np.where(v < 0.55, 1, 2)).astype(np.int64)


def _to_weekday(day: int, start_weekday: int, last_day: int) -> int:
    """Move a Saturday or Sunday to the next Monday (the Friday before near the end)."""
    wd = (start_weekday + day) % 7
    if wd < 5:
        return day
    forward = day + 7 - wd
    return forward if forward <= last_day else day - (wd - 4)


# --------------------------------------------------------------------------- sample mode


@dataclass(frozen=True)
class SampleSpec:
    """Parameters of one simulated export."""

    locale: str
    seed: int
    customers: int
    target_lines: int
    start: date
    end: date
    nonpositive_customers: int = 2
    return_rate: float = 0.02


EN_SAMPLE = SampleSpec("en", 42, 300, 5000, date(2023, 1, 1), date(2025, 9, 30))
ZH_SAMPLE = SampleSpec(
    "zh", 2024, 80, 1500, date(2024, 1, 1), date(2025, 6, 30), nonpositive_customers=1
)
ZH_TITLE = "2024年1月至2025年6月销售订单明细表"
ZH_EXPORTED_AT = datetime(2025, 7, 1, 9, 30, 15)


@dataclass
class _Account:
    """One simulated customer; days are offsets from the period start."""

    size: float
    start: int
    end: int
    decline_at: int | None
    rel_gap: float
    gap_shape: float
    lines_lam: float
    qscale: float
    discount: float
    cat_weights: np.ndarray
    brand_before: np.ndarray
    brand_after: np.ndarray
    switch_at: int
    adopt_at: dict[int, int] = field(default_factory=dict)
    special: str = ""  # "", "zero" (bought, returned all) or "negative" (returns an older batch)


def _brand_vector(n_brands: int, favourite: int, share: float) -> np.ndarray:
    vec = np.full(n_brands, (1.0 - share) / (n_brands - 1))
    vec[favourite] = share
    return vec


def _draw_accounts(
    spec: SampleSpec, rng: np.random.Generator, launches: np.ndarray
) -> list[_Account]:
    n = spec.customers
    span = (spec.end - spec.start).days
    n_brands = 1 + max(p.brand for p in PRODUCTS)
    n_cats = 1 + max(p.category for p in PRODUCTS)
    size = rng.lognormal(0.0, 1.4, n)
    # Key accounts lean to the house brand: that is why the house brand holds most revenue.
    # Spreaders' brand weights; they count only among brands offering the category, and
    # only the house brand offers every category, so its share ends up well above 22 %.
    global_brand = np.array([0.22, 0.20, 0.20, 0.19, 0.19])
    brand_cats = [{p.category for p in PRODUCTS if p.brand == b} for b in range(n_brands)]
    new_products = [i for i, p in enumerate(PRODUCTS) if p.launch_frac > 0]

    is_new = rng.random(n) < 0.22
    churns = rng.random(n) < 0.15
    accounts: list[_Account] = []
    for c in range(n):
        start = int(rng.integers(60, span - 45)) if is_new[c] else 0
        end = span
        if churns[c] and span - 120 > start + 90:
            end = int(rng.integers(start + 90, span - 120))
        mode_u = rng.random()
        p_house = min(0.75, 0.4 + 0.08 * max(0.0, math.log(size[c])))
        cats = rng.dirichlet(np.full(n_cats, 0.6)) + 0.02
        switch_at = span + 1
        if mode_u < 0.45:  # loyal to one brand
            fav = BRAND_HOUSE if rng.random() < p_house else int(rng.integers(1, n_brands))
            before = after = _brand_vector(n_brands, fav, 0.94)
            if fav != BRAND_HOUSE:  # loyal to a specialist: buys only what it makes
                cats = np.array([cats[k] if k in brand_cats[fav] else 0.0 for k in range(n_cats)])
        elif mode_u < 0.65:  # switches from one brand to another mid-way
            a, b = (BRAND_HOUSE, int(rng.integers(1, n_brands)))
            if rng.random() < 0.5:
                a, b = b, a
            before = _brand_vector(n_brands, a, 0.9)
            after = _brand_vector(n_brands, b, 0.9)
            quarter = (end - start) // 4
            switch_at = int(rng.integers(start + quarter, end - quarter + 1))
        else:  # spreads across brands
            before = after = rng.dirichlet(global_brand * 20)
        cats = cats / cats.sum()
        gap_shape = float(rng.uniform(3.0, 8.0) if rng.random() < 0.45 else rng.uniform(0.8, 1.5))
        acc = _Account(
            size=float(size[c]),
            start=start,
            end=end,
            decline_at=None,
            rel_gap=float(size[c] ** -0.6 * rng.lognormal(0.0, 0.25)),
            gap_shape=gap_shape,
            lines_lam=float(min(2.5, 0.35 + 0.35 * math.log1p(size[c]))),
            qscale=float(size[c] ** 0.4),
            discount=float(np.clip(0.03 + 0.03 * math.log(size[c]) + rng.normal(0, 0.01), 0, 0.15)),
            cat_weights=cats,
            brand_before=before,
            brand_after=after,
            switch_at=switch_at,
        )
        # Early adopters try the new products of brands they buy within three weeks of
        # launch; other customers may follow months later, or never.
        early = rng.random() < 0.12 + 0.1 * (mode_u < 0.45)
        for p in new_products:
            brand = PRODUCTS[p].brand
            if max(before[brand], after[brand]) < 0.1:
                continue
            launch = int(launches[p])
            if early:
                acc.adopt_at[p] = launch + int(rng.integers(0, 22))
            elif rng.random() < 0.35:
                acc.adopt_at[p] = launch + int(rng.integers(60, 420))
        accounts.append(acc)

    # A few sizeable long-standing customers lose most of their value mid-way.
    n_decline = max(1, round(n * 0.013))
    big = [c for c in np.argsort(-size)[: max(4, n // 4)] if not is_new[c] and not churns[c]]
    for c in rng.permutation(big)[:n_decline]:
        accounts[int(c)].decline_at = int(rng.integers(int(span * 0.35), int(span * 0.65)))

    # Small, ordinary customers become the scripted net-zero and negative ones.
    small = [c for c in np.argsort(size)[: n // 3] if accounts[c].decline_at is None]
    for k, c in enumerate(rng.permutation(small)[: spec.nonpositive_customers]):
        accounts[int(c)].special = "zero" if k == 0 else "negative"
    return accounts


def _expected_lines(accounts: list[_Account], base_gap: float, span: int) -> float:
    total = 0.0
    for a in accounts:
        gap = min(max(base_gap * a.rel_gap, 4.0), 500.0)
        if a.decline_at is None:
            orders = (a.end - a.start) / gap
        else:
            orders = (a.decline_at - a.start) / gap + (a.end - a.decline_at) / (2.5 * gap)
        # Plus the trial line an adopter adds for each new product it takes up.
        trials = sum(1 for when in a.adopt_at.values() if a.start <= when <= a.end)
        total += max(1.0, orders) * (1.0 + a.lines_lam) + trials
    return total


def _solve_base_gap(accounts: list[_Account], target_lines: float, span: int) -> float:
    """Bisection for the gap scale that makes the expected line count hit the target."""
    lo, hi = 0.1, 50_000.0
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        if _expected_lines(accounts, mid, span) > target_lines:
            lo = mid
        else:
            hi = mid
    return math.sqrt(lo * hi)


@dataclass
class _Order:
    day: int
    customer: int
    is_return: bool
    lines: list[tuple[int, int]]  # (product index, quantity)
    priced_on: int = -1  # day whose prices apply; a return is credited at the sale's prices


@dataclass(frozen=True)
class _Catalogue:
    """Catalogue facts as arrays, for fast product picks."""

    brand: np.ndarray
    category: np.ndarray
    launch: np.ndarray
    appeal: np.ndarray  # popularity, x1.5 for new products once adopted
    is_new: np.ndarray
    pack: np.ndarray

    @classmethod
    def build(cls, launches: np.ndarray) -> _Catalogue:
        is_new = np.array([p.launch_frac > 0 for p in PRODUCTS])
        pop = np.array([p.popularity for p in PRODUCTS])
        return cls(
            brand=np.array([p.brand for p in PRODUCTS]),
            category=np.array([p.category for p in PRODUCTS]),
            launch=launches,
            appeal=np.where(is_new, 1.5 * pop, pop),
            is_new=is_new,
            pack=np.array([p.pack for p in PRODUCTS], dtype=float),
        )


def _pick_product(acc: _Account, adopt: np.ndarray, day: int, cat: _Catalogue,
                  rng: np.random.Generator) -> int:
    """Category by the customer's needs, then brand by its attitude, then a product.

    ``adopt`` holds, per product, the first day this customer would buy it (0 for the
    established range, a day after launch for new products it adopts, never otherwise).
    """
    brands = acc.brand_before if day < acc.switch_at else acc.brand_after
    category = int(np.searchsorted(np.cumsum(acc.cat_weights), rng.random() * acc.cat_weights.sum(),
                                   side="right"))
    category = min(category, len(acc.cat_weights) - 1)
    usable = (cat.category == category) & (cat.launch <= day) & (adopt <= day)
    appeal = np.where(usable, cat.appeal, 0.0)
    # Split each brand's weight over its usable products, so a brand with many SKUs in a
    # category is not favoured for that alone.
    per_brand = np.bincount(cat.brand, weights=appeal, minlength=len(brands))
    share = np.divide(brands, per_brand, out=np.zeros(len(brands)), where=per_brand > 0)
    weights = appeal * share[cat.brand]
    total = weights.sum()
    if total <= 0:
        return -1
    return int(np.searchsorted(np.cumsum(weights), rng.random() * total, side="right"))


def _simulate_account(
    c: int,
    acc: _Account,
    base_gap: float,
    spec: SampleSpec,
    cat: _Catalogue,
    rng: np.random.Generator,
) -> list[_Order]:
    span = (spec.end - spec.start).days
    wd0 = spec.start.weekday()
    gap = min(max(base_gap * acc.rel_gap, 4.0), 500.0)
    bought: set[int] = set()
    orders: list[_Order] = []
    never = span + 1
    adopt = np.where(cat.is_new, never, 0)
    for p, when in acc.adopt_at.items():
        adopt[p] = when

    if acc.special:
        return _scripted_orders(c, acc, span, wd0, rng)

    # A new customer's first order is the day it was won; rare buyers of long standing
    # still show up within the first months.
    day = float(acc.start) if acc.start > 0 else float(rng.uniform(0, min(gap, 150.0)))
    while day <= acc.end:
        d = _to_weekday(int(day), wd0, span)
        declined = acc.decline_at is not None and d >= acc.decline_at
        n_lines = 1 + int(rng.poisson(acc.lines_lam))
        chosen: list[int] = []
        # A customer trying a new product puts it on the next order after adopting it.
        for p, when in sorted(acc.adopt_at.items()):
            if when <= d and p not in bought and p not in chosen:
                chosen.append(p)
        tries = 0
        while len(chosen) < n_lines and tries < 4 * n_lines:
            tries += 1
            p = _pick_product(acc, adopt, d, cat, rng)
            if p >= 0 and p not in chosen:
                chosen.append(p)
        if chosen:
            lines = []
            for p in chosen:
                q = cat.pack[p] * acc.qscale * rng.lognormal(0.0, 0.5) * (0.35 if declined else 1.0)
                lines.append((p, max(1, int(round(q)))))
                bought.add(p)
            orders.append(_Order(d, c, False, lines))
        step = rng.gamma(acc.gap_shape, gap / acc.gap_shape) * (2.5 if declined else 1.0)
        day += max(1.0, step)
    if not orders:  # every customer in the file bought at least once
        d = _to_weekday(int(rng.integers(acc.start, acc.end + 1)), wd0, span)
        p = _pick_product(acc, adopt, d, cat, rng)
        if p < 0:
            p = int(np.argmax(cat.appeal * ~cat.is_new))
        orders.append(_Order(d, c, False, [(p, max(1, int(round(cat.pack[p] * acc.qscale))))]))
    return orders


def _scripted_orders(
    c: int, acc: _Account, span: int, wd0: int, rng: np.random.Generator
) -> list[_Order]:
    """Orders of the customers whose net total is zero or negative."""
    a4, box = 0, 7  # KAM-PAP-A4, KAM-PKG-BOX
    if acc.special == "zero":
        # Bought once, then sent everything back: net revenue exactly 0.
        d = _to_weekday(int(rng.integers(span // 3, 2 * span // 3)), wd0, span)
        lines = [(a4, 30), (box, 150)]
        back = _to_weekday(d + int(rng.integers(8, 20)), wd0, span)
        refund = _Order(back, c, True, [(p, -q) for p, q in lines], priced_on=d)
        return [_Order(d, c, False, lines), refund]
    # Bought a little paper in the period and returned a larger batch delivered before it.
    d = _to_weekday(int(rng.integers(20, 60)), wd0, span)
    back = _to_weekday(d + int(rng.integers(10, 30)), wd0, span)
    return [_Order(d, c, False, [(a4, 5)]), _Order(back, c, True, [(a4, -40)])]


def _returns(
    orders: list[_Order], accounts: list[_Account], spec: SampleSpec, rng: np.random.Generator
) -> list[_Order]:
    """Return orders: some lines go back 4-45 days later, in full or in part."""
    span = (spec.end - spec.start).days
    wd0 = spec.start.weekday()
    n_orders = np.bincount([o.customer for o in orders], minlength=len(accounts))
    out: list[_Order] = []
    for order in orders:
        # Only the scripted customers may end with a net total of zero or less.
        if order.is_return or accounts[order.customer].special or n_orders[order.customer] < 2:
            continue
        back: list[tuple[int, int]] = []
        for p, q in order.lines:
            if rng.random() < spec.return_rate:
                part = q if (q == 1 or rng.random() < 0.6) else int(rng.integers(1, q))
                back.append((p, -part))
        if back:
            d = order.day + int(rng.integers(4, 46))
            if d <= span:
                back_day = _to_weekday(d, wd0, span)
                out.append(_Order(back_day, order.customer, True, back, priced_on=order.day))
    return out


def simulate_orders(spec: SampleSpec) -> pd.DataFrame:
    """Simulate an order-line export; one row per order line, columns ``COLUMNS``.

    Money columns are floats exact to the cent; ``amount = quantity * unit_price`` and
    ``cost = quantity * unit cost``, so returns (negative quantity) are negative too.
    Rows are sorted by date and order id; an order's lines are adjacent.
    """
    locale = locale_for(spec.locale)
    rng = np.random.default_rng(spec.seed)
    span = (spec.end - spec.start).days
    launches = launch_days(span, spec.start)
    accounts = _draw_accounts(spec, rng, launches)
    base_gap = _solve_base_gap(accounts, spec.target_lines / (1 + spec.return_rate), span)

    catalogue = _Catalogue.build(launches)
    orders: list[_Order] = []
    for c, acc in enumerate(accounts):
        orders.extend(_simulate_account(c, acc, base_gap, spec, catalogue, rng))
    orders.extend(_returns(orders, accounts, spec, rng))

    # Customer numbers follow the date the account was opened: old accounts first.
    opened = np.array([a.start for a in accounts])
    number_of = np.empty(len(accounts), dtype=np.int64)
    number_of[np.lexsort((rng.random(len(accounts)), opened))] = np.arange(1, len(accounts) + 1)
    width = max(4, len(str(len(accounts))))
    ids = [f"{locale.customer_prefix}{int(k):0{width}d}" for k in number_of]

    names, name_regions = customer_names(locale, len(accounts), rng)
    size = np.array([a.size for a in accounts])
    region = np.array(
        [r if r >= 0 else -1 for r in name_regions], dtype=np.int64
    )
    missing = region < 0
    region[missing] = rng.choice(
        len(locale.regions), size=int(missing.sum()), p=np.array(locale.region_weights)
    )
    owner = assign_salespeople(locale, region, size, rng)
    channel = assign_channels(size, rng)

    orders.sort(key=lambda o: (o.day, o.is_return, number_of[o.customer]))
    prices = list_price_cents(locale)
    unit_costs = np.array([p.cost_share for p in PRODUCTS]) * prices
    names_p = product_names(locale)
    sale_no = ret_no = 0
    rows: list[tuple[object, ...]] = []
    for order in orders:
        if order.is_return:
            ret_no += 1
            oid = f"RT{ret_no:06d}"
        else:
            sale_no += 1
            oid = f"SO{sale_no:06d}"
        when = spec.start + timedelta(days=order.day)
        priced = spec.start + timedelta(days=order.priced_on if order.priced_on >= 0 else order.day)
        years = priced.year - spec.start.year
        growth = (1.0 + locale.price_growth) ** years
        acc = accounts[order.customer]
        c = order.customer
        for p, q in order.lines:
            price = int(round(prices[p] * growth * (1.0 - acc.discount)))
            unit_cost = int(round(unit_costs[p] * growth))
            prod = PRODUCTS[p]
            rows.append((
                oid, when, ids[c], names[c], locale.salespeople[owner[c]][0],
                locale.regions[region[c]], locale.channels[channel[c]], names_p[p],
                locale.brands[prod.brand], locale.categories[prod.category], q,
                price, q * price, q * unit_cost,
            ))
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    frame["quantity"] = frame["quantity"].astype("int64")
    for col in MONEY_COLUMNS:  # integer cents -> the nearest double to the decimal value
        frame[col] = frame[col].astype("int64") / 100.0
    return frame


# --------------------------------------------------------------------------- sample files


def write_sample_csv(frame: pd.DataFrame, path: Path) -> None:
    """English CSV: UTF-8, ``\\n`` line ends, ISO dates, money with two decimals."""
    frame.to_csv(
        path, index=False, lineterminator="\n", date_format="%Y-%m-%d", float_format="%.2f",
        encoding="utf-8",
    )


def write_zh_xlsx(frame: pd.DataFrame, path: Path, title: str, exported_at: datetime) -> None:
    """A Chinese ERP-style workbook: title row, export-time row, header, lines, totals row.

    Dates are real Excel dates, money real numbers with a number format; the totals row
    holds values, not formulas, as exports usually do. The creation time is fixed so the
    same frame always gives the same bytes.
    """
    columns = list(ZH_HEADERS)
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": exported_at, "author": "ERP", "title": title})
    ws = wb.add_worksheet("订单明细")
    f_title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    f_head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "align": "center"})
    f_date = wb.add_format({"num_format": "yyyy-mm-dd"})
    f_int = wb.add_format({"num_format": "#,##0"})
    f_money = wb.add_format({"num_format": "#,##0.00"})
    f_total = wb.add_format({"bold": True, "top": 1})
    f_total_int = wb.add_format({"bold": True, "top": 1, "num_format": "#,##0"})
    f_total_money = wb.add_format({"bold": True, "top": 1, "num_format": "#,##0.00"})

    ws.merge_range(0, 0, 0, len(columns) - 1, title, f_title)
    ws.write_string(1, 0, f"导出时间：{exported_at:%Y-%m-%d %H:%M:%S}")
    for j, col in enumerate(columns):
        ws.write_string(2, j, ZH_HEADERS[col], f_head)
    widths = {"order_id": 11, "order_date": 12, "customer_id": 9, "customer_name": 30,
              "salesperson": 8, "region": 6, "product": 18, "brand": 6, "quantity": 8,
              "unit_price": 10, "amount": 13, "cost": 13}
    for j, col in enumerate(columns):
        ws.set_column(j, j, widths[col])
    ws.freeze_panes(3, 0)

    values = {col: frame[col].tolist() for col in columns if col != "order_date"}
    dates = [d.date() for d in frame["order_date"]]
    row = 3
    for i in range(len(frame)):
        for j, col in enumerate(columns):
            if col == "order_date":
                ws.write_datetime(row, j, datetime.combine(dates[i], datetime.min.time()), f_date)
            elif col == "quantity":
                ws.write_number(row, j, values[col][i], f_int)
            elif col in MONEY_COLUMNS:
                ws.write_number(row, j, values[col][i], f_money)
            else:
                ws.write_string(row, j, values[col][i])
        row += 1
    ws.write_string(row, 0, "合计", f_total)
    for j, col in enumerate(columns):
        if col == "quantity":
            ws.write_number(row, j, int(frame[col].sum()), f_total_int)
        elif col in ("amount", "cost"):
            cents = int(np.rint(frame[col].to_numpy() * 100).astype(np.int64).sum())
            ws.write_number(row, j, cents / 100.0, f_total_money)
        elif j > 0:
            ws.write_blank(row, j, None, f_total)
    wb.close()


def write_sample_files(out_dir: Path) -> tuple[Path, Path]:
    """Regenerate ``orders.csv`` and ``订单明细.xlsx`` into out_dir; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / SAMPLE_CSV
    xlsx_path = out_dir / SAMPLE_XLSX
    write_sample_csv(simulate_orders(EN_SAMPLE), csv_path)
    write_zh_xlsx(simulate_orders(ZH_SAMPLE), xlsx_path, ZH_TITLE, ZH_EXPORTED_AT)
    return csv_path, xlsx_path


def describe_orders(frame: pd.DataFrame) -> str:
    """Plain-text realism summary of an English order-line frame."""
    out: list[str] = []
    rev = frame.groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    n = len(rev)
    out.append(
        f"lines {len(frame):,}  orders {frame['order_id'].nunique():,}  customers {n:,}  "
        f"{frame['order_date'].min():%Y-%m-%d}..{frame['order_date'].max():%Y-%m-%d}  "
        f"revenue {rev.sum():,.2f}"
    )
    deciles = np.array_split(rev.to_numpy(), 10)
    shares = [d.sum() / rev.sum() for d in deciles]
    out.append("revenue share by customer decile (top first): "
               + " ".join(f"{s:.1%}" for s in shares))
    top20 = rev.iloc[: max(1, round(n * 0.2))].sum() / rev.sum()
    out.append(f"top 20 % of customers: {top20:.1%} of revenue; "
               f"customers with net <= 0: {int((rev <= 0).sum())}")
    per_order = frame.groupby("order_id").size()
    dist = per_order.value_counts().sort_index()
    out.append("lines per order: " + ", ".join(f"{k}: {v}" for k, v in dist.head(8).items())
               + f"  (mean {per_order.mean():.2f})")
    ret = frame["quantity"] < 0
    out.append(f"return lines: {int(ret.sum())} ({ret.mean():.1%}), "
               f"value {frame.loc[ret, 'amount'].sum():,.2f}")
    brand = frame.groupby("brand")["amount"].sum().sort_values(ascending=False)
    out.append("brand revenue share: "
               + ", ".join(f"{b} {v / brand.sum():.1%}" for b, v in brand.items()))
    people = frame.groupby("salesperson")["amount"].sum().sort_values(ascending=False)
    out.append("salesperson revenue share: "
               + ", ".join(f"{b} {v / people.sum():.1%}" for b, v in people.items()))
    if "channel" in frame:
        ch = frame.groupby("channel")["amount"].sum()
        out.append("channel share: " + ", ".join(f"{b} {v / ch.sum():.1%}" for b, v in ch.items()))
    first = frame.groupby("customer_id")["order_date"].min()
    last = frame.groupby("customer_id")["order_date"].max()
    start, end = frame["order_date"].min(), frame["order_date"].max()
    late_start = int((first > start + pd.Timedelta(days=90)).sum())
    early_stop = int((last < end - pd.Timedelta(days=180)).sum())
    out.append(f"customers first buying > 90 days in: {late_start}; "
               f"last buying > 180 days before the end: {early_stop}")
    sold = frame[frame["quantity"] > 0]
    launch = sold.groupby("product")["order_date"].min()
    late = launch[launch > start + pd.Timedelta(days=180)].sort_values()
    out.append("products first sold mid-way: " + ", ".join(
        f"{p} {d:%Y-%m-%d} ({sold.loc[sold['product'] == p, 'customer_id'].nunique()} buyers)"
        for p, d in late.items()))
    return "\n".join(out)


# --------------------------------------------------------------------------- large mode


@dataclass(frozen=True)
class _Population:
    """Per-customer attributes of the large generator, as arrays indexed by customer."""

    weight: np.ndarray
    start: np.ndarray  # first active day (offset)
    end: np.ndarray  # last active day, inclusive
    lines_lam: np.ndarray
    qscale: np.ndarray
    discount: np.ndarray
    pref_brand: np.ndarray
    loyalty: np.ndarray
    ids: pa.Array
    names: pa.Array
    salesperson: np.ndarray  # indices into EN.salespeople, EN.regions, EN.channels
    region: np.ndarray
    channel: np.ndarray


def build_population(n_customers: int, span: int, seed: int) -> _Population:
    """Customers of the large generator: lognormal weights (top 20 % ~ 80 % of revenue)."""
    rng = np.random.default_rng([seed, 1])
    weight = rng.lognormal(0.0, 1.2, n_customers)
    size = weight / np.median(weight)
    start = np.where(
        rng.random(n_customers) < 0.22, rng.integers(30, max(31, span - 30), n_customers), 0
    )
    end = np.full(n_customers, span, dtype=np.int64)
    churn = rng.random(n_customers) < 0.15
    churn_at = start + ((span - start) * rng.uniform(0.2, 0.9, n_customers)).astype(np.int64)
    end = np.where(churn, churn_at, end)
    lines_lam = np.minimum(2.5, 0.35 + 0.3 * np.log1p(size))
    qscale = size**0.3
    discount = np.clip(0.03 + 0.02 * np.log(size) + rng.normal(0, 0.01, n_customers), 0, 0.15)
    n_brands = len(EN.brands)
    pref_brand = np.where(rng.random(n_customers) < 0.6, BRAND_HOUSE,
                          rng.integers(1, n_brands, n_customers))
    loyalty = np.where(rng.random(n_customers) < 0.5, rng.uniform(0.85, 0.98, n_customers),
                       rng.uniform(0.2, 0.6, n_customers))
    width = max(6, len(str(n_customers)))
    ids = pa.array([f"C{i:0{width}d}" for i in range(1, n_customers + 1)])
    combos = [f"{a} {b} {c}" for a in _EN_PLACES for b in _EN_TRADES for c in _EN_SUFFIXES]
    names = pa.array(_distinct_names(combos, n_customers, rng))
    region = rng.choice(len(EN.regions), size=n_customers, p=np.array(EN.region_weights))
    owner = assign_salespeople(EN, region, size, rng)
    channel = assign_channels(size, rng)
    return _Population(
        weight=weight, start=start.astype(np.int64), end=end.astype(np.int64),
        lines_lam=lines_lam, qscale=qscale, discount=discount,
        pref_brand=pref_brand.astype(np.int64), loyalty=loyalty, ids=ids, names=names,
        salesperson=owner, region=region.astype(np.int64), channel=channel,
    )


def _slice_bounds(n_chunks: int, span: int, growth: float = 0.15) -> np.ndarray:
    """Chunk k covers days [b[k], b[k+1]): equal line counts under ~15 %/year growth."""
    rate = math.log1p(growth) / 365.0
    q = np.linspace(0.0, 1.0, n_chunks + 1)
    total = math.expm1(rate * (span + 1))
    bounds = np.log1p(q * total) / rate
    b = np.rint(bounds).astype(np.int64)
    b[0], b[-1] = 0, span + 1
    return np.maximum.accumulate(b)


def iter_large_chunks(
    lines: int,
    customers: int,
    seed: int,
    start: date = EN_SAMPLE.start,
    end: date = EN_SAMPLE.end,
    chunk_lines: int = 1_000_000,
) -> Iterator[pa.Table]:
    """Yield Arrow tables of order lines (columns ``COLUMNS``) in date order.

    Each chunk covers its own stretch of days, so the concatenation is sorted by date and
    an order's lines are adjacent, share one date and one customer. Money columns are
    float64 exact to the cent.
    """
    span = (end - start).days
    if lines < 1 or customers < 1:
        raise ValueError("--lines and --customers must be at least 1")
    if span < 1:
        raise ValueError("--end must be after --start")
    pop = build_population(customers, span, seed)
    launches = launch_days(span, start)
    n_chunks = max(1, math.ceil(lines / chunk_lines))
    bounds = _slice_bounds(n_chunks, span)
    brand_of = np.array([p.brand for p in PRODUCTS])
    # Products grouped by brand, sorted by launch, so "available at day d" is a prefix.
    order = np.lexsort((launches, brand_of))
    by_brand_launch = launches[order]
    brand_offset = np.searchsorted(brand_of[order], np.arange(len(EN.brands)))
    brand_count = np.bincount(brand_of, minlength=len(EN.brands))
    global_brand_cdf = np.cumsum([0.45, 0.17, 0.13, 0.13, 0.12])
    prices = list_price_cents(EN).astype(np.float64)
    unit_costs = np.array([p.cost_share for p in PRODUCTS]) * prices
    packs = np.array([p.pack for p in PRODUCTS], dtype=np.float64)
    sku = pa.array(product_names(EN))
    # Taking from a small vocabulary is much faster than from a per-customer string column.
    salespeople = pa.array([p[0] for p in EN.salespeople])
    regions = pa.array(list(EN.regions))
    channels = pa.array(list(EN.channels))
    brand_names = pa.array([EN.brands[p.brand] for p in PRODUCTS])
    cat_names = pa.array([EN.categories[p.category] for p in PRODUCTS])
    start_weekday = start.weekday()
    start_unix = (start - UNIX_EPOCH).days
    id_width = max(8, len(str(lines)))
    next_order = 1

    for k in range(n_chunks):
        rng = np.random.default_rng([seed, 2, k])
        target = min(chunk_lines, lines - k * chunk_lines)
        lo, hi = int(bounds[k]), int(bounds[k + 1])
        if hi <= lo:
            hi = lo + 1
        # Customers buy in proportion to weight x days of the slice they are active in.
        overlap = np.clip(np.minimum(pop.end + 1, hi) - np.maximum(pop.start, lo), 0, None)
        cdf = np.cumsum(pop.weight * overlap)
        if cdf[-1] <= 0:  # nobody active (tiny populations): let anyone buy
            cdf = np.cumsum(pop.weight)
        cust_parts: list[np.ndarray] = []
        count_parts: list[np.ndarray] = []
        have = 0
        while have < target:
            n_new = int((target - have) / 1.6) + 16
            cu = np.searchsorted(cdf, rng.random(n_new) * cdf[-1], side="right")
            cnt = 1 + rng.poisson(pop.lines_lam[cu])
            cust_parts.append(cu)
            count_parts.append(cnt)
            have += int(cnt.sum())
        cust = np.concatenate(cust_parts)
        counts = np.concatenate(count_parts)
        csum = np.cumsum(counts)
        n_orders = int(np.searchsorted(csum, target)) + 1
        cust, counts = cust[:n_orders], counts[:n_orders].copy()
        counts[-1] -= int(csum[n_orders - 1]) - target

        first = np.maximum(pop.start[cust], lo)
        last = np.minimum(pop.end[cust] + 1, hi)
        last = np.where(last > first, last, first + 1)
        day = first + (rng.random(n_orders) * (last - first)).astype(np.int64)
        # B2B orders fall on weekdays: a weekend moves to Monday, or to Friday when Monday
        # is outside the customer's days in this slice.
        wd = (start_weekday + day) % 7
        monday, friday = day + 7 - wd, day - (wd - 4)
        weekday = np.where(monday < last, monday, np.where(friday >= first, friday, day))
        day = np.where(wd >= 5, weekday, day)
        by_day = np.argsort(day, kind="stable")
        cust, counts, day = cust[by_day], counts[by_day], day[by_day]
        is_return = rng.random(n_orders) < 0.02

        seq = np.arange(next_order, next_order + n_orders, dtype=np.int64)
        next_order += n_orders
        padded = pc.utf8_lpad(pa.array(seq).cast(pa.string()), width=id_width, padding="0")
        prefix = pc.if_else(pa.array(is_return), "RT", "SO")
        order_ids = pc.binary_join_element_wise(prefix, padded, "")

        line_order = np.repeat(np.arange(n_orders), counts)
        n = len(line_order)
        lc = cust[line_order]
        lday = day[line_order]
        brand = np.where(
            rng.random(n) < pop.loyalty[lc],
            pop.pref_brand[lc],
            np.searchsorted(global_brand_cdf, rng.random(n) * global_brand_cdf[-1], side="right"),
        )
        available = np.empty(n, dtype=np.int64)
        for b in range(len(EN.brands)):
            mask = brand == b
            launch_b = by_brand_launch[brand_offset[b] : brand_offset[b] + brand_count[b]]
            available[mask] = np.searchsorted(launch_b, lday[mask], side="right")
        product = order[brand_offset[brand] + (rng.random(n) * available).astype(np.int64)]

        qty = np.rint(packs[product] * pop.qscale[lc] * rng.lognormal(0.0, 0.5, n))
        qty = np.maximum(qty, 1).astype(np.int64)
        qty = np.where(is_return[line_order], -qty, qty)
        dates = (np.datetime64(start, "D") + lday).astype("datetime64[Y]").astype(np.int64)
        growth = (1.0 + EN.price_growth) ** (dates + 1970 - start.year)
        price = np.rint(prices[product] * growth * (1.0 - pop.discount[lc])).astype(np.int64)
        unit_cost = np.rint(unit_costs[product] * growth).astype(np.int64)
        idx = pa.array(lc)
        pidx = pa.array(product)
        yield pa.table({
            "order_id": order_ids.take(pa.array(line_order)),
            "order_date": pa.array((lday + start_unix).astype(np.int32), pa.int32()).cast(
                pa.date32()
            ),
            "customer_id": pop.ids.take(idx),
            "customer_name": pop.names.take(idx),
            "salesperson": salespeople.take(pa.array(pop.salesperson[lc])),
            "region": regions.take(pa.array(pop.region[lc])),
            "channel": channels.take(pa.array(pop.channel[lc])),
            "product": sku.take(pidx),
            "brand": brand_names.take(pidx),
            "category": cat_names.take(pidx),
            "quantity": pa.array(qty),
            "unit_price": pa.array(price / 100.0),
            "amount": pa.array((qty * price) / 100.0),
            "cost": pa.array((qty * unit_cost) / 100.0),
        })


def _cents_decimal(values: pa.Array) -> pa.Array:
    """float64 money exact to the cent -> decimal128(18, 2), which CSV writes as 12.50."""
    cents = np.rint(values.to_numpy(zero_copy_only=False) * 100.0).astype(np.int64)
    if sys.byteorder != "little":
        return pa.array(cents).cast(pa.decimal128(18, 0)).cast(pa.decimal128(18, 2))
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63  # sign extension into the high word
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(cents), [None, pa.py_buffer(words)])


def write_large_csv(chunks: Iterable[pa.Table], path: Path) -> int:
    """Stream chunks into an unquoted UTF-8 CSV; return the number of lines written."""
    written = 0
    with open(path, "wb") as sink:
        sink.write((",".join(COLUMNS) + "\n").encode())
        writer: pacsv.CSVWriter | None = None
        for table in chunks:
            cols = [
                _cents_decimal(table[c].combine_chunks()) if c in MONEY_COLUMNS else table[c]
                for c in COLUMNS
            ]
            out = pa.table(cols, names=list(COLUMNS))
            if writer is None:
                # No value contains a comma or quote, so nothing needs quoting.
                options = pacsv.WriteOptions(include_header=False, quoting_style="none")
                writer = pacsv.CSVWriter(sink, out.schema, write_options=options)
            writer.write_table(out)
            written += out.num_rows
        if writer is not None:
            writer.close()
    return written


def write_large_parquet(chunks: Iterable[pa.Table], path: Path) -> int:
    """Stream chunks into one Parquet file, one row group per chunk."""
    written = 0
    writer: pq.ParquetWriter | None = None
    try:
        for table in chunks:
            if writer is None:
                writer = pq.ParquetWriter(str(path), table.schema, compression="zstd")
            writer.write_table(table, row_group_size=table.num_rows)
            written += table.num_rows
    finally:
        if writer is not None:
            writer.close()
    return written


def write_large_xlsx(chunks: Iterable[pa.Table], path: Path, created: datetime) -> int:
    """Stream chunks into a plain English workbook with XlsxWriter's constant-memory mode."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.set_properties({"created": created})
    ws = wb.add_worksheet("orders")
    f_head = wb.add_format({"bold": True})
    f_date = wb.add_format({"num_format": "yyyy-mm-dd"})
    f_money = wb.add_format({"num_format": "#,##0.00"})
    for j, col in enumerate(COLUMNS):
        ws.write_string(0, j, col, f_head)
    row = 1
    excel_offset = (UNIX_EPOCH - EXCEL_EPOCH).days
    not_text = (*MONEY_COLUMNS, "order_date", "quantity")
    text_cols = [j for j, c in enumerate(COLUMNS) if c not in not_text]
    j_date, j_qty = COLUMNS.index("order_date"), COLUMNS.index("quantity")
    money_j = [COLUMNS.index(c) for c in MONEY_COLUMNS]
    write_string, write_number = ws.write_string, ws.write_number
    for table in chunks:
        text = [table[COLUMNS[j]].to_pylist() for j in text_cols]
        serial = (table["order_date"].combine_chunks().cast(pa.int32()).to_numpy()
                  + excel_offset).tolist()
        qty = table["quantity"].to_numpy().tolist()
        money = [table[COLUMNS[j]].to_numpy().tolist() for j in money_j]
        for i in range(table.num_rows):
            for j, values in zip(text_cols, text, strict=True):
                write_string(row, j, values[i])
            write_number(row, j_date, serial[i], f_date)
            write_number(row, j_qty, qty[i])
            for j, values in zip(money_j, money, strict=True):
                write_number(row, j, values[i], f_money)
            row += 1
    wb.close()
    return row - 1


def write_large(
    path: Path,
    fmt: str,
    lines: int,
    customers: int,
    seed: int,
    start: date = EN_SAMPLE.start,
    end: date = EN_SAMPLE.end,
    chunk_lines: int = 1_000_000,
) -> int:
    """Generate a large order-line file in ``fmt`` (csv, parquet, xlsx); return line count."""
    if fmt == "xlsx" and lines > EXCEL_MAX_LINES:
        raise ValueError(
            f"an Excel sheet holds at most {EXCEL_MAX_LINES:,} lines; use csv or parquet "
            f"for {lines:,}"
        )
    chunks = iter_large_chunks(lines, customers, seed, start, end, chunk_lines)
    if fmt == "csv":
        return write_large_csv(chunks, path)
    if fmt == "parquet":
        return write_large_parquet(chunks, path)
    if fmt == "xlsx":
        return write_large_xlsx(chunks, path, datetime.combine(end, datetime.min.time()))
    raise ValueError(f"unknown format {fmt!r}: use csv, parquet or xlsx")


# --------------------------------------------------------------------------- command line


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a YYYY-MM-DD date") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="make_orders.py",
        description="Write kamtool's sample exports (mode 'sample') or a large order-line "
        "file for benchmarks (default mode).",
    )
    parser.add_argument("mode", nargs="?", choices=("large", "sample"), default="large",
                        help="'sample' rewrites sample_data/; 'large' (default) writes -o PATH")
    parser.add_argument("--lines", type=int, default=1_000_000, help="order lines (large mode)")
    parser.add_argument("--customers", type=int, default=20_000, help="customers (large mode)")
    parser.add_argument("--format", choices=("csv", "parquet", "xlsx"),
                        help="output format; default from the extension of -o")
    parser.add_argument("--seed", type=int, default=7, help="random seed (large mode)")
    parser.add_argument("-o", "--output", type=Path, help="output file (large mode)")
    parser.add_argument("--start", type=_parse_date, default=EN_SAMPLE.start,
                        help="first day (large mode), default %(default)s")
    parser.add_argument("--end", type=_parse_date, default=EN_SAMPLE.end,
                        help="last day (large mode), default %(default)s")
    parser.add_argument("--chunk-lines", type=int, default=1_000_000,
                        help="lines generated and written at a time (large mode)")
    parser.add_argument("--out-dir", type=Path, default=SAMPLE_DIR,
                        help="directory of the sample files (sample mode)")
    parser.add_argument("--describe", action="store_true",
                        help="print realism summaries of the English sample (sample mode)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.mode == "sample":
        csv_path, xlsx_path = write_sample_files(args.out_dir)
        print(f"wrote {csv_path} and {xlsx_path}", file=sys.stderr)
        if args.describe:
            frame = pd.read_csv(csv_path, parse_dates=["order_date"])
            print(describe_orders(frame))
        return 0
    if args.output is None:
        parser.error("large mode needs -o PATH")
    fmt = args.format or args.output.suffix.lstrip(".").lower()
    if fmt not in ("csv", "parquet", "xlsx"):
        parser.error("give --format csv|parquet|xlsx or an -o PATH with one of those extensions")
    if args.chunk_lines < 1:
        parser.error("--chunk-lines must be at least 1")
    try:
        n = write_large(args.output, fmt, args.lines, args.customers, args.seed,
                        args.start, args.end, args.chunk_lines)
    except ValueError as exc:
        parser.error(str(exc))
    print(f"wrote {n:,} lines to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
