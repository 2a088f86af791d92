"""How the lifetimes reference figures in tests/test_clv_models.py were made.

Not a test (pytest does not collect it): a record, to rerun when the figures are doubted.

Step 1, in the project's virtualenv, writes the CDNOW calibration summary the tests use:

    .venv/bin/python tests/data/lifetimes_reference.py summary /tmp/cdnow_summary.csv

Step 2, in a separate virtualenv with lifetimes (it needs old pandas, numpy and scipy):

    python3 -m venv /tmp/lifetimes-venv
    /tmp/lifetimes-venv/bin/pip install lifetimes==0.11.3 "pandas<2" "numpy<1.24" "scipy<1.11"
    /tmp/lifetimes-venv/bin/python tests/data/lifetimes_reference.py fit /tmp/cdnow_summary.csv

Run on 2026-12-01 with Python 3.11.7, lifetimes 0.11.3, numpy 1.23.5, pandas 1.5.3,
scipy 1.10.1, autograd 1.9.1. It printed for ModifiedBetaGeoFitter
{'r': 0.5248429031496524, 'alpha': 6.183081764399618, 'a': 0.8913595172710836,
'b': 1.6140029311978275}, for ParetoNBDFitter {'r': 0.5532697285295665,
'alpha': 10.577576298773373, 's': 0.6062086410822267, 'beta': 11.66798033450074}, and
the P(alive) / expected-purchase figures copied into the test; holdout (39 weeks)
predicted totals 1576.728 (MBG/NBD), 1653.409 (BG/NBD), 1665.536 (Pareto/NBD) against
1882 actual.
"""

from __future__ import annotations

import sys
from pathlib import Path

CUSTOMERS = [
    (0, 0.0, 38.857142857142854),
    (2, 30.428571428571427, 38.857142857142854),
    (5, 20.0, 35.0),
    (1, 1.0, 30.0),
    (10, 36.0, 38.0),
]


def write_summary(path: str) -> None:
    import pandas as pd

    from kamtool.analyses.clv.summary import customer_summary

    source = Path(__file__).parent / "cdnow_sample.csv"
    lines = pd.read_csv(source, dtype={"customer": str}, parse_dates=["date"])
    daily = lines.groupby(["customer", "date"], as_index=False).agg(revenue=("amount", "sum"))
    s = customer_summary(daily, calibration_end="1997-09-30", unit="week", observation_end="1998-06-30")
    columns = ["customer", "frequency", "recency", "T", "holdout_purchases"]
    s.frame[columns].to_csv(path, index=False, float_format="%.17g")


def fit_with_lifetimes(path: str) -> None:
    import lifetimes  # type: ignore[import-not-found]
    import numpy as np
    import pandas as pd

    f = pd.read_csv(path, dtype={"customer": str})
    print("lifetimes", lifetimes.__version__, "numpy", np.__version__, "pandas", pd.__version__)
    for cls in (lifetimes.ModifiedBetaGeoFitter, lifetimes.BetaGeoFitter, lifetimes.ParetoNBDFitter):
        m = cls(penalizer_coef=0.0)
        m.fit(f["frequency"], f["recency"], f["T"])
        print(cls.__name__, repr(dict(m.params_)))
        for x, tx, T in CUSTOMERS:
            alive = float(m.conditional_probability_alive(x, tx, T))
            ahead = float(m.conditional_expected_number_of_purchases_up_to_time(39.0, x, tx, T))
            print(f"  x={x} t_x={tx} T={T}: p_alive {alive:.15g}, E[39 weeks] {ahead:.15g}")
        print(f"  E[X(39)] {float(m.expected_number_of_purchases_up_to_time(39.0)):.15g}")
        x, tx, T = f["frequency"], f["recency"], f["T"]
        holdout = float(np.sum(m.conditional_expected_number_of_purchases_up_to_time(39.0, x, tx, T)))
        print(f"  holdout predicted {holdout:.10g}, actual {int(f['holdout_purchases'].sum())}")


if __name__ == "__main__":
    step, target = sys.argv[1], sys.argv[2]
    if step == "summary":
        write_summary(target)
    else:
        fit_with_lifetimes(target)
