#!/usr/bin/env bash
# A large ledger is exported and verified in bounded memory: `payd init`, then
# paycli_ledger_generator appends valid, chained, signed entries straight into the store, then
# `paycli ledger export --data-dir` (JSON Lines) and `paycli ledger verify` of the file (and of the
# data directory) run under /usr/bin/time, which reports their peak RSS. Prints entries/s.
#
# Entries: $PAY_LEDGER_SCALE_ENTRIES if set, else 1,000,000 (about 25 s on 2 cores).
# Bounds: the export and the data-dir verification read RocksDB through libpay's LedgerReader,
# whose scans bypass the block cache (measured: 23 MiB at 1M entries), so they get
# PAY_LEDGER_SCALE_EXPORT_RSS_MB (default 48); the file verification touches no store (measured:
# 18 MiB) and gets PAY_LEDGER_SCALE_VERIFY_RSS_MB (default 32). Memory must not grow with the
# ledger: these bounds hold at 1M entries and would be broken by any per-entry accumulation.
# Usage: paycli_ledger_scale_test.sh PAYD_BINARY PAYCLI_BINARY GENERATOR_BINARY
set -euo pipefail
payd="$1"; paycli="$2"; generator="$3"
entries="${PAY_LEDGER_SCALE_ENTRIES:-1000000}"
export_rss_mb="${PAY_LEDGER_SCALE_EXPORT_RSS_MB:-48}"
verify_rss_mb="${PAY_LEDGER_SCALE_VERIFY_RSS_MB:-32}"

if [ ! -x /usr/bin/time ]; then
  echo "SKIP: /usr/bin/time (GNU time) is needed to measure the peak RSS"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# measure NAME LIMIT_MB COMMAND...: runs COMMAND, prints its peak RSS, and fails above LIMIT_MB.
measure() {
  local name="$1" limit_mb="$2" status=0
  shift 2
  /usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" || status=$?
  [ "$status" -eq 0 ] || { cat "$work/$name.out" "$work/$name.err"; fail "$name exited $status"; }
  local rss_kb
  rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\)/\1/p' "$work/$name.time")
  echo "$name: $(tail -n 1 "$work/$name.err"); peak RSS $((rss_kb / 1024)) MiB (limit $limit_mb)"
  [ "$rss_kb" -le $((limit_mb * 1024)) ] || fail "$name used $((rss_kb / 1024)) MiB"
}

"$payd" init --data-dir "$work/data" 2>"$work/init.log" || { cat "$work/init.log"; exit 1; }
start_ns=$(date +%s%N)
"$generator" --data-dir "$work/data" --entries "$entries"
echo "generated in $(( ($(date +%s%N) - start_ns) / 1000000 )) ms;" \
  "store: $(du -sh "$work/data/ledger" | cut -f1)"

measure export "$export_rss_mb" \
  "$paycli" ledger export --data-dir "$work/data" --output "$work/ledger.jsonl"
[ "$(wc -l <"$work/ledger.jsonl")" -eq $((entries + 1)) ] || fail "the export lacks entries"
echo "export file: $(du -h "$work/ledger.jsonl" | cut -f1)"

measure verify "$verify_rss_mb" \
  "$paycli" ledger verify --public-key-file "$work/data/signing.pub" --file "$work/ledger.jsonl"
grep -q "every entry is covered by a signature" "$work/verify.out" || {
  cat "$work/verify.out"; fail "the summary does not say the export is signed to its end"; }

measure verify-data-dir "$export_rss_mb" \
  "$paycli" ledger verify --public-key-file "$work/data/signing.pub" --data-dir "$work/data"
grep -q "stored balances match" "$work/verify-data-dir.out" || fail "balances not compared"
echo "scale test OK: $entries entries"
