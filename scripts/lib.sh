# shellcheck shell=bash
# Helpers shared by scripts/test.sh and scripts/demo.sh. Source it; do not run it.
#   ROOT  the collection checkout (this file's parent's parent), whatever the caller's cwd
#   VENV  the development venv (default: $ROOT/.venv), PY its python

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PY=$VENV/bin/python
COLLECTION=devops_cloud.pipelines

banner() { printf '\n==== %s ====\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Is the interpreter $1 Python 3.11 (ansible-core 2.19 and every pin support it)?
is_python311() {
    "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null
}

# The interpreter the venv is made from.
base_python() {
    local cand
    for cand in python3.11 python3; do
        if command -v "$cand" >/dev/null 2>&1 && is_python311 "$cand"; then
            echo "$cand"
            return 0
        fi
    done
    die "Python 3.11 is needed (python3.11 or a python3 that is 3.11)"
}

# Create or reuse $VENV and install tests/requirements.txt into it. The install is skipped when a
# stamp named after the requirements' hash is present, so a re-run costs nothing.
ensure_venv() {
    local req=$ROOT/tests/requirements.txt hash stamp log
    if [ ! -x "$PY" ] || ! is_python311 "$PY"; then
        rm -rf "$VENV"
        "$(base_python)" -m venv "$VENV"
    fi
    hash=$(sha256sum "$req" | cut -c1-16)
    stamp=$VENV/.requirements-$hash
    if [ ! -f "$stamp" ]; then
        echo "installing tests/requirements.txt into $VENV ..."
        log=$VENV/pip-install.log
        if ! { "$PY" -m pip install --upgrade pip && "$PY" -m pip install -r "$req"; } >"$log" 2>&1; then
            tail -n 40 "$log" >&2
            die "pip install failed (full log: $log)"
        fi
        rm -f "$VENV"/.requirements-*
        touch "$stamp"
    fi
    export PATH="$VENV/bin:$PATH"
    export VIRTUAL_ENV=$VENV
}

# Build the collection from $ROOT into DIR and print the tarball's path.
build_collection() {
    local out=$1
    ansible-galaxy collection build "$ROOT" --output-path "$out" --force >&2
    ls "$out"/"${COLLECTION/./-}"-*.tar.gz
}

# Install TARBALL into the collections path DIR (no Galaxy server is contacted).
install_collection() {
    ANSIBLE_COLLECTIONS_PATH=$2 ansible-galaxy collection install --offline --force -p "$2" "$1" >&2
}
