"""The real stack for the Python suites (browser, operations), started through scripts/stack.sh,
the launcher `make run` uses: cofferd on a temporary SQLite database and nginx with the
repository's configuration on a free port."""
import contextlib
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
BIN_DIR = pathlib.Path(os.environ.get("COFFER_BIN_DIR", REPO / ".build" / "debug"))
_databases = {}


def stack_database(base_url):
    """The DATABASE_URL of the running stack answering at `base_url`."""
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


@contextlib.contextmanager
def running_stack(prefix, **extra_environment):
    """Yields the base URL while the stack runs (`stack_database` names its database); stops it and
    removes its files after."""
    work = pathlib.Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    port = free_port()
    env = dict(os.environ, APP_ENV="test", ACCESS_TOKEN_TTL_S="75", ARGON2_MEMORY_KIB="4096", ARGON2_ITERATIONS="1",
               AUTH_RATE="1000r/s", COFFERD_LOG=str(work / "cofferd.log"), **extra_environment)
    log = open(work / "stack.log", "wb")
    launcher = subprocess.Popen([str(REPO / "scripts" / "stack.sh"), str(BIN_DIR), str(port), str(work)], env=env,
                                stdout=subprocess.DEVNULL, stderr=log)
    try:
        wait_for(lambda: (work / "stack.ready").exists() or launcher.poll() is not None, "the stack", timeout=30)
        if launcher.poll() is not None:
            raise RuntimeError(f"the stack did not start: {(work / 'stack.log').read_text()}")
        base = f"http://127.0.0.1:{port}"
        _databases[base] = f"sqlite://{work}/coffer.db"
        yield base
    finally:
        launcher.send_signal(signal.SIGTERM)
        launcher.wait(timeout=20)
        log.close()
        shutil.rmtree(work, ignore_errors=True)
