"""Starts the real stack for the browser tests: cofferd on a temporary socket and database, and
nginx with the repository's configuration on a free port, exactly as `make run` does."""
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN_DIR = pathlib.Path(os.environ.get("COFFER_BIN_DIR", REPO / ".build" / "debug"))
_databases = {}


def stack_database(base_url):
    """The DATABASE_URL of the stack answering at `base_url`."""
    return _databases[base_url]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, what, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


@pytest.fixture(scope="session")
def stack():
    bin_dir = BIN_DIR
    work = pathlib.Path(tempfile.mkdtemp(prefix="coffer-browser-", dir="/tmp"))
    port = free_port()
    sock = work / "cofferd.sock"
    env = dict(os.environ, APP_ENV="test", DATA_DIR=str(work), COFFER_LISTEN=str(sock), DATABASE_URL=f"sqlite://{work}/coffer.db",
               ACCESS_TOKEN_TTL_S="75", ARGON2_MEMORY_KIB="4096", ARGON2_ITERATIONS="1")
    log = open(work / "cofferd.log", "wb")
    cofferd = subprocess.Popen([str(bin_dir / "cofferd")], env=env, stderr=log, stdout=subprocess.DEVNULL)
    wait_for(sock.exists, "cofferd's socket")
    conf = subprocess.check_output([str(REPO / "nginx" / "render.sh"), str(work / "nginx"), str(port), str(sock), str(REPO / "static")],
                                   env=dict(os.environ, AUTH_RATE="1000r/s"), text=True).strip()
    nginx = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(work / "nginx"), "-c", conf, "-e", str(work / "nginx" / "error.log"), "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def listening():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            return False

    wait_for(listening, "nginx")
    base = f"http://127.0.0.1:{port}"
    _databases[base] = f"sqlite://{work}/coffer.db"
    yield base
    nginx.send_signal(signal.SIGQUIT)
    cofferd.send_signal(signal.SIGTERM)
    nginx.wait(timeout=10)
    cofferd.wait(timeout=15)
    log.close()
    shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="session")
def artifacts():
    directory = REPO / "artifacts" / "browser"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def browser(stack):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()
