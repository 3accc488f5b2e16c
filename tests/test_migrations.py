from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_have_no_pending_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)


@pytest.mark.django_db
def test_system_checks_pass_without_a_warning_on_this_database():
    call_command("check", fail_level="WARNING", stdout=StringIO())
