#!/usr/bin/env bash
# Install vbgen with its test needs into .venv and run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
.venv/bin/python -m ruff check src tests scripts
.venv/bin/python -m pytest "$@"
