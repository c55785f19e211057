"""Load test (issue 9): members saving their self-reviews through the real editor (with the
optimistic-lock version the page gives them) and staff opening a province dashboard.

Run by bench/load_test.sh, which prepares the database and the accounts (bench/load_setup.py)
and passes LOAD_ACCOUNTS (the JSON it wrote) and LOAD_ACKS (a CSV this file appends to: one line
review_id,version,marker per save the server acknowledged, for bench/fault_pg_restart.sh to check
against the database). Each simulated user waits 1 s between tasks.
"""
from __future__ import annotations

import html
import itertools
import json
import os
import re
import threading
import time
import uuid

from locust import constant, events, task
from locust.contrib.fasthttp import FastHttpUser

ACCOUNTS = json.loads(open(os.environ["LOAD_ACCOUNTS"]).read())
ACKS_PATH = os.environ.get("LOAD_ACKS", "")
_acks_lock = threading.Lock()
_acks = open(ACKS_PATH, "a") if ACKS_PATH else None
_member_ids = itertools.count()
_staff_ids = itertools.count()

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="base_version" value="(\d+)"')
TEXTAREA = re.compile(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', re.S)


def record_ack(review: int, version: int, marker: str) -> None:
    if _acks is None:
        return
    with _acks_lock:
        _acks.write(f"{review},{version},{marker}\n")
        _acks.flush()


TIMINGS_PATH = os.environ.get("LOAD_TIMINGS", "")
_timings = open(TIMINGS_PATH, "w") if TIMINGS_PATH else None


@events.request.add_listener
def _timing(request_type, name, response_time, response_length, exception=None, **kw):
    """Every request's time (ms) and outcome, so load_test.sh can give p95 of the steady state
    (without the one-off logins of the ramp-up) as well as locust's overall figure."""
    if _timings is not None:
        _timings.write(f"{name}\t{response_time:.1f}\t{0 if exception is None else 1}\t{time.time():.3f}\n")


@events.quitting.add_listener
def _close(environment, **kw):
    for f in (_acks, _timings):
        if f is not None:
            f.close()


def login_page(page) -> bool:
    """Redirected to the login form (the session was lost, e.g. the database restarted)."""
    return page.status_code == 200 and 'name="password"' in (page.text or "")


class LoggedIn(FastHttpUser):
    """FastHttpUser (geventhttpclient) rather than HttpUser (requests): the same requests at a
    fraction of the client's CPU, which shares the 2 cores with the server here."""

    abstract = True
    wait_time = constant(1)
    username = ""

    def login(self, username: str) -> None:
        self.username = username
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF.search(page.text)
        with self.client.post(
            "/accounts/login/", name="login",
            data={"username": username, "password": ACCOUNTS["password"],
                  "csrfmiddlewaretoken": token.group(1) if token else ""},
            headers={"Referer": self.host + "/accounts/login/"}, allow_redirects=False, catch_response=True,
        ) as resp:
            if resp.status_code != 302:
                resp.failure(f"login of {username} refused ({resp.status_code})")


# A member opens the editor, then saves what they write with "Lưu", which the editor sends
# through htmx (the page stays open; the answer is a status line and the new version). Every
# REOPEN_EVERY-th save the member first opens the editor again (a new visit to the page).
# REOPEN_EVERY=1 with LOAD_FULL_POST=1 is the stricter workload of the first runs: open the
# editor and save it as a plain form (302 to the report) on every task.
REOPEN_EVERY = int(os.environ.get("LOAD_REOPEN_EVERY", "4"))
FULL_POST = os.environ.get("LOAD_FULL_POST", "") == "1"


class Member(LoggedIn):
    """A party member writing the self-review (Mẫu 2B/2A/2C) and saving it."""

    weight = 9

    def on_start(self):
        account = ACCOUNTS["members"][next(_member_ids) % len(ACCOUNTS["members"])]
        self.review = account["review"]
        self.saves = 0
        self.form = None  # (token, version, {field: text}) from the last editor page
        self.login(account["username"])

    def open_editor(self) -> bool:
        url = f"/reviews/{self.review}/edit/"
        page = self.client.get(url, name="/reviews/[id]/edit/ (open)")
        if login_page(page):  # login failed earlier (e.g. DB restart)
            self.login(self.username)
            return False
        token, version = CSRF.search(page.text or ""), VERSION.search(page.text or "")
        if page.status_code != 200 or not token or not version:
            return False  # the failed GET is already counted (or the page was not the editor)
        self.form = (token.group(1), int(version.group(1)),
                     {name: html.unescape(text).strip() for name, text in TEXTAREA.findall(page.text)})
        return True

    @task
    def save_self_review(self):
        url = f"/reviews/{self.review}/edit/"
        if (self.form is None or FULL_POST or self.saves % REOPEN_EVERY == 0) and not self.open_editor():
            return
        token, version, fields = self.form
        self.saves += 1
        marker = f"LT{uuid.uuid4().hex[:12]}"
        data = {"csrfmiddlewaretoken": token, "base_version": str(version), "then": "save", **fields}
        sections = [name for name in fields if name.startswith("sec_")]
        if sections:  # the member rewrites one section per save; the text carries a unique marker
            target = sections[self.saves % len(sections)]
            data[target] = fields[target] = (f"Bản tự kiểm điểm của {self.username}, lần lưu {self.saves} ({marker}). "
                                             "Luôn giữ vững lập trường tư tưởng chính trị, chấp hành nghiêm các nghị quyết.")
        headers = {"Referer": self.host + url}
        if not FULL_POST:
            headers.update({"HX-Request": "true", "HX-Target": "save-status", "HX-Trigger": "save-review"})
        with self.client.post(url, data=data, name="/reviews/[id]/edit/ (save)", allow_redirects=False,
                              headers=headers, catch_response=True) as resp:
            saved = VERSION.search(resp.text or "") if not FULL_POST else None
            if FULL_POST and resp.status_code == 302 and "/edit/" not in resp.headers.get("Location", ""):
                record_ack(self.review, version + 1, marker)
            elif not FULL_POST and resp.status_code == 200 and saved and "HX-Retarget" not in (resp.headers or {}):
                record_ack(self.review, int(saved.group(1)), marker)
                self.form = (token, int(saved.group(1)), fields)
            else:
                self.form = None
                resp.failure(f"save not acknowledged ({resp.status_code})")


class Staff(LoggedIn):
    """Staff of the province opening its dashboard: the campaign's progress for the province
    (and a district below it), and the province's statistics report."""

    weight = 1

    def on_start(self):
        account = ACCOUNTS["staff"][next(_staff_ids) % len(ACCOUNTS["staff"])]
        self.login(account["username"])
        self.districts = itertools.cycle(ACCOUNTS.get("districts") or [ACCOUNTS["province"]])

    def get(self, url: str, name: str) -> None:
        page = self.client.get(url, name=name)
        if login_page(page):  # login failed earlier (e.g. DB restart)
            self.login(self.username)

    @task(3)
    def province_progress(self):
        self.get(f"/campaigns/{ACCOUNTS['campaign']}/progress/{ACCOUNTS['province']}/",
                 name="/campaigns/[id]/progress/[province]/")

    @task(1)
    def district_progress(self):
        self.get(f"/campaigns/{ACCOUNTS['campaign']}/progress/{next(self.districts)}/",
                 name="/campaigns/[id]/progress/[district]/")

    @task(1)
    def province_statistics(self):
        self.get(f"/reports/org/{ACCOUNTS['province']}/campaign/{ACCOUNTS['campaign']}/",
                 name="/reports/org/[province]/campaign/[id]/")
