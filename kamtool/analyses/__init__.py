"""The analyses: pure functions from frames to a kamtool.result.Result (no printing, no I/O)."""
