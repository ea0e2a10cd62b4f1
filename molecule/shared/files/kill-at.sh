#!/usr/bin/env bash
# Run COMMAND; once its output shows PATTERN, wait DELAY seconds and kill it with its process group, as an
# interrupted run ends (a closed terminal, a controller gone): SIGHUP, then SIGKILL.
#   kill-at.sh LOG PATTERN DELAY COMMAND...
# Prints one line; exits 0 when the command was killed at the pattern, 3 when it ended before it showed
# (its whole output is in LOG).
set -uo pipefail
log=$1
pattern=$2
delay=$3
shift 3
setsid "$@" >"$log" 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
    if grep -qF -- "$pattern" "$log"; then
        sleep "$delay"
        kill -HUP -- "-$pid" 2>/dev/null
        sleep 2
        kill -KILL -- "-$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        echo "killed ${delay} s after: $pattern"
        exit 0
    fi
    sleep 0.5
done
wait "$pid"
rc=$?
echo "ended (rc $rc) before: $pattern"
# why, for the log of the scenario (LOG goes with molecule's ephemeral directory)
grep -E '^(fatal|failed):|\[ERROR\]' "$log" | cut -c1-2000 | head -n 20
exit 3
