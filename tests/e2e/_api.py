"""An API on 127.0.0.1 for the tests: each GET is answered by ``answer(authorization header)``, which
returns (status, extra headers, JSON body); the Authorization header of every request is kept."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = Callable[[str], tuple[int, dict[str, str], Any]]


class LocalApi:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.seen: list[str] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                authorization = self.headers.get("Authorization", "")
                api.seen.append(authorization)
                status, headers, body = api.answer(authorization)
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args: Any) -> None:
                pass  # a request line never, a token never

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


#: RFC 9470 §3's challenge, as the step-up tests' API answers it.
STEP_UP_CHALLENGE = (
    'Bearer error="insufficient_user_authentication", '
    'error_description="This API wants a recent sign-in", max_age="1"'
)


class StepUpApi(LocalApi):
    """Refuses the first token it sees (and every token, when ``strict``) with the step-up challenge."""

    def __init__(self, strict: bool = False) -> None:
        self.first: str | None = None
        self.strict = strict
        super().__init__(self._answer)

    def _answer(self, token: str) -> tuple[int, dict[str, str], Any]:
        self.first = self.first or token
        if self.strict or token == self.first:
            return 401, {"WWW-Authenticate": STEP_UP_CHALLENGE}, {"ok": False}
        return 200, {}, {"ok": True}
