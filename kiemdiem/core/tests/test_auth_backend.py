"""The session's user comes back the same through core.auth.Backend as through Django's
ModelBackend (PostgreSQL takes the plain SQL path, SQLite the ORM's), inactive users not at all."""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from kiemdiem.core.auth import Backend


def test_get_user_matches_model_backend(db):
    User = get_user_model()
    user = User.objects.create_user("kd-auth", password="x", first_name="Ánh", email="a@example.vn", is_staff=True)
    ours, django = Backend().get_user(user.pk), ModelBackend().get_user(user.pk)
    assert ours is not None and ours.pk == user.pk
    for f in User._meta.concrete_fields:
        assert getattr(ours, f.attname) == getattr(django, f.attname), f.name
    assert ours.check_password("x") and ours.is_authenticated and ours._state.adding is False
    assert Backend().get_user(10 ** 9) is None
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert Backend().get_user(user.pk) is None


def test_login_through_the_pages(client, db):
    User = get_user_model()
    User.objects.create_user("kd-auth2", password="mat-khau-dai-2025")
    assert client.post("/accounts/login/", {"username": "kd-auth2", "password": "mat-khau-dai-2025"}).status_code == 302
    resp = client.get("/notifications/")
    assert resp.status_code == 200 and resp.wsgi_request.user.username == "kd-auth2"
