"""bench/bench_access_log.py runs as documented (tiny scale: a check that it works, not a
measurement), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_access_log_bench(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "access.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "bench_access_log.py"),
            "--db",
            db_url,
            "--cases",
            "3",
            "--repeat",
            "3",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ratio with log / floor" in result.stdout
    (figures,) = json.loads(out.read_text())
    assert figures["chain_ok"] and figures["ratio"] > 0 and figures["repeat"] == 3
