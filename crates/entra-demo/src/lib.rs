//! The demo tenant: a local emulator of Entra ID v2.0 (OpenID Connect
//! discovery, JWKS, `/authorize`, `/token`) and of the Microsoft Graph v1.0
//! endpoints Entra Desk uses. It is the app's embedded default and what every
//! test runs against.
//!
//! It is held to Entra's documented behaviour (the project's
//! `shared/entra-reference/REFERENCE.md`), not to what our own client sends:
//! MSAL and generic OIDC libraries must accept it (see
//! `tests/openidconnect_conformance.rs` and `tests/conformance/` at the
//! repository root).
//!
//! # Layout
//! - [`clock`]: the emulator clock every expiry is judged by.
//! - [`keys`]: seeded RSA keys (token signing, certificate client) and rotation.
//! - [`directory`]: the seeded tenant, users and the demo clients.
//! - [`inventory`]: Graph's applications and service principals, generated
//!   from the seed ([`DemoOptions::apps`] of them), with owners and credentials,
//!   Microsoft Graph's own service principal with its published permissions
//!   ([`inventory::graph_permissions`], Microsoft's ids), and those registered
//!   at run time (`inventory::registration`);
//!   and the users Graph lists, devices and groups with their direct members
//!   ([`DemoOptions::users`], [`DemoOptions::groups`], the shapes of
//!   [`GroupFixture`]).
//! - [`store`]: codes, sessions and refresh grants (persisted as hashes).
//! - `accounts`: passwords set and sessions revoked through Graph (hashes and times).
//! - `oidc`: discovery, JWKS, authorize with its sign-in form and consent page,
//!   token (the inventory's clients and secret checks in `oidc::clients`),
//!   consent (`oidc::consent`, over the Graph delegated permissions sign-in
//!   accepts, `oidc::permissions`, a view of `inventory::graph_permissions`),
//!   the AADSTS error catalogue.
//! - `graph`: the Graph v1.0 router, one module per resource (`applications`,
//!   `service_principals`, `app_create`, `app_update` and `sp_writes` (registering
//!   an app and keeping it up to date),
//!   `owners`, `credentials`, `delta`, `groups`, `users`,
//!   `members`, `membership`, `groups_delta`, `user_writes`, `batch`), the
//!   shared `resource`/`handlers`/`collection`/`query`/`filter`/`paging`
//!   machinery, and `faults`, `stats` (applied by `middleware`) and `emulator`
//!   (the `/_emulator` control routes, behind `emulator_token`, a secret per run).
//! - `server`: the router, the catch-all and the plain/TLS accept loops; [`tls`]
//!   makes the CA and server certificate.
//! - [`browser`] (feature `browser`): a form-filling stand-in for the system browser.
//!
//! # Choices where Entra's behaviour is uncertain
//! - Graph access tokens have `aud` = `00000003-0000-0000-c000-000000000000`
//!   (REFERENCE §3: v2 `aud` is the API's GUID); Graph also accepts
//!   `https://graph.microsoft.com`.
//! - Access tokens live `3600 + (seed-derived 0..1800)` seconds: Entra's 60–90
//!   minute random lifetime, but reproducible per seed. ID tokens live 1 hour.
//! - The sign-in form is shown for every interactive request (no silent SSO
//!   without `prompt=none`), so tests always exercise the password form;
//!   `prompt=none` with the session cookie signs in silently.
//! - Consent (`oidc::consent` has the details and sources): the demo clients
//!   hold admin consent for their listed permissions (and the OpenID Connect
//!   scopes); anything else is consented on a consent page after sign-in, with
//!   only the new permissions to grant (incremental consent), or again for all
//!   with `prompt=consent`. Admin-only permissions (Graph's `type: Admin`) need
//!   the demo admin, the one user with a directory role, who may tick "Consent
//!   on behalf of your organization" (unticked by default); other users get
//!   "Need admin approval", whose return button redirects `access_denied`
//!   (`error_subcode=cancel`, AADSTS90094). Cancel redirects `access_denied`
//!   (`error_subcode=cancel`, AADSTS65004); `prompt=none` without consent,
//!   `consent_required` AADSTS65001. Choices: with `prompt=consent` a user
//!   without a role needs admin approval for an admin-only permission even if
//!   the organization holds it; the AADSTS code of the "Need admin approval"
//!   return is not documented (the demo sends 90094, the reason). A first
//!   consent also grants `User.Read` and `offline_access`, as Microsoft says
//!   it does. Grants made at run time are kept with the refresh grants
//!   (`consents.json` in the state folder).
//! - Error pages for errors that are not redirected (AADSTS50011, 700016,
//!   90002) answer HTTP 400 with the AADSTS text in an element with
//!   `role="alert"`.
//! - Discovery and JWKS for an unknown tenant answer 400 with the AADSTS90002
//!   JSON body (`error: invalid_tenant`, as Entra's discovery does).
//! - Client assertions: `aud` may be the token URL with the tenant GUID, the
//!   verified domain, or the path the request came in on; 5 minutes of clock
//!   skew are allowed on `exp`/`nbf`; `jti` replay is not tracked.
//! - The response `scope` (and `scp`) lists every Graph permission consented to
//!   the client for the user, not only those requested (Entra: "encoded inside
//!   the access token is every permission that your application is granted for
//!   that resource"), in short form, sorted by name case-insensitively (Entra's
//!   order is undocumented), followed by `profile openid email` when asked;
//!   `offline_access` is not echoed. A code redemption or refresh naming a
//!   scope that is not consented fails `invalid_grant` AADSTS65001 with
//!   `suberror: consent_required`.
//! - Refresh tokens are opaque, rotate on every redemption (old ones stay
//!   valid until their own 90-day expiry, as the docs say) and remember the
//!   scope of the original grant; they mint tokens for whatever is consented
//!   to the client for the user at the time of the refresh.
//! - Inventory applications that are public clients (`isFallbackPublicClient`
//!   or "Mobile and desktop" redirect URIs) and have a service principal sign
//!   users in at `/authorize` with those redirect URIs and redeem without a
//!   credential (`oidc::clients`); without a service principal `/authorize`
//!   shows AADSTS700016, as for an unknown app (Entra's admin center would
//!   have made the service principal; through Graph it is `POST
//!   /servicePrincipals`). Their service principal's `accountEnabled` and
//!   `appRoleAssignmentRequired` are not enforced.
//! - `client_info` (base64url `{"uid","utid"}`) is returned when the request
//!   has `client_info=1`, as MSAL asks.
//! - Graph directory lists come back ordered by object id. Skip tokens are
//!   signed offsets into the re-evaluated query (HMAC keyed by the seed); the
//!   nextLink repeats the original options plus `$skiptoken`. A token that does
//!   not verify answers 400 `Request_BadRequest`; skip tokens do not expire on
//!   their own (Graph says they need not), but while the `expire_skip_tokens`
//!   fault is on they answer 400 `Directory_ExpiredPageToken`, the code large
//!   tenants see.
//! - `$select` of an unknown property answers 400 `BadRequest` "Could not find
//!   a property named 'x' on type 'microsoft.graph.application'." (the OData
//!   layer's message). With `$select`, only the selected properties come back
//!   (no implicit `id`, as Graph does for directory objects).
//! - `$orderby` (on `displayName`, `createdDateTime` for applications) always
//!   needs `ConsistencyLevel: eventual` + `$count=true` (REFERENCE §5); without
//!   them: 400 `Request_UnsupportedQuery` "Sorting not supported for current
//!   query.". `ne`, `not` and `endsWith` need the same; `endsWith` is not
//!   supported on any application or service-principal property even then.
//! - `$search` matches word prefixes of `displayName`, split on
//!   non-alphanumerics and camelCase; clauses may be joined by `AND` or `OR`.
//! - `$expand=owners` caps the page at 100 and the owners at 20 per object
//!   (REFERENCE §5 note); it is refused with the advanced-query parameters
//!   (`$count`/`$search` under ConsistencyLevel). `keyCredentials[].key` is only
//!   filled when `keyCredentials` is `$select`ed, and only the certificate
//!   client has real key material; generated certificates answer `key: null`.
//! - addPassword secrets are random (OS RNG), in Entra's `xxx8Q~…` 40-character
//!   form; they are shown once, and the tenant keeps only their SHA-256. They
//!   work at the token endpoint (`client_credentials`, `client_id` = the app's
//!   appId, for any app registration of the inventory, generated ones
//!   included) only after [`DemoOptions::secret_propagation`] has passed on the
//!   emulator clock (Entra takes seconds to minutes; the demo default is 0):
//!   before that the answer is 401 `invalid_client` AADSTS7000215 "Invalid
//!   client secret provided…", word for word what Entra answers for a wrong
//!   secret. A removed secret (the demo clients' seeded ones included) is
//!   refused at once: Entra does not say how long a removed secret keeps
//!   working, and "at once" is what a revocation test must be able to rely
//!   on. An inventory app's token carries as `roles` the Graph application
//!   permissions its `requiredResourceAccess` asks for. removePassword with an
//!   unknown keyId answers 400 `Request_BadRequest` (Graph's exact answer is
//!   not documented). Writes need `Application.ReadWrite.All`,
//!   `Directory.ReadWrite.All` or `Directory.AccessAsUser.All`, or
//!   `Application.ReadWrite.OwnedBy` on an object the calling app owns; a
//!   delegated caller must also hold a directory role (Global, Application or
//!   Cloud Application Administrator: in the demo tenant only the demo admin
//!   does) or be an owner of the object, else 403 `Authorization_RequestDenied`
//!   "Insufficient privileges to complete the operation.", as Entra answers
//!   (one check, `graph::credentials::authorize_write`, for addPassword,
//!   removePassword, `PATCH /applications/{id}` and the deletes of applications
//!   and service principals).
//! - Registering an app as a set-up assistant does: Microsoft Graph's service
//!   principal (appId `00000003-0000-0000-c000-000000000000`) publishes
//!   `oauth2PermissionScopes` and `appRoles` with Microsoft's permission ids
//!   (source named in `inventory::graph_permissions`); `POST /applications`
//!   answers 201 with the application and a `Location` (`{graph}/applications/{id}`;
//!   Graph's points at an internal URL), makes the creator an owner (the
//!   signed-in user, or an app-only caller's service principal) and is allowed
//!   to any member with the permission (Entra's default "users can register
//!   applications"); a `requiredResourceAccess` id that Graph does not publish
//!   (or of the wrong `type`) answers 400 "Property
//!   requiredResourceAccess.resourceAccess is invalid."; properties it does not
//!   store answer 400 saying so. `POST /servicePrincipals {appId}` answers 201,
//!   409 `Request_MultipleObjectsWithSameKeyValue` when the app has one, 400
//!   when no application has that appId. New objects show in lists, `$count`,
//!   delta and `tags/any(…)` filters at once (no replication delay). Microsoft
//!   does not say who owns a service principal created through Graph; the demo
//!   makes the creator its owner, as for applications. `PATCH /applications/{id}`
//!   (also by `(appId='…')`) answers 204 and replaces the properties it names,
//!   with the parsing and checks of the create; the service principal keeps its
//!   own name (Graph updates it by a PATCH of its own, not emulated).
//! - Users' passwords: `PATCH /users/{id}` with `passwordProfile` (204) makes
//!   the sign-in form accept only the new password (kept as a SHA-256). It
//!   needs `User-PasswordProfile.ReadWrite.All`, `User.ReadWrite.All`,
//!   `Directory.ReadWrite.All` or delegated `Directory.AccessAsUser.All`, and a
//!   delegated caller must be the demo admin (Entra wants an admin role);
//!   otherwise 403. The confidential client holds `User.ReadWrite.All` as an
//!   application permission; the public client may ask for the delegated
//!   `User.ReadWrite.All` by name (it is not in its `.default`, so the demo
//!   admin consents to it on the consent page, for themself or for the
//!   organization; another user needs the latter). Entra's
//!   complexity rule is enforced (8–256 printable ASCII characters, three of
//!   lower, upper, digit, symbol). `forceChangePasswordNextSignIn` defaults to
//!   true when left out, as Graph does; such a user is refused by the form
//!   with AADSTS50055 (the demo form cannot change passwords). A reset also
//!   revokes the user's refresh tokens held by public clients and ends the
//!   user's browser sessions, while a confidential client's refresh tokens
//!   survive (Entra's refresh-token revocation table, "Admin resets
//!   password"). Only `passwordProfile` is emulated: any other property
//!   answers 400 saying so.
//! - `POST /users/{id}/revokeSignInSessions` (200 `{"value":true}`, needs
//!   `User.RevokeSessions.All`, `User.ReadWrite.All` or
//!   `Directory.ReadWrite.All`; delegated callers act on themselves or are
//!   the admin) revokes every refresh token issued to the user before it
//!   (`invalid_grant` AADSTS50173 with Entra's "TokensValidFrom" wording) and
//!   ends its browser sessions. Access tokens already issued stay valid until
//!   they expire, as in Entra without continuous access evaluation. Password
//!   changes and revocations last as long as the tenant process (the refresh
//!   grants persisted in `state_dir` do not remember them).
//! - `DELETE /applications/{id}` soft-deletes (delta reports `@removed.reason:
//!   "changed"`) and deletes the app's service principal with it, as Entra does
//!   in the app's home tenant; `DELETE /servicePrincipals/{id}` soft-deletes the
//!   service principal alone. Deleted objects leave their groups.
//!   `DELETE /directory/deletedItems/{id}` purges either ("deleted"); purging an
//!   application leaves its service principal in deleted items.
//! - Delta pages hold 200 objects (`$top` is ignored, as Graph does); delta
//!   tokens expire after 7 days of emulator time with 410 Gone,
//!   `syncStateNotFound` and a `Location` to start over; a token that does not
//!   verify answers 400 `Request_BadRequest`.
//! - Groups: `/groups/delta` pages hold at most 200 groups and 500
//!   `members@delta` entries (a bigger group is split, its id repeated with
//!   the next slice); without `$select` it returns the default properties and
//!   members. From a delta link, a group reports its *net* member changes since
//!   the link. Deleting a Microsoft 365 group reports `@removed.reason`
//!   "changed" (restorable), any other group "deleted". Expired delta links
//!   of groups and users send `Location: …/delta?[$select=…&]$deltatoken=`.
//!   A group is not its own transitive member, even in the seeded cycle.
//!   Adding a group to itself or to a dynamic group is 400 `Request_BadRequest`.
//!   `$filter`/`$search`/`$orderby` are not emulated on membership lists
//!   (400 saying so). Users do not change, so `/users/delta` links stay quiet.
//!   `/users/{userPrincipalName}` is not emulated (ids only).
//! - `$batch` answers in request order; items without `dependsOn` run
//!   concurrently, otherwise in order. Outer 200 with item 429s and 424 for
//!   dependents of a failed item (json-batching.md, not throttling.md's "the
//!   batch fails with 424"). A body without a `Content-Type` item header, more
//!   than 20 requests or duplicate ids fail the whole batch with 400. The outer
//!   `$batch` is never throttled (its items are, one by one).
//! - The `expire_delta_tokens` fault makes every delta link (not `latest`)
//!   answer 410 as an expired one does.
//! - Faults: throttled/unavailable requests are chosen by a seeded draw per
//!   Graph request (the sequence restarts when faults change), so a sequential
//!   test is reproducible. "Client" = the token's `azp`/`appid`. Retry-After
//!   deadlines use real time (SDKs sleep in real time), not the emulator
//!   clock. 503s use Graph's `serviceNotAvailable` code. `only_paths` (path
//!   substrings below `/v1.0`) and `only_methods` narrow latency, 429s and
//!   503s to the matching requests (e.g. only `removePassword`); the others
//!   pass and do not advance the seeded draw.
//! - Conditional Access (`Faults::require_auth_context`, e.g. `"c1"`; the same
//!   `only_paths`/`only_methods` narrow it): a person's token whose `acrs`
//!   lacks the authentication context is answered 401 `InvalidAuthenticationToken`
//!   with Graph's claims challenge in `WWW-Authenticate` (`Bearer realm="",
//!   authorization_uri="…/common/oauth2/authorize", client_id="00000003-…",
//!   error="insufficient_claims", claims="<base64>"`), before any other fault;
//!   app-only tokens pass. A sign-in whose `/authorize` request carries
//!   `claims={"access_token":{"acrs":{"essential":true,"value":"c1"}}}` gets an
//!   access token with `acrs: ["c1"]` from its code; a refresh carries `acrs` only
//!   when its own `claims` ask for them again, and only those the sign-in behind
//!   the refresh token met (another one: `invalid_grant` AADSTS50076,
//!   `suberror: basic_action`, the person must sign in). Graph challenges only
//!   clients that declared the `cp1` capability; the demo challenges every
//!   person's token (`graph::conditional_access` has the sources).
//! - Early retries: a 429/503 carrying a `Retry-After` is *delivered* at the
//!   end of its injected latency; from then until `delivered_at + Retry-After`
//!   the client (same `azp`/`appid`) must stay away. A request is judged when
//!   it *arrives*, before its own injected latency: it is early if it arrives
//!   at or after such a delivery and before that deadline. Requests that
//!   arrived before the delivery are not early, whatever their timing (several
//!   requests in flight when a 429 is decided are fine). "Arrives" is when the
//!   tenant reads it, so a delivery counts at once only on its own HTTP/1
//!   connection, and on the client's other connections from
//!   `CROSS_CONNECTION_SLACK` (200 ms) after it: a request sent just before the
//!   429 reached the client may be read just after it left. A per-item 429/503
//!   inside a `$batch` is delivered when the outer `$batch` answer is; the
//!   items themselves are not judged, the outer `$batch` is. An early retry is
//!   counted (`early_retries`) and, while `throttle_fraction > 0`, throttled
//!   again.
//! - Graph's throttling model for identity and access (`graph_throttling`, off by
//!   default; REFERENCE §6): a bucket of resource units per client app (`azp`/`appid`)
//!   sized by the tenant's users (3,500 / 5,000 / 8,000 per 10 s, or
//!   `graph_throttling_limit`) and 3,000 write units per 150 s, Microsoft's costs per
//!   path, `x-ms-resource-unit` on every answer, `x-ms-throttle-limit-percentage` past
//!   80 %, and 429 `TooManyRequests` with an integer `Retry-After`,
//!   `x-ms-throttle-scope` and `x-ms-throttle-information` when a bucket cannot pay.
//!   `graph::throttling` states the choices where Microsoft is vague (which paths
//!   cost what, the percentage past 1.0, time in real time).
//! - Stats: `total` counts every Graph request including batch items (a batch
//!   of 20 adds 21); the outer batch counts as `POST /v1.0/$batch`, items
//!   under their own templates. `/oidc/userinfo` and the identity endpoints are
//!   neither counted nor faulted. `resource_units`/`write_units` add up what the
//!   throttling model charged; its 429s count in `throttled` and in `throttled_by_limit`.
//!
//! # Endpoints
//! Under `/{tenant}` (the GUID, `demo.onmicrosoft.com`, `common`,
//! `organizations`; anything else is AADSTS90002):
//! `v2.0/.well-known/openid-configuration`, `.well-known/openid-configuration`
//! (v1), `discovery/v2.0/keys`, `discovery/keys`, `discovery/instance`,
//! `oauth2/v2.0/authorize` (GET and POST), `login` (the sign-in form's target),
//! `consent` (the consent page's),
//! `oauth2/v2.0/token`, `oauth2/v2.0/logout`. At the root: `/oidc/userinfo`,
//! `/error?code=N` (where `error_uri` points) and Graph under `/v1.0`:
//! `GET /me`, `GET /organization`;
//! `GET /applications` and `/servicePrincipals` (`$select`, `$top` 1–999,
//! default 100, `$filter`, `$search`, `$orderby`, `$count`, `$expand=owners`,
//! `@odata.nextLink`), `GET …/$count`, `GET …/delta`, `GET …/{id}` and
//! `…(appId='{appId}')`, `GET …/{id}/owners`, `POST …/{id}/addPassword`,
//! `POST …/{id}/removePassword`, `POST /applications`, `PATCH /applications/{id}`
//! (also by `(appId='…')`), `POST /servicePrincipals`,
//! `DELETE /applications/{id}`, `DELETE /servicePrincipals/{id}` (both also by
//! `(appId='…')`), `DELETE /directory/deletedItems/{id}`; `GET /groups`, `/users` (same
//! options), `…/$count`, `…/delta`, `…/{id}`, `GET /groups/{id}/members`,
//! `…/transitiveMembers`, `GET /users/{id}/memberOf`, `…/transitiveMemberOf`,
//! `POST /groups/{id}/members/$ref`, `DELETE /groups/{id}/members/{id}/$ref`,
//! `POST /groups`, `DELETE /groups/{id}`, `POST /directoryObjects/getByIds`;
//! `PATCH /users/{id}` (`passwordProfile`), `POST /users/{id}/revokeSignInSessions`;
//! `POST /$batch`. Every Graph error
//! is `{"error":{"code","message","innerError":{date,request-id,client-request-id}}}`
//! with `request-id` and `client-request-id` headers. Control routes, under
//! [`DemoInfo::emulator`] = `/_emulator/<token>` (a secret drawn per run; any
//! other `/_emulator/…` answers 404): `GET|POST {emulator}/faults`,
//! `GET {emulator}/stats`, `POST {emulator}/stats/reset` (see `graph::emulator`).
//! Not emulated (the catch-all answers a readable 404): the device-code
//! endpoint advertised in discovery, `/adminconsent`, the v1 token endpoint.
//!
//! # Secrets
//! Nothing secret is logged. The tenant writes exactly one private key to
//! disk: the certificate client's (`certificate_client.private_key_path`,
//! mode 0600), because clients under test need a file to pass as
//! `--private-key`. Signing keys are re-derived from the seed instead.


mod accounts;
pub mod clock;
pub mod directory;
pub mod files;
pub mod inventory;
pub mod keys;
pub mod store;
pub mod tls;

mod graph;
mod info;
mod oidc;
mod options;
mod server;
mod state;
mod tenant;

#[cfg(feature = "browser")]
pub mod browser;

pub use graph::emulator_token::{EmulatorToken, EMULATOR_TOKEN_ENV};
pub use graph::faults::{Faults, RetryAfter, CROSS_CONNECTION_SLACK};
pub use graph::stats::StatsSnapshot;
pub use info::{CertificateClientInfo, ClientSecretInfo, DemoApp, DemoInfo, DemoPassword, DemoUser, DemoUserRef, LeaseTargets};
pub use inventory::GroupFixture;
pub use options::{DemoOptions, DEFAULT_APPS, DEFAULT_GROUPS, DEFAULT_USERS};
pub use tenant::{start, DemoTenant};
