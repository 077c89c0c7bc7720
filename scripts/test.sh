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

# The RUN commands of stage NAME of Containerfile FILE (from "FROM ... AS NAME" to the next FROM).
containerfile_runs() {
    awk -v stage="$2" '/^FROM / { inside = ($NF == stage); next } inside && /^RUN / { sub(/^RUN /, ""); print }' "$1"
}

# The execution environment: meta/execution-environment.yml is valid collection metadata, and the
# context scripts/ee.sh writes installs the collection and its Python requirements. No container
# runtime is needed: the Containerfile's galaxy and pip steps run here, against the tarball in the
# context, with /usr/share/ansible and /output/scripts of the image mapped into $TMP.
stage_ee() {
    local ctx=$TMP/ee-context work=$TMP/ee-work run=$TMP/ee-run share name version cmd m n=0
    share=$run/usr/share/ansible
    # ansible-builder accepts the schema; the requirement files resolve from the collection root,
    # where introspection of an installed collection looks for them.
    "$PY" - "$COLL" <<'PY'
import os, sys, yaml
from ansible_builder.ee_schema import validate_schema
root = sys.argv[1]
path = os.path.join(root, "meta", "execution-environment.yml")
with open(path) as f:
    data = yaml.safe_load(f)
validate_schema(data)
for kind, req in data.get("dependencies", {}).items():
    if not os.path.isfile(os.path.join(root, req)):
        sys.exit(f"meta/execution-environment.yml: {kind} file {req} is not in the collection root")
print(f"meta/execution-environment.yml: schema version {data['version']} valid, dependencies {data['dependencies']}")
PY

    # The context: base image, the tarball and the requirement files the galaxy and pip steps read.
    ee_context "$ctx" "$work" >/dev/null
    name=$(basename "$(ls "$work"/*.tar.gz)")
    version=$("$PY" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$ROOT/galaxy.yml")
    grep -qxF "ARG EE_BASE_IMAGE=\"$EE_BASE_IMAGE\"" "$ctx/Containerfile" || { echo "base image is not $EE_BASE_IMAGE" >&2; return 1; }
    cmp "$work/$name" "$ctx/_build/collections/$name"
    cmp "$ROOT/requirements.txt" "$ctx/_build/requirements.txt"
    "$PY" - "$ctx/_build/requirements.yml" "collections/$name" <<'PY'
import sys, yaml
with open(sys.argv[1]) as f:
    reqs = yaml.safe_load(f)
want = [{"name": sys.argv[2], "type": "file"}]
if reqs != {"collections": want}:
    sys.exit(f"_build/requirements.yml is {reqs}, expected collections {want}")
PY
    echo "context: Containerfile ($(wc -l <"$ctx/Containerfile") lines), _build/collections/$name, requirements.yml, requirements.txt"

    # Galaxy stage: COPY _build /build, WORKDIR /build, then its RUN commands. Nothing may reach
    # a Galaxy server (it points at a closed port); the collections path stands for the image's
    # default one.
    grep -qxF 'COPY _build /build' "$ctx/Containerfile"
    mkdir -p "$run"
    cp -a "$ctx/_build" "$run/build"
    while IFS= read -r cmd; do
        cmd=${cmd//\/usr\/share\/ansible/$share}
        cmd=${cmd//\/output\/scripts/$ctx/_build/scripts}
        echo "galaxy step: $cmd"
        (cd "$run/build" && ANSIBLE_GALAXY_SERVER=http://127.0.0.1:9/ ANSIBLE_COLLECTIONS_PATH="$share/collections" \
            ANSIBLE_GALAXY_CLI_COLLECTION_OPTS='' ANSIBLE_GALAXY_CLI_ROLE_OPTS='' bash -ec "$cmd")
        case $cmd in *"ansible-galaxy collection install"*) n=$((n + 1)) ;; esac
    done < <(containerfile_runs "$ctx/Containerfile" galaxy)
    [ "$n" -eq 1 ] || { echo "expected one 'ansible-galaxy collection install' in the galaxy stage, found $n" >&2; return 1; }
    ansible-galaxy collection list "$COLLECTION" -p "$share/collections" | tee "$run/list.txt"
    awk -v c="$COLLECTION" -v v="$version" '$1 == c && $2 == v { found = 1 } END { exit !found }' "$run/list.txt" || {
        echo "$COLLECTION $version is not installed" >&2; return 1; }
    for m in "$share"/collections/ansible_collections/devops_cloud/pipelines/plugins/modules/*.py; do
        [ -e "$m" ] || continue
        m=$COLLECTION.$(basename "$m" .py)
        ANSIBLE_COLLECTIONS_PATH="$share/collections" ansible-doc -t module "$m" >"$run/doc.txt"
        grep -qF "$m" "$run/doc.txt" || { echo "ansible-doc did not render $m" >&2; return 1; }
        echo "ansible-doc $m (installed by the galaxy step): ok"
    done

    # Builder stage: introspection of the installed collection finds its requirements.txt.
    ansible-builder introspect "$share/collections" | tee "$run/introspect.txt"
    grep -q "requests.*from collection $COLLECTION" "$run/introspect.txt" || {
        echo "introspect did not find the collection's requirements.txt" >&2; return 1; }
    # Its pip step: the introspect command of the Containerfile (user requirements + the installed
    # collections' ones) writes the requirements the image pip-installs; resolve them on PyPI.
    cmd=$(containerfile_runs "$ctx/Containerfile" builder | grep -F 'introspect.py introspect') || {
        echo "no introspect step in the builder stage" >&2; return 1; }
    cmd=${cmd//\/output\/scripts/$ctx/_build/scripts}
    cmd="${cmd//\/tmp\/src/$run/src} $share/collections"
    echo "pip step: $cmd"
    mkdir -p "$run/builder"
    cp "$ctx/_build/requirements.txt" "$run/builder/requirements.txt"
    (cd "$run/builder" && PYCMD=$PY bash -ec "$cmd" >/dev/null)
    "$PY" -m pip install --dry-run --ignore-installed --quiet --report "$run/pip.json" -r "$run/src/requirements.txt"
    "$PY" - "$run/pip.json" "$ROOT/requirements.txt" <<'PY'
import json, re, sys
with open(sys.argv[1]) as f:
    install = {i["metadata"]["name"].lower(): i["metadata"]["version"] for i in json.load(f)["install"]}
with open(sys.argv[2]) as f:
    wanted = [re.split(r"[<>=!~;\[ ]", line.strip(), maxsplit=1)[0].lower()
              for line in f if line.strip() and not line.startswith("#")]
missing = [w for w in wanted if w not in install]
if missing:
    sys.exit(f"pip would not install {missing}")
print("pip step resolves:", ", ".join(f"{k}=={v}" for k, v in sorted(install.items())))
PY
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
