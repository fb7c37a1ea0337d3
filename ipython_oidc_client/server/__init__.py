"""The Jupyter server extension: serves the sign-in callback page."""
