#!/bin/sh
# The replica: on first start, copy the primary with pg_basebackup -R (which writes
# standby.signal and how to reach the primary), then run as a hot standby.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_basebackup --host=db --username=footprint --pgdata="$PGDATA" \
      --write-recovery-conf --wal-method=stream --slot=replica --checkpoint=fast; do
    echo "waiting for the primary"; sleep 2
    rm -rf "${PGDATA:?}"/*
  done
fi
chmod 0700 "$PGDATA"
exec postgres -c hot_standby=on
