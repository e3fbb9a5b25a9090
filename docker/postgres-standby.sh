#!/usr/bin/env bash
# Entry point of the cluster profile's postgres-standby (docker-compose.yml): a hot standby of the
# primary `postgres`, following it by streaming replication.
#
# First start (no database in $PGDATA): copy the primary with pg_basebackup as the replication role
# (-X stream brings the WAL written during the copy; -R writes standby.signal and primary_conninfo,
# so the copy starts as a standby). The copy goes to a directory beside $PGDATA and is renamed to it
# once complete, so a copy cut short is made again from the start, never started half-made. Then,
# and on every later start, the image's own entry point ("$@", docker-entrypoint.sh postgres) runs
# the server; it finds the database and starts it as the standby it is.
#
# Environment: PGDATA, KAM_PRIMARY_HOST (default postgres), KAM_PRIMARY_PORT (5432),
# KAM_REPLICATION_USER and KAM_REPLICATION_PASSWORD (the role docker/postgres-init.sql made on the
# primary). Promoting it when the primary is lost: docs/operations.md, "Failover".
set -euo pipefail

PGDATA=${PGDATA:-/var/lib/postgresql/data/standby}
primary_host=${KAM_PRIMARY_HOST:-postgres}
primary_port=${KAM_PRIMARY_PORT:-5432}
incoming="$PGDATA.incoming"
[ "$#" -gt 0 ] || set -- docker-entrypoint.sh postgres

as_postgres() {
    if [ "$(id -u)" = 0 ]; then gosu postgres "$@"; else "$@"; fi
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${KAM_REPLICATION_USER:-}" ] || [ -z "${KAM_REPLICATION_PASSWORD:-}" ]; then
        echo "postgres-standby: set KAM_REPLICATION_USER and KAM_REPLICATION_PASSWORD, the role the" \
            "primary made on its first start (docker/postgres-init.sql)" >&2
        exit 1
    fi
    if [ -e "$PGDATA" ] && [ -n "$(ls -A "$PGDATA")" ]; then
        echo "postgres-standby: $PGDATA holds files but no database; move them away first" >&2
        exit 1
    fi
    parent=$(dirname "$PGDATA")
    mkdir -p "$parent"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$parent"; fi
    echo "postgres-standby: waiting for the primary $primary_host:$primary_port"
    until pg_isready -q -h "$primary_host" -p "$primary_port"; do sleep 2; done
    rm -rf "$incoming" # what a copy cut short left
    echo "postgres-standby: copying the primary (pg_basebackup)"
    PGPASSWORD=$KAM_REPLICATION_PASSWORD as_postgres pg_basebackup \
        -h "$primary_host" -p "$primary_port" -U "$KAM_REPLICATION_USER" \
        -D "$incoming" -R -X stream --checkpoint=fast --no-password
    if [ -d "$PGDATA" ]; then rmdir "$PGDATA"; fi # empty, as checked above
    mv "$incoming" "$PGDATA"
    echo "postgres-standby: copy complete; starting as a standby of $primary_host"
fi

exec "$@"
