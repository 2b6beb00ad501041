"""Error answers: branded pages that reveal nothing, and a log that keeps
tracebacks for our faults only (a 403 or 404 is one line)."""

import io
import logging

import pytest
from django.test import Client
from django.urls import reverse


@pytest.fixture
def console_log():
    """What the configured console handler writes, while the test runs."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(type(f).__name__ == "ClientErrorsOnOneLine" for f in h.filters)
    )
    written = io.StringIO()
    previous = handler.setStream(written)
    yield written
    handler.setStream(previous)


def test_an_unknown_page_is_the_branded_404_and_lists_no_urls(client, db, console_log):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Not found" in response.content and b"URLconf" not in response.content
    lines = [line for line in console_log.getvalue().splitlines() if line.strip()]
    assert lines == ["Not Found: /no/such/page/"]


def test_a_refused_page_is_the_branded_403_and_one_log_line(world, console_log):
    client = Client()
    client.force_login(world.p_rep.user)
    response = client.get(reverse("console:dashboard", kwargs={"tenant_slug": world.a.slug}))
    assert response.status_code == 403
    assert b"Not allowed" in response.content and b"Traceback" not in response.content
    log = console_log.getvalue()
    assert "Forbidden" in log and "Traceback" not in log
    assert len([line for line in log.splitlines() if line.strip()]) == 1


def test_a_fault_of_ours_is_the_branded_500_and_keeps_its_traceback(db, settings, console_log):
    settings.ROOT_URLCONF = "tests.probe_urls"
    response = Client(raise_request_exception=False).get("/probe/broken/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"a fault of ours" not in response.content
    log = console_log.getvalue()
    assert "Internal Server Error: /probe/broken/" in log
    assert "Traceback" in log and "RuntimeError: a fault of ours" in log


def test_a_forged_form_gets_the_branded_csrf_page(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.p_rep.user)
    url = reverse("portal:registration_create", kwargs={"tenant_slug": world.a.slug})
    response = client.post(url, {})
    assert response.status_code == 403
    assert b"This form has expired" in response.content
    assert b"CSRF verification failed" not in response.content
