#!/usr/bin/env bash
# The whole suite, as CI runs it. pytest exits 5 when it collects nothing:
# that is a failure here, never a pass.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure_services.sh || true
.venv/bin/pytest -q -p no:cacheprovider tests "$@"
rc=$?
if [ "$rc" -eq 5 ]; then echo "no tests were collected: failing" >&2; exit 1; fi
exit "$rc"
