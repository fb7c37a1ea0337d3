"""Step-up without a notebook frontend (docs/stepup.md): an API that refuses the token with RFC 9470's
``insufficient_user_authentication`` gets a new sign-in by the same flow (the device grant's link and
code, or the system browser), asking for its ``acr_values``/``max_age``. The request is then retried
once (_stepup.py). (``invalid_token``'s renewal is the SignIn's own, as in a notebook.)"""

from __future__ import annotations

import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

from .._errors import AuthenticationError, ConfigError
from .._stepup import registered
from .._text import shown


def answer_challenges(
    config: Mapping[str, Any],
    token: MutableMapping[str, Any],
    *,
    flow: str,
    timeout: float,
    renew: bool,
    renew_before: float,
) -> None:
    """Keep on ``token`` what answers an API's challenges for the sign-in ``sign_in`` just made."""
    from . import sign_in

    def step_up(wanted: dict[str, Any], reason: str) -> bool:
        why = f" ({shown(reason)})" if reason else ""
        asked = ", ".join(f"{k}={v}" for k, v in wanted.items())
        print(
            f"The API asks for a stronger sign-in{why}: {asked}. Signing in again…",
            file=sys.stderr,
            flush=True,
        )
        try:
            # The same token, filled by the new sign-in's keeper; the last one's ends with it.
            sign_in(
                {**config, **wanted},
                token,
                flow=flow,
                timeout=timeout,
                renew=renew,
                renew_before=renew_before,
            )
        except (AuthenticationError, ConfigError) as err:
            print(
                f"The stronger sign-in failed ({err}); the API's refusal is returned as it came.",
                file=sys.stderr,
                flush=True,
            )
            return False
        return True

    registered(token, step_up)
