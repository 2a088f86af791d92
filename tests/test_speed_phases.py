"""KAMTOOL_PHASES=1: where a run's time goes, on stderr, without changing what stdout says."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
ORDERS = str(REPO / "sample_data" / "orders.csv")


def test_phases_on_stderr_in_order_and_stdout_unchanged(kamtool_process: Callable[..., Any],
                                                        tmp_path: Path) -> None:
    args = ["loyalty", ORDERS, "--format", "json"]
    plain = kamtool_process(args, cwd=tmp_path)
    timed = kamtool_process([*args, "-o", str(tmp_path / "out.csv")], cwd=tmp_path,
                            env={"KAMTOOL_PHASES": "1"})
    assert plain.returncode == timed.returncode == 0
    assert timed.stdout == plain.stdout
    assert b"phase" not in plain.stderr
    phases = re.findall(r"^phase (.+): (\d+\.\d{3}) s$", timed.stderr.decode(), flags=re.MULTILINE)
    assert [name for name, _ in phases] == ["start-up and imports", "load (query)", "analysis",
                                            "writing -o", "rendering"]
    assert all(float(seconds) >= 0 for _, seconds in phases)
