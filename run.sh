#!/usr/bin/env bash
# Starts the portal at http://localhost:8501 on the embedded SQLite database (created and filled on first start).
set -euo pipefail
cd "$(dirname "$0")"
scripts/ensure-venv.sh
.venv/bin/python -m otop db upgrade
.venv/bin/python -m otop demo --if-empty
exec .venv/bin/python -m streamlit run app.py --server.port "${OTOP_PORT:-8501}" --server.headless true "$@"
