import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One row per write: who, when, what, and the fields before and after.

    The rows form a hash chain (see kiemdiem/core/audit.py): `seq` numbers them 1, 2, 3… in
    the order they were appended, `prev_hash` is the previous row's `hash`, and `hash` is
    sha256 over a canonical JSON of this row's fields and `prev_hash`. Changing, deleting or
    reordering a row breaks the chain; `kiemdiem audit_verify` names the first broken row."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The actor's pk when the row was written: hashed instead of `actor` (which becomes NULL
    # if the user is ever deleted, and must not break the chain then).
    actor_key = models.CharField(max_length=64, blank=True, default="")
    # Set by audit.record()/record_many() before the insert (the time is part of the hash).
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    # Path of the organisation the object belongs to, so audit reads can be scoped.
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    seq = models.BigIntegerField(null=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"])]
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class AuditChainHead(models.Model):
    """The single row (pk=1) holding the last `seq` and `hash` of the audit chain. Appending
    locks it (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers anyway), so
    concurrent writers append one after the other; it also lets `audit_verify` notice rows
    cut off the end of the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True, default="")

    def __str__(self):
        return f"audit chain head #{self.seq}"


class Job(models.Model):
    """A background job (import, launch, report build) with progress a page can poll."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Hoàn thành")
        FAILED = "failed", _("Lỗi")

    kind = models.CharField(max_length=60)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    org_path = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ApiToken(models.Model):
    """A bearer token for API clients. Only a hash is stored; the key is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str = "") -> tuple["ApiToken", str]:
        key = "kd_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=cls.hash_key(key), prefix=key[:8])
        return token, key


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class NotificationManager(models.Manager.from_queryset(NotificationQuerySet)):
    def unread_count(self) -> int:
        """One COUNT; also available on `user.notifications` (the nav badge in base.html, on
        every page: there in plain SQL, which costs a tenth of building it through the ORM)."""
        instance = getattr(self, "instance", None)  # the related manager user.notifications
        if instance is not None and getattr(getattr(self, "field", None), "name", "") == "user":
            from django.db import connection

            meta = self.model._meta
            q = connection.ops.quote_name
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {q(meta.db_table)} WHERE {q(meta.get_field('user').column)} = %s "
                               f"AND {q(meta.get_field('read_at').column)} IS NULL", [instance.pk])
                return cursor.fetchone()[0]
        return self.get_queryset().filter(read_at__isnull=True).count()


class Notification(models.Model):
    """An in-app message to one user (reminders, results); `url` is where it leads."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.text
