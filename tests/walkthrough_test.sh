#!/usr/bin/env bash
# Runs README.md's walkthrough blocks (the first payment, then the audit), as a new user would
# paste them, against a fresh payd on a free port, and checks what they print: a SUCCEEDED
# payment, a PAID fee, an export that verifies, a tampered copy rejected, the day's totals.
# Usage: walkthrough_test.sh PAYD_BINARY BIN_DIR README
set -euo pipefail
payd="$1"; bin_dir="$2"; readme="$3"

pid=""
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/var"
"$payd" init --data-dir "$work/var/payd" 2>"$work/init.log" || { cat "$work/init.log"; exit 1; }
"$payd" serve --data-dir "$work/var/payd" --listen 127.0.0.1:0 --checkpoint-interval-seconds 1 \
  2>"$work/payd.log" &
pid=$!
address=""
for _ in $(seq 1 200); do
  address=$(sed -n 's/.*listening on \([0-9.]*:[0-9]*\).*/\1/p' "$work/payd.log" | head -n 1)
  [ -n "$address" ] && break
  sleep 0.05
done
[ -n "$address" ] || { cat "$work/payd.log"; echo "payd did not start" >&2; exit 1; }

# The blocks between the walkthrough markers, in order, without the code fences.
for block in first-payment audit; do
  sed -n "/<!-- walkthrough:$block:begin -->/,/<!-- walkthrough:$block:end -->/p" "$readme" |
    grep -v -e '^<!--' -e '^```'
done >"$work/walkthrough.sh"
grep -q "paycli pay" "$work/walkthrough.sh" || { echo "walkthrough block not found" >&2; exit 1; }
grep -q "ledger verify" "$work/walkthrough.sh" || { echo "audit block not found" >&2; exit 1; }
# payd checkpoints every second here: the auditor need not wait 11.
sed -i 's/^sleep 11$/sleep 2/' "$work/walkthrough.sh"

# Run it from a directory shaped like the project root: build/bin and var/payd.
mkdir -p "$work/build"
ln -s "$bin_dir" "$work/build/bin"
sed -i "s/127\.0\.0\.1:50051/$address/" "$work/walkthrough.sh"
(cd "$work" && bash -euo pipefail walkthrough.sh) >"$work/out.txt" 2>&1 || {
  cat "$work/out.txt"; echo "the walkthrough failed" >&2; exit 1; }
cat "$work/out.txt"

grep -q "state: SUCCEEDED" "$work/out.txt" || { echo "no SUCCEEDED payment" >&2; exit 1; }
grep -q "PAID" "$work/out.txt" || { echo "the fee is not shown PAID" >&2; exit 1; }
grep -q "tampering detected" "$work/out.txt" || { echo "the tampered copy passed" >&2; exit 1; }
grep -q "verify failed: entry [0-9]" "$work/out.txt" ||
  { echo "the rejection does not name an entry" >&2; exit 1; }
tail -n 12 "$work/out.txt" | grep -q "300.00 SAR" ||
  { echo "the daily report does not show the 300.00 SAR payment" >&2; exit 1; }
# Pasting the payment line again returns the same payment, not a second one.
(cd "$work" && bash -euo pipefail walkthrough.sh) >"$work/again.txt" 2>&1 && {
  echo "a second run should fail at 'agency create' (ALREADY_EXISTS)" >&2; exit 1; }
grep -q "ALREADY_EXISTS" "$work/again.txt" || { cat "$work/again.txt"; exit 1; }
echo "walkthrough OK"
