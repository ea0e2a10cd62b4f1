#!/usr/bin/env bash
# Write objects into a pool and read them back with matching checksums.
#   rados-objects.sh write POOL COUNT   write COUNT objects of random data, remember their sha256
#   rados-objects.sh check POOL         read every remembered object back and compare
# Prints one line: "<mode> <pool> <count> ok".
set -euo pipefail
mode=$1
pool=$2
sums=/root/cephkit-verify-$pool.sha256
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

case $mode in
  write)
    count=$3
    if ! ceph osd pool ls | grep -qx "$pool"; then
      ceph osd pool create "$pool" 8 >/dev/null
      ceph osd pool application enable "$pool" rados >/dev/null
    fi
    : > "$sums"
    for i in $(seq 1 "$count"); do
      size=$(( (RANDOM % 64 + 1) * 1024 ))
      head -c "$size" /dev/urandom > "$work/obj"
      rados -p "$pool" put "obj-$i" "$work/obj"
      echo "$(sha256sum < "$work/obj" | cut -d' ' -f1) obj-$i" >> "$sums"
    done
    ;;
  check)
    count=0
    while read -r sum name; do
      rados -p "$pool" get "$name" "$work/obj"
      got=$(sha256sum < "$work/obj" | cut -d' ' -f1)
      if [ "$got" != "$sum" ]; then
        echo "checksum mismatch: $name: wrote $sum, read $got" >&2
        exit 1
      fi
      count=$((count + 1))
    done < "$sums"
    stored=$(rados -p "$pool" ls | wc -l)
    if [ "$stored" -ne "$count" ]; then
      echo "the pool holds $stored objects, $count were written" >&2
      exit 1
    fi
    ;;
  *)
    echo "usage: $0 write POOL COUNT | check POOL" >&2
    exit 2
    ;;
esac
echo "$mode $pool $(wc -l < "$sums") ok"
