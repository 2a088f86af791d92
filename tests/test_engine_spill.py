"""DuckDB spills (loyalty's capped query does on large files) into a folder of the process under
the system's temporary directory, removed when kamtool closes its connections; never into a
``.tmp`` folder of the directory the user ran kamtool from (DuckDB's default)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import os, tempfile
from kamtool.engine.duck import close_connections, connection
con = connection()
folder = con.sql("SELECT current_setting('temp_directory')").fetchall()[0][0]
con.execute("SET memory_limit = '100MB'; SET enable_progress_bar = false")
# a grouping of 8M keys cannot stay within 100 MB: DuckDB spills
con.sql("SELECT count(*) FROM (SELECT range % 8000000 AS k, count(*) FROM range(16000000) GROUP BY 1)")\
   .fetchall()
spilled = os.path.isdir(folder) and bool(os.listdir(folder))
close_connections()
print(os.path.dirname(folder) == tempfile.gettempdir(), spilled, os.path.exists(folder),
      os.path.exists(".tmp"))
"""


def test_spill_files_go_to_a_temporary_folder_that_is_removed(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-c", SCRIPT], cwd=tmp_path, capture_output=True, text=True,
                         check=True)
    assert run.stdout.split() == ["True", "True", "False", "False"]
    assert list(tmp_path.iterdir()) == []
