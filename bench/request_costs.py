"""What one request of the load test costs, in process (issue 9): CPU of the Python process,
wall time and SQL queries for the editor open (GET), the editor save (POST) and the dashboards,
through Django's test client on the load database (bench/load_test.sh prepares it), with the
production settings that matter (DEBUG off, persistent connections). `--profile NAME` prints
the top of a cProfile of that request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kd_load .venv/bin/python bench/request_costs.py [--repeat 50] [--profile edit-get]
"""
from __future__ import annotations

import argparse
import cProfile
import html
import json
import os
import pstats
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiemdiem.settings")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="base_version" value="(\d+)"')
TEXTAREA = re.compile(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', re.S)


def login(username: str, password: str) -> Client:
    c = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
    page = c.get("/accounts/login/")
    token = CSRF.search(page.content.decode()).group(1)
    r = c.post("/accounts/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token})
    assert r.status_code == 302, r.status_code
    return c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", default="")
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--profile", default="")
    args = ap.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    if args.accounts:
        accounts = json.loads(open(args.accounts).read())
    else:
        sys.path.insert(0, str(REPO / "bench"))
        out = "/tmp/kiemdiem-request-costs.json"
        os.system(f"{sys.executable} {REPO / 'bench' / 'load_setup.py'} --out {out} --members 90 --staff 10 >/dev/null")
        accounts = json.loads(open(out).read())
    member = accounts["members"][0]
    mc = login(member["username"], accounts["password"])
    sc = login(accounts["staff"][0]["username"], accounts["password"])
    url = f"/reviews/{member['review']}/edit/"
    camp, prov = accounts["campaign"], accounts["province"]
    district = (accounts.get("districts") or [prov])[0]
    state = {"n": 0}

    def edit_get():
        r = mc.get(url)
        assert r.status_code == 200
        state["page"] = r.content.decode()

    def edit_post():
        page = state.get("page") or mc.get(url).content.decode()
        data = {"csrfmiddlewaretoken": CSRF.search(page).group(1), "base_version": VERSION.search(page).group(1)}
        for name, text in TEXTAREA.findall(page):
            data[name] = html.unescape(text).strip()
        state["n"] += 1
        target = next(n for n in data if n.startswith("sec_"))
        data[target] = f"Bản tự kiểm điểm, lần lưu {state['n']} (đo chi phí)."
        r = mc.post(url, data)
        assert r.status_code == 302 and "/edit/" not in r["Location"], (r.status_code, r.content[:300])
        state["page"] = None
        state["version"] = None

    def edit_save_htmx():
        """ "Lưu" through htmx, as the load test's members do: 200 with the new version."""
        page = state.get("page") or mc.get(url).content.decode()
        state["page"] = page  # the editor stays open between saves
        data = {"csrfmiddlewaretoken": CSRF.search(page).group(1), "base_version": state.get("version") or
                VERSION.search(page).group(1), "then": "save"}
        for name, text in TEXTAREA.findall(page):
            data[name] = html.unescape(text).strip()
        state["n"] += 1
        target = next(n for n in data if n.startswith("sec_"))
        data[target] = f"Bản tự kiểm điểm, lần lưu {state['n']} (đo chi phí)."
        r = mc.post(url, data, HTTP_HX_REQUEST="true")
        found = VERSION.search(r.content.decode())
        assert r.status_code == 200 and found and "HX-Retarget" not in r, (r.status_code, r.content[:300])
        state["version"] = found.group(1)

    def progress_province():
        assert sc.get(f"/campaigns/{camp}/progress/{prov}/").status_code == 200

    def progress_district():
        assert sc.get(f"/campaigns/{camp}/progress/{district}/").status_code == 200

    def statistics():
        assert sc.get(f"/reports/org/{prov}/campaign/{camp}/").status_code == 200

    cases = {"edit-get": edit_get, "edit-post": edit_post, "edit-save-htmx": edit_save_htmx, "progress-province": progress_province,
             "progress-district": progress_district, "statistics": statistics}
    for name, fn in cases.items():
        if args.profile and name != args.profile:
            continue
        for _ in range(3):  # warm up (caches, connections, templates)
            if name == "edit-post":
                edit_get()
            fn()
        cpu = wall = 0.0
        queries = 0
        n = args.repeat if name.startswith("edit") else max(5, args.repeat // 5)
        prof = cProfile.Profile() if args.profile else None
        for _ in range(n):
            if name == "edit-post":
                edit_get()
            c0, w0 = time.process_time(), time.perf_counter()
            with CaptureQueriesContext(connection) as q:
                if prof:
                    prof.enable()
                fn()
                if prof:
                    prof.disable()
            cpu += time.process_time() - c0
            wall += time.perf_counter() - w0
            queries += len(q.captured_queries)
        print(f"{name:20} CPU {cpu / n * 1000:6.1f} ms  wall {wall / n * 1000:6.1f} ms  queries {queries / n:5.1f}")
        if prof:
            pstats.Stats(prof).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(int(os.environ.get("TOP", "45")))
            if os.environ.get("SHOW_SQL"):
                for x in q.captured_queries:
                    print(x["sql"][:300])


if __name__ == "__main__":
    main()
