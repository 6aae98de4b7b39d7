#!/usr/bin/env bash
# Finds this runner's public IPv4 address, so that Packer's temporary security
# group admits SSH from this runner only (ssh_source_cidr = <address>/32),
# and exports it to the following steps as PKR_VAR_ssh_source_cidr (Packer
# reads PKR_VAR_* variables; bake-ami's fingerprint does not, so a new runner
# address does not make an unchanged app bake again).
#
# The answer is checked strictly (four decimal octets 0-255, nothing else).
# When the service does not answer or answers anything else, the step fails
# with one line: the bake never falls back to Packer's default, 0.0.0.0/0.
# Up to 3 attempts, each bounded by 10 s, 1-3 s apart (jittered), each retry
# logged.
#
# Environment: CHECKIP_URL (https://checkip.amazonaws.com in the workflow),
# and the runner's GITHUB_ENV.
set -euo pipefail

url="${CHECKIP_URL:?CHECKIP_URL is not set}"
body="$(mktemp)"
trap 'rm -f "$body"' EXIT

attempts=3
for (( attempt = 1; ; attempt++ )); do
  if problem="$(curl --fail --silent --show-error --max-time 10 --output "$body" "$url" 2>&1)"; then
    break
  fi
  problem="$(tr -cd '[:print:]' <<<"$problem")"
  if (( attempt >= attempts )); then
    echo "::error::Could not find this runner's public IPv4 address at ${url} after ${attempts} attempts (${problem:0:200}); the bake stops rather than open Packer's SSH port to 0.0.0.0/0."
    exit 1
  fi
  delay=$(( 1 + RANDOM % 3 ))
  echo "Attempt ${attempt} of ${attempts} to reach ${url} failed (${problem:0:200}); retrying in ${delay} s."
  sleep "$delay"
done

# One address and at most a line break: anything else (a proxy's page, two
# addresses, IPv6) is refused.
answer="$(head -c 64 "$body")"
address="${answer%$'\n'}"
address="${address%$'\r'}"
octet='(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])'
if [[ ! "$address" =~ ^${octet}\.${octet}\.${octet}\.${octet}$ ]]; then
  shown="$(tr -cd '[:print:]' <<<"$answer")"
  echo "::error::${url} answered '${shown:0:40}', which is not one IPv4 address; the bake stops rather than open Packer's SSH port to 0.0.0.0/0."
  exit 1
fi

echo "Packer's temporary security group admits SSH from ${address}/32 only (this runner)."
echo "PKR_VAR_ssh_source_cidr=${address}/32" >>"$GITHUB_ENV"
