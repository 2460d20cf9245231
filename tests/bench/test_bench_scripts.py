"""The benchmark scripts run, as documented in bench/README.md, at a tiny scale.

Not a measurement (the figures of a tiny run mean nothing): a check that each command still
works against the current core, on SQLite and on PostgreSQL, so the README's commands do not rot.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"


def _run(*args: str, timeout: float = 600) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
def test_numbering_bench_sqlite(tmp_path: Path) -> None:
    out = tmp_path / "numbering.json"
    text = _run(str(BENCH / "bench_numbering.py"), "--workers", "2", "--per-worker", "5",
                "--rounds", "1", "--json", str(out))  # fmt: skip
    assert "SQLite" in text
    (result,) = json.loads(out.read_text())
    assert result["ours_duplicates"] == result["ours_gaps"] == 0
    assert result["floor_duplicates"] == result["floor_gaps"] == 0
    assert result["ratio"] > 0


@pytest.mark.slow
def test_numbering_bench_postgresql(pg_server_url: str, tmp_path: Path) -> None:
    out = tmp_path / "numbering.json"
    _run(str(BENCH / "bench_numbering.py"), "--no-sqlite", "--pg", pg_server_url,
         "--workers", "2", "--per-worker", "5", "--rounds", "1", "--json", str(out))  # fmt: skip
    (result,) = json.loads(out.read_text())
    assert result["backend"] == "PostgreSQL"
    assert result["ours_duplicates"] == result["ours_gaps"] == 0


@pytest.mark.slow
def test_intake_and_queries_benches(db_url: str, tmp_path: Path) -> None:
    """``--cases`` fills the empty database first; the queries bench then reads it."""
    intake = tmp_path / "intake.json"
    text = _run(str(BENCH / "bench_intake.py"), "--db", db_url, "--cases", "60", "--runs", "3",
                "--warmup", "1", "--json", str(intake))  # fmt: skip
    assert "ratio ours/floor" in text
    result = json.loads(intake.read_text())
    assert result["cases_before"] == 60
    assert result["ours_median_ms"] > 0 and result["floor_median_ms"] > 0
    assert result["last_number"].startswith("REG/")
    queries = tmp_path / "queries.json"
    _run(str(BENCH / "bench_queries.py"), "--db", db_url, "--repeat", "1", "--explain",
         "--json", str(queries))  # fmt: skip
    names = [r["query"] for r in json.loads(queries.read_text())["results"]]
    assert any(name.startswith("tasks(") for name in names)
    assert any(name.startswith("search(") for name in names)


def test_run_all_documents_its_options() -> None:
    result = subprocess.run(
        ["bash", str(BENCH / "run_all.sh"), "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "--cases" in result.stdout and "--no-pg" in result.stdout
