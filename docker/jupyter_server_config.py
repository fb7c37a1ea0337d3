# Jupyter server settings of the images built by ../Dockerfile and ../Dockerfile.dev, installed as
# /etc/jupyter/jupyter_server_config.py (the system-wide config; a user's ~/.jupyter still wins).
import os

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file

# A container is reached from outside it: listen on every interface by default. JUPYTER_IP lets a
# test (or a `docker run --network host`) keep the server on 127.0.0.1. The port and the token come
# from jupyter_server's own JUPYTER_PORT and JUPYTER_TOKEN.
c.ServerApp.ip = os.environ.get("JUPYTER_IP", "0.0.0.0")  # noqa: S104 - see above
c.ServerApp.open_browser = False  # there is no browser in the container

# Only the contributor image sets this, when the mounted checkout belongs to root (Docker Desktop,
# a root-owned CI checkout): it then runs Jupyter as root, which Jupyter refuses unless told.
if os.environ.get("JUPYTER_ALLOW_ROOT") == "1":
    c.ServerApp.allow_root = True
