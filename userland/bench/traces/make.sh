#!/usr/bin/env bash
# Re-record the bench's traces of real programs (all, or those named:
# `make.sh xz awk`), each under valgrind's lackey, converted by `omemu
# trace from-lackey --first-touch` (the migration half-way through the
# instructions; after it, the first reference to each page). Every program
# works on the same generated text (525 KB, the same every time). gzip and
# sort were recorded with gzip 1.12, GNU sort 9.1 and valgrind 3.19 on
# x86-64 Debian, the others with xz 5.4.1, bzip2 1.0.8, coreutils 9.1 and
# mawk 1.3.4 on the same; other versions give other traces. The lackey logs
# (up to a few GB) are written to a temporary directory and removed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
omemu="$here/../../cli/omemu.js"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# 30,000 lines of numbers and words in no order.
awk 'BEGIN { for (i = 1; i <= 30000; i++) printf "%d %s %d\n", (i * 7919) % 100003, (i % 3 ? "alpha" : "omega"), i }' > "$tmp/in.txt"
gzip -c "$tmp/in.txt" > "$tmp/in.txt.gz"

# name, then the command whose references are recorded (its output is thrown away).
record() {
  local name="$1"
  shift
  valgrind --tool=lackey --trace-mem=yes "$@" 2> "$tmp/$name.lackey" > /dev/null
  node "$omemu" trace from-lackey "$tmp/$name.lackey" --first-touch -o "$here/$name.ompt.gz"
  rm -f "$tmp/$name.lackey"
}

names=("$@")
[ ${#names[@]} -gt 0 ] || names=(gzip sort xz bzip2 md5sum gunzip awk)
for n in "${names[@]}"; do
  case "$n" in
    gzip) record gzip gzip -c "$tmp/in.txt" ;;
    sort) record sort sort "$tmp/in.txt" ;;
    xz) record xz xz -1 -c "$tmp/in.txt" ;;
    bzip2) record bzip2 bzip2 -c "$tmp/in.txt" ;;
    md5sum) record md5sum md5sum "$tmp/in.txt" ;;
    gunzip) record gunzip gzip -dc "$tmp/in.txt.gz" ;;
    awk) record awk awk '{ n[$2]++; s[$2] += $1 } END { for (k in n) print k, n[k], s[k] / n[k] }' "$tmp/in.txt" ;;
    *) echo "make.sh: no trace named '$n' (gzip, sort, xz, bzip2, md5sum, gunzip, awk)" >&2; exit 2 ;;
  esac
done
