"""``bench/bench_audit.py`` runs and reports a ratio (figures themselves go in bench/README)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_audit.py"


def test_bench_audit_reports_append_beside_a_plain_insert(tmp_path: Path) -> None:
    out = tmp_path / "audit.json"
    result = subprocess.run(
        [sys.executable, str(BENCH), "--n", "10", "--rounds", "1", "--json", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "append (ms)" in result.stdout and "plain insert (ms)" in result.stdout
    figures = json.loads(out.read_text(encoding="utf-8"))
    [sqlite] = figures["results"]
    assert sqlite["backend"] == "sqlite" and sqlite["ratio"] > 0 and figures["hashing_us"] > 0
