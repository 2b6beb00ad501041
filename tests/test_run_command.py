"""The README's run command, end to end: embedded PostgreSQL and Redis in a
fresh data folder, migrations, demo data, web + worker + beat, then Ctrl-C."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid

import pytest
from django.conf import settings

from portal.demo import DEMO_PASSWORD


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the run command exited early with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in time")


@pytest.fixture
def running_product(tmp_path):
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "DJANGO_SETTINGS_MODULE",
            "PRM_DB_ROLE",
            "PRM_DATABASE_NAME",
        }
    }
    env.update(
        PRM_DATA_DIR=str(tmp_path / "data"),
        PORT=str(port),
        PRM_QUEUE_PREFIX=f"prm-run-{uuid.uuid4().hex[:8]}",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "prm.launcher", "run"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/accounts/login/", process)
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def test_run_serves_the_login_page_and_demo_logins_work(running_product):
    base, process = running_product
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "login": "admin@northwind.example",
            "password": DEMO_PASSWORD,
        }
    ).encode()
    request = urllib.request.Request(
        base + "/accounts/login/", data=form, headers={"Referer": base + "/accounts/login/"}
    )
    landed = opener.open(request)
    assert landed.geturl().endswith("/t/northwind/console/")
    assert "Northwind Software" in landed.read().decode()

    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "admin@northwind.example" in output  # the demo logins are printed
    assert "Stopped." in output
