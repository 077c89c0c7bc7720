#!/usr/bin/env bash
# Build the execution-environment build context of devops_cloud.pipelines, from any cwd:
#   bash scripts/ee.sh [CONTEXT_DIR]          (default: context/ in the checkout; `make ee`)
# It builds the collection tarball from this checkout and runs `ansible-builder create`, which
# writes CONTEXT_DIR/Containerfile and CONTEXT_DIR/_build/ (the tarball, requirements.yml naming it,
# requirements.txt, ansible-builder's scripts). The context is self-contained; build the image with
#   podman build -f context/Containerfile -t registry.example.com/release-ee:1 context
# (or `docker build` with the same arguments). `bash scripts/test.sh ee` tests the context.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ "$#" -le 1 ] || die "usage: bash scripts/ee.sh [CONTEXT_DIR]"
ctx=${1:-$ROOT/context}

ensure_venv
work=$(mktemp -d "${TMPDIR:-/tmp}/devops_cloud-pipelines-ee.XXXXXX")
trap 'rm -rf "$work"' EXIT

definition=$(ee_context "$ctx" "$work")
ctx=$(cd "$ctx" && pwd)
echo
echo "execution-environment definition used:"
cat "$definition"
echo
echo "build context: $ctx"
(cd "$ctx" && find . -type f ! -path './_build/scripts/*' | sort)
echo
echo "build the image (pulls $EE_BASE_IMAGE, installs Python packages from PyPI):"
echo "  podman build -f $ctx/Containerfile -t registry.example.com/release-ee:1 $ctx"
