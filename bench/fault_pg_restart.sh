#!/usr/bin/env bash
# Fault test (issue 9): PostgreSQL restarted during the load. Runs bench/load_test.sh (gunicorn +
# locust, 100 users) and, while it runs, restarts the PostgreSQL cluster RESTARTS times (default
# 2, 40 s apart). Then checks, without restarting gunicorn:
#   1. the app recovered by itself: a further 30 s of the same load has zero errors
#      (Django's CONN_HEALTH_CHECKS replaces the dead persistent connections);
#   2. nothing acknowledged was lost: every save the server answered with success (recorded by
#      bench/locustfile.py with its review, version and a unique marker) is in the database.
# Exit status 0 only when both hold. Errors during the restart itself (requests in flight when
# the server went away) are expected and reported, not counted against (1).
#
#   bash bench/fault_pg_restart.sh
#
# PG_RESTART: the restart command (default: pg_ctlcluster of the cluster on port 5432, else
# `service postgresql restart`). The PostgreSQL server is shared: it is down for seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$(mktemp -d /tmp/kiemdiem-fault.XXXXXX)}
RESTARTS=${RESTARTS:-2}
if [ -z "${PG_RESTART:-}" ]; then
    if command -v pg_lsclusters >/dev/null; then
        read -r VER CLUSTER _ < <(pg_lsclusters -h | awk '$3 == 5432')
        PG_RESTART="pg_ctlcluster $VER $CLUSTER restart"
    else
        PG_RESTART="service postgresql restart"
    fi
fi
export PG_RESTART
DURING="sleep 30; for i in \$(seq $RESTARTS); do echo \"[fault] \$(date +%T) $PG_RESTART\"; \
t0=\$(date +%s.%N); $PG_RESTART; echo \"[fault] PostgreSQL back after \$(echo \"\$(date +%s.%N) - \$t0\" | bc) s\"; sleep 40; done"
echo "[fault] load with $RESTARTS PostgreSQL restart(s); files in $OUT"
OUT="$OUT/load" DURING="$DURING" KEEP_SERVER=1 DURATION=${DURATION:-2m} SPAWN_RATE=${SPAWN_RATE:-10} bash bench/load_test.sh || true
GUNICORN=$(cat "$OUT/load/gunicorn.pid")
trap 'kill -TERM "$GUNICORN" 2>/dev/null || true' EXIT

echo "[fault] after the restarts, the same load for 30 s on the same gunicorn (not restarted):"
export DATABASE_URL=${PG:-postgres://postgres@127.0.0.1:5432}/${LOAD_DB:-kd_load} DEBUG=0
export LOAD_ACCOUNTS="$OUT/load/accounts.json" LOAD_ACKS="$OUT/acks-after.csv" LOAD_TIMINGS="$OUT/timings-after.tsv"
.venv/bin/locust -f bench/locustfile.py --headless -u "${USERS:-100}" -r "${SPAWN_RATE:-10}" -t 30s \
    --host "http://127.0.0.1:${PORT:-8089}" --csv "$OUT/after" --only-summary --loglevel WARNING >"$OUT/after.log" 2>&1 || true
after_errors=$(awk -F, '$2 == "Aggregated" {print $4}' "$OUT/after_stats.csv")
after_requests=$(awk -F, '$2 == "Aggregated" {print $3}' "$OUT/after_stats.csv")
during_errors=$(awk -F, '$2 == "Aggregated" {print $4}' "$OUT/load/locust_stats.csv")
during_requests=$(awk -F, '$2 == "Aggregated" {print $3}' "$OUT/load/locust_stats.csv")
echo "[fault] during the restarts: $during_requests requests, $during_errors errors; after: $after_requests requests, $after_errors errors"
[ -s "$OUT/load/locust_failures.csv" ] && { echo "[fault] errors during the restarts:"; head -8 "$OUT/load/locust_failures.csv" | cut -c1-160; }

cat "$OUT/load/acks.csv" "$OUT/acks-after.csv" > "$OUT/acks-all.csv"
status=0
.venv/bin/python bench/load_setup.py --check-acks "$OUT/acks-all.csv" || status=1
if [ "${after_errors:-1}" != 0 ] || [ "${after_requests:-0}" = 0 ]; then
    echo "[fault] NOT RECOVERED: errors after the restarts"; status=1
fi
[ $status = 0 ] && echo "[fault] OK: recovered by itself, no acknowledged write lost"
exit $status
