#!/usr/bin/env bash
# Smoke run of the built application (after packaging/build.sh), offscreen, no display:
#   perizinan --help, forms check on the bundled permit types, demo --out DIR, backup of the
#   demo database; each output is checked. Exit status 0 only when everything passed.
#   bash packaging/smoke.sh [DIST_DIR]        (default dist/perizinan)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DIST=$(cd "${1:-dist/perizinan}" 2>/dev/null && pwd) || {
    echo "[smoke] no folder ${1:-dist/perizinan} (run packaging/build.sh)" >&2
    exit 1
}
APP="$DIST/perizinan"
[[ -x "$APP" ]] || APP="$DIST/perizinan-cli.exe"
[[ -x "$APP" ]] || { echo "[smoke] no built app in $DIST (run packaging/build.sh)" >&2; exit 1; }

export QT_QPA_PLATFORM=offscreen
WORK=$(mktemp -d "${TMPDIR:-/tmp}/perizinan-smoke.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# The user's own data folder and settings are never touched by a smoke run.
export XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config" PERIZINAN_BACKUP_DIR="$WORK/backups"
unset PERIZINAN_DB_URL PERIZINAN_FORMS_DIR
cd "$WORK"  # nothing may be found through the working directory

failed=0
check() {  # check NAME CONDITION...
    local name=$1; shift
    if "$@"; then echo "[smoke] ok    $name"; else echo "[smoke] FAIL  $name" >&2; failed=1; fi
}
run() {  # run NAME ARGS... : run the app, keep its output in $WORK/NAME.out
    local name=$1; shift
    local t0=$SECONDS status=0
    "$APP" "$@" >"$WORK/$name.out" 2>&1 || status=$?
    echo "[smoke] $name: exit $status, $((SECONDS - t0)) s"
    return $status
}

run help --help && check "--help lists the verbs" grep -q "demo" "$WORK/help.out"
grep -q "backup" "$WORK/help.out" || echo "[smoke] note  'backup' not in --help (backup verb missing)"

run forms forms check && check "forms check: bundled permit types load" \
    grep -q "OK: semua berkas benar" "$WORK/forms.out"
check "forms check: three permit types" grep -q "Jenis izin dimuat (3)" "$WORK/forms.out"

if run demo demo --out "$WORK/demo"; then
    pdfs=$(find "$WORK/demo/dokumen" -name '*.pdf' | wc -l)
    xlsx=$(find "$WORK/demo/buku" -name '*.xlsx' | wc -l)
    echo "[smoke] demo wrote $pdfs PDF, $xlsx XLSX"
    check "demo: PDFs written" test "$pdfs" -ge 10
    check "demo: books written" test "$xlsx" -ge 2
    first=$(find "$WORK/demo/dokumen" -name '*.pdf' | head -n 1)
    check "demo: a real PDF" bash -c "head -c 5 '$first' | grep -q '%PDF-'"
    check "demo: fonts embedded" grep -aq "LiberationSans" "$first"
    check "demo: database migrated" test -s "$WORK/demo/demo.sqlite3"
    if grep -q "backup" "$WORK/help.out"; then
        run backup backup --db "sqlite:///$WORK/demo/demo.sqlite3" --out "$WORK" &&
            check "backup of the demo database verified" grep -q "Cadangan dibuat" "$WORK/backup.out"
    fi
else
    failed=1
    tail -n 20 "$WORK/demo.out" >&2
fi

run bad-db audit verify --db "bukan-url" || true
check "a bad --db is not a crash of the build (no missing module)" \
    bash -c "! grep -q 'ModuleNotFoundError\|No module named' '$WORK/bad-db.out'"

if ((failed)); then
    echo "[smoke] FAILED" >&2
    exit 1
fi
echo "[smoke] all passed"
