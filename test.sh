#!/usr/bin/env bash
# Runs every test of the project: Rust (unit, integration, doc tests, clippy) and Python (pytest on the
# bindings built with maturin). Works on a fresh machine with Rust and Python 3.9+; the only network it
# needs is crates.io and PyPI. Used as is by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (workspace, all targets, -D warnings)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "PostgreSQL for the store tests (scripts/find-postgres.sh: URL in ACIKKAPI_PG_URL/DATABASE_URL, a server on 127.0.0.1:5432, or a throwaway cluster)"
pg_cluster_file=$(mktemp)
stop_pg() {
  if [ -s "$pg_cluster_file" ]; then scripts/find-postgres.sh --stop "$(cat "$pg_cluster_file")" || true; fi
  rm -f "$pg_cluster_file"
}
trap stop_pg EXIT
if pg_url=$(ACIKKAPI_PG_CLUSTER_FILE="$pg_cluster_file" scripts/find-postgres.sh); then
  export ACIKKAPI_PG_URL="$pg_url"
elif [ "${CI:-}" = true ]; then
  echo "CI=true: the PostgreSQL store tests need a server, and none could be found or started" >&2
  exit 1
else
  echo "!!!!! no PostgreSQL could be found or started: the PostgreSQL store tests will SKIP !!!!!" >&2
fi

step "cargo test (workspace)"
cargo test --workspace --locked

step "release-build checks: journal recovery on a crafted 8 MB file (well under a second), sandbox abuse catalogue (< 50 ms per evaluation; memory is asserted in every build)"
cargo test --release -p acikkapi-core --test journal_linear --locked
cargo test --release -p acikkapi-rules --test abuse --locked -- --test-threads=1

step "cargo doc (workspace, no warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

step "fuzz targets: build, replay corpus and regressions, short smoke run (FUZZ_SECONDS=${FUZZ_SECONDS:-5} each)"
# The fuzz crate is its own workspace (fuzz/). With cargo-fuzz installed the targets are built
# with coverage instrumentation (no sanitizer, stable); without it, plain cargo builds the same
# libFuzzer binaries uninstrumented, which still replays the corpus and runs random inputs.
# New inputs go to a scratch directory (the first corpus directory), never into fuzz/corpus.
if cargo fuzz --version >/dev/null 2>&1; then
  (cd fuzz && CARGO_TARGET_DIR=target cargo fuzz build -s none --dev)
  fuzz_bin="fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/debug"
else
  (cd fuzz && CARGO_TARGET_DIR=target cargo build --locked --bins)
  fuzz_bin="fuzz/target/debug"
fi
fuzz_scratch=$(mktemp -d)
for src in fuzz/fuzz_targets/*.rs; do
  t=$(basename "$src" .rs)
  mkdir -p "$fuzz_scratch/$t"
  dirs=("fuzz/corpus/$t")
  [ -d "fuzz/regressions/$t" ] && dirs+=("fuzz/regressions/$t")
  "$fuzz_bin/$t" -runs=0 "${dirs[@]}" 2>"$fuzz_scratch/$t.log" ||
    { cat "$fuzz_scratch/$t.log"; exit 1; }
  dict=()
  [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
  TMPDIR="$fuzz_scratch" "$fuzz_bin/$t" -max_total_time="${FUZZ_SECONDS:-5}" -timeout=10 "${dict[@]}" \
    -artifact_prefix="$fuzz_scratch/" "$fuzz_scratch/$t" "${dirs[@]}" 2>"$fuzz_scratch/$t.log" ||
    { cat "$fuzz_scratch/$t.log"; echo "fuzz target $t failed; input kept in $fuzz_scratch"; exit 1; }
  printf '%-20s %s\n' "$t" "$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$fuzz_scratch/$t.log" | tail -1)"
done
rm -rf "$fuzz_scratch"

step "Python venv with maturin and pytest"
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "maturin>=1.7,<2" "pytest>=7" "hypothesis>=6" "numpy" "pandas" "matplotlib"

step "Build the Python module (maturin develop --release)"
(cd bindings-python && VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" maturin develop --release --quiet)

step "pytest (bindings-python/tests)"
"$venv/bin/python" -m pytest -q bindings-python/tests
