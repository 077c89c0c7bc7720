#!/usr/bin/env bash
# The whole test suite of devops_cloud.pipelines, from any cwd, on a fresh machine:
#   bash scripts/test.sh            every stage
#   bash scripts/test.sh STAGE...   only those: sanity units integration build lint ee (venv: set-up only)
# Stages run against a copy of the collection at $TMP/ansible_collections/devops_cloud/pipelines,
# so ansible-test and `ansible_collections.devops_cloud.pipelines...` imports work. PYTEST_ADDOPTS is
# passed through to pytest (e.g. PYTEST_ADDOPTS='-n 2 -k huawei'). Set KEEP_TMP=1 to keep $TMP.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ALL_STAGES=(sanity units integration build lint ee)

# ---------------------------------------------------------------------------------------------
# Set-up

# Copy the collection into $COLL: tracked and untracked-but-not-ignored files from a git checkout,
# otherwise everything except local state.
copy_collection() {
    mkdir -p "$COLL"
    if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        # -c also lists tracked files deleted from the work tree; keep only those that exist.
        (cd "$ROOT" && git ls-files -z -co --exclude-standard |
            while IFS= read -r -d '' f; do
                if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
            done |
            tar -cf - --no-recursion --null -T -) | tar -xf - -C "$COLL"
    else
        tar -C "$ROOT" -cf - --exclude=./.venv --exclude=./.git --exclude=./tests/output \
            --exclude=__pycache__ --exclude=.pytest_cache . | tar -xf - -C "$COLL"
    fi
}

# ansible-test --venv fetches a pip bootstrap script from a host CI cannot reach; the shared tool
# puts a stand-in into its cache. Only needed (and only present) beside a CI/dev checkout.
prepare_ansible_test() {
    local tool=$ROOT/../shared/tools/ansible-test-offline-pip
    if [ -f "$tool" ]; then
        bash "$tool" "$PY"
    fi
}

# Python test files under DIR (pytest's default patterns)?
has_pytest_files() {
    [ -d "$1" ] && [ -n "$(find "$1" -type f \( -name 'test_*.py' -o -name '*_test.py' \) -print -quit)" ]
}

# Run pytest on DIR from the collection copy. Exit code 5 (nothing collected, e.g. all deselected
# by PYTEST_ADDOPTS -k) is reported as a note, not a failure; any other failure fails the stage.
run_pytest() {
    local dir=$1 rc=0
    if ! has_pytest_files "$COLL/$dir"; then
        echo "no test files under $dir yet: skipped"
        return 99
    fi
    (cd "$COLL" && PYTHONPATH="$TMP${PYTHONPATH:+:$PYTHONPATH}" ANSIBLE_COLLECTIONS_PATH="$TMP" \
        "$PY" -m pytest "$dir" -q -p no:cacheprovider) || rc=$?
    if [ "$rc" -eq 5 ]; then
        echo "pytest collected no tests under $dir (exit 5)"
        return 98
    fi
    return "$rc"
}

# ---------------------------------------------------------------------------------------------
# Stages. Each runs in a subshell with set -e; return 99 = skipped, 98 = ran but collected nothing.

stage_sanity() {
    local ignored
    prepare_ansible_test
    cd "$COLL"
    # The collection's own code is fixed, not ignored: no entries in tests/sanity/ignore-*.txt.
    ignored=$(cat tests/sanity/ignore-*.txt 2>/dev/null | grep -v -E '^[[:space:]]*(#|$)' || true)
    if [ -n "$ignored" ]; then
        printf 'tests/sanity/ignore-*.txt must stay empty; fix these instead:\n%s\n' "$ignored" >&2
        return 1
    fi
    ansible-test sanity --venv --python 3.11 --color no
}

stage_units() {
    run_pytest tests/unit
}

stage_integration() {
    run_pytest tests/integration
}

stage_build() {
    local out=$TMP/build installed=$TMP/installed tarball bad m
    mkdir -p "$out" "$installed"
    tarball=$(build_collection "$out")
    echo "built $tarball ($(du -h "$tarball" | cut -f1))"
    bad=$(tar tzf "$tarball" | grep -E '(^|/)(\.venv|tests/output|bench/results|__pycache__|\.git)(/|$)' || true)
    if [ -n "$bad" ]; then
        printf 'the tarball holds files that build_ignore should keep out:\n%s\n' "$bad" >&2
        return 1
    fi
    install_collection "$tarball" "$installed"
    ansible-galaxy collection list "$COLLECTION" -p "$installed"
    # Every module's documentation loads from the installed artifact.
    for m in "$installed"/ansible_collections/devops_cloud/pipelines/plugins/modules/*.py; do
        [ -e "$m" ] || continue
        m=$(basename "$m" .py)
        ANSIBLE_COLLECTIONS_PATH="$installed" ansible-doc -t module "$COLLECTION.$m" >/dev/null
        echo "ansible-doc $COLLECTION.$m: ok"
    done
    # Every filter's documentation (plugins/filter/<filter>.yml) loads too.
    for m in "$installed"/ansible_collections/devops_cloud/pipelines/plugins/filter/*.yml; do
        [ -e "$m" ] || continue
        m=$(basename "$m" .yml)
        ANSIBLE_COLLECTIONS_PATH="$installed" ansible-doc -t filter "$COLLECTION.$m" >/dev/null
        echo "ansible-doc -t filter $COLLECTION.$m: ok"
    done
}

stage_lint() {
    local d targets=()
    for d in roles playbooks; do
        if [ -d "$COLL/$d" ] && [ -n "$(find "$COLL/$d" -type f \( -name '*.yml' -o -name '*.yaml' \) -print -quit)" ]; then
            targets+=("$d")
        fi
    done
    if [ "${#targets[@]}" -eq 0 ]; then
        echo "no YAML under roles/ or playbooks/ yet: skipped"
        return 99
    fi
    cd "$COLL"
    ANSIBLE_COLLECTIONS_PATH="$TMP" ansible-lint --nocolor --profile production "${targets[@]}"
    antsibull-changelog lint
    echo "changelog fragments: valid"
}

stage_ee() {
    local src=$TMP/ee-src ctx=$TMP/ee-context
    if [ ! -f "$COLL/meta/execution-environment.yml" ]; then
        echo "no meta/execution-environment.yml: skipped"
        return 99
    fi
    # The definition names requirements.txt relative to the collection root (as ansible-builder's
    # introspection of an installed collection reads it); `create` resolves it beside the file.
    mkdir -p "$src"
    cp "$COLL/meta/execution-environment.yml" "$COLL/requirements.txt" "$src/"
    ansible-builder create -f "$src/execution-environment.yml" --context "$ctx" --output-filename Containerfile
    [ -s "$ctx/Containerfile" ] || { echo "no Containerfile in $ctx" >&2; return 1; }
    echo "Containerfile: $(wc -l <"$ctx/Containerfile") lines"
    # An EE that installs this collection picks up its Python dependencies.
    ansible-builder introspect "$TMP" | tee "$TMP/introspect.txt"
    grep -q requests "$TMP/introspect.txt" || { echo "introspect did not find requirements.txt" >&2; return 1; }
}

# ---------------------------------------------------------------------------------------------

main() {
    local stages=() s rc start secs failed=0 passed=0 skipped=0 status
    local -a summary=()
    if [ "$#" -eq 0 ]; then
        stages=("${ALL_STAGES[@]}")
    else
        for s in "$@"; do
            case " venv ${ALL_STAGES[*]} " in
                *" $s "*) stages+=("$s") ;;
                *) die "unknown stage '$s' (stages: ${ALL_STAGES[*]}, venv)" ;;
            esac
        done
    fi

    banner "venv ($VENV)"
    start=$SECONDS
    ensure_venv
    echo "$("$PY" --version), $(ansible --version | sed -n 1p), ready in $((SECONDS - start))s"
    [ "${stages[*]}" != venv ] || return 0

    TMP=$(mktemp -d "${TMPDIR:-/tmp}/devops_cloud-pipelines-test.XXXXXX")
    COLL=$TMP/ansible_collections/devops_cloud/pipelines
    if [ -n "${KEEP_TMP:-}" ]; then
        echo "keeping $TMP"
    else
        trap 'rm -rf "$TMP"' EXIT
    fi
    copy_collection
    echo "collection copied to $COLL ($(find "$COLL" -type f | wc -l) files)"

    for s in "${stages[@]}"; do
        [ "$s" != venv ] || continue
        banner "$s"
        start=$SECONDS
        set +e
        (set -e; "stage_$s")
        rc=$?
        set -e
        secs=$((SECONDS - start))
        case $rc in
            0) status=PASSED; passed=$((passed + 1)) ;;
            99) status=SKIPPED; skipped=$((skipped + 1)) ;;
            98) status="SKIPPED (no tests collected)"; skipped=$((skipped + 1)) ;;
            *) status="FAILED (exit $rc)"; failed=$((failed + 1)) ;;
        esac
        summary+=("$(printf '%-12s %-30s %5ss' "$s" "$status" "$secs")")
    done

    banner summary
    printf '%s\n' "${summary[@]}"
    printf 'stages: %d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
    [ "$failed" -eq 0 ]
}

main "$@"
