#!/usr/bin/env bash
# Build the one-folder application: dist/perizinan/ (work files in build/; both git-ignored).
#   bash packaging/build.sh            then   bash packaging/smoke.sh
# Installs PyInstaller into .venv when it is missing (it is a build tool, not a dependency).
# PYTHON overrides the interpreter (default .venv/bin/python, or .venv\Scripts\python.exe).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python; else PYTHON=.venv/Scripts/python.exe; fi
fi
log() { printf '[build] %s\n' "$*"; }

if ! "$PYTHON" -m PyInstaller --version >/dev/null 2>&1; then
    log "installing PyInstaller into the virtual environment"
    "$PYTHON" -m pip install --quiet "pyinstaller>=6.6"
fi
log "PyInstaller $("$PYTHON" -m PyInstaller --version)"

started=$SECONDS
export PERIZINAN_ICON_DIR=build/icon
"$PYTHON" packaging/make_icon.py "$PERIZINAN_ICON_DIR" >/dev/null
QT_QPA_PLATFORM=offscreen "$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/perizinan.spec

# Linux desktop integration files travel with the folder (see packaging/README.md).
cp packaging/perizinan.desktop "$PERIZINAN_ICON_DIR/perizinan.png" dist/perizinan/

size=$(du -sh dist/perizinan | cut -f1)
files=$(find dist/perizinan -type f | wc -l)
log "dist/perizinan: $size in $files files, built in $((SECONDS - started)) s"
