#!/usr/bin/env bash
# Run make targets one after the other, each even when an earlier one failed, then print a
# summary (result and time of each) and a closing line "WHAT: N passed, N failed".
#
#   hack/run-targets.sh WHAT TARGET...
# Exits 1 when any target failed.
set -uo pipefail
what=$1
shift
failed=()
summary=()
for target in "$@"; do
    start=$SECONDS
    if ${MAKE:-make} --no-print-directory "$target"; then result=passed; else result=FAILED; failed+=("$target"); fi
    summary+=("$(printf '  %-22s %-7s %4d s' "$target" "$result" "$((SECONDS - start))")")
done
printf '\n==== %s: summary ====\n' "$what"
printf '%s\n' "${summary[@]}"
echo "$what: $(($# - ${#failed[@]})) passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
    echo "$what: FAILED: ${failed[*]}"
    exit 1
fi
