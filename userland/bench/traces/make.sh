#!/usr/bin/env bash
# Re-record the bench's traces of real programs: gzip compressing and sort
# sorting a generated text (525 KB, the same every time), each under
# valgrind's lackey, converted by `omemu trace from-lackey --first-touch`
# (the migration half-way through the instructions; after it, the first
# reference to each page). Recorded with gzip 1.12, GNU sort 9.1 and
# valgrind 3.19 on x86-64 Debian; other versions give other traces. The
# lackey logs (0.5-0.8 GB) are written to a temporary directory and removed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
omemu="$here/../../cli/omemu.js"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# 30,000 lines of numbers and words in no order.
awk 'BEGIN { for (i = 1; i <= 30000; i++) printf "%d %s %d\n", (i * 7919) % 100003, (i % 3 ? "alpha" : "omega"), i }' > "$tmp/in.txt"
valgrind --tool=lackey --trace-mem=yes gzip -c "$tmp/in.txt" 2> "$tmp/gzip.lackey" > /dev/null
node "$omemu" trace from-lackey "$tmp/gzip.lackey" --first-touch -o "$here/gzip.ompt.gz"
rm -f "$tmp/gzip.lackey"
valgrind --tool=lackey --trace-mem=yes sort "$tmp/in.txt" 2> "$tmp/sort.lackey" > /dev/null
node "$omemu" trace from-lackey "$tmp/sort.lackey" --first-touch -o "$here/sort.ompt.gz"
