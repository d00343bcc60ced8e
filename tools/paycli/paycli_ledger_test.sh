#!/usr/bin/env bash
# paycli's auditor commands against the real payd: `ledger export` (offline while payd runs and
# after it stopped, and over gRPC with an AUDITOR key; JSON Lines and CSV; whole and one agency),
# `ledger verify` of every export, tampered exports that must fail naming the right entry, and
# `report daily` totals.
# Usage: paycli_ledger_test.sh PAYD_BINARY PAYCLI_BINARY
set -euo pipefail
payd="$1"; paycli="$2"

pid=""
work=$(mktemp -d)
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
      rm -rf "$work"' EXIT
data="$work/data"
fail() { echo "FAIL: $*" >&2; exit 1; }

start_payd() {
  "$payd" serve --data-dir "$data" --listen 127.0.0.1:0 >>"$work/payd.log" 2>&1 &
  pid=$!
  address=""
  for _ in $(seq 1 200); do
    address=$(sed -n 's/.*listening on \([0-9.]*:[0-9]*\).*/\1/p' "$work/payd.log" | tail -n 1)
    [ -n "$address" ] && kill -0 "$pid" 2>/dev/null && break
    sleep 0.05
  done
  [ -n "$address" ] || { cat "$work/payd.log"; fail "payd did not start"; }
}

# SIGTERM: payd finishes and appends a signed checkpoint.
stop_payd() {
  kill -TERM "$pid"
  wait "$pid" || fail "payd exited with status $?"
  pid=""
  : >"$work/payd.log"  # the next start's "listening on" line is the only one
}

admin() { "$paycli" --server "$address" --api-key-file "$data/admin.key" "$@"; }
as_key() { local key="$1"; shift; "$paycli" --server "$address" --api-key-file "$key" "$@"; }

# pay_fee KEY AMOUNT IDEMPOTENCY_KEY: a new fee of the key's agency, paid through the sandbox.
pay_fee() {
  local bill state
  bill=$(as_key "$1" fee create --amount "$2" --description-en "Test fee" --field bill_number)
  state=$(as_key "$1" pay --bill "$bill" --method sandbox --idempotency-key "$3" --field state)
  [ "$state" = SUCCEEDED ] || fail "payment $3 is $state"
}

verify() { "$paycli" ledger verify -q --public-key-file "$data/signing.pub" "$@"; }

# expect_verify_failure NAME PATTERN ARGS...: verify exits 1 with a message matching PATTERN.
expect_verify_failure() {
  local name="$1" pattern="$2" status=0
  shift 2
  verify "$@" >"$work/out" 2>"$work/err" || status=$?
  [ "$status" -eq 1 ] || {
    cat "$work/out" "$work/err"; fail "$name: verify exited $status, not 1"; }
  grep -Eq -- "$pattern" "$work/err" || {
    cat "$work/err"; fail "$name: the message does not match /$pattern/"; }
  echo "ok: $name -> $(head -n 1 "$work/err")"
}

# The message names entry N (as the entry at fault, or the one expected in its place).
names() { echo "(entry|expected) $1([^0-9]|$)"; }

# (sequence, hash) of every entry, from either format: equal lists mean the same entries, since
# verify checks each recorded hash against its entry.
hashes_of_jsonl() { jq -r '"\(.sequence) \(.hash)"' "$1"; }
hashes_of_csv() { tail -n +2 "$1" | tr -d '\r' | awk -F, '{ print $1, $NF }'; }

# is_prefix SHORT LONG: payd may append a periodic checkpoint between two exports.
is_prefix() { cmp -s -n "$(stat -c %s "$1")" "$1" "$2"; }

"$payd" init --data-dir "$data" 2>"$work/init.log" || { cat "$work/init.log"; exit 1; }

# --- Phase 1: agencies, keys, payments; then a stop, which signs a checkpoint. ---
start_payd
admin agency create --id passports --name-en "Passports Directorate" >/dev/null
admin agency create --id visas --name-en "Visas Directorate" >/dev/null
# (The warning that a key is shown only once goes to stderr.)
admin credential create --role agency --agency passports --field api_key \
  >"$work/passports.key" 2>/dev/null
admin credential create --role agency --agency visas --field api_key >"$work/visas.key" 2>/dev/null
admin credential create --role auditor --agency '*' --field api_key \
  >"$work/auditor.key" 2>/dev/null
pay_fee "$work/passports.key" "300.00 SAR" p1
pay_fee "$work/passports.key" "300.00 SAR" p2
pay_fee "$work/visas.key" "200.00 SAR" v1
stop_payd

# --- Phase 2: payd runs again; more payments; exports while it runs. ---
start_payd
pay_fee "$work/passports.key" "300.00 SAR" p3
pay_fee "$work/passports.key" "150.00 SAR" p4

"$paycli" ledger export -q --data-dir "$data" --output "$work/live.jsonl"
"$paycli" ledger export -q --data-dir "$data" --output "$work/live.csv"
as_key "$work/auditor.key" ledger export -q --output "$work/grpc.jsonl"
as_key "$work/auditor.key" ledger export -q --format csv >"$work/grpc.csv"
[ ! -e "$work/live.jsonl.partial" ] || fail "the partial file was left behind"
[ "$(head -c 9 "$work/live.csv")" = "sequence," ] || fail "--output *.csv should write CSV"
for export in live.jsonl live.csv grpc.jsonl grpc.csv; do
  verify --file "$work/$export" --format "${export##*.}" >"$work/summary" ||
    fail "verify of $export failed"
  grep -q "entries after it are not yet covered by a signature" "$work/summary" ||
    { cat "$work/summary"; fail "$export: entries after the checkpoint should be reported"; }
done
echo "ok: offline (payd running) and gRPC exports verify, in both formats"
diff <(hashes_of_jsonl "$work/live.jsonl") <(hashes_of_csv "$work/live.csv") >/dev/null ||
  fail "the JSON Lines and CSV exports describe different entries"
is_prefix "$work/live.jsonl" "$work/grpc.jsonl" ||
  fail "the gRPC export differs from the offline one"
verify --data-dir "$data" >"$work/summary" || fail "verify --data-dir (payd running) failed"
grep -q "stored balances match" "$work/summary" || fail "the balances were not compared"
grep -Eq "clearing/sandbox +1250.00 SAR" "$work/summary" || {
  cat "$work/summary"; fail "balances"; }
echo "ok: JSON Lines and CSV agree; gRPC and offline agree; --data-dir verifies with its balances"

# One agency: offline and over gRPC, verified along the agency chain.
"$paycli" ledger export -q --data-dir "$data" --agency passports --output "$work/passports.jsonl"
as_key "$work/auditor.key" ledger export -q --agency passports --output "$work/passports-grpc.jsonl"
is_prefix "$work/passports.jsonl" "$work/passports-grpc.jsonl" || fail "agency exports differ"
verify --file "$work/passports.jsonl" --agency passports >/dev/null || fail "agency export"
verify --file "$work/passports-grpc.jsonl" --agency passports >/dev/null || fail "agency export"
[ "$(jq -r 'select(.agency_id != "passports" and .type != "CHECKPOINT")' \
    "$work/passports.jsonl")" = "" ] || fail "the agency export holds other entries"
expect_verify_failure "agency export verified as a whole" "sequence gap" \
  --file "$work/passports.jsonl"
line=$(( $(wc -l <"$work/passports.jsonl") / 2 ))
next=$(sed -n "$((line + 1))p" "$work/passports.jsonl" | jq -r .sequence)
sed "${line}d" "$work/passports.jsonl" >"$work/cut.jsonl"
expect_verify_failure "a line deleted from an agency export" \
  "$(names "$next").*agency \"passports\"" --file "$work/cut.jsonl" --agency passports
echo "ok: agency exports"

# Resuming: from a sequence on, anchored at its first entry.
"$paycli" ledger export -q --data-dir "$data" --from-sequence 10 --output "$work/tail.jsonl"
[ "$(head -n 1 "$work/tail.jsonl" | jq -r .sequence)" = 10 ] || fail "--from-sequence"
verify --file "$work/tail.jsonl" >/dev/null || fail "a resumed export does not verify"
# Through a pipe, from stdin.
"$paycli" ledger export -q --data-dir "$data" | verify --file - --format jsonl >/dev/null ||
  fail "verify from stdin"
echo "ok: --from-sequence, stdin"

# Who may export: an AGENCY key may not; no key at all is refused.
status=0; as_key "$work/passports.key" ledger export -q >/dev/null 2>"$work/err" || status=$?
[ "$status" -eq 1 ] && grep -q PERMISSION_DENIED "$work/err" || fail "an agency key exported"
status=0; "$paycli" --server "$address" ledger export -q >/dev/null 2>"$work/err" || status=$?
[ "$status" -eq 1 ] && grep -q UNAUTHENTICATED "$work/err" || fail "no key exported"
echo "ok: export permissions"

# The daily report: passports paid 3 x 300.00 + 150.00 SAR, visas 200.00 SAR, all SUCCEEDED.
# Summed over the days the payments fell on (the test might straddle midnight UTC).
days=$(jq -r 'select(.to_state == 3 and .type == "PAYMENT_STATE_CHANGED") | .time[0:10]' \
  "$work/live.jsonl" | sort -u)
for source in offline grpc; do
  : >"$work/report.csv"
  for day in $days; do
    if [ "$source" = offline ]; then
      "$paycli" report daily --date "$day" --data-dir "$data" --format csv >>"$work/report.csv"
    else
      as_key "$work/auditor.key" report daily --date "$day" --format csv >>"$work/report.csv"
    fi
  done
  sums() {
    tr -d '\r' <"$work/report.csv" | awk -F, -v agency="$1" '$2 == agency && $3 == "sandbox" &&
      $4 == "SAR" { n += $5; s += $6; r += $7; f += $9 } END { print n, s, r, f }'
  }
  [ "$(sums passports)" = "4 105000 0 0" ] || {
    cat "$work/report.csv"; fail "$source report: passports"; }
  [ "$(sums visas)" = "1 20000 0 0" ] || { cat "$work/report.csv"; fail "$source report: visas"; }
done
"$paycli" report daily --date "$(echo "$days" | head -n 1)" --data-dir "$data" --agency visas \
  --format json | jq -e '.rows | length == 1 and .[0].agency_id == "visas"' >/dev/null ||
  fail "report --agency"
echo "ok: daily report: passports 4 SUCCEEDED, 1050.00 SAR; visas 1, 200.00 SAR"

# --- Phase 3: stopped; everything signed. ---
stop_payd
"$paycli" ledger export -q --data-dir "$data" --output "$work/final.jsonl"
"$paycli" ledger export -q --data-dir "$data" --output "$work/final.csv"
verify --file "$work/final.jsonl" >"$work/summary" || fail "verify after stop"
grep -q "every entry is covered by a signature" "$work/summary" ||
  { cat "$work/summary"; fail "the final checkpoint should cover everything"; }
verify --file "$work/final.csv" >/dev/null || fail "verify of the final CSV"
verify --data-dir "$data" >/dev/null || fail "verify --data-dir after stop"
diff <(hashes_of_jsonl "$work/final.jsonl") <(hashes_of_csv "$work/final.csv") >/dev/null ||
  fail "the final JSON Lines and CSV exports describe different entries"
[ "$(tail -n 1 "$work/final.jsonl" | jq -r .type)" = CHECKPOINT ] || fail "no final checkpoint"
echo "ok: after stop: signed to the end, both formats"

# --- Tampering with the export: each must fail and name the entry. ---
final="$work/final.jsonl"
paid=$(jq -r 'select(.to_state == 3 and .type == "PAYMENT_STATE_CHANGED") | .sequence' "$final" |
  head -n 1)
checkpoint=$(jq -r 'select(.type == "CHECKPOINT") | .sequence' "$final" | head -n 1)
tamper() { perl -pe "if (\$. == $1) { $2 }" "$final" >"$work/tampered.jsonl"; }

tamper 5 's/"hash":"(.)/"\"hash\":\"" . ($1 eq "0" ? "1" : "0")/e'
expect_verify_failure "a flipped hash digit" "^paycli: verify failed: $(names 5)" \
  --file "$work/tampered.jsonl"
tamper 6 's/"prev_hash":"(.)/"\"prev_hash\":\"" . ($1 eq "0" ? "1" : "0")/e'
expect_verify_failure "a flipped prev_hash digit" "$(names 6)" --file "$work/tampered.jsonl"
tamper "$paid" 's/"detail":"(.)/"\"detail\":\"" . ($1 eq "X" ? "Y" : "X")/e'
expect_verify_failure "a changed detail" "$(names "$paid")" --file "$work/tampered.jsonl"
drop_hash='s/,"hash":"[0-9a-f]*"//'
tamper "$paid" 's/"detail":"(.)/"\"detail\":\"" . ($1 eq "X" ? "Y" : "X")/e; '"$drop_hash"
expect_verify_failure "a changed detail, its hash removed" "entry $paid was altered" \
  --file "$work/tampered.jsonl"
tamper "$paid" 's/("amount":\{"currency":"SAR","minor_units":)(\d+)/$1 . ($2 + 1)/e'
expect_verify_failure "a changed amount" "$(names "$paid")" --file "$work/tampered.jsonl"
tamper "$paid" 's/("time_ms":)(\d+)/$1 . ($2 + 1)/e'
expect_verify_failure "a changed time" "$(names "$paid")" --file "$work/tampered.jsonl"
sed '7d' "$final" >"$work/tampered.jsonl"
expect_verify_failure "a deleted line" "$(names 7)" --file "$work/tampered.jsonl"
awk 'NR == 8 { held = $0; next } NR == 9 { print; print held; next } { print }' "$final" \
  >"$work/tampered.jsonl"
expect_verify_failure "two swapped lines" "$(names 8)" --file "$work/tampered.jsonl"
tamper "$checkpoint" 's/"signature":"(.)/"\"signature\":\"" . ($1 eq "0" ? "1" : "0")/e; '"$drop_hash"
expect_verify_failure "a forged checkpoint signature" "$(names "$checkpoint").*signature" \
  --file "$work/tampered.jsonl"
tamper 4 's/^(.{40}).*$/$1/'
expect_verify_failure "a truncated line" "line 4 \(entry 4\)" --file "$work/tampered.jsonl"
# CSV: the header is line 1, entry N is on line N + 1.
perl -pe "if (\$. == $paid + 1) { s/,sbx_/,xbx_/ }" "$work/final.csv" >"$work/tampered.csv"
cmp -s "$work/final.csv" "$work/tampered.csv" && fail "the CSV tamper changed nothing"
expect_verify_failure "a changed CSV detail" "$(names "$paid")" --file "$work/tampered.csv"
sed "$(( paid + 1 ))d" "$work/final.csv" >"$work/tampered.csv"
expect_verify_failure "a deleted CSV record" "$(names "$paid")" --file "$work/tampered.csv"

# Another gateway's key: the checkpoints name (and are signed by) a different key.
"$payd" init --data-dir "$work/other" 2>/dev/null
status=0
"$paycli" ledger verify -q --public-key-file "$work/other/signing.pub" --file "$final" \
  2>"$work/err" >/dev/null || status=$?
[ "$status" -eq 1 ] && grep -Eq "$(names "$checkpoint").*another key" "$work/err" ||
  { cat "$work/err"; fail "another public key was accepted"; }
echo "ok: another public key -> $(cat "$work/err")"
echo "paycli ledger test OK"
