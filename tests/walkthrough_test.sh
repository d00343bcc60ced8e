#!/usr/bin/env bash
# Runs README.md's walkthrough blocks (the first payment, the audit, then the directorate's back
# office), as a new user would paste them, against a fresh payd on a free port, and checks what
# they print: a SUCCEEDED payment, a PAID fee, an export that verifies, a tampered copy rejected,
# the day's totals; then a fee type with a stamp-duty split, a kiosk's payment, five webhooks
# whose signatures the receiver verified, half refunded after approval, and the books balanced;
# then the day settled: payments through bank-sim and wallet-sim, the window closed, the signed
# report verified, and each treasury account at bank-sim credited with exactly its amount.
# As scripts/run, payd runs with the bank and wallet connectors against the two simulators.
# Usage: walkthrough_test.sh PAYD_BINARY BIN_DIR README
set -euo pipefail
payd="$1"; bin_dir="$2"; readme="$3"

pid=""
bank_pid=""
wallet_pid=""
work=$(mktemp -d)
trap 'kill "$pid" "$bank_pid" "$wallet_pid" 2>/dev/null || true; wait 2>/dev/null || true
  rm -rf "$work"' EXIT
mkdir -p "$work/var"
"$payd" init --data-dir "$work/var/payd" 2>"$work/init.log" || { cat "$work/init.log"; exit 1; }
# As scripts/run: a development CA with certificates for payd, the simulators and the webhook
# receiver; the simulators on ports of their choosing, payd's notification endpoint on a free one.
pki="$work/var/pki"
"$bin_dir/paypki" --dir "$pki" payd wallet-sim bank-sim webhook >/dev/null
notify="127.0.0.1:$((20000 + RANDOM % 20000))"
(umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$work/var/wallet.secret")
# wait_port NAME PID PORT_FILE: the port once the process wrote it.
wait_port() {
  for _ in $(seq 1 200); do
    [ -s "$3" ] && { cat "$3"; return 0; }
    kill -0 "$2" 2>/dev/null || break
    sleep 0.05
  done
  cat "$work/$1.log" >&2
  echo "$1 did not start" >&2
  return 1
}
"$bin_dir/wallet-sim" --listen 127.0.0.1:0 --port-file "$work/wallet.port" \
  --tls-cert "$pki/wallet-sim.pem" --tls-key "$pki/wallet-sim.key" --tls-ca "$pki/ca.pem" \
  --require-client-cert --callback-ca "$pki/ca.pem" --callback-cert "$pki/wallet-sim.pem" \
  --callback-key "$pki/wallet-sim.key" --merchant-id gateway \
  --hmac-secret-file "$work/var/wallet.secret" \
  --merchant-callback-url "https://$notify/connectors/wallet/callback" \
  --seed-wallet "+966500000001:SAR:100000000:Demo Citizen" 2>"$work/wallet-sim.log" &
wallet_pid=$!
wallet_port=$(wait_port wallet-sim "$wallet_pid" "$work/wallet.port")
# The bank's accounts as scripts/run opens them (the treasury accounts empty).
"$bin_dir/bank-sim" --listen 127.0.0.1:0 --port-file "$work/bank.port" \
  --tls-cert "$pki/bank-sim.pem" --tls-key "$pki/bank-sim.key" --tls-ca "$pki/ca.pem" \
  --client-ca "$pki/ca.pem" --client-cert "$pki/bank-sim.pem" --client-key "$pki/bank-sim.key" \
  --notify-url "https://$notify/connectors/bank/pacs.002" \
  --camt054-url "https://$notify/connectors/bank/camt.054" \
  --collection-iban SA0380000000608010167519 \
  --seed-account "SA4420000001234567891234:SAR:100000000:Demo Citizen" \
  --seed-account "SA0380000000608010167519:SAR:100000000:Government Payments Gateway" \
  --seed-account "SA9480000000608010167530:SAR:0:Passports directorate treasury" \
  --seed-account "SA9380000000608010167548:SAR:0:Stamp duty treasury" 2>"$work/bank-sim.log" &
bank_pid=$!
bank_port=$(wait_port bank-sim "$bank_pid" "$work/bank.port")
cat >"$work/var/connectors.toml" <<TOML
[connectors.wallet]
type = "wallet"
url = "https://127.0.0.1:$wallet_port"
tls_ca_file = "$pki/ca.pem"
tls_cert_file = "$pki/payd.pem"
tls_key_file = "$pki/payd.key"
merchant_id = "gateway"
hmac_secret_file = "$work/var/wallet.secret"
callback_url = "https://$notify/connectors/wallet/callback"

[connectors.bank]
type = "iso20022"
url = "https://127.0.0.1:$bank_port"
tls_ca_file = "$pki/ca.pem"
tls_cert_file = "$pki/payd.pem"
tls_key_file = "$pki/payd.key"
bank_common_name = "bank-sim"
collection_iban = "SA0380000000608010167519"
collection_bic = "SIMBSARI"
collection_name = "Government Payments Gateway"
creditor_scheme_id = "SA00ZZZ0000000001"
initiating_party = "Government Payments Gateway"
TOML
"$payd" serve --data-dir "$work/var/payd" --listen 127.0.0.1:0 --checkpoint-interval-seconds 1 \
  --connectors-file "$work/var/connectors.toml" --notify-listen "$notify" \
  --notify-tls-cert "$pki/payd.pem" --notify-tls-key "$pki/payd.key" --notify-tls-ca "$pki/ca.pem" \
  --webhook-ca "$pki/ca.pem" --settlement-connector bank 2>"$work/payd.log" &
pid=$!
address=""
for _ in $(seq 1 200); do
  address=$(sed -n 's/.*listening on \([0-9.]*:[0-9]*\).*/\1/p' "$work/payd.log" | head -n 1)
  [ -n "$address" ] && break
  sleep 0.05
done
[ -n "$address" ] || { cat "$work/payd.log"; echo "payd did not start" >&2; exit 1; }

# The blocks between the walkthrough markers, in order, without the code fences.
for block in first-payment audit directorate settlement; do
  sed -n "/<!-- walkthrough:$block:begin -->/,/<!-- walkthrough:$block:end -->/p" "$readme" |
    grep -v -e '^<!--' -e '^```'
done >"$work/walkthrough.sh"
grep -q "paycli pay" "$work/walkthrough.sh" || { echo "walkthrough block not found" >&2; exit 1; }
grep -q "ledger verify" "$work/walkthrough.sh" || { echo "audit block not found" >&2; exit 1; }
grep -q "webhook listen" "$work/walkthrough.sh" || { echo "directorate block not found" >&2; exit 1; }
grep -q "settlement close" "$work/walkthrough.sh" || { echo "settlement block not found" >&2; exit 1; }
# The bank's port here.
sed -i "s/127\.0\.0\.1:8445/127.0.0.1:$bank_port/g" "$work/walkthrough.sh"
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
# The day settled: both payments through the simulators succeeded, the report's signatures were
# checked, and the bank matched the report for both treasury accounts (the block fails otherwise).
[ "$(grep -c '^SUCCEEDED$' "$work/out.txt")" -eq 2 ] ||
  { echo "the bank and wallet payments did not both succeed" >&2; exit 1; }
grep -q "signatures verified" "$work/out.txt" ||
  { echo "the settlement report's signatures were not verified" >&2; exit 1; }
grep -q "^revenue/passports -> SA9480000000608010167530: report [1-9][0-9]*, bank balance" \
  "$work/out.txt" || { echo "the passports treasury was not compared" >&2; exit 1; }
grep -q "^revenue/passports/stamp-duty -> SA9380000000608010167548: report 1250, bank balance 1250" \
  "$work/out.txt" || { echo "the stamp duty treasury did not get 12.50 SAR" >&2; exit 1; }
# Pasting the payment line again returns the same payment, not a second one.
(cd "$work" && bash -euo pipefail walkthrough.sh) >"$work/again.txt" 2>&1 && {
  echo "a second run should fail at 'agency create' (ALREADY_EXISTS)" >&2; exit 1; }
grep -q "ALREADY_EXISTS" "$work/again.txt" || { cat "$work/again.txt"; exit 1; }
echo "walkthrough OK"
