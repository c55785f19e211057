"""CPU seconds used by process group (gunicorn, locust, postgres, everything else) between two
snapshots, for bench/load_test.sh: where the 2 cores go under load.

    python bench/cpu_split.py snapshot FILE      # cumulative CPU per group now, to FILE (JSON)
    python bench/cpu_split.py diff FILE SECONDS  # the difference since FILE, as shares of the machine

Each group counts its live processes and, through the parent's cutime/cstime, the children
that have exited (gunicorn's recycled workers, PostgreSQL's closed backends).
"""
from __future__ import annotations

import json
import os
import sys

TICK = os.sysconf("SC_CLK_TCK")
GROUPS = ("gunicorn", "locust", "postgres")


def _group(pid: str) -> str | None:
    try:
        cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    for g in GROUPS:
        if g in cmd:
            return g
    return "other"


def snapshot() -> dict:
    out = {g: 0.0 for g in (*GROUPS, "other")}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        g = _group(pid)
        if g is None:
            continue
        # utime stime cutime cstime are fields 14-17 (1-based); after the comm, index 11-14
        out[g] += sum(int(x) for x in fields[11:15]) / TICK
    cpu = open("/proc/stat").readline().split()[1:]
    idle = int(cpu[3]) + int(cpu[4])
    out["machine_busy"] = (sum(int(x) for x in cpu[:8]) - idle) / TICK
    return out


def main() -> None:
    if sys.argv[1] == "snapshot":
        json.dump(snapshot(), open(sys.argv[2], "w"))
        return
    before, now, seconds = json.load(open(sys.argv[2])), snapshot(), float(sys.argv[3])
    cores = os.cpu_count() or 1
    parts = []
    for g in (*GROUPS, "other", "machine_busy"):
        used = max(0.0, now[g] - before[g])
        parts.append(f"{g} {used:.1f} s ({100 * used / (seconds * cores):.0f}%)")
    print(f"CPU over {seconds:.0f} s on {cores} cores: " + ", ".join(parts))


if __name__ == "__main__":
    main()
