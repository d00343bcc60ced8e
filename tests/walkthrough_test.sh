#!/usr/bin/env bash
# Runs README.md's walkthrough blocks (the first payment, the audit, then the directorate's back
# office), as a new user would paste them, against a fresh payd on a free port, and checks what
# they print: a SUCCEEDED payment, a PAID fee, an export that verifies, a tampered copy rejected,
# the day's totals; then a fee type with a stamp-duty split, a kiosk's payment, five webhooks
# whose signatures the receiver verified, half refunded after approval, and the books balanced.
# Usage: walkthrough_test.sh PAYD_BINARY BIN_DIR README
set -euo pipefail
payd="$1"; bin_dir="$2"; readme="$3"

pid=""
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/var"
"$payd" init --data-dir "$work/var/payd" 2>"$work/init.log" || { cat "$work/init.log"; exit 1; }
# As scripts/run: a development CA whose webhook certificate the receiver serves, trusted by payd.
"$bin_dir/paypki" --dir "$work/var/pki" webhook >/dev/null
"$payd" serve --data-dir "$work/var/payd" --listen 127.0.0.1:0 --checkpoint-interval-seconds 1 \
  --webhook-ca "$work/var/pki/ca.pem" 2>"$work/payd.log" &
pid=$!
address=""
for _ in $(seq 1 200); do
  address=$(sed -n 's/.*listening on \([0-9.]*:[0-9]*\).*/\1/p' "$work/payd.log" | head -n 1)
  [ -n "$address" ] && break
  sleep 0.05
done
[ -n "$address" ] || { cat "$work/payd.log"; echo "payd did not start" >&2; exit 1; }

# The blocks between the walkthrough markers, in order, without the code fences.
for block in first-payment audit directorate; do
  sed -n "/<!-- walkthrough:$block:begin -->/,/<!-- walkthrough:$block:end -->/p" "$readme" |
    grep -v -e '^<!--' -e '^```'
done >"$work/walkthrough.sh"
grep -q "paycli pay" "$work/walkthrough.sh" || { echo "walkthrough block not found" >&2; exit 1; }
grep -q "ledger verify" "$work/walkthrough.sh" || { echo "audit block not found" >&2; exit 1; }
grep -q "webhook listen" "$work/walkthrough.sh" || { echo "directorate block not found" >&2; exit 1; }
# The receiver's port, like payd's, must be free here: pick one.
hook_port=$((20000 + RANDOM % 20000))
sed -i "s/127\.0\.0\.1:8446/127.0.0.1:$hook_port/g" "$work/walkthrough.sh"
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
grep -q "300.00 SAR" "$work/out.txt" ||
  { echo "the daily report does not show the 300.00 SAR payment" >&2; exit 1; }
# The directorate's block: five verified webhooks, the refund approved and paid, the split.
[ "$(grep -c '"sequence"' "$work/var/webhook-events.jsonl")" -eq 5 ] ||
  { cat "$work/var/webhook-events.jsonl"; echo "expected 5 verified webhook events" >&2; exit 1; }
grep -q '"to_state":"PAID"' "$work/var/webhook-events.jsonl" ||
  { echo "no webhook saying the fee is PAID" >&2; exit 1; }
grep -q "state: PARTIALLY_REFUNDED" "$work/out.txt" ||
  { echo "the payment is not PARTIALLY_REFUNDED" >&2; exit 1; }
grep -q "revenue/passports/stamp-duty" "$work/out.txt" ||
  { echo "the stamp duty account is not in the replayed balances" >&2; exit 1; }
# Pasting the payment line again returns the same payment, not a second one.
(cd "$work" && bash -euo pipefail walkthrough.sh) >"$work/again.txt" 2>&1 && {
  echo "a second run should fail at 'agency create' (ALREADY_EXISTS)" >&2; exit 1; }
grep -q "ALREADY_EXISTS" "$work/again.txt" || { cat "$work/again.txt"; exit 1; }
echo "walkthrough OK"
