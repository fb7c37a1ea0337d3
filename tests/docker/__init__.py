"""The Docker images (Dockerfile, Dockerfile.dev) and the distributions. Run on their own:
`pytest tests/docker` (Playwright's sync API fights other suites' event loops, design.md §6)."""
