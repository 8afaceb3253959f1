#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432, database `test`) and Redis (127.0.0.1:6379) answer, installing and
# starting them from Debian packages where they are missing. Used by the test script; safe to re-run.
set -uo pipefail

reachable() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq >/dev/null; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

if ! reachable 5432; then
  echo "services: starting PostgreSQL" >&2
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)
  if [ -n "$ver" ]; then
    conf="/etc/postgresql/$ver/main/pg_hba.conf"
    if ! grep -q "tending-trust" "$conf" 2>/dev/null; then
      as_root sed -i '1i host all all 127.0.0.1/32 trust # tending-trust\nhost all all ::1/128 trust # tending-trust' "$conf"
    fi
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  fi
  for _ in $(seq 1 30); do reachable 5432 && break; sleep 1; done
  as_root su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='test'\" | grep -q 1 || createdb test" || true
fi
if ! reachable 6379; then
  echo "services: starting Redis" >&2
  command -v redis-server >/dev/null || apt_install redis-server
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/tending-ci.log
  for _ in $(seq 1 30); do reachable 6379 && break; sleep 1; done
fi
reachable 5432 && echo "services: PostgreSQL ready" >&2 || echo "services: PostgreSQL unavailable" >&2
reachable 6379 && echo "services: Redis ready" >&2 || echo "services: Redis unavailable" >&2
exit 0
