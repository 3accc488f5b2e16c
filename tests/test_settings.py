"""Production settings fail closed: DEBUG off unless asked for, no default public address, no
silent misreading of a yes/no value. Each case reads newsroom/settings.py afresh."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from newsroom import settings as base_settings

PRODUCTION = {
    "SECRET_KEY": "a-long-production-secret-key-for-the-settings-tests-0123456789",
    "SITE_URL": "https://news.example.ru",
    "ALLOWED_HOSTS": "news.example.ru",
}


def load(monkeypatch, **environment):
    for name in ("DEBUG", "SECRET_KEY", "SITE_URL", "ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(base_settings.__file__)


def test_debug_is_off_unless_the_environment_turns_it_on(monkeypatch):
    assert load(monkeypatch, **PRODUCTION)["DEBUG"] is False
    assert load(monkeypatch, DEBUG="1")["DEBUG"] is True


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    environment = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        load(monkeypatch, **environment)


def test_manage_py_without_a_secret_key_says_so_in_one_line():
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")
    }
    finished = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check"],
        env=environment,
        cwd=Path(base_settings.__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    # Not Django's "Models aren't loaded yet" traceback, far from the cause.
    assert finished.returncode == 1
    assert finished.stderr == "manage.py: SECRET_KEY must be set when DEBUG is off.\n"


@pytest.mark.parametrize("site_url", [None, "", "news.example.ru", "ftp://news.example.ru"])
def test_production_refuses_to_start_without_a_public_address(monkeypatch, site_url):
    environment = {k: v for k, v in PRODUCTION.items() if k != "SITE_URL"}
    if site_url is not None:
        environment["SITE_URL"] = site_url
    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        load(monkeypatch, **environment)


def test_a_developer_gets_a_local_address(monkeypatch):
    assert load(monkeypatch, DEBUG="1")["SITE_URL"] == "http://127.0.0.1:8000"


@pytest.mark.parametrize("value", ["ture", "yes please", "2", "вкл", "off-ish"])
def test_a_mistyped_yes_or_no_stops_the_process(monkeypatch, value):
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        load(monkeypatch, DEBUG=value, **PRODUCTION)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("TRUE", True), (" yes ", True), ("on", True), ("0", False), ("Off", False)],
)
def test_the_usual_spellings_of_yes_and_no_are_read(monkeypatch, value, expected):
    assert load(monkeypatch, DEBUG=value, **PRODUCTION)["DEBUG"] is expected


def test_production_switches_the_transport_security_on(monkeypatch):
    loaded = load(monkeypatch, **PRODUCTION)
    assert loaded["SECURE_SSL_REDIRECT"] and loaded["SESSION_COOKIE_SECURE"]
    assert loaded["CSRF_COOKIE_SECURE"] and loaded["SECURE_HSTS_SECONDS"] >= 31536000
