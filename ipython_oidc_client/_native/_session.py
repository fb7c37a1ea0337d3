"""This process's side of the helper (``helper.py``): start it, read its JSON lines, fill the token."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import IO, Any

from .._errors import AuthenticationError
from .._token import Token, expire, fill, parse_token_message

#: What the helper may take beyond the user's timeout (discovery, the token request, the JWKS).
GRACE_SECONDS = 30.0


class Session:
    def __init__(
        self,
        token: MutableMapping[str, Any],
        on_say: Callable[[str], None] | None = None,
        on_token: Callable[[], None] | None = None,
        on_error: Callable[[AuthenticationError], None] | None = None,
    ) -> None:
        """``on_say``/``on_token``/``on_error``: where the helper's lines, tokens and errors go besides
        the token itself (a widget that shows the device link); by default lines are printed."""
        self.token = token
        self._on_say = on_say
        self._on_token = on_token
        self._on_error = on_error
        self.error: AuthenticationError | None = None
        self.signed_in = threading.Event()
        self.ended = threading.Event()
        self.proc: subprocess.Popen[bytes] | None = None
        if isinstance(token, Token):
            token._reason = lambda: self.error

    def start(self, request: dict[str, Any]) -> None:
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ipython_oidc_client._native.helper"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            # Its own session: a Ctrl-C in the terminal reaches this process only, which then stops
            # the helper itself (the helper never outlives a cancelled sign-in).
            start_new_session=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        self.proc.stdin.flush()  # stdin stays open: its end of file tells the helper to exit
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True, name="oidc-helper").start()

    def _read(self, stream: IO[bytes]) -> None:
        try:
            for line in stream:
                try:
                    content = json.loads(line)
                except ValueError:
                    continue
                if isinstance(content, dict):
                    self._on_message(content)
        finally:
            self.ended.set()

    def _on_message(self, content: dict[str, Any]) -> None:
        kind = content.get("type")
        if kind == "say":
            text = str(content.get("text", ""))
            if self._on_say is not None:
                self._on_say(text)
            else:
                print(text, flush=True)
        elif kind == "token":
            fill(self.token, parse_token_message(content))
            self.error = None
            self.signed_in.set()
            if self._on_token is not None:
                self._on_token()
        elif kind == "error":
            self.error = AuthenticationError(str(content.get("error")), str(content.get("message")))
            if self._on_error is not None:
                self._on_error(self.error)
        elif kind == "expired":
            expire(self.token)

    def wait_signed_in(self, timeout: float) -> None:
        """Block until the first token, the helper's error, or the deadline. Each wait is short, so a
        KeyboardInterrupt is raised at once."""
        deadline = time.monotonic() + timeout + GRACE_SECONDS
        while not self.signed_in.is_set():
            if self.ended.is_set() and not self.signed_in.is_set():
                raise self.error or AuthenticationError(
                    "invalid_response", "The sign-in helper process ended without an answer."
                )
            if time.monotonic() > deadline:
                raise AuthenticationError("timeout", f"Sign-in did not finish within {timeout:.0f} s.")
            self.signed_in.wait(0.2)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """End the helper (by its pid): it takes the refresh token with it."""
        proc = self.proc
        if proc is None:
            return
        if proc.stdin is not None:
            try:
                proc.stdin.close()
            except OSError:
                pass
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
