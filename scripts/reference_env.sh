#!/usr/bin/env bash
# The pinned neural-tangents reference environment (.venv-reference) and what runs in it.
#
#   bash scripts/reference_env.sh create   # build .venv-reference if missing or broken
#   bash scripts/reference_env.sh test     # create if needed, then run tests/reference (fails loudly)
#   bash scripts/reference_env.sh python ARGS...   # run the reference interpreter (used by benchmarks)
#
# Why a second environment: neural-tangents 0.6.5 (the last release) does not import on
# JAX >= 0.6, which the library needs. It also declares tensorflow and tf2jax as hard
# dependencies, used only by its `experimental` TF bridge; we install every package from
# requirements-reference.txt with --no-deps (all transitive pins listed there) and stub
# that subpackage at import time (tests/reference/nt_import.py). Nothing here ever
# touches .venv. Our kernels cross the boundary as an .npz written by the main env
# (tests/reference/make_fixtures.py), so our code never has to run on old JAX.
#
# Environment variables: NTK_REFERENCE_ENV (default <repo>/.venv-reference),
# NTK_REFERENCE_PYTHON (interpreter to build it with; default python3.11),
# NTK_MAIN_PYTHON (main env interpreter; default <repo>/.venv/bin/python).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENV_DIR="${NTK_REFERENCE_ENV:-$ROOT/.venv-reference}"
BASE_PY="${NTK_REFERENCE_PYTHON:-python3.11}"
MAIN_PY="${NTK_MAIN_PYTHON:-$ROOT/.venv/bin/python}"
REQ="$ROOT/requirements-reference.txt"

die() { echo "reference_env.sh: ERROR: $*" >&2; exit 1; }

env_ok() {
  [ -x "$ENV_DIR/bin/python" ] || return 1
  # the stamp records the requirements it was built from; rebuild when they change
  cmp -s "$REQ" "$ENV_DIR/.requirements-reference.txt" || return 1
  (cd "$ROOT/tests/reference" && "$ENV_DIR/bin/python" -c \
    "from nt_import import import_neural_tangents as f; nt = f(); import jax, sys; \
assert nt.__version__ == '0.6.5' and jax.__version__ == '0.4.25', (nt.__version__, jax.__version__); \
assert 'tensorflow' not in sys.modules") >/dev/null 2>&1
}

create() {
  if env_ok; then
    echo "reference_env.sh: $ENV_DIR is ready"
    return 0
  fi
  command -v "$BASE_PY" >/dev/null 2>&1 || die "$BASE_PY not found (set NTK_REFERENCE_PYTHON to a Python 3.11 interpreter)"
  local ver
  ver="$("$BASE_PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  [ "$ver" = "3.11" ] || die "$BASE_PY is Python $ver; the pins need Python 3.11"
  echo "reference_env.sh: building $ENV_DIR with $BASE_PY (Python $ver)"
  rm -rf "$ENV_DIR"
  "$BASE_PY" -m venv "$ENV_DIR" || die "could not create the venv $ENV_DIR"
  "$ENV_DIR/bin/python" -m pip install --quiet --no-deps -r "$REQ" || die "pip could not install $REQ"
  cp "$REQ" "$ENV_DIR/.requirements-reference.txt"
  env_ok || die "neural_tangents 0.6.5 does not import in $ENV_DIR (see requirements-reference.txt)"
  echo "reference_env.sh: $ENV_DIR ready"
}

run_tests() {
  create
  [ -x "$MAIN_PY" ] || die "main environment interpreter $MAIN_PY not found"
  TMP_FIXTURES="$(mktemp -d)"
  trap 'rm -rf "${TMP_FIXTURES:-}"' EXIT
  echo "reference_env.sh: writing our kernels with the main env ($MAIN_PY)"
  "$MAIN_PY" "$ROOT/tests/reference/make_fixtures.py" "$TMP_FIXTURES/ours.npz" || die "make_fixtures.py failed"
  echo "reference_env.sh: comparing with neural-tangents in $ENV_DIR"
  # --confcutdir keeps tests/conftest.py (main-env fixtures) out of this interpreter;
  # pytest exits non-zero (5) if nothing was collected, so an empty run cannot pass.
  (cd "$ROOT" && NTK_REFERENCE_FIXTURES="$TMP_FIXTURES/ours.npz" "$ENV_DIR/bin/python" -m pytest \
     tests/reference -m reference --confcutdir=tests/reference -p no:cacheprovider \
     -W ignore::DeprecationWarning -q "$@") || die "reference tests failed"
}

cmd="${1:-test}"
shift || true
case "$cmd" in
  create) create ;;
  test) run_tests "$@" ;;
  python) create >&2; exec "$ENV_DIR/bin/python" "$@" ;;
  *) die "unknown command '$cmd' (use create, test or python)" ;;
esac
