"""The keeper's operations (docs/keeper.md): begin and redeem a sign-in the browser drives, show a
session, wait for a change, renew, sign out, hand a kernel its access token, and the scheduler that
renews each session before its access token expires."""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time
from typing import Any

from .._errors import AuthenticationError, ConfigError
from .._native import loopback
from .._native._http import Http
from .._native.common import Keys, discover
from .._native.config import NativeConfig, native_config
from . import authorize, renewal, resources
from .authorize import Pending, session_key
from .credentials import Client
from .logout import end_session_url, revoke
from .session import SIGNED_IN, SIGNED_OUT, Session
from .state import Send, State
from .userinfo import check_userinfo
from .wire import KeeperError

#: A discovery document is used again for this long (the answer to begin stays quick).
DISCOVERY_SECONDS = 300.0
#: The longest wait a page may ask for: a long poll stays under proxies' idle timeouts.
MAX_WAIT_SECONDS = 30.0


def _refused(err: AuthenticationError | ConfigError) -> KeeperError:
    if isinstance(err, ConfigError):
        return KeeperError("config", str(err))
    return KeeperError(err.error, err.message)


class SharedKeys(Keys):
    """A provider's JWKS kept for every session of the keeper, fetched by one thread at a time."""

    def __init__(self, uri: str) -> None:
        super().__init__(Http(10.0), uri)
        self._lock = threading.Lock()

    def get(self, reload: bool = False) -> Any:
        with self._lock:
            return super().get(reload)


class Keeper:
    def __init__(self, clients: dict[str, Client] | None = None) -> None:
        self.state = State()
        #: The administrator's confidential clients, by provider name (credentials.py).
        self.clients = clients or {}
        self.families = resources.FamilyLocks()
        self._keys: dict[str, SharedKeys] = {}
        self._discovery: dict[str, tuple[float, dict[str, Any]]] = {}
        self._stop = threading.Event()
        threading.Thread(target=self._schedule, daemon=True, name="keeper-scheduler").start()

    # -- what the providers say, kept for a while -------------------------------------------------

    def _metadata(self, cfg: NativeConfig, needs: tuple[str, ...]) -> dict[str, Any]:
        cache_key = (
            f"{cfg.discovery_url}|{sorted(cfg.metadata_seed.items())}|{cfg.metadata is not None}|{needs}"
        )
        with self.state.lock:
            hit = self._discovery.get(cache_key)
        if hit and hit[0] > time.time() and cfg.metadata is None:
            return hit[1]
        metadata = discover(cfg, Http(cfg.request_timeout), needs)
        with self.state.lock:
            self._discovery[cache_key] = (time.time() + DISCOVERY_SECONDS, metadata)
        return metadata

    def keys(self, uri: str) -> SharedKeys:
        with self.state.lock:
            return self._keys.setdefault(uri, SharedKeys(uri))

    def _family(self, session: Session) -> tuple[Session, list[Session]]:
        """The sign-in a session derives from (itself, or its parent), and every session of that family."""
        root = self.state.sessions.get(session.parent or "", session)
        return root, [root, *(s for s in self.state.sessions.values() if s.parent == root.id)]

    def _session(self, sid: Any) -> Session:
        session = self.state.sessions.get(sid) if isinstance(sid, str) else None
        if session is None:
            raise KeeperError(
                "unknown_session",
                "This sign-in is no longer known to the server: its token keeper was restarted (with "
                "the server, or after it stopped). Click Sign in to sign in again.",
            )
        return session

    # -- a sign-in the notebook's browser drives ---------------------------------------------------

    def _client(self, label: Any, config: Any) -> Client | None:
        """The credentials of the administrator's provider ``label``, for its own entry only: a
        sign-in that changes where they would be sent (asked of the keeper directly, by-passing the
        server's routes) is refused."""
        client = self.clients.get(label) if isinstance(label, str) else None
        if client is not None and not client.matches(config):
            raise KeeperError(
                "config",
                f'The provider "{label}" is the administrator\'s: its authority, client and endpoints '
                "cannot be changed. Name it with only the settings a notebook may add.",
            )
        return client

    def begin(
        self, config: Any, redirect_uri: Any, instance: Any, fresh: bool, label: Any, renew_before: Any
    ) -> dict[str, Any]:
        if not isinstance(instance, str) or not instance or not isinstance(redirect_uri, str):
            raise KeeperError("invalid_request", "begin needs a widget instance and a redirect URI.")
        try:
            cfg = native_config(config)
        except ConfigError as err:
            raise _refused(err) from None
        client = self._client(label, config)
        if client is not None:
            cfg = dataclasses.replace(cfg, client_auth=client.auth)
        key = session_key(config, redirect_uri, client.auth.method if client else None)
        with self.state.lock:
            existing = self.state.sessions.get(self.state.by_key.get(key, ""))
            if existing is not None and not fresh and existing.reusable(cfg):
                self.state.bind(instance, existing)
                return {"session": existing.view()}
        try:
            metadata = self._metadata(cfg, loopback.NEEDS)
        except AuthenticationError as err:
            raise _refused(err) from None
        problem = client.auth.unsupported(metadata) if client else None
        if problem:
            raise KeeperError("config", f"The administrator's {problem}")
        url, state, verifier, nonce = authorize.authorization_request(cfg, metadata, redirect_uri)
        pending = Pending(
            state=state,
            verifier=verifier,
            nonce=nonce,
            cfg=cfg,
            config=dict(config),
            metadata=metadata,
            redirect_uri=redirect_uri,
            key=key,
            instance=instance,
            label=label if isinstance(label, str) else None,
            # Not a number of seconds >= 0 (NaN included): the default, as for a missing one.
            renew_before=float(renew_before)
            if isinstance(renew_before, (int, float)) and renew_before >= 0
            else 60.0,
            expires=time.time() + cfg.stale_state_age,
        )
        with self.state.lock:
            self.state.prune()
            self.state.pending[state] = pending
        return {"url": url, "state": state}

    def redeem(self, state: Any, response: Any) -> dict[str, Any]:
        with self.state.lock:
            pending = self.state.pending.pop(state, None) if isinstance(state, str) else None
        if pending is None or authorize.expired(pending):
            raise KeeperError(
                "state_mismatch",
                "This sign-in answer matches no sign-in the server is waiting for: it was used already, "
                "it is too old, or it belongs to another sign-in. Nothing was sent to the provider. "
                "Click Sign in to start again.",
            )
        http = Http(pending.cfg.request_timeout)
        try:
            validated = authorize.redeem(pending, response, http, self.keys(pending.metadata["jwks_uri"]))
            claims = validated.claims
            if pending.cfg.load_userinfo:
                claims = check_userinfo(http, pending.metadata, validated.tokens.access_token, claims)
        except AuthenticationError as err:
            raise _refused(err) from None
        with self.state.lock:
            session = self.state.sessions.get(self.state.by_key.get(pending.key, ""))
            if session is None:
                session = Session(
                    id=secrets.token_urlsafe(16),
                    key=pending.key,
                    cfg=pending.cfg,
                    config=pending.config,
                    metadata=pending.metadata,
                    keys=self.keys(pending.metadata["jwks_uri"]),
                    label=pending.label,
                    renew_before=pending.renew_before,
                )
                self.state.sessions[session.id] = session
                self.state.by_key[pending.key] = session.id
            # The same key signed in afresh (Renew without a refresh token, Sign in after an error):
            # every kernel that uses the session gets the new token.
            session.cfg, session.metadata, session.renew_before = (
                pending.cfg,
                pending.metadata,
                pending.renew_before,
            )
            self._signed_in(session, validated.tokens, validated.subject, claims)
            # Its APIs' sessions renew with the new sign-in's refresh token from now on.
            resources.share_refresh_token(self._family(session)[1][1:], validated.tokens.refresh_token)
            self.state.bind(pending.instance, session)
            return {"session": session.view()}

    def _signed_in(self, session: Session, tokens: Any, subject: str | None, claims: Any) -> None:
        session.tokens, session.subject, session.claims = tokens, subject, claims
        session.status, session.error, session.issued = SIGNED_IN, None, time.time()
        session.ended_at = session.expired_at = None
        session.schedule()
        self.state.touch(session)

    # -- what pages and kernels ask of a session ---------------------------------------------------

    def view(self, sid: Any) -> dict[str, Any]:
        with self.state.lock:
            return {"session": self._session(sid).view()}

    def instance(self, instance: Any) -> dict[str, Any]:
        with self.state.lock:
            session = (
                self.state.sessions.get(self.state.bindings.get(instance, ""))
                if isinstance(instance, str)
                else None
            )
            return {"session": session.view() if session else None}

    def wait(self, versions: Any, timeout: Any) -> dict[str, Any]:
        """Answer as soon as one of ``versions`` ({id: version seen}) changed or is gone, or at the
        timeout with nothing: a long poll, so that a page sees renewals and sign-outs at once."""
        if not isinstance(versions, dict) or len(versions) > 64:
            raise KeeperError("invalid_request", "wait needs {session id: version} for at most 64 sessions.")
        if not versions:
            return {"sessions": {}}  # nothing to watch: nothing will change
        seconds = (
            min(float(timeout), MAX_WAIT_SECONDS) if isinstance(timeout, (int, float)) else MAX_WAIT_SECONDS
        )
        deadline = time.monotonic() + max(seconds, 0.0)
        with self.state.changed:
            while True:
                changed: dict[str, Any] = {}
                for sid, seen in versions.items():
                    session = self.state.sessions.get(sid)
                    if session is None:
                        changed[sid] = None
                    elif not isinstance(seen, int) or session.version > seen:
                        changed[sid] = session.view()
                left = deadline - time.monotonic()
                if changed or left <= 0:
                    return {"sessions": changed}
                self.state.changed.wait(left)

    def token(self, sid: Any) -> dict[str, Any]:
        """The access token for a page that relays it to a kernel which cannot reach this keeper."""
        with self.state.lock:
            token = self._session(sid).token()
        if token is None:
            raise KeeperError("not_signed_in", "This sign-in holds no live access token. Click Sign in.")
        return {"token": token}

    def follow(self, instance: Any, send: Send) -> dict[str, Any]:
        if not isinstance(instance, str) or not instance:
            raise KeeperError("invalid_request", "follow needs a widget instance.")
        with self.state.lock:
            self.state.follow(instance, send)
        return {}

    def unfollow(self, send: Send) -> None:
        with self.state.lock:
            self.state.unfollow(send)

    def renew(self, sid: Any) -> dict[str, Any]:
        """Renew now (the widget's Renew button), with the refresh token; a session without one needs a
        fresh sign-in, which the page starts itself."""
        with self.state.lock:
            session = self._session(sid)
            if not (session.live and session.renewable):
                raise KeeperError("not_renewable", "This sign-in cannot be renewed without a new sign-in.")
        self._renew(session)
        return self.view(sid)

    def logout(self, sid: Any, post_logout_redirect_uri: Any) -> dict[str, Any]:
        """Sign out everywhere this keeper can: the refresh token revoked at the provider (RFC 7009),
        every kernel told, and the URL of the provider's own sign-out (RP-Initiated Logout 1.0 §2) for
        the page to open. Again for a session already signed out: nothing to revoke, the URL still."""
        with self.state.lock:
            session = self._session(sid)
            tokens = session.tokens
            # Its APIs' tokens go with it (they share the refresh token revoked here).
            for member in [session] if session.parent else self._family(session)[1]:
                if member.status != SIGNED_OUT:
                    self.state.end(member, SIGNED_OUT, None)
        revoke_error = revoke(session, tokens) if tokens is not None else None
        url = None
        if isinstance(post_logout_redirect_uri, str) and post_logout_redirect_uri:
            url = end_session_url(session, post_logout_redirect_uri)
        with self.state.lock:
            return {"session": session.view(), "end_session": url, "revoke_error": revoke_error}

    def resource(self, instance: Any, child: Any, resource: Any) -> dict[str, Any]:
        """A token for one API from the sign-in ``instance`` uses (RFC 8707): resources.py."""
        return resources.for_resource(self, instance, child, resource)

    def ping(self) -> dict[str, Any]:
        with self.state.lock:
            return {"sessions": self.state.live_count(), "pending": len(self.state.pending)}

    # -- renewal (renewal.py) -----------------------------------------------------------------------

    def _schedule(self) -> None:
        renewal.run_scheduler(self)

    def _renew(self, session: Session) -> None:
        renewal.renew(self, session)
