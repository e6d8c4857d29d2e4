"""Microsoft's Graph SDK for Python (msgraph-sdk) against the demo tenant (run through run.sh).

Usage: msgraph_sdk.py INFO_JSON   (the line `entractl demo serve --tls` printed)

Checks that msgraph-sdk, which was never written for the demo tenant, can use the Graph
surface Entra Desk uses, every Graph call through the SDK's own request builders:
  1. sign in app-only with azure-identity's own ClientSecretCredential (the real class, no
     hand-written TokenCredential), pointed at the demo authority (authority=
     https://127.0.0.1:PORT, disable_instance_discovery=True, connection_verify=the demo
     CA); the SDK calls it through kiota's AzureIdentityAuthenticationProvider with
     allowed_hosts=["127.0.0.1"] and the Graph scope given explicitly (left alone, kiota
     derives "https://127.0.0.1/.default" from the request host). The credential is the
     sync one: azure.identity.aio would need aiohttp, and kiota awaits either kind;
  2. reach the demo Graph URL: GraphRequestAdapter.base_url, with an httpx.AsyncClient that
     trusts the demo CA, wrapped by GraphClientFactory in the SDK's default middleware
     (redirect, retry, URL replace, user agent, ...) with the SDK's own options;
  3. list applications with $select and $top, following @odata.nextLink with msgraph-core's
     PageIterator to the end (every app, each once, only the selected properties);
  4. applications' owners (users and service principals, typed by @odata.type);
  5. list servicePrincipals, following nextLink with the builder's with_url(), as many as
     its $count;
  6. addPassword, see the secret in passwordCredentials (hint, no secretText), get a token
     with it through azure-identity, removePassword, see it gone;
  7. list users and groups; $count with ConsistencyLevel: eventual (the $count segment and
     $count=true, which agree) and the documented 400 Request_BadRequest without the header;
  8. groups.delta and users.delta through the SDK's delta builders, which send the fully
     qualified `/groups/delta()` form, following nextLink (with_url) to a deltaLink, then
     the deltaLink (no changes, a new deltaLink); groups with members@delta, the large
     group's slices merged to all its members;
  9. a group's members of three kinds, deserialised by @odata.type into User, Group and
     ServicePrincipal, the same members as the delta round;
 10. a $batch through msgraph-core's BatchRequestContent and client.batch: per-item
     statuses, bodies parsed by BatchResponseContent.response_body (see the bugs below);
 11. a missing application raising the SDK's ODataError with Graph's code, a request-id and
     our client-request-id echoed (the SDK's telemetry handler only adds its own
     client-request-id for Graph's cloud hosts, so we send one);
 12. the SDK's own RetryHandler: the tenant throttles two requests (429 with Retry-After,
     set through {emulator}/faults, the per-run control route), the SDK waits them out (no
     early retry in the tenant's stats) and succeeds, its last try marked Retry-Attempt: 2.
Prints one line per check and "N passed, 0 failed" at the end.

SDK bugs and limits worked around (msgraph-sdk 1.65.0, msgraph-core 1.5.x, kiota 1.16.x):
  - msgraph-core imports `deprecated` (batch_request_item.py) without declaring it, so
    `client.batch` fails with ModuleNotFoundError: run.sh installs Deprecated beside it.
    msgraph-sdk-python-core issue 1030.
  - BatchRequestItem keeps the request's absolute URL (https://host/v1.0/...), and its
    set_url() cannot strip the version (its API_VERSION_REGEX is a JavaScript literal ported
    as is, matching only "//v1.0/"). Graph wants a URL relative to the version and answers
    400 otherwise (the demo tenant does too): we set item.url to the relative form.
    msgraph-sdk-python issue 1015, msgraph-sdk-python-core issue 1116 (PR 1118).
  - BatchResponseItem drops every JSON-object item body (it reads `body` with
    get_bytes_value(), which only takes base64 strings), and response_body() hands the JSON
    parse node factory a BytesIO where it wants bytes. We put each item's body back, as
    bytes, from the raw $batch answer (an httpx response hook) and then call the SDK's
    response_body(). kiota-python issue 737; msgraph-sdk-python-core issues 807, 835.
  - BatchRequestItem writes its dependencies as "depends_on", not Graph's "dependsOn", so
    Graph ignores them: dependsOn is not tested through the SDK. msgraph-sdk-python-core
    PR 996.
  - PageIterator.delta_link reads an attribute named '@odata.deltaLink', which the models
    never have (theirs is odata_delta_link), so delta rounds are followed with the delta
    builders' with_url(), reading odata_next_link/odata_delta_link.
  - Deserialising a model costs about 8 ms of CPU per directory object (Entity's
    get_field_deserializers runs thousands of imports on every call), so the 12,000 users of
    the users delta round would take the SDK about 90 s: the first page and the deltaLink's
    answer are read into User models, the pages between through the SDK's own
    NativeResponseHandler (same builders and middleware, raw JSON). msgraph-sdk-python
    issue 584.
  - Per-request options (RequestConfiguration.options) reach only the first try: kiota's
    last middleware pops them from the request, so a retry runs with the defaults (seen
    with HeadersInspectionHandlerOption; no issue found). Retry-Attempt is read instead
    from the final answer's request, through an httpx response hook.
  - Kiota parses untyped additional data (members@delta) itself: GUID-looking strings come
    back as uuid.UUID, so ids are compared as strings.
"""

import asyncio
import json
import ssl
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote, urlparse

import httpx
from azure.identity import ClientSecretCredential
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.native_response_handler import NativeResponseHandler
from kiota_authentication_azure.azure_identity_authentication_provider import AzureIdentityAuthenticationProvider
from kiota_http.middleware.options import ResponseHandlerOption
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.applications.applications_request_builder import ApplicationsRequestBuilder
from msgraph.generated.applications.item.add_password.add_password_post_request_body import AddPasswordPostRequestBody
from msgraph.generated.applications.item.application_item_request_builder import ApplicationItemRequestBuilder
from msgraph.generated.applications.item.remove_password.remove_password_post_request_body import RemovePasswordPostRequestBody
from msgraph.generated.groups.delta.delta_request_builder import DeltaRequestBuilder as GroupsDeltaRequestBuilder
from msgraph.generated.groups.groups_request_builder import GroupsRequestBuilder
from msgraph.generated.groups.item.members.members_request_builder import MembersRequestBuilder
from msgraph.generated.models.application import Application
from msgraph.generated.models.group import Group
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.password_credential import PasswordCredential
from msgraph.generated.models.service_principal import ServicePrincipal
from msgraph.generated.models.user import User
from msgraph.generated.models.user_collection_response import UserCollectionResponse
from msgraph.generated.service_principals.service_principals_request_builder import ServicePrincipalsRequestBuilder
from msgraph.generated.users.delta.delta_request_builder import DeltaRequestBuilder as UsersDeltaRequestBuilder
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph.graph_request_adapter import options as SDK_MIDDLEWARE_OPTIONS
from msgraph_core import GraphClientFactory
from msgraph_core.requests.batch_request_content import BatchRequestContent
from msgraph_core.requests.batch_request_item import BatchRequestItem
from msgraph_core.tasks.page_iterator import PageIterator

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
PASSED = []
# The last request the SDK sent ("METHOD /path"), for the report of an unexpected error.
LAST = ["(none)"]
# Strings never to print (the emulator's address holds this run's token; the secrets).
SECRETS = []


def redact(text):
    for secret in SECRETS:
        text = text.replace(secret, "[redacted]")
    return text


def check(name, condition, detail=""):
    if not condition:
        print(redact(f"FAIL {name}: {detail}"), file=sys.stderr)
        print(f"{len(PASSED)} passed, 1 failed")
        sys.exit(1)
    PASSED.append(name)
    print(f"ok   {name}")


def config(query=None, options=None, **headers):
    """A RequestConfiguration with these query parameters, request options and headers."""
    c = RequestConfiguration(query_parameters=query, options=options)
    for k, v in headers.items():
        c.headers.add(k.replace("_", "-"), v)
    return c


def path_of(url):
    return unquote(urlparse(url).path)


class Sent:
    """What the SDK put on the wire and got back (httpx event hooks): each request's method,
    URL, headers and body as it left the client; each final answer's status with the headers
    its request had after the SDK's middleware (a retry's Retry-Attempt); each $batch answer."""

    def __init__(self):
        self.requests = []
        self.answers = []
        self.batch_answers = []

    async def on_request(self, request):
        self.requests.append((request.method, str(request.url), dict(request.headers), request.content))
        LAST[0] = f"{request.method} {path_of(str(request.url))}"

    async def on_response(self, response):
        self.answers.append((f"{response.request.method} {path_of(str(response.request.url))}", response.status_code, dict(response.request.headers)))
        if path_of(str(response.request.url)).endswith("/$batch"):
            self.batch_answers.append(json.loads(await response.aread()))

    def paths(self, since=0):
        return [f"{m} {path_of(u)}" for m, u, _, _ in self.requests[since:]]


async def odata_error(call):
    """Awaits `call`; answers the ODataError it raised, or None if it did not raise one."""
    try:
        await call
    except ODataError as e:
        return e
    return None


async def delta_round(builder, first_config):
    """Follows a delta round from the first call to its deltaLink; answers (pages, items, delta_link)."""
    page = await builder.get(first_config)
    pages, items = [page], list(page.value or [])
    while page.odata_next_link:
        page = await builder.with_url(page.odata_next_link).get()
        pages.append(page)
        items.extend(page.value or [])
    return pages, items, page.odata_delta_link


async def main():
    with open(sys.argv[1]) as f:
        info = json.load(f)
    ca = info["caCert"]
    root = urlparse(info["authority"])
    tenant = info["tenantId"]
    confidential = info["confidentialClient"]
    SECRETS.extend([info["emulator"], confidential["clientSecret"]])

    # 1. azure-identity's own credential, at the demo authority.
    credential = ClientSecretCredential(
        tenant,
        confidential["clientId"],
        confidential["clientSecret"],
        authority=f"{root.scheme}://{root.netloc}",
        disable_instance_discovery=True,
        connection_verify=ca,
    )
    token = credential.get_token(GRAPH_SCOPE)
    check("azure-identity ClientSecretCredential gets an app-only token from the demo authority", token.token.count(".") == 2 and token.expires_on > time.time())

    # 2. The SDK, pointed at the demo Graph and trusting the demo CA.
    sent = Sent()
    tls = ssl.create_default_context(cafile=ca)
    http = httpx.AsyncClient(verify=tls, timeout=60, event_hooks={"request": [sent.on_request], "response": [sent.on_response]})
    http = GraphClientFactory.create_with_default_middleware(client=http, options=SDK_MIDDLEWARE_OPTIONS)
    auth = AzureIdentityAuthenticationProvider(credential, scopes=[GRAPH_SCOPE], allowed_hosts=[root.hostname])
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = info["graph"]
    client = GraphServiceClient(request_adapter=adapter)

    org = await client.organization.get()
    check("the SDK reaches the demo Graph (GET /organization)", org and org.value and org.value[0].id == tenant, org and org.value)
    method, url, headers, _ = sent.requests[-1]
    check("the SDK sent its bearer token to the loopback host", url.startswith(info["graph"]) and headers.get("authorization", "").startswith("Bearer "), url)

    # 3. Applications: $select, $top, paging with PageIterator.
    select = ["id", "appId", "displayName"]
    mark = len(sent.requests)
    first = await client.applications.get(config(ApplicationsRequestBuilder.ApplicationsRequestBuilderGetQueryParameters(select=select, top=100)))
    check("GET /applications?$select&$top=100 answers 100 and a nextLink", len(first.value) == 100 and first.odata_next_link, f"{len(first.value)} {first.odata_next_link}")
    apps = []

    def collect(app):
        apps.append(app)
        return True

    await PageIterator(first, adapter).iterate(collect)
    pages = [p for p in sent.paths(mark) if p.startswith("GET /v1.0/applications")]
    check("PageIterator follows @odata.nextLink to the last page", len(pages) == -(-info["apps"] // 100), str(pages))
    check("every application comes once", len(apps) == info["apps"] and len({a.id for a in apps}) == len(apps), f"{len(apps)} apps, {len({a.id for a in apps})} ids, expected {info['apps']}")
    check("the items are Application models with the selected properties", all(isinstance(a, Application) and a.id and a.app_id and a.display_name for a in apps))
    check("$select is honoured on every page (no unselected properties)", all(a.password_credentials is None and a.sign_in_audience is None and a.created_date_time is None for a in apps))
    check("the nextLinks keep $select", all("select=" in unquote(u) for m, u, _, _ in sent.requests[mark + 1 : mark + len(pages)]), str(sent.paths(mark)))

    # 4. Owners of applications: find ones owned by users and by service principals.
    owner_kinds = set()
    owned = 0
    for app in apps[:60]:
        owners = await client.applications.by_application_id(app.id).owners.get()
        if owners.value:
            owned += 1
            owner_kinds.update(type(o).__name__ for o in owners.value)
            for o in owners.value:
                if not (o.id and o.odata_type in ("#microsoft.graph.user", "#microsoft.graph.servicePrincipal")):
                    check("an owner carries its id and @odata.type", False, f"{o.odata_type} {o.id}")
        if {"User", "ServicePrincipal"} <= owner_kinds:
            break
    check("applications' owners come typed as User and ServicePrincipal", owned and {"User", "ServicePrincipal"} <= owner_kinds, f"{owned} owned apps, kinds {owner_kinds}")

    # 5. Service principals: paged with the builder's with_url(nextLink), counted with $count.
    sp_query = ServicePrincipalsRequestBuilder.ServicePrincipalsRequestBuilderGetQueryParameters(select=["id", "appId", "displayName", "servicePrincipalType"], top=100)
    page = await client.service_principals.get(config(sp_query))
    sps = list(page.value)
    while page.odata_next_link:
        page = await client.service_principals.with_url(page.odata_next_link).get()
        sps.extend(page.value)
    sp_count = await client.service_principals.count.get(config(ConsistencyLevel="eventual"))
    check(
        "GET /servicePrincipals pages (with_url) to every service principal, as many as $count",
        len(sps) > 100 and len(sps) == sp_count and len({s.id for s in sps}) == len(sps),
        f"{len(sps)} listed, $count {sp_count!r}",
    )
    check("the items are ServicePrincipal models with appId and servicePrincipalType", all(isinstance(s, ServicePrincipal) and s.app_id and s.service_principal_type for s in sps))
    check("the lease target application's service principal is among them", info["leaseTargets"]["application"]["appId"] in {s.app_id for s in sps})

    # 6. addPassword / removePassword on the lease target application.
    target = info["leaseTargets"]["application"]
    app_builder = client.applications.by_application_id(target["objectId"])
    creds_only = config(ApplicationItemRequestBuilder.ApplicationItemRequestBuilderGetQueryParameters(select=["id", "passwordCredentials"]))
    before = await app_builder.get(creds_only)
    name = f"msgraph-sdk conformance {uuid.uuid4().hex[:8]}"
    end = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1)
    added = await app_builder.add_password.post(AddPasswordPostRequestBody(password_credential=PasswordCredential(display_name=name, end_date_time=end)))
    check(
        "addPassword answers a PasswordCredential with secretText, keyId, hint and our displayName",
        isinstance(added, PasswordCredential) and added.secret_text and isinstance(added.key_id, uuid.UUID) and added.hint == added.secret_text[:3] and added.display_name == name,
        f"keyId {added and added.key_id}, displayName {added and added.display_name}",
    )
    check("addPassword keeps the requested endDateTime", added.end_date_time == end, f"{added.end_date_time} != {end}")
    after = await app_builder.get(creds_only)
    listed = [c for c in after.password_credentials or [] if c.key_id == added.key_id]
    check(
        "the new secret appears in passwordCredentials, without its secretText",
        len(listed) == 1 and listed[0].secret_text is None and listed[0].hint == added.hint and listed[0].display_name == name and len(after.password_credentials) == len(before.password_credentials or []) + 1,
        str([(str(c.key_id), c.display_name) for c in after.password_credentials or []]),
    )
    SECRETS.append(added.secret_text)
    if info.get("secretPropagationMs"):
        await asyncio.sleep(info["secretPropagationMs"] / 1000 + 0.2)
    new_secret = ClientSecretCredential(tenant, target["appId"], added.secret_text, authority=f"{root.scheme}://{root.netloc}", disable_instance_discovery=True, connection_verify=ca)
    check("the secret addPassword returned signs the app in through azure-identity", new_secret.get_token(GRAPH_SCOPE).token.count(".") == 2)
    removed = await app_builder.remove_password.post(RemovePasswordPostRequestBody(key_id=added.key_id))
    check("removePassword answers 204 (None)", removed is None and sent.requests[-1][0] == "POST" and path_of(sent.requests[-1][1]).endswith("/removePassword"), str(removed))
    final = await app_builder.get(creds_only)
    check("the removed secret is gone from passwordCredentials", all(c.key_id != added.key_id for c in final.password_credentials or []) and len(final.password_credentials or []) == len(before.password_credentials or []))

    # 7. Users, groups, $count.
    users = await client.users.get(config(UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(select=["id", "displayName", "userPrincipalName"], top=50)))
    check("GET /users answers User models and a nextLink", len(users.value) == 50 and all(isinstance(u, User) and u.user_principal_name for u in users.value) and users.odata_next_link, f"{len(users.value)}")
    groups = await client.groups.get(config(GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters(select=["id", "displayName", "groupTypes", "securityEnabled"], top=50)))
    check("GET /groups answers Group models and a nextLink", len(groups.value) == 50 and all(isinstance(g, Group) and g.display_name for g in groups.value) and groups.odata_next_link, f"{len(groups.value)}")

    user_count = await client.users.count.get(config(ConsistencyLevel="eventual"))
    check("GET /users/$count with ConsistencyLevel: eventual answers a number", isinstance(user_count, int) and user_count > 10_000, repr(user_count))
    counted = await client.users.get(config(UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(count=True, top=1, select=["id"]), ConsistencyLevel="eventual"))
    check("GET /users?$count=true with ConsistencyLevel: eventual carries @odata.count, the same", counted.odata_count == user_count, f"{counted.odata_count} != {user_count}")
    group_count = await client.groups.count.get(config(ConsistencyLevel="eventual"))
    check("GET /groups/$count with ConsistencyLevel: eventual answers a number", isinstance(group_count, int) and group_count > 0, repr(group_count))
    no_header = await odata_error(client.users.count.get())
    check(
        "GET /users/$count without ConsistencyLevel raises ODataError 400 Request_BadRequest",
        no_header and no_header.response_status_code == 400 and no_header.error.code == "Request_BadRequest",
        f"{no_header and no_header.response_status_code} {no_header and no_header.error and no_header.error.code}",
    )

    # 8. Delta through the SDK's delta builders: groups (with members) and users.
    mark = len(sent.requests)
    gpages, gitems, gdelta = await delta_round(
        client.groups.delta, config(GroupsDeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters(select=["displayName", "members"]))
    )
    first_path = path_of(sent.requests[mark][1])
    check("groups.delta sends the fully qualified /groups/delta() form, and the tenant accepts it", first_path == "/v1.0/groups/delta()", first_path)
    check("the groups delta round follows nextLinks to a deltaLink", len(gpages) > 1 and gdelta and "deltatoken=" in gdelta.lower(), f"{len(gpages)} pages, deltaLink {bool(gdelta)}")
    members = {}
    kinds_of = {}
    for g in gitems:
        refs = g.additional_data.get("members@delta", [])
        # Kiota parses untyped additional data: GUID-looking strings come back as uuid.UUID.
        members.setdefault(g.id, set()).update(str(r["id"]) for r in refs)
        kinds_of.setdefault(g.id, set()).update(r.get("@odata.type") for r in refs)
    check("every group comes in the round (as many as $count)", len(members) == group_count and all(isinstance(g, Group) for g in gitems), f"{len(members)} groups, $count {group_count}")
    large = info["groups"]["large_group"]
    check(
        "the large group's members@delta slices merge to all its members",
        len(members.get(large, ())) == info["groups"]["large_group_members"] and sum(1 for g in gitems if g.id == large) > 1,
        f"{len(members.get(large, ()))} of {info['groups']['large_group_members']}, {sum(1 for g in gitems if g.id == large)} slices",
    )
    check("members@delta entries carry @odata.type", all(None not in k for k in kinds_of.values()))
    again = await client.groups.delta.with_url(gdelta).get()
    check("the groups deltaLink answers no changes and a new deltaLink", again.value == [] and again.odata_delta_link and not again.odata_next_link, f"{len(again.value or [])} changes")

    # The first page and the deltaLink's answer are read into models; the pages between are
    # read raw through the SDK's NativeResponseHandler (see the docstring: deserialising
    # 12,000 User models costs the SDK about 90 s of CPU).
    mark = len(sent.requests)
    page = await client.users.delta.get(config(UsersDeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters(select=["displayName", "userPrincipalName"])))
    check("users.delta sends /users/delta()", path_of(sent.requests[mark][1]) == "/v1.0/users/delta()", path_of(sent.requests[mark][1]))
    check("the first users delta page holds User models and a nextLink", page.value and all(isinstance(u, User) and u.user_principal_name for u in page.value) and page.odata_next_link, f"{len(page.value or [])}")
    user_ids = [str(u.id) for u in page.value]
    link, pages, udelta = page.odata_next_link, 1, None
    raw = config(options=[ResponseHandlerOption(NativeResponseHandler())])
    while link:
        answer = await client.users.delta.with_url(link).get(raw)
        body = answer.json()
        user_ids.extend(u["id"] for u in body["value"])
        link, udelta, pages = body.get("@odata.nextLink"), body.get("@odata.deltaLink"), pages + 1
    check(
        "the users delta round follows nextLinks (with_url) to a deltaLink with every user once",
        pages > 1 and udelta and len(user_ids) == user_count and len(set(user_ids)) == user_count,
        f"{pages} pages, {len(user_ids)} users ({len(set(user_ids))} distinct), $count {user_count}",
    )
    again = await client.users.delta.with_url(udelta).get()
    check("the users deltaLink answers no changes and a new deltaLink", again.value == [] and again.odata_delta_link, f"{len(again.value or [])} changes")

    # 9. A group's members of three kinds.
    want = {"#microsoft.graph.user", "#microsoft.graph.group", "#microsoft.graph.servicePrincipal"}
    mixed = next((gid for gid, kinds in sorted(kinds_of.items()) if want <= kinds and len(members[gid]) < 999), None)
    check("the delta round shows a group with user, group and servicePrincipal members", mixed)
    listed = await client.groups.by_group_id(mixed).members.get(config(MembersRequestBuilder.MembersRequestBuilderGetQueryParameters(top=999, select=["id", "displayName"])))
    by_type = {}
    for m in listed.value:
        by_type.setdefault(m.odata_type, set()).add(type(m).__name__)
    check("GET /groups/{id}/members lists the same members as the delta round", {m.id for m in listed.value} == members[mixed], f"only listed {sorted({m.id for m in listed.value} - members[mixed])}, only in delta {sorted(members[mixed] - {m.id for m in listed.value})}")
    check(
        "members deserialise by @odata.type into User, Group and ServicePrincipal",
        by_type.get("#microsoft.graph.user") == {"User"} and by_type.get("#microsoft.graph.group") == {"Group"} and by_type.get("#microsoft.graph.servicePrincipal") == {"ServicePrincipal"},
        str(by_type),
    )

    # 10. $batch through BatchRequestContent.
    missing_id = str(uuid.uuid4())
    infos = {
        "app": app_builder.to_get_request_information(config(ApplicationItemRequestBuilder.ApplicationItemRequestBuilderGetQueryParameters(select=["id", "displayName"]))),
        "users": client.users.to_get_request_information(config(UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(top=2, select=["id", "userPrincipalName"]))),
        "missing": client.applications.by_application_id(missing_id).to_get_request_information(),
    }
    content = BatchRequestContent()
    base = adapter.base_url.rstrip("/")
    for request_id, request_info in infos.items():
        item = BatchRequestItem(request_information=request_info, id=request_id)
        # The workaround (see the docstring): the SDK leaves the URL absolute.
        if item.url.startswith(base):
            item.url = item.url[len(base):]
        content.add_request(request_id, item)
    mark = len(sent.requests)
    batch = await client.batch.post(batch_request_content=content)
    body = json.loads(sent.requests[mark][3])
    check("client.batch POSTs /$batch with relative item URLs", path_of(sent.requests[mark][1]) == "/v1.0/$batch" and all(r["url"].startswith("/") for r in body["requests"]), str([r["url"] for r in body["requests"]]))
    statuses = batch.get_response_status_codes()
    check("the batch answers each item's status", statuses == {"app": 200, "users": 200, "missing": 404}, str(statuses))
    # The workaround (see the docstring): the SDK drops JSON item bodies; put back the bytes
    # of each from the raw $batch answer, then let the SDK's response_body parse them.
    for raw_item in sent.batch_answers[-1]["responses"]:
        item = batch.responses[raw_item["id"]]
        if item.body is None and "body" in raw_item:
            item.body = json.dumps(raw_item["body"]).encode()
    app_back = batch.response_body("app", Application)
    check("response_body parses an item into an Application", isinstance(app_back, Application) and app_back.display_name == target["displayName"], str(app_back and app_back.display_name))
    users_back = batch.response_body("users", UserCollectionResponse)
    check("response_body parses an item into a UserCollectionResponse", len(users_back.value) == 2 and all(u.user_principal_name for u in users_back.value), str(users_back.value))
    missing_back = batch.response_body("missing", ODataError)
    check("the 404 item parses into ODataError Request_ResourceNotFound", missing_back.error and missing_back.error.code == "Request_ResourceNotFound", str(missing_back.error and missing_back.error.code))

    # 11. An error surfacing as ODataError.
    client_request_id = str(uuid.uuid4())
    error = await odata_error(client.applications.by_application_id(missing_id).get(config(client_request_id=client_request_id)))
    check("GET a missing application raises ODataError 404", error and error.response_status_code == 404, repr(error))
    check("its error code is Request_ResourceNotFound", error.error and error.error.code == "Request_ResourceNotFound" and missing_id in (error.error.message or ""), f"{error.error and error.error.code}: {error.error and error.error.message}")
    inner = error.error.inner_error
    check("its innerError has a request-id and a date", inner and inner.request_id and inner.date, str(inner))
    check("its innerError echoes our client-request-id", inner.client_request_id == client_request_id, f"{inner.client_request_id} != {client_request_id}")

    # 12. The SDK's RetryHandler against two injected 429s.
    control = httpx.AsyncClient(verify=tls, timeout=30)
    emulator = info["emulator"]
    try:
        reply = await control.post(emulator + "/stats/reset")
        check("the emulator's stats reset", reply.status_code == 200, str(reply.status_code))
        reply = await control.post(emulator + "/faults", json={"throttle_fraction": 1.0, "retry_after": "1", "only_paths": ["/organization"]})
        check("the emulator throttles GET /organization", reply.status_code == 200, reply.text[:200])

        async def release_after(n):
            # Turns throttling off once the tenant has answered n 429s (each one makes the SDK
            # wait its 1 s Retry-After before it comes back, ample time to switch).
            for _ in range(400):
                stats = (await control.get(emulator + "/stats")).json()
                if stats["throttled"] >= n:
                    break
                await asyncio.sleep(0.05)
            await control.post(emulator + "/faults", json={"throttle_fraction": 0.0, "only_paths": []})

        started = time.monotonic()
        org, _ = await asyncio.gather(client.organization.get(), release_after(2))
        elapsed = time.monotonic() - started
        stats = (await control.get(emulator + "/stats")).json()
        check("the SDK retries through two 429s and succeeds", org and org.value and org.value[0].id == tenant, str(org))
        asked = {k: v for k, v in stats["requests"].items() if "organization" in k}
        check("the tenant answered 429 twice and served the third try", stats["throttled"] == 2 and sum(asked.values()) == 3, f"throttled {stats['throttled']}, requests {asked}")
        check("the SDK honoured Retry-After (no early retry, >= 2 s)", stats["early_retries"] == 0 and elapsed >= 2.0, f"early {stats['early_retries']}, {elapsed:.2f} s")
        last = sent.answers[-1]
        check("the SDK's RetryHandler sent the last try as Retry-Attempt 2", last[0] == "GET /v1.0/organization" and last[1] == 200 and last[2].get("retry-attempt") == "2", f"{last[0]} {last[1]} Retry-Attempt {last[2].get('retry-attempt')}")
    finally:
        await control.post(emulator + "/faults", json={"throttle_fraction": 0.0, "only_paths": []})
        await control.aclose()
        await http.aclose()

    print(f"{len(PASSED)} passed, 0 failed")


def run():
    """main(), with an unexpected exception (an ODataError from a call a check did not expect
    to fail, say) reported as one FAIL line naming the last request, not a bare traceback."""
    try:
        asyncio.run(main())
    except ODataError as e:
        error = e.error
        print(redact(f"FAIL unexpected ODataError after {LAST[0]}: HTTP {e.response_status_code} {error and error.code}: {error and error.message}"), file=sys.stderr)
        print(f"{len(PASSED)} passed, 1 failed")
        sys.exit(1)
    except Exception as e:  # noqa: BLE001 - any other failure is one failed check too
        print(redact(f"FAIL unexpected {type(e).__name__} after {LAST[0]}: {e}"), file=sys.stderr)
        print(f"{len(PASSED)} passed, 1 failed")
        sys.exit(1)


if __name__ == "__main__":
    run()
