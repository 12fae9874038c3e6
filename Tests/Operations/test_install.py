"""`make install` as a package build runs it (DESTDIR, the already built binaries, no Swift build), then
what systemd and nginx make of the result: the layout, `systemd-analyze verify` on the units, the
sysusers file, the production site under `nginx -t`, and the installed cofferd serving through nginx
on a socket handed over by socket activation (LISTEN_FDS, fd 3), then stopping cleanly on SIGTERM."""
import itertools
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN_DIR = pathlib.Path(os.environ.get("COFFER_BIN_DIR", REPO / ".build" / "debug")).resolve()
PREFIX = "/usr/local"
# nginx, systemd-sysusers and friends live in sbin, which a non-root PATH may lack.
PATH = os.environ.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin"
# What the install reads besides its command line; the caller's values (or an outer make's) must not
# change what this test installs.
INSTALL_SETTINGS = ("DESTDIR", "PREFIX", "SYSCONFDIR", "UNIT_DIR", "SYSUSERS_DIR", "NGINX_LISTEN", "SERVER_NAMES",
                    "AUTH_RATE", "SWAGGER_UI_DIR", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")


@dataclass
class Installed:
    work: pathlib.Path
    root: pathlib.Path
    files: dict  # path relative to root -> mode, right after the install
    dirs: list  # the directories' modes
    log: str

    def path(self, relative):
        return self.root / relative.lstrip("/")


def swagger_ui_available():
    probe = subprocess.run(["python3", "-c", "import swagger_ui_bundle"], capture_output=True)
    return probe.returncode == 0


@pytest.fixture(scope="module")
def installed():
    work = pathlib.Path(tempfile.mkdtemp(prefix="coffer-install-", dir="/tmp"))
    try:
        root = work / "root"
        env = {key: value for key, value in os.environ.items() if key not in INSTALL_SETTINGS}
        result = subprocess.run(
            ["make", "--no-print-directory", "install", f"DESTDIR={root}", f"PREFIX={PREFIX}", f"BIN_DIR={BIN_DIR}"],
            cwd=REPO, env=dict(env, PATH=PATH), capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        files = {str(path.relative_to(root)): path.stat().st_mode & 0o7777
                 for path in root.rglob("*") if not path.is_dir()}
        dirs = [path.stat().st_mode & 0o7777 for path in root.rglob("*") if path.is_dir()]
        yield Installed(work, root, files, dirs, result.stdout + result.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_the_layout_is_the_documented_one(installed):
    static = {f"usr/local/share/coffer/static/{path.relative_to(REPO / 'static')}"
              for path in (REPO / "static").rglob("*") if path.is_file() and "tests" not in path.relative_to(REPO / "static").parts}
    includes = {f"etc/nginx/coffer/{path.name}" for path in (REPO / "nginx").glob("*.conf")
                if path.name not in ("coffer.conf", "dev.conf")}
    expected = static | includes | {
        "usr/local/bin/cofferd",
        "usr/local/bin/coffer",
        "usr/local/bin/Coffer_CofferAPI.resources/openapi.json",
        "usr/local/lib/systemd/system/cofferd.socket",
        "usr/local/lib/systemd/system/cofferd.service",
        "usr/local/lib/sysusers.d/coffer.conf",
        "etc/coffer/cofferd.env.example",
        "etc/nginx/sites-available/coffer.conf",
        "etc/nginx/coffer/upstream.conf",
    }
    if swagger_ui_available():
        expected |= {"usr/local/share/coffer/swagger-ui/swagger-ui-bundle.js",
                     "usr/local/share/coffer/swagger-ui/swagger-ui.css"}
    else:
        assert "no Swagger UI" in installed.log
    assert set(installed.files) == expected
    assert "usr/local/share/coffer/static/index.html" in installed.files
    assert not any("/static/tests/" in path for path in installed.files)

    for path, mode in installed.files.items():
        assert mode == (0o755 if path in ("usr/local/bin/cofferd", "usr/local/bin/coffer") else 0o644), path
    for program in ("cofferd", "coffer"):
        assert os.access(installed.path(f"/usr/local/bin/{program}"), os.X_OK)
        assert installed.path(f"/usr/local/bin/{program}").read_bytes()[:4] == b"\x7fELF"
    # nginx's workers read the app as another user.
    for directory in installed.dirs:
        assert directory == 0o755


def test_the_installed_files_name_the_target_paths(installed):
    texts = {path: installed.path(path).read_text() for path in installed.files
             if path.startswith(("etc/", "usr/local/lib/"))}
    for path, text in texts.items():
        assert not re.search(r"@[A-Z_]+@", text), f"{path} still has a placeholder"
        assert str(installed.root) not in text, f"{path} names the staging directory"

    service = texts["usr/local/lib/systemd/system/cofferd.service"]
    assert "\nExecStart=/usr/local/bin/cofferd\n" in service
    assert "\nEnvironmentFile=-/etc/coffer/cofferd.env\n" in service
    socket_unit = texts["usr/local/lib/systemd/system/cofferd.socket"]
    listen = re.search(r"^ListenStream=(.+)$", socket_unit, re.M).group(1)
    assert listen == "/run/coffer/cofferd.sock"

    site = texts["etc/nginx/sites-available/coffer.conf"]
    assert "root /usr/local/share/coffer/static;" in site
    assert "alias /usr/local/share/coffer/swagger-ui/$swagger_ui_file;" in site
    assert re.search(r"^\s*listen 80 default_server;", site, re.M)
    assert f"fastcgi_pass unix:{listen};" in texts["etc/nginx/coffer/fastcgi.conf"]
    for path, text in texts.items():
        for included in re.findall(r"^\s*include (/etc/nginx/coffer/[^;]+);", text, re.M):
            assert included.lstrip("/") in installed.files, f"{path} includes {included}, which is not installed"

    # Placeholders only: nothing in the example is set, so a copy left unedited sets no secret.
    example = texts["etc/coffer/cofferd.env.example"]
    assert [line for line in example.splitlines() if line.strip() and not line.lstrip().startswith("#")] == []
    assert "#JWT_SECRET=" in example


BROKEN = itertools.count()


def verify_root(installed, name, service_edit=None):
    """A root for `systemd-analyze verify --root`: the installed tree (hard links) and the host's targets,
    which every unit's default dependencies name (sysinit.target, sockets.target ...)."""
    root = installed.work / name
    shutil.copytree(installed.root, root, copy_function=os.link)
    targets = root / "usr/lib/systemd/system"
    targets.mkdir(parents=True)
    for target in pathlib.Path("/lib/systemd/system").glob("*.target"):
        shutil.copy(target, targets / target.name, follow_symlinks=False)
    if service_edit:
        service = root / "usr/local/lib/systemd/system/cofferd.service"
        text = service.read_text()
        service.unlink()  # a hard link: the installed file must stay as it is
        service.write_text(service_edit(text))
    return root


def verify(root):
    """systemd-analyze's findings on the units; v252 exits 0 on an unknown directive and only prints it."""
    units = [str(root / "usr/local/lib/systemd/system" / unit) for unit in ("cofferd.socket", "cofferd.service")]
    result = subprocess.run(["systemd-analyze", "verify", f"--root={root}", "--man=no", "--generators=no", *units],
                            capture_output=True, text=True, timeout=60, env=dict(os.environ, PATH=PATH, SYSTEMD_LOG_COLOR="0"))
    return result.returncode, (result.stdout + result.stderr).strip()


def test_systemd_analyze_verify_accepts_the_units(installed):
    status, findings = verify(verify_root(installed, "verify-root"))
    assert (status, findings) == (0, "")


@pytest.mark.parametrize("edit", [
    lambda text: text.replace("ProtectSystem=strict", "ProtectSytem=strict"),
    lambda text: text.replace("Restart=always", "Restart=allways"),
    lambda text: text.replace("ExecStart=/usr/local/bin/cofferd", "ExecStart=/usr/local/bin/cofferdd"),
], ids=["misspelt directive", "misspelt value", "missing program"])
def test_systemd_analyze_verify_catches_a_broken_unit(installed, edit):
    status, findings = verify(verify_root(installed, f"verify-broken-{next(BROKEN)}", edit))
    assert (status, findings) != (0, ""), "a broken unit passed the check above"
    assert "cofferd.service" in findings


def test_sysusers_creates_the_user_and_lets_nginx_in(installed):
    root = installed.work / "sysusers-root"
    (root / "etc").mkdir(parents=True)
    config = root / "usr/local/lib/sysusers.d/coffer.conf"
    config.parent.mkdir(parents=True)
    shutil.copy(installed.path("/usr/local/lib/sysusers.d/coffer.conf"), config)
    result = subprocess.run(["systemd-sysusers", f"--root={root}"], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, PATH=PATH))
    assert result.returncode == 0, result.stderr
    users = {line.split(":")[0]: line.split(":") for line in (root / "etc/passwd").read_text().splitlines()}
    groups = {line.split(":")[0]: line.split(":") for line in (root / "etc/group").read_text().splitlines()}
    assert users["coffer"][5] == "/var/lib/coffer"
    assert users["coffer"][6].endswith("nologin")
    assert users["coffer"][3] == groups["coffer"][2]
    assert "www-data" in groups["coffer"][3].split(",")


def test_the_production_site_passes_nginx_t(installed):
    """The installed site inside an http block like Debian's nginx.conf, its includes moved under the
    staging directory (the one path that differs)."""
    check = installed.work / "nginx-check"
    (check / "coffer").mkdir(parents=True)

    def moved(path):
        return path.read_text().replace("/etc/nginx/coffer/", f"{check}/coffer/")

    for include in installed.path("/etc/nginx/coffer").iterdir():
        (check / "coffer" / include.name).write_text(moved(include))
    (check / "site.conf").write_text(moved(installed.path("/etc/nginx/sites-available/coffer.conf")))
    (check / "nginx.conf").write_text(
        f"pid {check}/nginx.pid;\nerror_log {check}/error.log;\nevents {{}}\n"
        f"http {{\n    sendfile on;\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"    access_log off;\n    gzip on;\n    include {check}/site.conf;\n}}\n")
    result = subprocess.run(["nginx", "-t", "-q", "-p", str(check), "-c", str(check / "nginx.conf"), "-e", str(check / "error.log")],
                            capture_output=True, text=True, timeout=60, env=dict(os.environ, PATH=PATH))
    assert result.returncode == 0, result.stderr


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, what, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def stop(process, signal_number=signal.SIGTERM, timeout=30):
    if process.poll() is None:
        process.send_signal(signal_number)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


CONFIGURATION = {"APP_ENV": "test", "ARGON2_MEMORY_KIB": "4096", "ARGON2_ITERATIONS": "1", "COFFER_WORKERS": "8"}


def cofferd_settings(data):
    # Never COFFER_LISTEN: it would win over the inherited socket.
    return dict(CONFIGURATION, DATA_DIR=str(data), DATABASE_URL=f"sqlite://{data}/coffer.db")


def start_nginx(installed, work, listen):
    """nginx rendered by nginx/render.sh (as scripts/stack.sh does) on a free port, in front of `listen`
    and serving the installed app; returns the process and its base URL."""
    env = dict(os.environ, PATH=PATH)
    swagger_ui = installed.path("/usr/local/share/coffer/swagger-ui")
    if swagger_ui.is_dir():
        env["SWAGGER_UI_DIR"] = str(swagger_ui)
    port = free_port()
    conf = subprocess.run(
        [str(REPO / "nginx" / "render.sh"), str(work / "nginx"), str(port), str(listen),
         str(installed.path("/usr/local/share/coffer/static"))],
        capture_output=True, text=True, check=True, env=env).stdout.strip()
    with open(work / "nginx.log", "ab") as log:
        nginx = subprocess.Popen(["nginx", "-p", str(work / "nginx"), "-c", conf, "-e", str(work / "nginx" / "error.log"),
                                  "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=log, env=env)
    try:
        wait_for(lambda: accepts(port) or nginx.poll() is not None, "nginx")
        assert nginx.poll() is None, (work / "nginx.log").read_text()
    except BaseException:
        stop(nginx)
        raise
    return nginx, f"http://127.0.0.1:{port}"


def log_entries(path, event):
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{") and f'"event":"{event}"' in line]


def test_socket_activated_cofferd_serves_through_nginx(installed):
    work = installed.work / "serve"
    data = work / "data"
    listen = work / "run" / "cofferd.sock"
    listen.parent.mkdir(parents=True)
    cofferd = installed.path("/usr/local/bin/cofferd")
    cofferd_log = work / "cofferd.log"
    activator = nginx = None
    try:
        # The real protocol: it binds the socket, and on the first connection execs cofferd in its own
        # process with LISTEN_PID (its pid), LISTEN_FDS=1 and the socket on fd 3.
        with open(cofferd_log, "ab") as log:
            activator = subprocess.Popen(
                ["systemd-socket-activate", "-l", str(listen),
                 *[f"--setenv={key}={value}" for key, value in cofferd_settings(data).items()], str(cofferd)],
                stdout=subprocess.DEVNULL, stderr=log, env=dict(os.environ, PATH=PATH))
        wait_for(lambda: listen.is_socket() or activator.poll() is not None, "the activation socket")
        assert activator.poll() is None, cofferd_log.read_text()
        nginx, base = start_nginx(installed, work, listen)

        status, content_type, body = get(f"{base}/v1/health")
        assert status == 200, body
        assert content_type.startswith("application/json")
        assert json.loads(body)["status"] == "ok"
        # The process systemd-socket-activate started is cofferd now, the pid LISTEN_PID named.
        assert os.readlink(f"/proc/{activator.pid}/exe") == str(cofferd)
        # cofferd logs its start once the workers serve, so it may come just after the answer.
        wait_for(lambda: log_entries(cofferd_log, "startup"), "cofferd's startup line")
        assert [entry["listen"] for entry in log_entries(cofferd_log, "startup")] == ["fd:3"]
        assert not (data / "cofferd.sock").exists()

        status, _, body = get(f"{base}/")
        assert (status, body) == (200, (REPO / "static" / "index.html").read_bytes())
        status, _, body = get(f"{base}/v1/openapi.json")
        assert status == 200 and json.loads(body)["openapi"].startswith("3.")
        swagger_ui = installed.path("/usr/local/share/coffer/swagger-ui")
        if swagger_ui.is_dir():
            status, _, body = get(f"{base}/docs/vendor/swagger-ui.css")
            assert (status, body) == (200, (swagger_ui / "swagger-ui.css").read_bytes())

        assert stop(activator) == 0, cofferd_log.read_text()
        assert [entry["drained"] for entry in log_entries(cofferd_log, "shutdown") if "drained" in entry] == [True]
        stop(nginx)
    finally:
        for process in (activator, nginx):
            if process is not None:
                stop(process)


def start_activated(cofferd, listening, data, log):
    """cofferd as systemd starts it: the listening socket, which the caller keeps open as PID 1 does,
    on fd 3, with LISTEN_PID naming cofferd's own pid (known only in the child)."""
    def hand_over():
        os.dup2(listening.fileno(), 3)
        os.environ["LISTEN_PID"] = str(os.getpid())

    return subprocess.Popen([str(cofferd)], env=None, pass_fds=(3,), preexec_fn=hand_over, stdout=subprocess.DEVNULL,
                            stderr=log)


def test_the_socket_outlives_a_clean_restart(installed, monkeypatch):
    """systemctl restart cofferd.service: systemd keeps the socket, so a request made while cofferd is
    down waits in the backlog and the next cofferd answers it. cofferd must not shut the shared
    socket down on SIGTERM (it wakes its idle workers with requests to itself instead)."""
    work = installed.work / "restart"
    data = work / "data"
    (work / "run").mkdir(parents=True)
    listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listening.bind(str(work / "run" / "cofferd.sock"))
    listening.listen(128)
    for key, value in dict(cofferd_settings(data), LISTEN_FDS="1", PATH=PATH).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("COFFER_LISTEN", raising=False)
    cofferd = installed.path("/usr/local/bin/cofferd")
    first = second = nginx = None
    try:
        with open(work / "cofferd.log", "ab") as log:
            first = start_activated(cofferd, listening, data, log)
        nginx, base = start_nginx(installed, work, work / "run" / "cofferd.sock")
        assert get(f"{base}/v1/health")[0] == 200
        assert stop(first) == 0

        answers = []
        waiting = threading.Thread(target=lambda: answers.append(get(f"{base}/v1/health")))
        waiting.start()
        time.sleep(0.5)
        with open(work / "cofferd.log", "ab") as log:
            second = start_activated(cofferd, listening, data, log)
        waiting.join(timeout=40)
        assert answers and answers[0][0] == 200, answers
        assert stop(second) == 0
    finally:
        for process in (first, second, nginx):
            if process is not None:
                stop(process)
        listening.close()
