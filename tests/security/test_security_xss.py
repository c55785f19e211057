"""Every free-text field stays inert when it holds an XSS payload.

The free-text fields are found by introspection: every CharField/TextField of every kiemdiem
model, less those with choices, slugs and the machine-made fields listed in MACHINE (paths,
hashes, codes of levels…). The test

1. posts the access matrix's own valid forms (kiemdiem/organisations/tests/test_access_matrix.py)
   as an allowed user, with every form value whose name is one of those fields (and the review
   sections) replaced by a payload, so the text takes the path a person's text takes;
2. renders every page of the matrix (GET) as an allowed user and checks the payload never comes
   back raw (no `<script>`, no `<img … onerror=`, no attribute break-out);
3. writes a payload straight into every such field of every row (including those no form of
   the matrix reaches, e.g. names that come from imports), renders every page again and checks
   the same; the fields the brief names (names, review text, comments, feedback points, meeting
   contributions, remediation actions, discipline notes…) must have been seen on some page,
   escaped.
"""
from __future__ import annotations

import html
import re
from itertools import count

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.test import Client
from django.urls import reverse

from kiemdiem.organisations.tests.test_access_matrix import (  # noqa: F401 - fixtures used by name
    ORG,
    OK,
    PAGES,
    Entry,
    _org,
    _world_ids,
    expect,
    world,
)

# Text the application makes itself, or values the code looks up (codes, levels, keys).
MACHINE = {
    "path", "org_path", "issuer_path", "search_key", "sort_key", "key_hash", "prefix", "hash", "prev_hash",
    "actor_key", "token_hash", "key", "receipt", "fingerprint", "content_hash", "params", "lexicon", "backend",
    "extras", "profile_key", "level", "result_level", "previous_level", "proposed_level", "status_before", "section", "role",
    "kind", "action", "object_type", "object_id", "url", "citizen_id", "phone",
}
USERS = ("admin", "dave", "grace", "alice", "carol", "bob")
# Fields that must have been seen, escaped, on at least one page.
MUST_RENDER = {
    "organisations.Organisation.name", "organisations.Member.full_name", "campaigns.Campaign.title",
    "reviews.Comment.text", "feedback.FeedbackPoint.text", "ratings.Contribution.text",
    "ratings.Meeting.conclusions", "remediation.RemediationItem.text", "remediation.RemediationAction.what",
    "discipline.Discipline.decision_number", "feedback.PublicComment.text",
    "discipline.Discipline.summary", "feedback.FeedbackResponse.signed_as", "organisations.Membership.note",
    "ratings.QuotaRaise.reason", "remediation.Commitment.text", "remediation.StudySession.title",
    "performance.TaskAssignment.title", "performance.TaskAssignment.assigned_by", "performance.TaskAssignment.evidence",
    "performance.TaskDeclaration.basis", "performance.ConfidenceVote.note",
}
# core.AuditEvent.object_repr / .reason: no page lists audit events (only audit_verify reads them).

# Pages the matrix has, looked at once more where the matrix's own GET shows nothing of the
# rows its forms made: the study page of the cell (C1 / C3) in the year of the session and the
# commitment the matrix records (its managers see the commitments' text).
EXTRA_PAGES: dict[str, list[Entry]] = {
    "remediation_study": [Entry("view", ORG, _org("C1", "C3"), query={"year": "2025"})],
}

# Optional free-text inputs the matrix's payloads leave empty.
EXTRA_FORM_TEXT = {"discipline_create": {"summary": "Vi phạm"}}

_ids = count(100)


def payload(n: int, room: int | None = None) -> str | None:
    full = f"<script>alert({n})</script><img src=x onerror=alert({n})>\"'"
    if room is None or room >= len(full):
        return full
    short = f"<img src=x onerror=alert({n})>"
    return short if room >= len(short) else None


RAW = [re.compile(r"<script>alert\(\d+\)"), re.compile(r"<img src=x onerror", re.I), re.compile(r"alert\(\d+\)>\"'")]


def text_fields():
    """(model, field) for every free-text field of the project's models and the user's names."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("kiemdiem."):
            continue
        for f in model._meta.concrete_fields:
            if (isinstance(f, (models.CharField, models.TextField)) and not f.choices
                    and not isinstance(f, models.SlugField) and f.name not in MACHINE):
                found.append((model, f))
    User = get_user_model()
    found += [(User, User._meta.get_field(name)) for name in ("first_name", "last_name")]
    return found


def _allowed(entry):
    for target in entry.targets:
        if target == "missing":
            continue
        for user in USERS:
            if expect(entry.rule, target, user) == OK:
                return target, user
    return None


def _build(entry, w, target):
    """The URL kwargs from the matrix's builder, or None when the builder no longer applies
    in this world (the steps run one after another here, not each from a fresh world)."""
    try:
        with transaction.atomic():
            return entry.kwargs(w, target)
    except Exception:  # noqa: BLE001
        return None


def _pages(w):
    """(label, url, query, user) for every GET page of the matrix, as users who may see it."""
    out = []
    for name, entries in [*PAGES.items(), *EXTRA_PAGES.items()]:
        for entry in entries:
            if "get" not in entry.methods or name in ("review_export_docx",):
                continue
            if entry.rule == "login":
                for user in USERS:
                    out.append((name, reverse(name, kwargs=entry.kwargs(w, None)), entry.query, user))
                continue
            for target in entry.targets:
                kwargs = _build(entry, w, target) if target != "missing" else None
                if kwargs is None:
                    continue
                for user in USERS:
                    if expect(entry.rule, target, user) == OK:
                        out.append((name, reverse(name, kwargs=kwargs), entry.query, user))
                        break
    return out


def _render_all(w, pages) -> str:
    """GET every page; fail on a raw payload; return all the HTML (to look for escaped ones)."""
    clients, seen, problems = {}, [], []
    for name, url, query, user in pages:
        if user not in clients:
            clients[user] = Client()
            clients[user].force_login(w.users[user])
        resp = clients[user].get(url, query, follow=True)
        if resp.status_code != 200:
            problems.append(f"{name} {url} as {user}: HTTP {resp.status_code}")
            continue
        if not resp.get("Content-Type", "").startswith("text/html"):
            continue
        body = resp.content.decode()
        for pattern in RAW:
            match = pattern.search(body)
            if match:
                problems.append(f"{name} {url} as {user}: raw payload {body[max(0, match.start() - 80):match.end() + 20]!r}")
        seen.append(body)
    assert not problems, "\n".join(problems)
    return "\n".join(seen)


def _with_payloads(data: dict, text_names: set[str], marks: dict) -> dict:
    out = {}
    for key, value in data.items():
        if isinstance(value, str) and (key in text_names or key.startswith("sec_") or key == "shortcomings"):
            n = next(_ids)
            marks[n] = f"form {key}"
            out[key] = payload(n)
        else:
            out[key] = value
    return out


def test_free_text_is_escaped_everywhere(world):
    fields = text_fields()
    text_names = {f.name for _m, f in fields}

    # 1. through the forms
    marks: dict[int, str] = {}
    accepted = []
    # removing a member from the party (removal_decide) would make later forms about him void
    order = sorted(PAGES.items(), key=lambda item: item[0].startswith("remediation_removal"))
    for name, entries in order:
        for entry in entries:
            if "post" not in entry.methods or not entry.data:
                continue
            allowed = _allowed(entry)
            if allowed is None:
                continue
            target, user = allowed
            kwargs = _build(entry, world, target)
            if kwargs is None:
                continue
            url = reverse(name, kwargs=kwargs)
            try:
                original = {**entry.data(world, target), **EXTRA_FORM_TEXT.get(name, {})}
            except Exception:  # noqa: BLE001 - the builder no longer applies in this world
                continue
            data = _with_payloads(original, text_names, marks)
            if data == original:
                continue
            # run one after another in one world, some steps no longer apply (e.g. a vote
            # before attendance): such a refusal is fine here, only the escaping is tested
            client = Client(raise_request_exception=False)
            client.force_login(world.users[user])
            resp = client.post(url, data)
            if resp.status_code == 302:
                accepted.append(name)
            else:  # refused (state, or a payload where a code belongs): carry on with plain text
                client.post(url, original)
    assert {"review_edit", "review_comment", "meeting_contribution", "discipline_create"} <= set(accepted), accepted

    # the review's sections are rich text shown with |safe: they must have been cleaned on save
    from kiemdiem.reviews.models import Review

    stored = " ".join(str(r.content) for r in Review.objects.exclude(content={}))
    assert "alert(" in stored and not any(p.search(stored) for p in RAW) and "<script" not in stored

    pages = _pages(world)
    assert len(pages) > 50
    rendered = _render_all(world, pages)
    assert any(f"alert({n})" in rendered for n in marks), "no payload sent through a form was rendered"

    # 2. straight into every free-text field of every row
    field_marks: dict[int, str] = {}
    for model, f in fields:
        n = next(_ids)
        if payload(n, f.max_length) is None:
            continue
        try:
            with transaction.atomic():
                updated = model._default_manager.update(**{f.attname: payload(n, f.max_length)})
        except IntegrityError:  # a unique field (codes): one value per row
            room = f.max_length - 10 if f.max_length else None
            updated = 0
            for pk in model._default_manager.values_list("pk", flat=True):
                updated += model._default_manager.filter(pk=pk).update(**{f.attname: f"{payload(n, room)}-{pk}"})
        if updated:
            field_marks[n] = f"{model._meta.label}.{f.name}"
    rendered = _render_all(world, pages)
    shown = {label for n, label in field_marks.items() if f"alert({n})" in rendered}
    assert html.escape(payload(999)) not in rendered  # (sanity: the escaped form is what we look for)
    print(f"\n{len(shown)} of {len(field_marks)} free-text fields rendered (escaped) on some page; not shown on "
          f"any page of the matrix: {sorted(set(field_marks.values()) - shown)}")
    missing = MUST_RENDER - shown
    assert not missing, f"fields never rendered: {sorted(missing)}"
