"""MSAL Python against the demo tenant (run through run.sh).

Usage: msal_signin.py INFO_JSON   (the line `entractl demo serve --tls` printed)

Checks that MSAL, which was never written for the demo tenant, can:
  1. discover the tenant from its authority (instance_discovery=False),
  2. run the auth code flow with PKCE: initiate_auth_code_flow, a form-driving
     stand-in for the browser (requests + html.parser), then
     acquire_token_by_auth_code_flow (state, nonce and ID token checked by MSAL),
  3. refresh silently with force_refresh=True (refresh-token grant),
  4. call Graph /me with the token,
  5. get app-only tokens as a confidential client, with a secret and with a
     certificate (client assertion).
Prints one line per check and "N passed, 0 failed" at the end.
"""

import base64
import hashlib
import json
import ssl
import sys
import urllib.parse
from html.parser import HTMLParser

import msal
import requests

PASSED = []


def check(name, condition, detail=""):
    if not condition:
        print(f"FAIL {name}: {detail}", file=sys.stderr)
        print(f"{len(PASSED)} passed, 1 failed")
        sys.exit(1)
    PASSED.append(name)
    print(f"ok   {name}")


class FormParser(HTMLParser):
    """The first <form>: its action and its named inputs; and any role=alert text."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = {}
        self.in_form = False
        self.done = False
        self.alert = None
        self._in_alert = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and self.action is None:
            self.action = attrs.get("action", "")
            self.in_form = True
        elif tag == "input" and self.in_form and attrs.get("name"):
            if attrs.get("type") not in ("submit", "button"):
                self.fields[attrs["name"]] = attrs.get("value") or ""
        if attrs.get("role") == "alert":
            self._in_alert = True

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
            self.done = True

    def handle_data(self, data):
        if self._in_alert and data.strip():
            self.alert = data.strip()
            self._in_alert = False


def sign_in(auth_uri, username, password, verify):
    """Plays the browser: GET the authorize page, fill the form, POST, read Location."""
    browser = requests.Session()
    browser.verify = verify
    page = browser.get(auth_uri, allow_redirects=False)
    check("authorize page renders a sign-in form", page.status_code == 200, f"{page.status_code} {page.text[:300]}")
    form = FormParser()
    form.feed(page.text)
    check("the form has an action and hidden request fields", form.action and "client_id" in form.fields, str(form.fields))
    form.fields["login"] = username
    form.fields["passwd"] = password
    answer = browser.post(urllib.parse.urljoin(auth_uri, form.action), data=form.fields, allow_redirects=False)
    if answer.status_code != 302:
        error = FormParser()
        error.feed(answer.text)
        check("sign-in redirects back to the app", False, f"HTTP {answer.status_code}: {error.alert}")
    return answer.headers["Location"]


def main():
    with open(sys.argv[1]) as f:
        info = json.load(f)
    verify = info["caCert"]
    http = requests.Session()
    http.verify = verify
    user = info["user"]

    app = msal.PublicClientApplication(
        info["publicClientId"], authority=info["authority"], instance_discovery=False, http_client=http
    )
    check("MSAL discovered the tenant", True)

    port = 8765
    redirect_uri = f"http://localhost:{port}"
    flow = app.initiate_auth_code_flow(scopes=["User.Read"], redirect_uri=redirect_uri)
    check("auth_uri uses the tenant's authorize endpoint", flow["auth_uri"].startswith(info["authority"] + "/oauth2/v2.0/authorize"), flow["auth_uri"])
    check("MSAL asks for PKCE S256", "code_challenge_method=S256" in flow["auth_uri"], flow["auth_uri"])

    location = sign_in(flow["auth_uri"], user["username"], user["password"], verify)
    check("redirect goes to the loopback URI with a trailing slash", location.startswith(redirect_uri + "/?"), location)
    auth_response = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(location).query))
    check("redirect carries code and state", "code" in auth_response and auth_response.get("state") == flow["state"], str(auth_response.keys()))

    result = app.acquire_token_by_auth_code_flow(flow, auth_response)
    check("acquire_token_by_auth_code_flow succeeds", "access_token" in result, json.dumps({k: v for k, v in result.items() if "token" not in k}))
    claims = result.get("id_token_claims", {})
    check("id_token_claims name the demo admin", claims.get("preferred_username") == user["username"], str(claims))
    check("id_token_claims carry tid and oid", claims.get("tid") == info["tenantId"] and claims.get("oid"), str(claims))
    check("a refresh token was issued", "refresh_token" in result)
    check("token_type is Bearer", result.get("token_type") == "Bearer", str(result.get("token_type")))

    accounts = app.get_accounts()
    check("MSAL cached one account", len(accounts) == 1, str(accounts))
    check("the account's home_account_id is oid.tid (client_info)", accounts[0]["home_account_id"] == f"{claims.get('oid')}.{info['tenantId']}", str(accounts[0]))

    cached = app.acquire_token_silent(["User.Read"], account=accounts[0])
    check("acquire_token_silent returns the cached token", cached and cached.get("access_token") == result["access_token"], str(cached and cached.keys()))

    refreshed = app.acquire_token_silent(["User.Read"], account=accounts[0], force_refresh=True)
    check("acquire_token_silent(force_refresh=True) refreshes", refreshed and "access_token" in refreshed, str(refreshed))
    check("the refreshed access token is new", refreshed["access_token"] != result["access_token"])

    me = http.get(info["graph"] + "/me", headers={"Authorization": "Bearer " + refreshed["access_token"]})
    check("Graph /me accepts the refreshed token", me.status_code == 200 and me.json().get("userPrincipalName") == user["username"], me.text[:300])

    secret_client = msal.ConfidentialClientApplication(
        info["confidentialClient"]["clientId"],
        client_credential=info["confidentialClient"]["clientSecret"],
        authority=info["authority"],
        instance_discovery=False,
        http_client=http,
    )
    app_only = secret_client.acquire_token_for_client(["https://graph.microsoft.com/.default"])
    check("client credentials with a secret", "access_token" in app_only, json.dumps(app_only))
    check("no refresh token for client credentials", "refresh_token" not in app_only)

    with open(info["certificateClient"]["certificatePath"]) as f:
        cert_pem = f.read()
    with open(info["certificateClient"]["privateKeyPath"]) as f:
        key_pem = f.read()
    # Two header formats: a SHA-1 "thumbprint" makes MSAL sign RS256 with x5t;
    # "public_certificate" alone makes it sign PS256 with x5t#S256 (+ x5c).
    thumbprint = hashlib.sha1(ssl.PEM_cert_to_DER_cert(cert_pem)).hexdigest()
    for label, credential in [
        ("RS256 + x5t", {"private_key": key_pem, "thumbprint": thumbprint}),
        ("PS256 + x5t#S256", {"private_key": key_pem, "public_certificate": cert_pem}),
    ]:
        cert_client = msal.ConfidentialClientApplication(
            info["certificateClient"]["clientId"],
            client_credential=credential,
            authority=info["authority"],
            instance_discovery=False,
            http_client=http,
        )
        cert_token = cert_client.acquire_token_for_client(["https://graph.microsoft.com/.default"])
        check(f"client credentials with a certificate assertion ({label})", "access_token" in cert_token, json.dumps(cert_token))
        payload = cert_token["access_token"].split(".")[1]
        payload += "=" * (-len(payload) % 4)
        app_claims = json.loads(base64.urlsafe_b64decode(payload))
        check(f"the certificate token says azpacr 2 ({label})", app_claims.get("azpacr") == "2", str(app_claims))

    wrong = msal.ConfidentialClientApplication(
        info["expiredSecretClient"]["clientId"],
        client_credential=info["expiredSecretClient"]["clientSecret"],
        authority=info["authority"],
        instance_discovery=False,
        http_client=http,
    ).acquire_token_for_client(["https://graph.microsoft.com/.default"])
    check("an expired secret surfaces AADSTS7000222 through MSAL", 7000222 in wrong.get("error_codes", []), json.dumps(wrong))

    print(f"{len(PASSED)} passed, 0 failed")


if __name__ == "__main__":
    main()
