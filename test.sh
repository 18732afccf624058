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

step "cargo test (workspace)"
cargo test --workspace --locked

step "cargo doc (workspace, no warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

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
