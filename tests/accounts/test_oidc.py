"""Single sign-on: a standard OIDC client (Authlib) against the platform on a live server."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt  # joserfc would do as well

from tongban.demo.data import DEMO_PASSWORD, OIDC_CLIENT
from tongban.demo.loader import load_demo


@pytest.fixture
def provider(live_server, transactional_db):
    load_demo(progress=lambda _line: None, sample_cases=False, exchange=False, office=False)
    discovery = requests.get(f"{live_server.url}/o/.well-known/openid-configuration", timeout=10)
    assert discovery.status_code == 200
    return discovery.json()


def browser_login(base_url: str, username: str) -> requests.Session:
    """A user agent signed in to the platform through its login form."""
    session = requests.Session()
    session.get(f"{base_url}/accounts/login/", timeout=10)
    response = session.post(
        f"{base_url}/accounts/login/",
        data={
            "username": username,
            "password": DEMO_PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base_url}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302
    return session


def authorize(provider: dict, user_agent: requests.Session, client: OAuth2Session, verifier: str):
    url, state = client.create_authorization_url(
        provider["authorization_endpoint"], code_verifier=verifier, nonce=generate_token(16)
    )
    response = user_agent.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"], state


def demo_client() -> OAuth2Session:
    return OAuth2Session(
        OIDC_CLIENT.client_id,
        OIDC_CLIENT.client_secret,
        scope="openid profile",
        redirect_uri=OIDC_CLIENT.redirect_uris[0],
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )


def test_discovery_document(provider, live_server):
    assert provider["issuer"] == f"{live_server.url}/o"
    assert "S256" in provider["code_challenge_methods_supported"]
    assert "plain" not in provider["code_challenge_methods_supported"]
    assert {"authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"} <= set(
        provider
    )


def test_authorization_code_with_pkce_and_userinfo(provider, live_server):
    user_agent = browser_login(live_server.url, "zhangsan")
    client = demo_client()
    verifier = generate_token(48)
    callback, state = authorize(provider, user_agent, client, verifier)
    assert callback.startswith("http://127.0.0.1:8765/callback?")
    query = parse_qs(urlparse(callback).query)
    assert query["state"] == [state] and "code" in query
    assert query["iss"] == [provider["issuer"]]  # RFC 9207 mix-up protection

    token = client.fetch_token(
        provider["token_endpoint"], authorization_response=callback, code_verifier=verifier
    )
    assert token["token_type"] == "Bearer" and "id_token" in token

    keys = JsonWebKey.import_key_set(requests.get(provider["jwks_uri"], timeout=10).json())
    claims = jwt.decode(token["id_token"], keys)
    claims.validate()
    assert claims["iss"] == provider["issuer"] and claims["aud"] == OIDC_CLIENT.client_id

    userinfo = client.get(provider["userinfo_endpoint"]).json()
    assert userinfo["name"] == "张三"
    assert userinfo["sub"] == claims["sub"]
    assert "420102199003071232" not in str(userinfo)


def test_code_without_the_right_verifier_is_refused(provider, live_server):
    user_agent = browser_login(live_server.url, "lisi")
    client = demo_client()
    callback, _state = authorize(provider, user_agent, client, generate_token(48))
    with pytest.raises(Exception, match="invalid_grant"):
        client.fetch_token(
            provider["token_endpoint"],
            authorization_response=callback,
            code_verifier=generate_token(48),
        )


def test_pkce_is_required(provider, live_server):
    user_agent = browser_login(live_server.url, "zhangsan")
    plain = OAuth2Session(
        OIDC_CLIENT.client_id,
        OIDC_CLIENT.client_secret,
        scope="openid profile",
        redirect_uri=OIDC_CLIENT.redirect_uris[0],
    )
    url, _state = plain.create_authorization_url(provider["authorization_endpoint"])
    response = user_agent.get(url, allow_redirects=False, timeout=10)
    location = response.headers.get("Location", "")
    assert "code=" not in location
    assert "error" in location or response.status_code >= 400


def test_anonymous_user_is_sent_to_the_login_page(provider, live_server):
    client = demo_client()
    url, _state = client.create_authorization_url(
        provider["authorization_endpoint"], code_verifier=generate_token(48)
    )
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/?next=")


def test_unregistered_redirect_uri_is_refused(provider, live_server):
    user_agent = browser_login(live_server.url, "zhangsan")
    client = demo_client()
    client.redirect_uri = "http://127.0.0.1:9999/steal"
    url, _state = client.create_authorization_url(
        provider["authorization_endpoint"], code_verifier=generate_token(48)
    )
    response = user_agent.get(url, allow_redirects=False, timeout=10)
    assert not response.headers.get("Location", "").startswith("http://127.0.0.1:9999")
