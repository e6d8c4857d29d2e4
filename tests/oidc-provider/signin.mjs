// `entractl login` against a certified OpenID provider that was never written for it: panva's
// oidc-provider (OpenID Certified), on loopback, with its own development login and consent pages.
//
//   node tests/oidc-provider/signin.mjs path/to/entractl
//
// What it proves (exit code 0 only if all hold):
//   1. the provider is the strict kind: asked for prompt=select_account, which its discovery document
//      does not list (it publishes no prompt_values_supported), it refuses the request — so step 2 would
//      fail if entractl sent that prompt value;
//   2. `entractl login --no-browser` signs in: the authorize URL it prints is walked like a browser would
//      (the provider's login form, then its consent form, cookies kept), the code reaches entractl's
//      loopback listener, entractl redeems it with PKCE and verifies the ID token;
//   3. the account entractl remembers is the user the provider vouched for.
// The refresh token goes to the OS keychain: run under scripts/with-keyring.sh (the test command does).
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Provider from "oidc-provider";

const entractl = process.argv[2];
if (!entractl) {
  console.error("usage: node tests/oidc-provider/signin.mjs path/to/entractl");
  process.exit(2);
}

const CLIENT_ID = "entra-desk-oidc-test";
const USER = { sub: "3f0e1c5a-user-0001", name: "Olive Provider", preferred_username: "olive@oidc.test" };

/** The provider on a free loopback port, its issuer that origin. */
function startProvider() {
  return new Promise((resolve) => {
    let provider;
    const server = createServer((req, res) => provider.callback()(req, res));
    server.listen(0, "127.0.0.1", () => {
      const issuer = `http://127.0.0.1:${server.address().port}`;
      provider = new Provider(issuer, {
        clients: [
          {
            client_id: CLIENT_ID,
            application_type: "native",
            token_endpoint_auth_method: "none",
            // RFC 8252 §7.3: a native client's loopback redirect takes any port.
            redirect_uris: ["http://127.0.0.1/"],
            grant_types: ["authorization_code", "refresh_token"],
            response_types: ["code"],
          },
        ],
        claims: { openid: ["sub"], profile: ["name", "preferred_username"] },
        async findAccount(_ctx, id) {
          return { accountId: id, async claims() { return { ...USER, sub: id }; } };
        },
        // Login and consent: the provider's development pages (features.devInteractions, on by default).
      });
      provider.on("server_error", (_ctx, err) => console.error("provider: server error", err));
      resolve({ issuer, close: () => server.close() });
    });
  });
}

/** A browser's cookie jar, enough for one provider on one host. */
class Jar {
  cookies = new Map();
  take(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/**
 * Walks an authorize URL as a browser would, filling in the provider's login and consent forms, until a
 * redirect leaves the provider (to the client's redirect URI). Returns that redirect's URL (not followed).
 */
async function browse(authorizeUrl, issuer, login) {
  const jar = new Jar();
  let url = authorizeUrl;
  let method = "GET";
  let body;
  for (let step = 0; step < 20; step++) {
    const response = await fetch(url, {
      method,
      body,
      redirect: "manual",
      headers: { cookie: jar.header(), ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
    });
    jar.take(response);
    if (response.status >= 300 && response.status < 400) {
      const next = new URL(response.headers.get("location"), url).toString();
      if (!next.startsWith(issuer)) return next;
      url = next;
      method = "GET";
      body = undefined;
      continue;
    }
    const page = await response.text();
    if (response.status !== 200) throw new Error(`the provider answered ${response.status} at ${url}: ${page.slice(0, 300)}`);
    const action = page.match(/<form[^>]*action="([^"]+)"/)?.[1];
    const prompt = page.match(/name="prompt" value="([^"]+)"/)?.[1];
    if (!action || !prompt) throw new Error(`no form on the provider's page at ${url}: ${page.slice(0, 300)}`);
    url = new URL(action, url).toString();
    method = "POST";
    body = new URLSearchParams(prompt === "login" ? { prompt, login, password: "any" } : { prompt }).toString();
  }
  throw new Error("the provider kept the browser for 20 steps");
}

/** Runs entractl with `args`; `onStderr` sees its stderr as it comes. */
function run(args, env, onStderr = () => {}) {
  return new Promise((resolve) => {
    const child = spawn(entractl, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      stderr += d;
      onStderr(stderr);
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

let failures = 0;
function check(what, ok, detail = "") {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok || !detail ? "" : `\n     ${detail.replace(/\n/g, "\n     ")}`}`);
  if (!ok) failures++;
}

const { issuer, close } = await startProvider();
const data = mkdtempSync(join(tmpdir(), "entra-oidc-provider-"));
const env = { ENTRA_DESK_DATA_DIR: data, NO_COLOR: "1" };
const signIn = ["--authority", issuer, "--redirect-uri", "http://127.0.0.1", "--timeout", "60", "--no-browser"];
try {
  const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  check("the provider publishes no prompt_values_supported", discovery.prompt_values_supported === undefined, JSON.stringify(discovery.prompt_values_supported));

  // 1. The provider refuses select_account.
  const probe = new URL(discovery.authorization_endpoint);
  for (const [k, v] of Object.entries({ client_id: CLIENT_ID, response_type: "code", scope: "openid", redirect_uri: "http://127.0.0.1:9/", prompt: "select_account", code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256" })) probe.searchParams.set(k, v);
  const refused = await fetch(probe, { redirect: "manual" });
  const back = new URL(refused.headers.get("location") ?? "http://none/");
  check("it refuses prompt=select_account (invalid_request)", back.searchParams.get("error") === "invalid_request" && /prompt/.test(back.searchParams.get("error_description") ?? ""), `${refused.status} ${back}`);

  // 2. entractl login, the browser walked by this script.
  let walked = null;
  const login = run(["login", ...signIn, "--client-id", CLIENT_ID, "--scopes", "openid"], env, (stderr) => {
    const url = stderr.match(/^(http\S+\/auth\?\S+)$/m)?.[1];
    if (url && !walked) {
      walked = browse(url, issuer, USER.sub).then(async (redirect) => {
        const sent = new URL(url);
        check("entractl sent no prompt value the provider does not advertise", !sent.searchParams.has("prompt"), `prompt=${sent.searchParams.get("prompt")}`);
        check("entractl sent PKCE S256", sent.searchParams.get("code_challenge_method") === "S256");
        const answer = await fetch(redirect);
        return `${answer.status} from ${new URL(redirect).origin}`;
      });
    }
  });
  const done = await login;
  const walkedTo = walked ? await walked.catch((e) => `browser failed: ${e.message}`) : "no URL printed";
  check("entractl login signs in", done.code === 0, `exit ${done.code}; browser: ${walkedTo}\n${done.stderr}`);

  // 3. The account is the provider's user (login prints it; `accounts` remembers it).
  let account = {};
  try { account = JSON.parse(done.stdout); } catch { /* reported below */ }
  check("the account is the provider's user", account.username === USER.preferred_username && account.displayName === USER.name, done.stdout);
  const listed = await run(["accounts"], env);
  check("entractl accounts remembers it", listed.code === 0 && listed.stdout.includes(USER.preferred_username), `${listed.code}: ${listed.stdout}${listed.stderr}`);
} finally {
  await run(["logout", "--all"], env).catch(() => {});
  close();
  rmSync(data, { recursive: true, force: true });
}
console.log(`oidc-provider: ${failures === 0 ? "all passed" : `${failures} failed`}`);
process.exit(failures === 0 ? 0 : 1);
