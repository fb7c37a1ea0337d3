"""The token where each SDK wants it (docs/sdks.md): a real azure-storage-blob client, a google-auth
``AuthorizedSession`` and an aiohttp session talk to a stand-in API on 127.0.0.1 (tests/unit/stand_in_api.py,
which accepts only the token it is told is current), and send the Token's current access token — after it
is renewed in place (by the follower's own ``fill``, and end to end through a real keeper and follower),
never one removed by sign-out or expired; none of the SDKs is imported by ``import ipython_oidc_client``.

Azurite is not used: its OAuth check (``--oauth basic``) accepts only issuers of Entra ID
(``https://sts.windows.net/…``), which a test provider on 127.0.0.1 cannot issue, and it does not verify
the signature, so it would check less of the bearer token than the stand-in does."""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timezone
from pathlib import Path

import aiohttp
import IPython.display
import pytest
from azure.core import PipelineClient
from azure.core.credentials import SupportsTokenInfo, TokenCredential
from azure.core.pipeline.policies import BearerTokenCredentialPolicy
from azure.core.pipeline.transport import RequestsTransport
from azure.core.rest import HttpRequest
from azure.storage.blob import BlobServiceClient
from fake_idp import FakeIdp
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import AuthorizedSession
from keeper_proc import Running
from stand_in_api import StandIn
from test_keeper_follow import eventually, page_signs_in

from ipython_oidc_client import AuthenticationError, SignIn, Token, authenticate
from ipython_oidc_client._token import clear, expire, fill, parse_token_message

ROOT = Path(__file__).resolve().parents[2]
SDKS = ["azure-storage-blob", "google-auth", "aiohttp"]
HOUR = 3600  # longer than the SDKs' own refresh windows (azure-core 5 min, google-auth 3 min 45 s)


@pytest.fixture
def api(tmp_path: Path) -> Iterator[StandIn]:
    with StandIn(tmp_path) as stand_in:
        yield stand_in


def signed_in(access_token: str, lifetime: float = HOUR) -> Token:
    token = Token()
    renewed(token, access_token, lifetime)
    return token


def renewed(token: Token, access_token: str, lifetime: float = HOUR) -> None:
    """What the follower does with each new token from the keeper: fill the same dict in place."""
    message = {"access_token": access_token, "expires_at": time.time() + lifetime, "scope": "openid profile"}
    fill(token, parse_token_message(message))


@contextmanager
def client(sdk: str, token: Token, api: StandIn) -> Iterator[Callable[[], int]]:
    """One client of ``sdk`` for ``api``, kept across calls (the SDKs keep tokens in their clients);
    each call makes one request and returns its status."""
    if sdk == "azure-storage-blob":
        service = BlobServiceClient(
            f"{api.url}/devstoreaccount1",
            credential=token.as_azure_credential(),
            connection_verify=str(api.cert),
        )

        def account() -> int:
            info = service.get_account_information()
            assert info["sku_name"] == "Standard_LRS"  # the client read the stand-in's answer
            return 200

        with service:
            yield account
    elif sdk == "google-auth":
        with AuthorizedSession(token.as_google_credentials()) as session:
            # per request: requests lets REQUESTS_CA_BUNDLE in the environment override session.verify
            yield lambda: session.get(f"{api.url}/v1/items", verify=str(api.cert)).status_code
    else:
        loop = asyncio.new_event_loop()
        trusted = ssl.create_default_context(cafile=str(api.cert))

        async def start() -> aiohttp.ClientSession:
            return aiohttp.ClientSession(
                middlewares=(token.aiohttp_middleware(api.url),), connector=aiohttp.TCPConnector(ssl=trusted)
            )

        session = loop.run_until_complete(start())

        async def get() -> int:
            async with session.get(f"{api.url}/v1/items") as response:
                return response.status

        try:
            yield lambda: loop.run_until_complete(get())
        finally:
            loop.run_until_complete(session.close())
            loop.close()


# -- no SDK on import ----------------------------------------------------------------------------------


def test_importing_the_package_imports_no_sdk() -> None:
    code = (
        "import importlib.util, json, sys\n"
        "import ipython_oidc_client\n"
        "token = ipython_oidc_client.Token()\n"
        "methods = [token.as_azure_credential, token.as_google_credentials, token.aiohttp_middleware]\n"
        "sdks = ('azure', 'google', 'aiohttp')\n"
        "print(json.dumps({'imported': sorted(m for m in sys.modules if m.split('.')[0] in sdks),\n"
        "                  'installed': [importlib.util.find_spec(s) is not None for s in sdks]}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout)
    assert seen["installed"] == [True, True, True]  # so that "imported" below means something
    assert seen["imported"] == []


@pytest.mark.parametrize(
    ("method", "hidden", "adapter", "extra"),
    [
        ("as_azure_credential", "azure.core.credentials", "azure", "azure"),
        ("as_google_credentials", "google.auth", "google", "google"),
        ("aiohttp_middleware", "aiohttp", "aiohttp", "aiohttp"),
    ],
)
def test_a_missing_sdk_is_named_with_the_extra_that_installs_it(
    monkeypatch: pytest.MonkeyPatch, method: str, hidden: str, adapter: str, extra: str
) -> None:
    monkeypatch.setitem(sys.modules, hidden, None)  # as if it were not installed
    monkeypatch.delitem(sys.modules, f"ipython_oidc_client._sdk.{adapter}", raising=False)
    args = ("https://api.example",) if method == "aiohttp_middleware" else ()
    with pytest.raises(ImportError, match=rf"pip install 'ipython-oidc-client\[{extra}\]'"):
        getattr(signed_in("at-1"), method)(*args)


# -- every SDK: the current token, and none when there is none ---------------------------------------


@pytest.mark.parametrize("sdk", SDKS)
def test_each_sdk_sends_the_current_token_after_it_is_renewed_in_place(sdk: str, api: StandIn) -> None:
    token = signed_in("at-first")
    with client(sdk, token, api) as call:
        api.accepts = "at-first"
        assert call() == 200
        renewed(token, "at-second")  # an hour before the first expires: no SDK would ask on its own
        api.accepts = "at-second"
        assert call() == 200
    assert api.authorizations() == ["Bearer at-first", "Bearer at-second"]


@pytest.mark.parametrize("sdk", SDKS)
def test_after_sign_out_no_sdk_sends_the_token_it_used_before(sdk: str, api: StandIn) -> None:
    token = signed_in("at-first")
    api.accepts = "at-first"
    with client(sdk, token, api) as call:
        assert call() == 200
        clear(token)  # what the follower does when the session is signed out
        with pytest.raises(AuthenticationError) as raised:
            call()
    assert raised.value.error == "not_signed_in"
    assert api.authorizations() == ["Bearer at-first"]  # the second request was never sent


@pytest.mark.parametrize("sdk", SDKS)
@pytest.mark.parametrize(
    ("token", "error"),
    [(Token(), "not_signed_in"), (Token(access_token="at-old", expires_at=time.time() - 5), "token_expired")],
    ids=["not signed in", "expired"],
)
def test_without_a_valid_token_each_sdk_raises_the_projects_error_and_sends_nothing(
    sdk: str, token: Token, error: str, api: StandIn
) -> None:
    api.accepts = "at-old"  # even the expired token would be accepted: the client must not send it
    with client(sdk, token, api) as call, pytest.raises(AuthenticationError) as raised:
        call()
    assert raised.value.error == error
    assert "authenticate()" in raised.value.message or "widget" in raised.value.message  # what to do
    assert api.seen == []


# -- every SDK, end to end: the keeper renews, the follower fills, the client sends ----------------


@pytest.fixture
def signin(running: Running, idp: FakeIdp, monkeypatch: pytest.MonkeyPatch) -> Iterator[SignIn]:
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **_: None)
    idp.expires_in = HOUR  # so that no SDK's own refresh window explains a new token being sent
    s = authenticate(idp.config(), Token())
    assert isinstance(s, SignIn)
    monkeypatch.setattr(s.widget, "send", lambda _message: None)
    yield s
    s.close()
    s.widget.close()


@pytest.mark.parametrize("sdk", SDKS)
def test_each_sdk_sends_the_new_token_after_a_renewal_by_the_keeper(
    sdk: str, running: Running, idp: FakeIdp, signin: SignIn, api: StandIn
) -> None:
    session = page_signs_in(running, idp, signin.widget.instance)
    token = signin.token
    assert isinstance(token, Token)
    eventually(lambda: "access_token" in token)
    first = api.accepts = token["access_token"]
    with client(sdk, token, api) as call:
        assert call() == 200
        assert running.renew(session["id"])["ok"]
        eventually(lambda: token.get("access_token") not in (None, first))
        second = api.accepts = token["access_token"]
        assert call() == 200
    assert api.authorizations() == [f"Bearer {first}", f"Bearer {second}"]


# -- Azure ---------------------------------------------------------------------------------------------


def test_the_azure_credential_is_azure_cores_and_hands_out_the_token_whatever_the_scopes() -> None:
    token = signed_in("at-1")
    credential = token.as_azure_credential()
    assert isinstance(credential, TokenCredential) and isinstance(credential, SupportsTokenInfo)
    for scopes in [("https://storage.azure.com/.default",), ("api://other/.default", "offline_access"), ()]:
        assert credential.get_token(*scopes, tenant_id="other", enable_cae=True).token == "at-1"
        info = credential.get_token_info(*scopes, options={"tenant_id": "other", "enable_cae": True})
        assert info.token == "at-1"
    assert info.expires_on == int(token["expires_at"])
    assert info.refresh_on is not None and info.refresh_on <= time.time()  # the policy asks every time
    with credential as same:  # SupportsTokenInfo is a context manager
        assert same is credential


def test_a_claims_challenge_is_refused_with_insufficient_claims_and_not_retried(api: StandIn) -> None:
    claims = json.dumps({"access_token": {"acrs": {"essential": True, "value": "c1"}}})
    encoded = base64.urlsafe_b64encode(claims.encode()).decode().rstrip("=")
    api.challenge = f'Bearer error="insufficient_claims", claims="{encoded}"'
    credential = signed_in("at-1").as_azure_credential()
    pipeline = PipelineClient(
        api.url,
        policies=[BearerTokenCredentialPolicy(credential, "api://stand-in/.default")],
        transport=RequestsTransport(connection_verify=str(api.cert)),
    )
    with pipeline, pytest.raises(AuthenticationError) as raised:
        pipeline.send_request(HttpRequest("GET", f"{api.url}/v1/items"))
    assert raised.value.error == "insufficient_claims"
    assert "authenticate()" in raised.value.message
    assert api.authorizations() == ["Bearer at-1"]  # the same token is not sent again


# -- google-auth ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "error"), [(clear, "not_signed_in"), (expire, "token_expired")], ids=["signed out", "expired"]
)
def test_google_credentials_raise_the_projects_error_as_a_refresh_error_and_drop_the_last_token(
    end: Callable[[Token], None], error: str
) -> None:
    token = signed_in("at-1")
    credentials = token.as_google_credentials()
    credentials.refresh(None)
    assert credentials.token == "at-1"
    end(token)  # what the follower does when the session is signed out, or expires unrenewed
    with pytest.raises(AuthenticationError) as raised:
        credentials.refresh(None)
    assert raised.value.error == error
    assert isinstance(raised.value, RefreshError)  # what google-auth's callers expect of refresh()
    assert credentials.token is None and not credentials.valid


def test_google_credentials_carry_the_tokens_expiry() -> None:
    token = signed_in("at-1", lifetime=HOUR)
    credentials = token.as_google_credentials()
    credentials.refresh(None)
    assert credentials.token == "at-1" and credentials.valid
    assert credentials.expiry is not None and credentials.expiry.tzinfo is None  # google-auth's naive UTC
    assert abs(credentials.expiry.replace(tzinfo=timezone.utc).timestamp() - token["expires_at"]) < 0.001


# -- aiohttp ------------------------------------------------------------------------------------------


def test_the_aiohttp_middleware_sends_the_token_to_its_origin_only_redirects_included(
    tmp_path: Path, api: StandIn
) -> None:
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    with StandIn(other_dir) as other:
        api.accepts = "at-1"
        api.redirects = {"/same": f"{api.url}/v1/items", "/away": f"{other.url}/v1/items"}
        token = signed_in("at-1")
        trusted = ssl.create_default_context(cafile=str(api.cert))
        trusted.load_verify_locations(cafile=str(other.cert))

        async def visit() -> None:
            async with aiohttp.ClientSession(
                # a URL names its origin: the path does not narrow it
                middlewares=(token.aiohttp_middleware(f"{api.url}/v1"),),
                connector=aiohttp.TCPConnector(ssl=trusted),
            ) as session:
                for url in (f"{api.url}/same", f"{api.url}/away", f"{other.url}/direct"):
                    async with session.get(url):
                        pass
                async with session.get(
                    f"{api.url}/v1/items", headers={"Authorization": "Basic dXNlcjpwdw=="}
                ):
                    pass

        asyncio.run(visit())
    assert api.seen == [
        ("/same", "Bearer at-1"),
        ("/v1/items", "Bearer at-1"),  # a redirect within the origin keeps it
        ("/away", "Bearer at-1"),
        ("/v1/items", "Basic dXNlcjpwdw=="),  # the caller's own Authorization is left as it is
    ]
    assert other.seen == [("/v1/items", None), ("/direct", None)]  # redirected there, or asked directly


@pytest.mark.parametrize("origin", ["api.example", "ftp://api.example", "https://", "/v1"])
def test_the_aiohttp_middleware_refuses_what_is_not_an_origin(origin: str) -> None:
    with pytest.raises(ValueError, match="is not an origin"):
        signed_in("at-1").aiohttp_middleware(origin)


# -- no token in a repr -------------------------------------------------------------------------------


def test_no_adapter_shows_the_token_in_its_repr() -> None:
    token = signed_in("at-secret-value")
    for adapter in (token.as_azure_credential(), token.as_google_credentials()):
        assert "at-secret-value" not in repr(adapter)
