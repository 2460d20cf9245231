#!/usr/bin/env bash
# Run every benchmark at a chosen scale, on SQLite and on a throwaway PostgreSQL.
#
#   bench/run_all.sh [--cases 200000] [--no-pg] [--quick] [--out DIR]
#
#   --cases N   cases in the generated office databases (default 200000; 2000 for a quick look)
#   --no-pg     SQLite only (no PostgreSQL server is started)
#   --quick     fewer runs and rounds (a smoke run, not figures to quote)
#   --out DIR   where the databases, logs and JSON results go (default /tmp/perizinan-bench-<time>)
#
# PostgreSQL: a cluster of its own (bench/pgcluster.py: loopback only, a random port, default
# durability), started under DIR and stopped and removed at the end, even on failure.
# The other engineers' benchmarks (bench_documents, bench_startup, bench_signing,
# bench_cases_table, bench_books_export, bench_audit) run too when present; a non-zero exit of theirs (an
# error, or a target they report as missed) is reported, does not stop the run, and makes the
# final status 1.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
py="${PYTHON:-$root/.venv/bin/python}"
cases=200000
pg=1
quick=0
out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --cases) cases="$2"; shift 2 ;;
        --no-pg) pg=0; shift ;;
        --quick) quick=1; shift ;;
        --out) out="$2"; shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "run_all.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
out="${out:-${TMPDIR:-/tmp}/perizinan-bench-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

if [ "$quick" = 1 ]; then
    workers=2; per_worker=20; rounds=1; runs=5; warmup=1; repeat=3; others_runs=3
else
    workers=8; per_worker=250; rounds=3; runs=40; warmup=5; repeat=7; others_runs=""
fi

step() { printf '\n=== %s\n' "$*"; }

pgdir="$out/pg"
# shellcheck disable=SC2317  # called by the EXIT trap
stop_pg() {
    if [ "$pg" = 1 ] && [ -d "$pgdir" ]; then
        "$py" "$here/pgcluster.py" stop --dir "$pgdir" || true
    fi
}
trap stop_pg EXIT

sqlite_url="sqlite:///$out/office.sqlite3"
urls=("$sqlite_url")
rm -f "$out/office.sqlite3" "$out/office.sqlite3-wal" "$out/office.sqlite3-shm"

step "generate $cases cases (SQLite)"
"$py" "$here/generate.py" --db "$sqlite_url" --cases "$cases" 2>&1 | tee "$out/generate-sqlite.txt"

pg_server=""
if [ "$pg" = 1 ]; then
    step "PostgreSQL: throwaway cluster in $pgdir"
    pg_server="$("$py" "$here/pgcluster.py" start --dir "$pgdir")"
    pg_url="$("$py" "$here/pgcluster.py" createdb office --dir "$pgdir")"
    urls+=("$pg_url")
    step "generate $cases cases (PostgreSQL)"
    "$py" "$here/generate.py" --db "$pg_url" --cases "$cases" 2>&1 | tee "$out/generate-pg.txt"
fi

step "numbering: $workers processes x $per_worker numbers"
numbering_args=(--workers "$workers" --per-worker "$per_worker" --rounds "$rounds" --json "$out/numbering.json")
if [ -n "$pg_server" ]; then numbering_args+=(--pg "$pg_server"); fi
"$py" "$here/bench_numbering.py" "${numbering_args[@]}" | tee "$out/numbering.txt"

for url in "${urls[@]}"; do
    name="$("$py" -c 'import sys; from sqlalchemy.engine import make_url; print(make_url(sys.argv[1]).get_backend_name())' "$url")"
    step "queries at office scale ($name)"
    "$py" "$here/bench_queries.py" --db "$url" --repeat "$repeat" --explain --json "$out/queries-$name.json" \
        | tee "$out/queries-$name.txt"
    step "statements per intake ($name)"
    "$py" "$here/intake_trace.py" --db "$url" | tee "$out/intake-trace-$name.txt"
    step "intake + resi at office scale ($name)"
    "$py" "$here/bench_intake.py" --db "$url" --runs "$runs" --warmup "$warmup" \
        --json "$out/intake-$name.json" --profile "$out/intake-$name.prof" | tee "$out/intake-$name.txt"
done

others_failed=0
run_other() {  # name, arguments...
    local script="$here/$1"; shift
    [ -f "$script" ] || return 0
    step "$(basename "$script") $*"
    local status=0
    "$py" "$script" "$@" 2>&1 | tee "$out/$(basename "$script" .py).txt" || status=$?
    if [ "$status" != 0 ]; then
        echo "run_all.sh: $(basename "$script") exited with $status (an error, or a target it reports as missed)" >&2
        others_failed=1
    fi
}
runs_arg=()
if [ -n "$others_runs" ]; then runs_arg=(--runs "$others_runs"); fi
run_other bench_documents.py "${runs_arg[@]}"
run_other bench_startup.py "${runs_arg[@]}"
run_other bench_signing.py "${runs_arg[@]}"
run_other bench_cases_table.py --db "$sqlite_url" "${runs_arg[@]}"
audit_args=()
if [ -n "$pg_server" ]; then audit_args=(--pg "$pg_server"); fi
if [ "$quick" = 1 ]; then audit_args+=(--n 50 --rounds 1); fi
run_other bench_audit.py "${audit_args[@]}"
if [ "$quick" = 1 ]; then
    run_other bench_books_export.py --rows 2000 --repeat 1
else
    run_other bench_books_export.py
fi

run_other bench_memory.py --db "$sqlite_url"
run_other bench_access_log.py

step "issue 14: every goal beside its floor (same run; load average $(cut -d' ' -f1-3 /proc/loadavg))"
grep -h -E "^issue 14|^Target|target login|goal <|^statements per intake" "$out"/*.txt || true

step "done: results in $out"
exit "$others_failed"
