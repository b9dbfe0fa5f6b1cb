#!/usr/bin/env bash
# Creates bench/.venv with the Python reference stack (scikit-learn, pandas, and FastAPI
# with uvicorn for the serving peer), once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -x "$here/.venv/bin/python" ] || ! "$here/.venv/bin/python" -c "import sklearn, pandas, fastapi, uvicorn" 2>/dev/null; then
  python3 -m venv "$here/.venv"
  "$here/.venv/bin/pip" install --quiet --upgrade pip
  "$here/.venv/bin/pip" install --quiet "scikit-learn==1.7.0" "pandas==2.2.3" "numpy==2.3.0" \
    "fastapi==0.115.12" "uvicorn==0.34.0"
fi
echo "$here/.venv/bin/python"
