#!/bin/sh
# Run once by the postgres image when it creates the primary: let the replica stream from it,
# through a slot that keeps the WAL it has not yet received.
set -eu
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -c "SELECT pg_create_physical_replication_slot('replica')"
