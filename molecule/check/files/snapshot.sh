#!/usr/bin/env bash
# A digest of what the roles could change on a host: installed packages, the files under the
# directories they write, systemd units and their states, and podman's images.
set -euo pipefail
paths=()
for p in /etc/apt /etc/containers /etc/ceph /etc/chrony /etc/docker /etc/lvm /etc/default/chrony \
         /usr/sbin/cephadm /root/.ssh /var/lib/ceph; do
  [ -e "$p" ] && paths+=("$p")
done
{
  dpkg-query -W -f '${Package} ${Version}\n'
  if [ ${#paths[@]} -gt 0 ]; then
    find "${paths[@]}" -xdev \( -type f -o -type l \) -print0 | sort -z | xargs -0 -r sha256sum
  fi
  systemctl list-units --all --no-legend --plain | awk '{print $1, $3}' | sort
  if command -v podman >/dev/null; then podman images --quiet --no-trunc | sort; fi
} | sha256sum | cut -d' ' -f1
