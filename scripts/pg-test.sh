#!/usr/bin/env bash
# Makes sure a real PostgreSQL server runs on this machine for the integration
# tests, with a `kassa` role and a `kassa_test` database; prints its URL last.
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  bash "$(dirname "$0")/ensure-system-deps.sh" >&2
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$version" main start >&2
fi
for _ in $(seq 1 30); do
  su postgres -c "psql -qAtc 'select 1'" >/dev/null 2>&1 && break
  sleep 0.5
done
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
su postgres -c "psql -p $port -qAtc \"DO \\\$\\\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kassa') THEN CREATE ROLE kassa LOGIN PASSWORD 'kassa' CREATEDB; END IF;
END \\\$\\\$;\"" >&2
su postgres -c "psql -p $port -qAtc \"SELECT 1 FROM pg_database WHERE datname = 'kassa_test'\"" | grep -q 1 ||
  su postgres -c "psql -p $port -qAtc 'CREATE DATABASE kassa_test OWNER kassa'" >&2
echo "postgres://kassa:kassa@127.0.0.1:$port/kassa_test"
