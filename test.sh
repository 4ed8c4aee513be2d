#!/usr/bin/env bash
# Runs the whole test suite (SQLite always; PostgreSQL too when OTOP_TEST_DATABASE_URL is set).
set -euo pipefail
cd "$(dirname "$0")"
scripts/ensure-venv.sh
exec .venv/bin/python -m pytest "$@"
