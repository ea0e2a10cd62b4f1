#!/usr/bin/env bash
# Run make targets one after the other, each even when an earlier one failed, then print a
# summary (result and time of each), the lines that say why each failed target failed (CI keeps
# only the tail of a long log), and a closing line "WHAT: N passed, N failed".
#
#   hack/run-targets.sh WHAT TARGET...
# Exits 1 when any target failed.  Each target's whole output is also kept in
# .build/logs/WHAT-TARGET.log.
set -uo pipefail
what=$1
shift
logs="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.build/logs"
mkdir -p "$logs"
failed=()
summary=()
# The lines of a log that say why it failed: Ansible's failures, pytest's, molecule's, make's.
reasons() {
    if grep -q '^==== .*: why it failed ====$' "$1"; then
        # a nested run already picked them out: its block, as it printed it
        sed -n '/^==== .*: why it failed ====$/,/^==== end ====$/p' "$1" | grep -v '^==== '
        return
    fi
    grep -E '^(fatal: |failed: |ERROR!|FAILED |E  |CRITICAL |ERROR  |make(\[[0-9]+\])?: \*\*\*)|^[^ ].*(Error|error:)' "$1" |
        grep -v -E '^(FAILED - RETRYING|.*ignoring)' | cut -c1-1500 | tail -n 25
}
for target in "$@"; do
    start=$SECONDS
    log="$logs/$what-$target.log"
    if ${MAKE:-make} --no-print-directory "$target" 2>&1 | tee "$log"; then
        result=passed
    else
        result=FAILED
        failed+=("$target")
    fi
    summary+=("$(printf '  %-22s %-7s %4d s' "$target" "$result" "$((SECONDS - start))")")
done
if [ ${#failed[@]} -gt 0 ]; then
    printf '\n==== %s: why it failed ====\n' "$what"
    for target in "${failed[@]}"; do
        echo "-- $target ($logs/$what-$target.log)"
        reasons "$logs/$what-$target.log"
    done
    echo '==== end ===='
fi
printf '\n==== %s: summary ====\n' "$what"
printf '%s\n' "${summary[@]}"
echo "$what: $(($# - ${#failed[@]})) passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
    echo "$what: FAILED: ${failed[*]}"
    exit 1
fi
