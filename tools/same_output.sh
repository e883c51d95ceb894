#!/usr/bin/env bash
# Proves that a change did not change what `sot` prints: runs every command on every protocol,
# case file and fixture with two binaries and compares stdout, stderr and exit status byte for byte.
#
#   tools/same_output.sh BASE_REV          # builds BASE_REV (a git revision) and the work tree
#   tools/same_output.sh OLD_BIN NEW_BIN   # compares two built `sot` binaries
#
# Exit status 0 when every output is identical, 1 (with a diff) when one differs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if (($# == 1)); then
  git worktree add --detach -q "$work/base" "$1"
  trap 'git -C "$root" worktree remove --force "$work/base"; rm -rf "$work"' EXIT
  CARGO_TARGET_DIR="$root/target/same_output_base" cargo build -q --release --manifest-path "$work/base/Cargo.toml" --bin sot
  cargo build -q --release --bin sot
  old="$root/target/same_output_base/release/sot"
  new="$root/target/release/sot"
elif (($# == 2)); then
  # Both run under the name `sot`, which `--help` prints.
  mkdir -p "$work/old_bin" "$work/new_bin"
  cp "$1" "$work/old_bin/sot"
  cp "$2" "$work/new_bin/sot"
  old="$work/old_bin/sot"
  new="$work/new_bin/sot"
else
  sed -n '2,8p' "$0" >&2
  exit 2
fi

# Every invocation, one per line: the command's arguments (paths relative to the repository).
invocations() {
  local f
  for d in protocols tests/fixtures/check tests/fixtures/run tests/fixtures/json; do
    echo "check $d"
    echo "check --format json $d"
    echo "check --deny warnings $d"
    echo "test $d"
    echo "test --coverage $d"
  done
  find protocols tests/fixtures -name '*.sot' | sort | while read -r f; do
    echo "check $f"
    echo "check --format json $f"
    for format in text json markdown html; do echo "run --format $format $f"; done
    echo "test $f"
    echo "fmt --check $f"
    echo "doc $f"
    echo "doc --format html $f"
    for format in dot mermaid svg; do echo "graph --format $format $f"; done
    echo "schema $f"
  done
  find tests/fixtures/json -name '*.json' | sort | while read -r f; do
    for p in tests/fixtures/json/*.sot protocols/examples/first_look.sot; do
      [[ -f $p ]] || continue
      echo "run --cases $f $p"
      echo "run --format json --cases $f $p"
    done
  done
  echo "schema protocols/sot/common.sot"
  echo "--help"
}

run_all() {
  local bin="$1" out="$2" n=0 line
  mkdir -p "$out"
  while read -r line; do
    n=$((n + 1))
    # shellcheck disable=SC2086
    (NO_COLOR=1 timeout 60 "$bin" $line >"$out/$n.out" 2>"$out/$n.err" </dev/null; echo "$? $line" >"$out/$n.rc") || true
  done < <(invocations)
  echo "$n"
}

count=$(run_all "$old" "$work/old")
run_all "$new" "$work/new" >/dev/null
if diff -r "$work/old" "$work/new" >"$work/diff"; then
  echo "same output: $count invocations, stdout, stderr and exit status identical"
else
  head -n 200 "$work/diff"
  echo "DIFFERENT: see above ($(grep -c '^diff' "$work/diff") files differ of $((count * 3)))"
  exit 1
fi
