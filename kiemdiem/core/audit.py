"""Every write records an AuditEvent through `record()` (one event) or `record_many()`
(several, one lock and one INSERT): services call them inside their transaction so the audit
rows and the change commit (or roll back) together.

Tamper evidence: the rows form a hash chain. Appending locks the single AuditChainHead row,
numbers the new rows seq = head.seq + 1, … and sets each row's `hash` to sha256 over the
canonical JSON of its fields (`canonical()`) plus the previous row's hash. The head lock is
held until the caller's transaction ends, so concurrent writers append in turn and the chain
never forks. `kiemdiem audit_verify` (`verify_chain()`) walks the chain and names the first
row whose content, number or link no longer matches. Never create AuditEvent rows any other
way (no AuditEvent.objects.create / bulk_create): they would be outside the chain."""
from __future__ import annotations

import datetime
import decimal
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable

from django.db import models, transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

# The fields covered by an entry's hash (with the previous entry's hash).
HASHED_FIELDS = (
    "seq", "at", "actor_key", "action", "object_type", "object_id", "object_repr", "org_path", "changes",
    "reason", "prev_hash",
)


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict:
    """The concrete field values of `obj` as plain JSON data."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _plain(getattr(obj, name)) for name in names}


def diff(before: dict, after: dict) -> dict:
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def _utc_iso(at: datetime.datetime) -> str:
    return at.astimezone(datetime.timezone.utc).isoformat(timespec="microseconds")


def _numbers(value: Any) -> Any:
    """Whole floats as ints: PostgreSQL's jsonb gives 1e20 back as 100000000000000000000."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_numbers(v) for v in value]
    return value


def canonical(event: AuditEvent) -> bytes:
    """The bytes an entry's hash covers: its HASHED_FIELDS as JSON with sorted keys."""
    data = {name: getattr(event, name) for name in HASHED_FIELDS}
    data["at"] = _utc_iso(event.at)
    data["changes"] = _numbers(event.changes)
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


def _locked_head() -> AuditChainHead:
    """The chain head, locked until the surrounding transaction ends. Created on first use
    (from the last chained row, if any: e.g. after a test flush)."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        last = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").only("seq", "hash").first()
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": last.seq if last else 0, "hash": last.hash if last else ""}
        )
    return head


def _event(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    org_path: str = "",
    changes: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    actor = actor if getattr(actor, "is_authenticated", False) else None
    # JSON round trip: the hash must cover exactly what the database gives back.
    changes = json.loads(json.dumps(changes or {}))
    return AuditEvent(
        actor=actor,
        actor_key=str(actor.pk) if actor is not None else "",
        action=str(action),
        object_type=str(object_type),
        object_id=str(object_id),
        object_repr=str(object_repr)[:300],
        org_path=str(org_path or ""),
        changes=changes,
        reason=str(reason or ""),
    )


def record_many(events: Iterable[dict]) -> list[AuditEvent]:
    """Append several events (each a dict of `record()`'s keyword arguments) to the chain in
    the given order, under one lock, with one bulk INSERT. The bulk path for services that
    write many rows at once."""
    rows = [_event(**kw) for kw in events]
    if not rows:
        return []
    # savepoint=False: inside the caller's transaction (the usual case) no savepoint is
    # needed, an error rolls back the caller's transaction anyway
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        now = timezone.now()
        seq, prev = head.seq, head.hash
        for row in rows:
            seq += 1
            row.seq, row.prev_hash, row.at = seq, prev, now
            row.hash = prev = entry_hash(row)
        AuditEvent.objects.bulk_create(rows, batch_size=1000)
        head.seq, head.hash = seq, prev
        head.save(update_fields=["seq", "hash"])
    return rows


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    org_path: str = "",
    changes: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event to the chain (see the module docstring)."""
    return record_many([dict(
        actor=actor, action=action, obj=obj, object_type=object_type, object_id=object_id,
        object_repr=object_repr, org_path=org_path, changes=changes, reason=reason,
    )])[0]


# --- verification ---------------------------------------------------------------------------

@dataclass
class Break:
    """The first place the chain no longer holds."""

    id: int | None
    seq: int | None
    at: datetime.datetime | None
    problem: str

    def __str__(self):
        at = timezone.localtime(self.at).strftime("%Y-%m-%d %H:%M:%S") if self.at else "?"
        return f"mục id={self.id} (seq={self.seq}, lúc {at}): {self.problem}"


@dataclass
class VerifyResult:
    checked: int
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_chain(chunk_size: int = 2000) -> VerifyResult:
    """Walk the whole chain in `seq` order (streaming) and return the first break, if any."""
    fields = ("id", "actor_id", *HASHED_FIELDS, "hash")
    unchained = AuditEvent.objects.filter(seq__isnull=True).order_by("id").only("id", "at").first()
    if unchained is not None:
        return VerifyResult(0, Break(unchained.id, None, unchained.at,
                                     "mục không nằm trong chuỗi (không có số thứ tự, được ghi ngoài audit.record)"))
    checked, expected_seq, prev_hash, prev_id = 0, 1, "", None
    for row in AuditEvent.objects.order_by("seq").only(*fields).iterator(chunk_size=chunk_size):
        where = (row.id, row.seq, row.at)
        if row.seq != expected_seq:
            if row.seq > expected_seq:
                problem = (f"thiếu mục seq={expected_seq}" if row.seq == expected_seq + 1
                           else f"thiếu các mục seq={expected_seq}…{row.seq - 1}") + " (đã bị xoá) ngay trước mục này"
            else:
                problem = f"số thứ tự trùng hoặc lùi (mong đợi seq={expected_seq})"
            return VerifyResult(checked, Break(*where, problem))
        if row.prev_hash != prev_hash:
            return VerifyResult(checked, Break(*where, f"không khớp mã băm của mục trước (id={prev_id}): "
                                                       "thứ tự hoặc mục trước đã bị thay đổi"))
        if entry_hash(row) != row.hash:
            return VerifyResult(checked, Break(*where, "nội dung đã bị sửa: mã băm tính lại khác mã băm đã lưu"))
        if row.actor_id is not None and str(row.actor_id) != row.actor_key:
            return VerifyResult(checked, Break(*where, f"người thực hiện đã bị đổi (actor_id={row.actor_id}, lúc ghi là {row.actor_key or 'không có'})"))
        checked += 1
        expected_seq, prev_hash, prev_id = row.seq + 1, row.hash, row.id
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, "")
    if (head_seq, head_hash) != (expected_seq - 1, prev_hash):
        if head_seq > expected_seq - 1:
            problem = f"các mục seq={expected_seq}…{head_seq} ở cuối chuỗi đã bị xoá"
        else:
            problem = f"đầu chuỗi ghi seq={head_seq}, khác mục cuối cùng (seq={expected_seq - 1})"
        last = AuditEvent.objects.filter(seq=expected_seq - 1).only("id", "at").first()
        return VerifyResult(checked, Break(last.id if last else None, expected_seq - 1 or None,
                                           last.at if last else None, problem))
    return VerifyResult(checked, None)
