"""A Docker engine for the image tests, and the base image the Dockerfiles start FROM.

Where no engine runs (this project's machines: Debian's docker.io is installed, nothing starts it),
this starts ``dockerd`` in its own process group with its own socket, pid file and data root, and
stops exactly that process at the end. Where no registry is reachable, ``debian:bookworm-slim`` is
replaced by a stand-in made with debootstrap (design.md §6). The data root is kept at a fixed path,
so that a second run on the same machine finds the stand-in and the build cache and is fast.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from e2e._procs import Server

BASE_IMAGE = "debian:bookworm-slim"
STATE = Path("/var/lib/ipython-oidc-client-docker")  # data root (images, build cache) and lock file
RUN = Path("/run/ipython-oidc-client-docker")  # socket, pid file, exec root: gone at a reboot
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


@dataclass
class Engine:
    env: dict[str, str]  # os.environ with DOCKER_HOST pointing at this engine
    log_dir: Path
    daemon: Server | None = None  # the dockerd this harness started, if it did
    ours: bool = False  # this harness's engine (its data root), started now or by an earlier run
    origin: str = "the machine's own"  # for the summary of the run
    timings: dict[str, float] = field(default_factory=dict)

    def docker(
        self, *args: str, check: bool = True, timeout: float = 120, stdin: IO[bytes] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a docker command and return its output; the error says what failed and why."""
        proc = subprocess.run(
            ["docker", *args],
            env=self.env,
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"docker {' '.join(args)} exited with {proc.returncode}:\n{proc.stderr[-3000:]}"
            )
        return proc

    def has_image(self, name: str) -> bool:
        return self.docker("image", "inspect", name, check=False).returncode == 0

    def build(
        self, tag: str, context: Path, dockerfile: str = "Dockerfile", target: str = "", timeout: float = 900
    ) -> float:
        """Build an image with the host's network (containers have no other here); returns seconds.

        The output goes to a log file; a failed build raises with its end."""
        log = self.log_dir / f"build-{tag.replace(':', '-').replace('/', '-')}.log"
        argv = ["docker", "build", "--network", "host", "-f", str(context / dockerfile), "-t", tag]
        if target:
            argv += ["--target", target]
        t0 = time.monotonic()
        with open(log, "w") as out:
            proc = subprocess.run(
                [*argv, str(context)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        seconds = time.monotonic() - t0
        if proc.returncode != 0:
            raise RuntimeError(
                f"docker build of {tag} failed ({proc.returncode}):\n{log.read_text()[-5000:]}"
            )
        self.timings[f"build {tag}"] = seconds
        return seconds

    def image_size(self, name: str) -> int:
        return int(self.docker("image", "inspect", "-f", "{{.Size}}", name).stdout.strip())


def _answers(env: dict[str, str]) -> bool:
    try:
        return (
            subprocess.run(
                ["docker", "version", "--format", "{{.Server.Version}}"],
                env=env,
                capture_output=True,
                timeout=20,
                check=False,
            ).returncode
            == 0
        )
    except subprocess.TimeoutExpired:
        return False


@contextmanager
def engine(log_dir: Path) -> Iterator[Engine]:
    """The machine's engine if one answers; else ours, started here and stopped by its pid.

    One harness at a time per machine (a lock file): two runs would share the data root and the
    image names."""
    if shutil.which("docker") is None:
        raise RuntimeError("No docker command: apt-get install -y docker.io (tests/install.sh does).")
    STATE.mkdir(parents=True, exist_ok=True)
    with open(STATE / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # waits for another run of these tests to finish
        machine = dict(os.environ)
        if _answers(machine):
            yield Engine(machine, log_dir)
            return
        own = {**os.environ, "DOCKER_HOST": f"unix://{RUN / 'docker.sock'}"}
        leftover = _leftover_dockerd()
        if leftover and _answers(own):
            # Started by a run of these tests that was killed before it could stop it (we hold the
            # lock: no other run is using it). Use it, and stop it like our own.
            try:
                yield Engine(own, log_dir, ours=True, origin="left running by a killed run; stopped now")
            finally:
                _stop_pid(leftover)
            return
        daemon = _start_dockerd(log_dir)
        try:
            daemon.wait_until(lambda: _answers(own), timeout=60)
            yield Engine(own, log_dir, daemon, ours=True, origin="started by the tests")
        finally:
            _stop_dockerd(daemon)


def _leftover_dockerd() -> int | None:
    """The pid in our pid file, if it is a dockerd serving our socket."""
    try:
        pid = int((RUN / "dockerd.pid").read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return None
    ours = f"--host=unix://{RUN / 'docker.sock'}".encode()
    return pid if Path(cmdline[0].decode()).name == "dockerd" and ours in cmdline else None


def _stop_pid(pid: int) -> None:
    """Stop a dockerd that is not our child: SIGTERM, wait for it with a deadline, then whatever
    is left of its process group (it was started in a session of its own)."""
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.2)  # polling interval of a condition with a deadline
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited


def _start_dockerd(log_dir: Path) -> Server:
    if os.geteuid() != 0:
        raise RuntimeError("No Docker engine answers, and starting dockerd needs root.")
    dockerd = shutil.which("dockerd") or "/usr/sbin/dockerd"
    RUN.mkdir(parents=True, exist_ok=True)
    pidfile = RUN / "dockerd.pid"
    if pidfile.exists():  # a pid file of a dead daemon (we checked that none answers) stops dockerd
        pidfile.unlink()
    return Server(
        "dockerd",
        [
            dockerd,
            # No bridge and no iptables: this machine allows neither; builds and containers use
            # --network host.
            "--iptables=false",
            "--bridge=none",
            f"--data-root={STATE / 'data'}",
            f"--exec-root={RUN / 'exec'}",
            f"--pidfile={pidfile}",
            f"--host=unix://{RUN / 'docker.sock'}",
        ],
        log_dir / "dockerd.log",
    )


def _stop_dockerd(daemon: Server) -> None:
    """SIGTERM to dockerd alone: it stops its containers and its containerd itself. Whatever of
    its process group is still there afterwards is ended by Server.stop()."""
    if daemon.proc.poll() is None:
        os.kill(daemon.proc.pid, signal.SIGTERM)
        try:
            daemon.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(daemon.proc.pid, signal.SIGTERM)  # containerd, if it outlived dockerd
    except ProcessLookupError:
        pass
    daemon.stop()


def ensure_base_image(eng: Engine, pull: bool) -> str:
    """Make sure ``debian:bookworm-slim`` exists; returns how it was had."""
    if eng.has_image(BASE_IMAGE):
        return "present"
    if pull and eng.docker("pull", BASE_IMAGE, check=False, timeout=180).returncode == 0:
        return "pulled"
    t0 = time.monotonic()
    _import_debootstrap_base(eng)
    eng.timings["debootstrap stand-in base"] = time.monotonic() - t0
    return "debootstrap"


def _import_debootstrap_base(eng: Engine) -> None:
    """A stand-in for debian:bookworm-slim: Debian's minbase, with this machine's CA bundle.

    The containers reach PyPI and npm through this machine's network, whose TLS needs that bundle:
    it goes to /etc/ssl/certs (used as it is) and /usr/local/share/ca-certificates (so that a
    Dockerfile's `apt-get install ca-certificates`, which rebuilds the bundle, keeps it), and
    PIP_CERT and NODE_EXTRA_CA_CERTS point pip and Node.js at it: both bring their own CA lists."""
    if shutil.which("debootstrap") is None:
        raise RuntimeError("No debootstrap: apt-get install -y debootstrap (tests/install.sh does).")
    with tempfile.TemporaryDirectory(prefix="bookworm-", dir=STATE) as tmp:
        root = Path(tmp) / "root"
        log = eng.log_dir / "debootstrap.log"
        with open(log, "w") as out:
            proc = subprocess.run(
                ["debootstrap", "--variant=minbase", "bookworm", str(root)],
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=600,
                check=False,
            )
        if proc.returncode != 0:
            raise RuntimeError(f"debootstrap failed:\n{log.read_text()[-3000:]}")
        _slim(root)
        if CA_BUNDLE.exists():
            bundle = CA_BUNDLE.read_bytes()
            (root / "etc/ssl/certs").mkdir(parents=True, exist_ok=True)
            (root / "etc/ssl/certs/ca-certificates.crt").write_bytes(bundle)
            (root / "usr/local/share/ca-certificates").mkdir(parents=True, exist_ok=True)
            (root / "usr/local/share/ca-certificates/host-ca-bundle.crt").write_bytes(bundle)
        changes: Sequence[str] = [
            "-c",
            "ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt",
            "-c",
            "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt",
            "-c",
            'CMD ["bash"]',
        ]
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        try:
            eng.docker("import", *changes, "-", BASE_IMAGE, stdin=tar.stdout, timeout=300)
        finally:
            if tar.stdout:
                tar.stdout.close()
            tar.wait(timeout=60)


# What makes the official image "slim" and keeps apt's caches out of its layers (the files of
# Debian's debuerreotype): so that the sizes measured here are those of the real image.
_SLIM_FILES = {
    "etc/dpkg/dpkg.cfg.d/docker": "\n".join(
        [
            "path-exclude /usr/share/doc/*",
            "path-include /usr/share/doc/*/copyright",
            "path-exclude /usr/share/groff/*",
            "path-exclude /usr/share/info/*",
            "path-exclude /usr/share/linda/*",
            "path-exclude /usr/share/lintian/overrides/*",
            "path-exclude /usr/share/locale/*",
            "path-exclude /usr/share/man/*",
            "",
        ]
    ),
    "etc/apt/apt.conf.d/docker-clean": "\n".join(
        [
            'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb'
            ' /var/cache/apt/*.bin || true"; };',
            'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb'
            ' /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };',
            'Dir::Cache::pkgcache "";',
            'Dir::Cache::srcpkgcache "";',
            "",
        ]
    ),
    "etc/apt/apt.conf.d/docker-no-languages": 'Acquire::Languages "none";\n',
    "etc/apt/apt.conf.d/docker-gzip-indexes": 'Acquire::GzipIndexes "true";\n',
    "etc/apt/apt.conf.d/docker-autoremove-suggests": 'Apt::AutoRemove::SuggestsImportant "false";\n',
}


def _slim(root: Path) -> None:
    for name, text in _SLIM_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    for pattern in ("usr/share/doc/*", "usr/share/man/*", "usr/share/locale/*", "usr/share/info/*"):
        for path in root.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                # Keep the copyright files, as dpkg's path-include above does.
                for child in path.iterdir():
                    if child.name != "copyright":
                        shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
                if not any(path.iterdir()):
                    path.rmdir()
            else:
                path.unlink()
    # Downloaded packages and package lists, which the real image does not carry either.
    for junk in ("var/cache/apt/archives", "var/lib/apt/lists", "var/cache/apt"):
        for path in (root / junk).glob("*"):
            if path.is_file():
                path.unlink()
