"""Every model change has its migration (a choice added without one left the schema and the
code apart once)."""
import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        pytest.fail(f"missing migrations (exit {exc.code}):\n{out.getvalue()}")
