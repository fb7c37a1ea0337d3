# JupyterLab and Notebook 7 with ipython-oidc-client installed for every user, as an administrator
# would install it: into the image's system Python, not into a virtual environment.
#
#   docker build -t t . && docker run -p 8888:8888 --rm -it t
#
# then open the http://127.0.0.1:8888/lab?token=… URL that the server prints. JUPYTER_TOKEN and
# JUPYTER_PORT (read by jupyter_server) and JUPYTER_IP (docker/jupyter_server_config.py) choose the
# token, port and address. Details, the provider registry and JupyterHub: docs/docker.md.

# --- build stage: the wheel, with its JavaScript bundled by esbuild -----------------------------
FROM debian:bookworm-slim AS build

# The same packages, in the same instruction, as the first layer of Dockerfile.dev: both images
# then share this layer in Docker's build cache (tini and python3-pip are for the other image).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates nodejs npm python3 python3-pip python3-venv tini \
 && rm -rf /var/lib/apt/lists/*

# `python -m build` makes an isolated venv and installs hatchling and hatch-jupyter-builder into it.
RUN pip install --break-system-packages --no-cache-dir --root-user-action=ignore build==1.*

WORKDIR /src
# Exactly the committed lockfile, in a layer of its own that only a change of the lockfile rebuilds.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
# .dockerignore keeps the host's node_modules, venvs and built bundles out of this copy.
COPY . .
# The build hook (hatch-jupyter-builder) runs `npm install` (a no-op after npm ci) and
# `npm run build`, which writes ipython_oidc_client/static/{widget,callback}.js into the wheel.
RUN python3 -m build --wheel --outdir /dist .

# --- the image: no Node.js, no build tools -------------------------------------------------------
FROM debian:bookworm-slim

# tini is PID 1: it forwards docker's signals to Jupyter and reaps the kernels' orphaned children.
# ca-certificates: kernels call https APIs with the tokens they get.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates python3 python3-pip tini \
 && rm -rf /var/lib/apt/lists/*

# The frontends in a layer of their own, so that a change of the package rebuilds only the next one.
# --break-system-packages: this is the system Python of an image that nothing else uses (PEP 668).
# pip puts packages under /usr/local, and the package's jupyter-config file into
# /usr/local/etc/jupyter/jupyter_server_config.d, which enables the server extension.
ARG JUPYTERLAB="jupyterlab>=4,<5"
ARG NOTEBOOK="notebook>=7,<8"
RUN pip install --break-system-packages --no-cache-dir --root-user-action=ignore \
      "$JUPYTERLAB" "$NOTEBOOK"

COPY --from=build /dist/ /tmp/dist/
RUN pip install --break-system-packages --no-cache-dir --root-user-action=ignore /tmp/dist/*.whl \
 && rm -rf /tmp/dist

COPY docker/jupyter_server_config.py /etc/jupyter/jupyter_server_config.py

# The provider registry: identity providers that every notebook can name, as in
# authenticate("corp", token). This example is NOT active where it is copied. The active place is
#   /etc/jupyter/jupyter_server_config.d/ipython_oidc_client_providers.json
# Mount yours there (docker run -v $PWD/providers.json:/etc/jupyter/jupyter_server_config.d/ipython_oidc_client_providers.json:ro …),
# or copy it there in an image built FROM this one:
#   COPY providers.json /etc/jupyter/jupyter_server_config.d/ipython_oidc_client_providers.json
COPY docker/providers.example.json /usr/local/share/ipython-oidc-client/providers.example.json
RUN mkdir -p /etc/jupyter/jupyter_server_config.d

# Jupyter runs as an ordinary user; uid 1000 is the usual first user of a host (bind mounts).
RUN useradd --create-home --uid 1000 --shell /bin/bash jovyan
USER jovyan
WORKDIR /home/jovyan
ENV JUPYTER_PORT=8888
EXPOSE 8888
ENTRYPOINT ["tini", "-g", "--"]
CMD ["jupyter", "lab"]
