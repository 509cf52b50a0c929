#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600) one after the other and prints the exec
# counts. Needs the nightly toolchain, cargo-fuzz (`cargo install cargo-fuzz`) and, for the
# scanner and portrait seeds, Python's Pillow (`pip install pillow`); without it those two start
# from an empty corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
python3 fuzz/seed-corpus.py || true
for target in capture_code id_number csv_import xlsx_import scanner portrait_loader campus_pull; do
  case "$target" in
    scanner) max_len=26000 ;;
    portrait_loader) max_len=65536 ;;
    xlsx_import) max_len=16384 ;;
    *) max_len=4096 ;;
  esac
  log="fuzz/artifacts/$target.log"
  mkdir -p fuzz/artifacts
  cargo +nightly fuzz run -O "$target" -- -max_total_time="$seconds" -max_len="$max_len" \
    -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1 || echo "$target: CRASH (see $log)"
  execs=$(grep -a 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  echo "$target: ${execs:-?} execs in ${seconds}s"
done
