"""The production walk-through, as docs/deploy.md tells a city to run it: `madoguchi
serve` behind a real nginx (Debian's package) with HTTPS on loopback, the example
configuration of docs/deploy/nginx-madoguchi.conf, a certificate made here with openssl.

It proves: plain HTTP redirects to HTTPS, HTTPS pages answer without a redirect loop
(the server trusts the proxy's X-Forwarded-Proto), cookies are Secure, a login works
through the proxy, the probes answer, and the request log carries nginx's request id
but no path — all with the second upstream instance of the example down, as during a
rolling restart, so nginx passes its share to the live one. Skipped, saying why, only where nginx or openssl is missing (.ci/run
installs both).
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

REPO = Path(__file__).resolve().parent.parent
NGINX_CONF = REPO / "docs" / "deploy" / "nginx-madoguchi.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
OPENSSL = shutil.which("openssl")
PASSWORD = "Kagi-no-Mado-2027!"
pytestmark = pytest.mark.production


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"process exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def server_env(data_dir: Path, **extra) -> dict:
    drop = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        MADOGUCHI_DATA_DIR=str(data_dir),
        SECRET_KEY="prod-test-" + "k3Y9-qZ" * 8,
        MADOGUCHI_AUDIT_KEY="audit-test-" + "Wq7-pL" * 6,
        ALLOWED_HOSTS="127.0.0.1",
        MADOGUCHI_SECURE="1",
        MADOGUCHI_TRUSTED_PROXY="127.0.0.1",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def madoguchi(*args, env, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", "madoguchi.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def nginx_config(tmp: Path, http_port: int, https_port: int, app_port: int) -> Path:
    """docs/deploy/nginx-madoguchi.conf inside a minimal main configuration of its own."""
    site = NGINX_CONF.read_text(encoding="utf-8")
    for old, new in [
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        # The second instance is down (being restarted): nginx passes its share on.
        ("server 127.0.0.1:8001;", f"server 127.0.0.1:{free_port()};"),
        ("/etc/ssl/madoguchi/", f"{tmp}/"),
        ("/var/log/nginx/", f"{tmp}/"),
        ("madoguchi.city.local", "127.0.0.1"),
    ]:
        assert old in site, f"the example configuration no longer has {old!r}"
        site = site.replace(old, new)
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"""daemon off;
master_process off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{site}
}}
""",
        encoding="utf-8",
    )
    return conf


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not NGINX or not OPENSSL:
        pytest.skip("nginx or openssl is not installed here (.ci/run installs them)")
    tmp = tmp_path_factory.mktemp("prod")
    data = tmp / "data"
    data.mkdir()
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        + ["-keyout", str(tmp / "madoguchi.key"), "-out", str(tmp / "madoguchi.crt")],
        check=True,
        capture_output=True,
    )
    env = server_env(data)
    for args in (["migrate", "-v0"], ["catalog", "load"]):
        r = madoguchi(*args, env=env)
        assert r.returncode == 0, r.stdout + r.stderr
    r = madoguchi(
        "createsuperuser", "--noinput", "--username", "kanri", "--email", "",
        env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr

    app_port, http_port, https_port = free_port(), free_port(), free_port()
    log = open(tmp / "server.log", "w+", encoding="utf-8")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "madoguchi.cli", "serve", "--port", str(app_port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    conf = nginx_config(tmp, http_port, https_port, app_port)
    nginx = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_port(app_port, server)
        wait_port(https_port, nginx)
        ctx = ssl.create_default_context(cafile=str(tmp / "madoguchi.crt"))
        yield {
            "http": http_port,
            "https": https_port,
            "ctx": ctx,
            "log": log,
            "server": server,
        }
    finally:
        nginx.terminate()
        nginx.wait(timeout=20)
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        log.close()


def https(stack, method, path, body=None, headers=None):
    conn = http.client.HTTPSConnection(
        "127.0.0.1", stack["https"], context=stack["ctx"], timeout=60
    )
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r, data


def cookies_of(response) -> dict[str, str]:
    """Set-Cookie headers by cookie name, raw (attributes included)."""
    out = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        out[header.split("=", 1)[0]] = header
    return out


def test_plain_http_redirects_to_https(stack):
    conn = http.client.HTTPConnection("127.0.0.1", stack["http"], timeout=30)
    conn.request("GET", "/accounts/login/?next=/counter/")
    r = conn.getresponse()
    r.read()
    assert r.status == 301
    assert r.getheader("Location") == "https://127.0.0.1/accounts/login/?next=/counter/"


def test_https_pages_answer_without_redirect_loop_and_with_secure_cookies(stack):
    r, body = https(stack, "GET", "/accounts/login/")
    assert r.status == 200, (r.status, r.getheader("Location"))  # a loop would be 301 to itself
    assert "max-age=31536000" in r.getheader("Strict-Transport-Security")
    csrf_header = cookies_of(r)["csrftoken"]
    assert "Secure" in csrf_header and "SameSite=Strict" in csrf_header
    csrf = SimpleCookie(csrf_header)["csrftoken"].value
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()

    # Log in through the proxy: the CSRF check sees an HTTPS origin it trusts.
    form = urlencode({"username": "kanri", "password": PASSWORD, "csrfmiddlewaretoken": token})
    r, _ = https(
        stack,
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"https://127.0.0.1:{stack['https']}/accounts/login/",
            "Origin": f"https://127.0.0.1:{stack['https']}",
        },
    )
    assert r.status == 302 and r.getheader("Location") == "/", r.status
    session_header = cookies_of(r)["sessionid"]
    assert "Secure" in session_header and "HttpOnly" in session_header
    session = SimpleCookie(session_header)["sessionid"].value
    r, body = https(stack, "GET", "/", headers={"Cookie": f"sessionid={session}"})
    assert r.status == 200
    assert b"kanri" in body


def test_probes_answer_through_the_proxy(stack):
    r, body = https(stack, "GET", "/healthz")
    assert r.status == 200 and b'"ok"' in body
    r, body = https(stack, "GET", "/readyz")
    assert r.status == 200, body
    assert body.count(b'"ok"') == 5  # status + database, migrations, catalog, audit


def test_request_log_carries_the_proxy_request_id_and_no_path(stack):
    r, _ = https(stack, "GET", "/accounts/login/?q=%E9%AB%98%E6%A9%8B")
    rid = r.getheader("X-Request-ID")
    assert rid and re.fullmatch(r"[0-9a-f]{32}", rid)  # nginx's $request_id
    deadline = time.monotonic() + 10
    line = ""
    while time.monotonic() < deadline and not line:
        stack["log"].seek(0)
        line = next((ln for ln in stack["log"] if f"rid={rid}" in ln), "")
        time.sleep(0.05)
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00 INFO madoguchi.request ", line)
    assert "status=200" in line and "route=accounts:login" in line
    assert "/accounts/login" not in line and "q=" not in line and "%E9" not in line


SLOW_APP = """
import os, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "madoguchi.settings"
import django
django.setup()
from madoguchi.core.serving import serve
marker = sys.argv[2]

def app(environ, start_response):
    open(marker, "w").close()          # the request is in the application now
    time.sleep(2)
    body = b"x" * 500_000 + b"done"
    start_response("200 OK", [("Content-Length", str(len(body)))])
    return [body]

serve(app, "127.0.0.1", int(sys.argv[1]))
"""


def test_shutdown_finishes_requests_in_flight_and_refuses_new_ones(tmp_path):
    """SIGTERM (systemctl stop/restart) while a slow answer (a PDF bundle) is being made:
    the answer is delivered whole, new connections are refused, the process exits 0."""
    import threading

    port = free_port()
    marker = tmp_path / "in-flight"
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_APP, str(port), str(marker)],
        cwd=REPO,
        env=server_env(tmp_path, MADOGUCHI_SHUTDOWN_SECONDS="30"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    wait_port(port, proc)
    result = {}

    def slow_request():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/bundle.pdf")
        r = conn.getresponse()
        result["status"], result["body"] = r.status, r.read()

    client = threading.Thread(target=slow_request)
    client.start()
    deadline = time.monotonic() + 30
    while not marker.exists():
        assert time.monotonic() < deadline, "the request never reached the application"
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    refused = False
    while time.monotonic() < deadline and not refused:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            time.sleep(0.05)
        except OSError:
            refused = True
    assert refused, "the server still accepts connections after SIGTERM"
    client.join(timeout=60)
    assert result.get("status") == 200
    assert len(result["body"]) == 500_004 and result["body"].endswith(b"done")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "finishing requests in flight" in out
