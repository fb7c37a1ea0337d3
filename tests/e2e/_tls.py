"""nginx (Debian's package) terminating TLS on 127.0.0.1 with a self-signed certificate, in front
of a Jupyter server, as a reverse proxy in production would be."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

from ._procs import Server, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _certificate(workdir: Path) -> tuple[Path, Path]:
    cert, key = workdir / "cert.pem", workdir / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def start_nginx(workdir: Path, upstream_port: int, port: int | None = None) -> tuple[Server, int]:
    if not Path(NGINX).exists():
        raise RuntimeError("nginx not found: apt-get install -y nginx-light (tests/install.sh does).")
    port = port or free_port()
    cert, key = _certificate(workdir)
    (workdir / "tmp").mkdir(exist_ok=True)
    user = "user root;" if os.geteuid() == 0 else ""
    conf = workdir / "nginx.conf"
    conf.write_text(
        f"""
{user}
worker_processes 1;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log;
events {{ worker_connections 128; }}
http {{
  access_log {workdir}/nginx-access.log;
  client_body_temp_path {workdir}/tmp/body;
  proxy_temp_path {workdir}/tmp/proxy;
  fastcgi_temp_path {workdir}/tmp/fastcgi;
  uwsgi_temp_path {workdir}/tmp/uwsgi;
  scgi_temp_path {workdir}/tmp/scgi;
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    location / {{
      proxy_pass http://127.0.0.1:{upstream_port};
      proxy_http_version 1.1;
      proxy_set_header Host $host:$server_port;
      proxy_set_header X-Forwarded-Proto https;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 300s;
    }}
  }}
}}
"""
    )
    argv = [NGINX, "-c", str(conf), "-p", str(workdir), "-e", str(workdir / "nginx-error.log")]
    server = Server("nginx", argv, workdir / "nginx.log")

    def listening() -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    server.wait_until(listening, timeout=30)
    return server, port
