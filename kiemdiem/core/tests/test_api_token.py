from django.core.management import call_command

from kiemdiem.core.models import ApiToken


def test_it_issues_a_token_that_authenticates(cast, client, capsys):
    call_command("create_api_token", "alice", "--name", "script")
    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=cast.users["alice"])
    assert token.key_hash == ApiToken.hash_key(key) and key not in token.key_hash
    ok = client.get(f"/api/v1/organisations/{cast.QA.pk}", headers={"Authorization": f"Bearer {key}"})
    assert ok.status_code == 200
    bad = client.get(f"/api/v1/organisations/{cast.QA.pk}", headers={"Authorization": "Bearer kd_wrong"})
    assert bad.status_code == 401
