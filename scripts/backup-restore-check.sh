#!/usr/bin/env bash
# Back up a kiemdiem PostgreSQL database with pg_dump, restore the dump into a fresh database,
# and compare the exact row count of every table of the two. Exit status 0 when every table
# matches, 1 on any difference (or when the dump or the restore fails). The fresh database is
# dropped afterwards unless KEEP_RESTORED=1.
#
#   scripts/backup-restore-check.sh postgres://postgres@127.0.0.1:5432/kiemdiem [DUMP_FILE]
#
# DUMP_FILE (default: a temporary file, removed afterwards) is where the custom-format dump is
# written; pass a path to keep it as the backup. Needs pg_dump, pg_restore and psql of the
# server's major version (or newer) on PATH.
set -euo pipefail
SRC=${1:?usage: $0 postgres://user@host:port/dbname [dump-file]}
DUMP=${2:-}
command -v pg_dump >/dev/null || { echo "pg_dump not found" >&2; exit 2; }
BASE=${SRC%/*}
NAME=${SRC##*/}
NAME=${NAME%%\?*}
TARGET="${NAME}_restorecheck_$$"
TMP=$(mktemp -d /tmp/kiemdiem-backup.XXXXXX)
cleanup() {
    if [ "${KEEP_RESTORED:-0}" != 1 ]; then
        psql "$BASE/postgres" -qc "DROP DATABASE IF EXISTS \"$TARGET\"" >/dev/null 2>&1 || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
[ -n "$DUMP" ] || DUMP="$TMP/backup.dump"

t0=$(date +%s)
pg_dump --format=custom --no-owner --file "$DUMP" "$SRC"
echo "dump: $DUMP ($(du -h "$DUMP" | cut -f1)) in $(( $(date +%s) - t0 )) s"

t0=$(date +%s)
psql "$BASE/postgres" -qc "CREATE DATABASE \"$TARGET\""
pg_restore --no-owner --exit-on-error --jobs "${RESTORE_JOBS:-2}" --dbname "$BASE/$TARGET" "$DUMP"
echo "restored into $TARGET in $(( $(date +%s) - t0 )) s"

# only for the self-test (tests/ops/test_backup_restore.py): damage the copy to prove the check bites
if [ -n "${KD_BACKUP_CHECK_SELFTEST_DELETE:-}" ]; then
    psql "$BASE/$TARGET" -qc "DELETE FROM \"$KD_BACKUP_CHECK_SELFTEST_DELETE\" WHERE ctid IN (SELECT ctid FROM \"$KD_BACKUP_CHECK_SELFTEST_DELETE\" LIMIT 1)"
fi

counts() {  # "table count" for every ordinary table of every non-system schema, exact
    psql "$1" -XqtA -F ' ' <<'SQL'
DO $$ BEGIN CREATE TEMP TABLE _counts (t text, n bigint); END $$;
DO $$
DECLARE r record; c bigint;
BEGIN
  FOR r IN SELECT schemaname, tablename FROM pg_tables
           WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND schemaname NOT LIKE 'pg\_%' ORDER BY 1, 2 LOOP
    EXECUTE format('SELECT count(*) FROM %I.%I', r.schemaname, r.tablename) INTO c;
    INSERT INTO _counts VALUES (r.schemaname || '.' || r.tablename, c);
  END LOOP;
END $$;
SELECT t, n FROM _counts ORDER BY t;
SQL
}
counts "$SRC" > "$TMP/source.txt"
counts "$BASE/$TARGET" > "$TMP/restored.txt"
tables=$(wc -l < "$TMP/source.txt")
rows=$(awk '{s += $2} END {print s + 0}' "$TMP/source.txt")
if diff "$TMP/source.txt" "$TMP/restored.txt" > "$TMP/diff.txt"; then
    echo "OK: $tables tables, $rows rows, every count equal"
else
    echo "MISMATCH between $NAME and its restored copy (< source, > restored):"
    cat "$TMP/diff.txt"
    exit 1
fi
