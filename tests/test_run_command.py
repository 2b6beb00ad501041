"""The README's run command, end to end: embedded PostgreSQL and Redis in a
fresh data folder, migrations, demo data, web + worker + beat under the
launcher's supervision, then Ctrl-C.  The tests share one running product and
run in this file's order; the last one stops it."""

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
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


class Product:
    """The running command: its base URL, process and every line it printed."""

    def __init__(self, process: subprocess.Popen, base: str):
        self.process, self.base = process, base
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    def output(self) -> str:
        return "".join(self.lines)

    def wait_for_line(self, pattern: str, *, after: int = 0, timeout: float = 60) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                found = re.search(pattern, line)
                if found:
                    return found
            time.sleep(0.2)
        raise AssertionError(f"no line matching {pattern!r}:\n{self.output()[-3000:]}")


@pytest.fixture(scope="module")
def product(tmp_path_factory):
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
        PRM_DATA_DIR=str(tmp_path_factory.mktemp("run") / "data"),
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
    running = Product(process, f"http://127.0.0.1:{port}")
    try:
        _wait_for(running.base + "/accounts/login/", process)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def _health(base: str) -> dict:
    try:
        with urllib.request.urlopen(base + "/health/", timeout=5) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read())


def test_a_killed_worker_is_started_again(product):
    worker = int(product.wait_for_line(r"worker running \(pid (\d+)\)").group(1))
    seen = len(product.lines)
    os.kill(worker, signal.SIGKILL)  # the worker dies without a word
    product.wait_for_line(r"worker stopped \(exit code -9\); restarting in", after=seen)
    again = int(product.wait_for_line(r"worker running \(pid (\d+)\)", after=seen).group(1))
    assert again != worker
    deadline = time.monotonic() + 90
    while _health(product.base).get("worker") != "ok":
        assert time.monotonic() < deadline, _health(product.base)
        time.sleep(1)
    assert product.process.poll() is None  # web, beat and the databases kept running


def test_run_serves_the_login_page_and_demo_logins_work(product):
    base = product.base
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
    assert "admin@northwind.example" in product.output()  # the demo logins are printed


def test_run_serves_with_debug_off(product):
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(product.base + "/no/such/page/", timeout=10)
    page = missing.value.read().decode()
    assert missing.value.code == 404
    assert "Not found" in page and "URLconf" not in page and "t/&lt;slug" not in page
    with urllib.request.urlopen(product.base + "/static/css/prm.css", timeout=10) as css:
        assert css.status == 200 and b"{" in css.read()


def test_ctrl_c_stops_everything(product):
    product.process.send_signal(signal.SIGINT)
    assert product.process.wait(timeout=60) == 0, product.output()
    product.reader.join(timeout=10)
    assert "Stopped." in product.output()
