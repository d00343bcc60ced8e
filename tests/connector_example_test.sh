#!/usr/bin/env bash
# The bank integrator's path from docs/connectors.md, as a new user takes it: install the
# connector SDK, build connectors/example OUT OF TREE against the installation only, run the
# conformance kit on it against a real wallet-sim, then load it into payd as a plugin and take a
# payment through it with paycli.
#
# Usage: connector_example_test.sh BUILD_DIR SOURCE_DIR BIN_DIR
set -euo pipefail
BUILD_DIR=$1
SOURCE_DIR=$2
BIN_DIR=$3
export PATH="$BIN_DIR:$PATH"
CMAKE=${CMAKE:-cmake}

work=$(mktemp -d "${TMPDIR:-/tmp}/connector_example.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${keep_work:-0}" = 1 ]; then echo "work dir kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for log in "$work"/*.log; do [ -f "$log" ] && { echo "--- $log" >&2; tail -n 30 "$log" >&2; }; done
  exit 1
}
wait_for_file() {  # FILE SECONDS
  for _ in $(seq 1 $(( $2 * 10 ))); do [ -s "$1" ] && return 0; sleep 0.1; done
  return 1
}

echo "== 1. "$CMAKE" --install the SDK"
"$CMAKE" --install "$BUILD_DIR" --prefix "$work/sdk" >"$work/install.log" || fail "install"
[ -f "$work/sdk/lib/cmake/pay/payConfig.cmake" ] || fail "no payConfig.cmake installed"

echo "== 2. build connectors/example out of tree with find_package(pay)"
"$CMAKE" -S "$SOURCE_DIR/connectors/example" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/sdk" >"$work/configure.log" 2>&1 || fail "configure"
"$CMAKE" --build "$work/build" -j 2 >"$work/build.log" 2>&1 || fail "build"
plugin="$work/build/libpay_example_connector.so"
[ -f "$plugin" ] || fail "no plugin built"

echo "== 3. a wallet-sim for it to talk to"
echo "example-shared-secret" >"$work/wallet.secret"
wallet-sim --listen 127.0.0.1:0 --port-file "$work/wallet.port" --merchant-id gateway \
  --hmac-secret-file "$work/wallet.secret" --hold-ms 3000 --callback-give-up-ms 2000 \
  >"$work/wallet-sim.log" 2>&1 &
pids+=($!)
wait_for_file "$work/wallet.port" 10 || fail "wallet-sim did not start"
wallet_url="http://127.0.0.1:$(tr -d '[:space:]' <"$work/wallet.port")"

echo "== 4. the conformance kit on the example connector"
EXAMPLE_WALLET_URL="$wallet_url" EXAMPLE_WALLET_SECRET_FILE="$work/wallet.secret" \
  EXAMPLE_MERCHANT_ID=gateway "$work/build/example_conformance_test" >"$work/conformance.log" 2>&1 ||
  fail "conformance"
grep -E "PASSED|SKIPPED" "$work/conformance.log"
passed=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$work/conformance.log")
[ "${passed:-0}" -ge 4 ] || fail "expected at least 4 conformance tests to pass, got ${passed:-0}"

echo "== 5. payd loads the plugin; a payment goes through it"
payd init --data-dir "$work/payd" >"$work/init.log" 2>&1 || fail "payd init"
cat >"$work/connectors.toml" <<TOML
[connectors.example-wallet]
type = "example"
url = "$wallet_url"
merchant_id = "gateway"
hmac_secret_file = "$work/wallet.secret"
callback_url = "http://127.0.0.1:9/unused"
poll_interval_ms = 200
TOML
payd serve --data-dir "$work/payd" --listen 127.0.0.1:0 --connector-plugin "$plugin" \
  --connectors-file "$work/connectors.toml" >"$work/payd.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q "payd listening on" "$work/payd.log" && break; sleep 0.1; done
grep -q "loaded connector plugin" "$work/payd.log" || fail "plugin not loaded"
export PAY_SERVER
PAY_SERVER=$(sed -n 's/.*payd listening on \([0-9.]*:[0-9]*\).*/\1/p' "$work/payd.log" | head -1)
[ -n "$PAY_SERVER" ] || fail "payd did not start"

PAY_API_KEY_FILE="$work/payd/admin.key" paycli agency create --id passports \
  --name-en "Passports" >/dev/null
AGENCY_KEY=$(PAY_API_KEY_FILE="$work/payd/admin.key" paycli credential create --role agency \
  --agency passports --field api_key)
export PAY_API_KEY="$AGENCY_KEY"
BILL=$(paycli fee create --amount "150.00 SAR" --description-en "Passport renewal" \
  --field bill_number)
# The citizen's wallet at the simulator, funded.
wallet_control() {  # PATH JSON
  exec 3<>"/dev/tcp/127.0.0.1/${wallet_url##*:}"
  printf 'POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$1" "${#2}" "$2" >&3
  cat <&3
  exec 3>&-
}
wallet_control /sim/wallets \
  '{"msisdn":"+966501112233","name":"Citizen","currency":"SAR","balance_minor_units":100000}' \
  | grep -q "200 OK" || fail "could not fund the wallet"
PAYMENT=$(paycli pay --bill "$BILL" --method mobile-wallet --payer-account +966501112233 \
  --idempotency-key example-1 --field payment_id)
state=""
for _ in $(seq 1 100); do
  state=$(paycli payment get "$PAYMENT" --field state)
  [ "$state" = SUCCEEDED ] && break
  sleep 0.1
done
[ "$state" = SUCCEEDED ] || fail "payment $PAYMENT is $state, expected SUCCEEDED"
[ "$(paycli payment get "$PAYMENT" --field connector)" = example-wallet ] || fail "wrong connector"
[ "$(paycli bill inquire "$BILL" --field state)" = PAID ] || fail "fee not PAID"
PAY_API_KEY_FILE="$work/payd/admin.key" PAY_API_KEY= paycli connector list >"$work/list.txt" ||
  fail "connector list"
grep -q "^example-wallet  CLOSED" "$work/list.txt" || fail "connector list: $(cat "$work/list.txt")"
echo "payment $PAYMENT SUCCEEDED through the out-of-tree example connector"
echo "PASS"
