#!/usr/bin/env bash
# Installs what the real-Slurm tests need, and skips what is already there: Debian's Slurm
# (slurmctld, slurmd, the client commands; 22.05 on bookworm) and MUNGE, its authentication.
# The tests start the daemons themselves, in a temporary folder of their own, and stop them
# after (test/slurm/cluster.ts); nothing is configured system-wide.
set -euo pipefail

missing=()
for pkg in slurmctld slurmd slurm-client munge; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  # Their system services are not used (where they start on install, slurmd and slurmctld stop for want of a configuration).
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages present (slurmctld, slurmd, slurm-client, munge)"
fi
