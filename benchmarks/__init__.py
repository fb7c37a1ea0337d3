"""Benchmarks of ipython-oidc-client against a real provider, JupyterLab and Chromium (issue 12).

Run ``.venv/bin/python -m benchmarks`` (``--quick`` for CI); see benchmarks/README.md.
"""
