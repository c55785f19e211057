#!/usr/bin/env bash
# Load test (issue 9): 100 users (90 members saving self-reviews through the editor, 10 staff
# opening the province dashboard), 1 s think time, against gunicorn on PostgreSQL, headless and
# bounded in time. Prints p95 and errors per endpoint and overall; exits 1 when p95 >= 300 ms or
# any request failed.
#
#   bash bench/load_test.sh                     # database kd_load, made and seeded when missing
#
# Environment: LOAD_DB (kd_load), PG (postgres://postgres@127.0.0.1:5432), LOAD_SEED_MEMBERS
# (165000: one province-sized synthetic tree), USERS (100), SPAWN_RATE (2 users/s), DURATION
# (3m), PORT (8089), GUNICORN_WORKERS (2 x cores + 1), OUT (a temporary folder), LOAD_ACKS (file of
# acknowledged saves, default $OUT/acks.csv), DURING (a shell command run in the background while
# the load runs: bench/fault_pg_restart.sh uses it), KEEP_SERVER=1 (leave gunicorn running; its
# pid is in $OUT/gunicorn.pid), LOAD_REOPEN_EVERY / LOAD_FULL_POST (bench/locustfile.py).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG=${PG:-postgres://postgres@127.0.0.1:5432}
LOAD_DB=${LOAD_DB:-kd_load}
USERS=${USERS:-100}
SPAWN_RATE=${SPAWN_RATE:-2}   # users starting per second: 100 logins over 50 s (each an Argon2 hash)
DURATION=${DURATION:-3m}
PORT=${PORT:-8089}
OUT=${OUT:-$(mktemp -d /tmp/kiemdiem-load.XXXXXX)}
mkdir -p "$OUT"
# as in production (docs/deployment.md): Redis for the cache and the sessions (database 3 here)
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/3}
export DATABASE_URL="$PG/$LOAD_DB" DEBUG=0 CONN_MAX_AGE=${CONN_MAX_AGE:-60} LOG_LEVEL=ERROR
export LOAD_ACCOUNTS="$OUT/accounts.json" LOAD_ACKS=${LOAD_ACKS:-$OUT/acks.csv} LOAD_TIMINGS="$OUT/timings.tsv"
: > "$LOAD_ACKS"

say() { echo "[load] $*"; }

if ! psql "$PG/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$LOAD_DB'" | grep -q 1; then
    say "creating database $LOAD_DB"
    psql "$PG/postgres" -qc "CREATE DATABASE \"$LOAD_DB\""
fi
$BIN/kiemdiem migrate --noinput -v0
if [ "$(psql "$DATABASE_URL" -tAc 'SELECT COUNT(*) FROM organisations_member')" = "0" ]; then
    say "seeding a province-sized tree (${LOAD_SEED_MEMBERS:-165000} members)"
    $BIN/kiemdiem seed_synthetic --members "${LOAD_SEED_MEMBERS:-165000}" --provinces 1
fi
$BIN/python bench/load_setup.py --out "$LOAD_ACCOUNTS" --members 90 --staff 10

say "gunicorn on 127.0.0.1:$PORT (workers: ${GUNICORN_WORKERS:-2 x cores + 1})"
GUNICORN_BIND=127.0.0.1:$PORT GUNICORN_ACCESS_LOG="$OUT/access.log" \
    $BIN/gunicorn -c gunicorn.conf.py kiemdiem.wsgi --pid "$OUT/gunicorn.pid" >"$OUT/gunicorn.log" 2>&1 &
GUNICORN=$!
stop_server() {
    if [ "${KEEP_SERVER:-0}" != 1 ] && kill -0 "$GUNICORN" 2>/dev/null; then
        kill -TERM "$GUNICORN"; wait "$GUNICORN" 2>/dev/null || true
    fi
}
trap stop_server EXIT
for _ in $(seq 60); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    sleep 1
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null

DURING_PID=
if [ -n "${DURING:-}" ]; then
    bash -c "$DURING" &
    DURING_PID=$!
fi
say "locust: $USERS users, 1 s think time, $DURATION"
$BIN/python bench/cpu_split.py snapshot "$OUT/cpu.json"
STARTED=$(date +%s)
$BIN/locust -f bench/locustfile.py --headless -u "$USERS" -r "$SPAWN_RATE" -t "$DURATION" \
    --host "http://127.0.0.1:$PORT" --csv "$OUT/locust" --only-summary --loglevel WARNING \
    >"$OUT/locust.log" 2>&1 || true
$BIN/python bench/cpu_split.py diff "$OUT/cpu.json" "$(( $(date +%s) - STARTED ))" | tee "$OUT/cpu.txt"
if [ -n "$DURING_PID" ]; then wait "$DURING_PID"; fi

RAMP_UP=$(( (USERS + SPAWN_RATE - 1) / SPAWN_RATE ))
$BIN/python - "$OUT/locust_stats.csv" "$OUT/timings.tsv" "$RAMP_UP" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(f"{'endpoint':48} {'requests':>8} {'errors':>6} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
for r in rows:
    print(f"{(r['Type'] + ' ' + r['Name'])[:48]:48} {r['Request Count']:>8} {r['Failure Count']:>6} "
          f"{r['50%']:>6} {r['95%']:>6} {r['99%']:>6}")
agg = next(r for r in rows if r["Name"] == "Aggregated")
p95, errors, total = float(agg["95%"]), int(agg["Failure Count"]), int(agg["Request Count"])
rps = float(agg["Requests/s"])
verdict = "OK" if p95 < 300 and errors == 0 else "NOT MET"
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[2])]
steady = sorted(float(r[1]) for r in rows if not r[0].startswith("login"))
if steady:
    print(f"without the logins: {len(steady)} requests, "
          f"p50={steady[len(steady) // 2]:.0f}ms p95={steady[int(len(steady) * 0.95)]:.0f}ms")
# steady state: after every user has logged in (the ramp-up: USERS / SPAWN_RATE seconds, each
# login an Argon2 hash) and 5 s more for the queue it left to drain
start = min(float(r[3]) for r in rows) if rows else 0
after = sorted(float(r[1]) for r in rows if float(r[3]) - start > int(sys.argv[3]) + 5 and not r[0].startswith("login"))
if after:
    errors_after = sum(int(r[2]) for r in rows if float(r[3]) - start > int(sys.argv[3]) + 5)
    print(f"STEADY after the ramp-up ({int(sys.argv[3])} s + 5 s): {len(after)} requests, p50={after[len(after) // 2]:.0f}ms "
          f"p95={after[int(len(after) * 0.95)]:.0f}ms p99={after[int(len(after) * 0.99)]:.0f}ms errors={errors_after}")
print(f"RESULT requests={total} rps={rps:.1f} p95={p95:.0f}ms errors={errors} -> {verdict} (target p95 < 300 ms, 0 errors)")
open(sys.argv[1] + ".verdict", "w").write(verdict)
PY
say "load average: $(cut -d' ' -f1-3 /proc/loadavg); files in $OUT"
if [ -s "$OUT/locust_failures.csv" ] && [ "$(wc -l < "$OUT/locust_failures.csv")" -gt 1 ]; then
    say "failures:"; head -20 "$OUT/locust_failures.csv"
fi
[ "$(cat "$OUT/locust_stats.csv.verdict")" = OK ]
