"""The audit log is a hash chain: `kiemdiem audit_verify` accepts an intact chain and names the
first entry that was changed, deleted or reordered behind the application's back (raw SQL)."""
from __future__ import annotations

import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from kiemdiem.core import audit
from kiemdiem.core.models import AuditChainHead, AuditEvent


def _append(n: int, actor=None, prefix="test") -> list[AuditEvent]:
    return [audit.record(actor=actor, action=f"{prefix}.{i}", object_type="test", object_id=str(i),
                         object_repr=f"Mục {i} “có dấu”", org_path="0001.0002", changes={"a": [i, None], "ghi chú": "x"},
                         reason="Lý do") for i in range(n)]


def _sql(statement: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _broken():
    result = audit.verify_chain(chunk_size=3)  # small chunks: the walk streams across chunk edges
    assert not result.ok
    return result.broken


def _command_error() -> str:
    with pytest.raises(CommandError) as info:
        call_command("audit_verify")
    return str(info.value)


@pytest.mark.django_db
def test_an_intact_chain_verifies(cast, capsys):
    events = _append(10, actor=cast.alice)
    assert AuditEvent.objects.count() > 10  # the cast's own writes are in the chain too
    result = audit.verify_chain(chunk_size=3)
    assert result.ok and result.checked == AuditEvent.objects.count()
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (events[-1].seq, events[-1].hash)
    assert events[1].prev_hash == events[0].hash
    call_command("audit_verify")
    assert "nguyên vẹn" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_stored_row_hashes_to_what_was_recorded():
    """What the database gives back (JSON, times, text) hashes exactly as when it was written."""
    event = audit.record(actor=None, action="x", object_type="t", object_id=7,
                         changes={"điểm": "27.50", "n": 3, "list": (1, 2), "none": None, "nested": {"b": 1, "a": 2},
                                  "floats": [0.1, 2.0, 1e20, 1.5e-7], "text": "Nguyễn Thị Ánh \"trích\" <b>"})
    stored = AuditEvent.objects.get(pk=event.pk)
    assert audit.entry_hash(stored) == event.hash == stored.hash


@pytest.mark.django_db
def test_record_many_appends_in_order_under_one_lock():
    first = audit.record(actor=None, action="before", object_type="t")
    rows = audit.record_many([dict(actor=None, action=f"bulk.{i}", object_type="t", object_id=str(i)) for i in range(25)])
    assert [r.seq for r in rows] == list(range(first.seq + 1, first.seq + 26))
    assert rows[0].prev_hash == first.hash
    assert audit.record_many([]) == []
    assert audit.verify_chain().ok


@pytest.mark.django_db
@pytest.mark.parametrize("field, value", [
    ("reason", "Lý do đã bị sửa"),
    ("action", "review.approve"),
    ("changes", '{"a": [99, null]}'),
    ("at", "2020-01-01 00:00:00"),
    ("object_id", "999"),
])
def test_editing_a_field_is_detected_and_named(field, value):
    events = _append(8)
    victim = events[4]
    _sql(f"UPDATE core_auditevent SET {connection.ops.quote_name(field)} = %s WHERE id = %s", [value, victim.pk])
    broken = _broken()
    assert broken.id == victim.pk and broken.seq == victim.seq
    assert "nội dung đã bị sửa" in broken.problem
    message = _command_error()
    assert f"id={victim.pk}" in message


@pytest.mark.django_db
def test_rewriting_a_rows_hash_too_breaks_the_next_link():
    events = _append(6)
    victim = events[2]
    _sql("UPDATE core_auditevent SET reason = 'x' WHERE id = %s", [victim.pk])
    edited = AuditEvent.objects.get(pk=victim.pk)
    _sql("UPDATE core_auditevent SET hash = %s WHERE id = %s", [audit.entry_hash(edited), victim.pk])
    broken = _broken()
    assert broken.id == events[3].pk
    assert f"id={victim.pk}" in broken.problem


@pytest.mark.django_db
def test_changing_the_actor_is_detected(cast):
    events = _append(4, actor=cast.alice)
    _sql("UPDATE core_auditevent SET actor_id = %s WHERE id = %s", [cast.carol.pk, events[1].pk])
    broken = _broken()
    assert broken.id == events[1].pk and "người thực hiện" in broken.problem


@pytest.mark.django_db
def test_deleting_the_actor_keeps_the_chain(cast):
    """A user deleted later (actor → NULL) is not tampering: the hash covers actor_key."""
    _append(3, actor=cast.eve)
    cast.eve.delete()
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_deleting_a_row_is_detected_and_the_next_row_named():
    events = _append(8)
    _sql("DELETE FROM core_auditevent WHERE id = %s", [events[3].pk])
    broken = _broken()
    assert broken.id == events[4].pk
    assert f"thiếu mục seq={events[3].seq}" in broken.problem
    assert f"id={events[4].pk}" in _command_error()


@pytest.mark.django_db
def test_deleting_the_first_row_is_detected():
    events = _append(3)
    _sql("DELETE FROM core_auditevent WHERE seq = 1")
    broken = _broken()
    assert broken.seq == 2 and "thiếu mục seq=1" in broken.problem
    assert broken.id == AuditEvent.objects.get(seq=2).pk
    assert events


@pytest.mark.django_db
def test_deleting_the_last_rows_is_detected_through_the_head():
    events = _append(8)
    _sql("DELETE FROM core_auditevent WHERE seq >= %s", [events[6].seq])
    broken = _broken()
    assert broken.id == events[5].pk
    assert "cuối chuỗi đã bị xoá" in broken.problem


@pytest.mark.django_db
def test_reordering_rows_is_detected():
    events = _append(8)
    a, b = events[2], events[5]
    _sql("UPDATE core_auditevent SET seq = -1 WHERE id = %s", [a.pk])
    _sql("UPDATE core_auditevent SET seq = %s WHERE id = %s", [a.seq, b.pk])
    _sql("UPDATE core_auditevent SET seq = %s WHERE id = %s", [b.seq, a.pk])
    broken = _broken()
    assert broken.id == b.pk and broken.seq == a.seq  # b now sits where a was: the first broken place


@pytest.mark.django_db
def test_a_row_inserted_outside_the_chain_is_detected():
    _append(3)
    AuditEvent.objects.create(action="sneaky", object_type="t")
    broken = _broken()
    assert broken.seq is None and "không nằm trong chuỗi" in broken.problem


@pytest.mark.django_db
def test_a_rolled_back_write_leaves_no_gap():
    _append(2)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            audit.record(actor=None, action="rolled.back", object_type="t")
            raise RuntimeError
    _append(2, prefix="after")
    assert audit.verify_chain().ok
    assert not AuditEvent.objects.filter(action="rolled.back").exists()


@pytest.mark.django_db
def test_the_command_exits_non_zero_on_a_break():
    from django.core.management import ManagementUtility

    events = _append(3)
    _sql("UPDATE core_auditevent SET object_repr = 'khác' WHERE id = %s", [events[1].pk])
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["kiemdiem", "audit_verify"]).execute()
    assert exit_info.value.code == 1


@pytest.mark.django_db
def test_a_missing_head_is_rebuilt_from_the_last_row():
    """After a flush of the head table only (e.g. a transactional test), appending carries on."""
    _append(3)
    AuditChainHead.objects.all().delete()
    _append(2, prefix="later")
    assert audit.verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_stay_chained():
    """Several threads (each its own connection and transactions) append at once: the head
    lock makes them take turns, so the chain has no fork and no gap."""
    threads_n, per_thread = 4, 15
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_n)
    # SQLite's in-memory test database (shared cache) answers "table is locked" at once instead
    # of waiting for the busy timeout as a file database does: there the test retries the
    # transaction. PostgreSQL waits on the head row's lock and needs no retry.
    sqlite = connection.vendor == "sqlite"

    def append(k: int, i: int):
        with transaction.atomic():
            audit.record(actor=None, action=f"thread{k}.{i}", object_type="t")
            if i % 5 == 0:
                audit.record_many([dict(actor=None, action=f"thread{k}.{i}.bulk{j}", object_type="t")
                                   for j in range(3)])

    def worker(k: int):
        from django.db import OperationalError

        try:
            barrier.wait()
            for i in range(per_thread):
                for _attempt in range(200):
                    try:
                        append(k, i)
                        break
                    except OperationalError as exc:
                        if not (sqlite and "locked" in str(exc)):
                            raise
                        time.sleep(0.005)
                else:
                    raise AssertionError("never got the lock")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    expected = threads_n * (per_thread + 3 * 3)
    assert AuditEvent.objects.count() == expected
    result = audit.verify_chain()
    assert result.ok, result.broken
    assert result.checked == expected
    # each thread's bulk rows are contiguous (one lock, one insert)
    for k in range(threads_n):
        seqs = list(AuditEvent.objects.filter(action__startswith=f"thread{k}.0.bulk").order_by("seq")
                    .values_list("seq", flat=True))
        assert seqs == list(range(seqs[0], seqs[0] + 3))


@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_existing_rows():
    """Rows written before the chain existed are chained in id order by migration 0003."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0002_notification")])
    old_apps = executor.loader.project_state([("core", "0002_notification")]).apps
    OldEvent = old_apps.get_model("core", "AuditEvent")
    for i in range(7):
        OldEvent.objects.create(action=f"old.{i}", object_type="t", changes={"i": i}, reason="Cũ")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    seqs = list(AuditEvent.objects.order_by("id").values_list("seq", flat=True))
    assert seqs == list(range(1, 8))
    assert audit.verify_chain().ok
    audit.record(actor=None, action="new", object_type="t")
    assert audit.verify_chain().ok and AuditEvent.objects.get(action="new").seq == 8
