#!/usr/bin/env bash
# Execute every notebooks/*.ipynb headless with the TypeScript kernel (tslab); any failing cell fails.
#
# Jupyter comes from Debian packages on the system /usr/bin/python3 (the python3 on PATH may be a
# pyenv shim without Jupyter); tslab is a devDependency. Outside CI, when Jupyter is missing and
# apt-get is not usable (not root), this skips with a message; in CI (CI=true) that is an error.
# Executed copies go to a temp folder. AIRLORA_NOTEBOOKS_INPLACE=1 writes the outputs back into notebooks/
# (how the committed notebooks get the outputs they show on GitHub).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=/usr/bin/python3
PKGS="jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel"

have_jupyter() {
  [ -x "$PY" ] && "$PY" -c 'import nbclient, nbconvert, ipykernel, jupyter_client' 2>/dev/null && command -v jupyter >/dev/null
}

if ! have_jupyter; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "notebooks: installing Jupyter from Debian packages ($PKGS)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PKGS >/dev/null
  elif [ "${CI:-}" = "true" ]; then
    echo "notebooks: Jupyter is not installed and apt-get is not usable (not root); CI needs: apt-get install $PKGS" >&2
    exit 1
  else
    echo "notebooks: SKIPPED - Jupyter is not installed and apt-get is not usable here (not root)."
    echo "  To run them: sudo apt-get install $PKGS && bash scripts/run-notebooks.sh"
    exit 0
  fi
fi
have_jupyter || { echo "notebooks: Jupyter still not importable by $PY after install" >&2; exit 1; }

# The notebooks import the package by name (dist/, built by npm install's prepare step): rebuild
# when dist/ is missing or older than a source file (AIRLORA_SKIP_BUILD=1 uses dist/ as it is).
if [ "${AIRLORA_SKIP_BUILD:-}" != 1 ] && { [ ! -f dist/index.js ] || [ -n "$(find src -name '*.ts' -newer dist/index.js -print -quit)" ]; }; then
  echo "notebooks: building dist/ (npm run prepare)"
  node scripts/prepare.mjs
fi

# Register the tslab kernel under ./jupyter (git-ignored), pointing at the system python.
node node_modules/tslab/bin/tslab install --python="$PY" --binary="$ROOT/node_modules/.bin/tslab" --prefix="$ROOT/jupyter" >/dev/null
export JUPYTER_PATH="$ROOT/jupyter/share/jupyter"
export PYDEVD_DISABLE_FILE_VALIDATION=1

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
passed=0; failed=0
for nb in notebooks/*.ipynb; do
  case "$nb" in *.nbconvert.ipynb) continue ;; esac
  start=$(date +%s)
  if jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 \
       --ExecutePreprocessor.kernel_name=tslab --output-dir "$out" "$nb" >"$out/log" 2>&1; then
    passed=$((passed + 1)); echo "notebooks: ok   $nb ($(( $(date +%s) - start )) s)"
    if [ "${AIRLORA_NOTEBOOKS_INPLACE:-}" = 1 ]; then cp "$out/$(basename "$nb")" "$nb"; fi
  else
    failed=$((failed + 1)); echo "notebooks: FAIL $nb"
    # tslab reports errors as the cell's stderr, which nbconvert's exception leaves out: rerun with
    # --allow-errors and print the failing cell's error output.
    jupyter nbconvert --to notebook --execute --allow-errors --ExecutePreprocessor.timeout=600 \
      --ExecutePreprocessor.kernel_name=tslab --output-dir "$out/errors" "$nb" >/dev/null 2>&1 || true
    "$PY" - "$out/errors/$(basename "$nb")" <<'PYEOF' || grep -v -e 'Debugg' -e 'frozen' -e 'PYDEVD' "$out/log" | tail -25
import json, sys
nb = json.load(open(sys.argv[1]))
for i, c in enumerate(nb['cells']):
    for o in c.get('outputs', []):
        if o.get('output_type') == 'error' or o.get('name') == 'stderr':
            print(f'--- cell {i}:'); print(''.join(c['source'])[:400])
            print(''.join(o.get('text', [])) or (o.get('ename', '') + ': ' + o.get('evalue', '')))
PYEOF
  fi
done
echo "notebooks: $passed passed, $failed failed"
[ "$failed" = 0 ]
