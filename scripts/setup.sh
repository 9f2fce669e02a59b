#!/usr/bin/env bash
# Installs what the test suite needs on Debian 12 (Node 20 already present):
# the server binaries the test harness starts itself, then the npm dependencies.
# Safe to re-run: apt is only touched when a binary is missing.
set -euo pipefail

cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*"; }

# Debian keeps some daemons off a non-root PATH and PostgreSQL's server binaries
# under /usr/lib/postgresql/<major>/bin; the harness looks in the same places.
have() {
  local name=$1 dir
  command -v "$name" >/dev/null 2>&1 && return 0
  for dir in /usr/local/sbin /usr/sbin /sbin /usr/lib/postgresql/*/bin; do
    [ -x "$dir/$name" ] && return 0
  done
  return 1
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  log "node and npm (Node 20+) are required" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  log "Node 20+ required, found $(node --version)" >&2
  exit 1
fi

missing=()
have nats-server || missing+=(nats-server)
{ have initdb && have postgres; } || missing+=(postgresql)
{ have mariadbd || have mysqld; } || missing+=(mariadb-server)
{ have mariadb || have mysql; } || missing+=(mariadb-client)

if [ ${#missing[@]} -eq 0 ]; then
  log "nats-server, postgresql and mariadb already installed"
else
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    log "need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi

  # The harness runs private instances; keep package scripts from starting system services.
  created_policy=false
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo[@]}" chmod 755 /usr/sbin/policy-rc.d
    created_policy=true
  fi
  remove_policy() {
    if [ "$created_policy" = true ]; then "${sudo[@]}" rm -f /usr/sbin/policy-rc.d; fi
  }
  trap remove_policy EXIT

  log "installing ${missing[*]}"
  # env, not export: sudo would drop DEBIAN_FRONTEND from the environment.
  apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -qq)
  "${apt[@]}" update
  "${apt[@]}" install --no-install-recommends "${missing[@]}" >/dev/null

  remove_policy
  trap - EXIT
  log "installed ${missing[*]}"
fi

if [ -f package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund
else
  log "npm install"
  npm install --no-audit --no-fund
fi

log "done"
