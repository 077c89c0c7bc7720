#!/usr/bin/env bash
# The demo: the sample release workflow (playbooks/demo.yml) run against the local emulator of the
# Huawei Cloud and Alibaba Cloud APIs. No cloud account is needed.
#   bash scripts/demo.sh [extra ansible-playbook args...]
set -euo pipefail

# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

START_TIMEOUT=${EMULATOR_START_TIMEOUT:-30}

if [ ! -f "$ROOT/tests/emulator/__main__.py" ]; then
    echo "The emulator (tests/emulator/__main__.py) is not in this checkout yet: nothing to run the demo against." >&2
    exit 1
fi
if [ ! -f "$ROOT/playbooks/demo.yml" ]; then
    echo "The demo playbook (playbooks/demo.yml) is not in this checkout yet." >&2
    exit 1
fi

banner "venv ($VENV)"
ensure_venv

TMP=$(mktemp -d "${TMPDIR:-/tmp}/devops_cloud-pipelines-demo.XXXXXX")
EMU_PID=
cleanup() {
    if [ -n "$EMU_PID" ] && kill -0 "$EMU_PID" 2>/dev/null; then
        kill "$EMU_PID" 2>/dev/null || true
        wait "$EMU_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

banner "build and install $COLLECTION"
install_collection "$(build_collection "$TMP/build")" "$TMP/collections"

banner "start the emulator"
(cd "$ROOT" && PYTHONUNBUFFERED=1 exec "$PY" -m tests.emulator --port 0 --time-scale 0.5) >"$TMP/emulator.log" 2>&1 &
EMU_PID=$!
EMULATOR_URL=
for _ in $(seq $((START_TIMEOUT * 10))); do
    EMULATOR_URL=$(sed -n 's/^EMULATOR_URL=//p' "$TMP/emulator.log" | head -n 1)
    [ -z "$EMULATOR_URL" ] || break
    kill -0 "$EMU_PID" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$EMULATOR_URL" ]; then
    cat "$TMP/emulator.log" >&2
    die "the emulator printed no EMULATOR_URL= line within ${START_TIMEOUT}s"
fi
export EMULATOR_URL
echo "emulator at $EMULATOR_URL (pid $EMU_PID)"

banner "ansible-playbook playbooks/demo.yml"
cd "$ROOT"
ANSIBLE_COLLECTIONS_PATH="$TMP/collections" ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
    ansible-playbook playbooks/demo.yml -e "emulator_url=$EMULATOR_URL" "$@"
