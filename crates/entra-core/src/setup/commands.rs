//! The set-up assistant's third path: the Azure CLI commands that make the same registration,
//! for an admin who prefers to run them (or must hand them to someone who may register apps).
//!
//! The script does what [`super::Setup::register`] does through Graph: it reads the ids of
//! Entra Desk's delegated permissions from Microsoft Graph's service principal (never a copy of
//! them), looks for a registration carrying the tag first, else creates a single-tenant public
//! client (`http://localhost`, public client flows on) and tags it (`az ad app create` has no
//! tag option, so `az rest` PATCHes `tags` and `notes`), then creates the service principal.
//! POSIX `sh`; every value we put in it is quoted.

use super::{NOTES, SETUP_TAG};
use crate::permissions::ALL_DELEGATED;
use entra_graph::resources::GRAPH_APP_ID;
use url::Url;

/// `text` as one `sh` word: in single quotes, a quote inside written `'\''`.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The commands, as a script to read or run, for an app registration named `display_name` in
/// the tenant `az` is signed in to, through the Graph at `graph_url`.
pub fn az_commands(display_name: &str, graph_url: &Url) -> String {
    let scopes = serde_json::to_string(ALL_DELEGATED).unwrap_or_default();
    let permissions_query = format!("[{{resourceAppId: appId, resourceAccess: oauth2PermissionScopes[?contains(`{scopes}`, value)].{{id: id, type: `\"Scope\"`}}}}]");
    let body = serde_json::json!({ "tags": [SETUP_TAG], "notes": NOTES }).to_string();
    let graph = graph_url.as_str().trim_end_matches('/');
    let mut script = String::new();
    let mut line = |text: &str| {
        script.push_str(text);
        script.push('\n');
    };
    line("# Registers Entra Desk in your tenant with the Azure CLI, as `entractl setup` does through Graph.");
    line("# Run it signed in (az login) as someone who may register applications in the tenant.");
    line("set -eu");
    line(&format!("graph={GRAPH_APP_ID}   # Microsoft Graph's appId, the same in every tenant"));
    line(&format!("tag={}   # how a rerun, and `entractl setup --remove`, find this registration", sh_quote(SETUP_TAG)));
    line(&format!("# Entra Desk's delegated permissions ({}),", ALL_DELEGATED.join(", ")));
    line("# by the ids Microsoft Graph's service principal gives them in this tenant:");
    line(&format!("az ad sp show --id \"$graph\" --query {} -o json > entra-desk-permissions.json", sh_quote(&permissions_query)));
    line("app=$(az ad app list --filter \"tags/any(t:t eq '$tag')\" --query '[0].appId' -o tsv)");
    line("if [ -z \"$app\" ]; then");
    line(&format!("  app=$(az ad app create --display-name {} --sign-in-audience AzureADMyOrg \\", sh_quote(display_name)));
    line("    --public-client-redirect-uris http://localhost --is-fallback-public-client true \\");
    line("    --required-resource-accesses @entra-desk-permissions.json --query appId -o tsv)");
    line(&format!("  az rest --method PATCH --uri \"{graph}/applications(appId='$app')\" \\"));
    line(&format!("    --headers Content-Type=application/json --body {}", sh_quote(&body)));
    line("fi");
    line("# Its service principal (Entra may take a few seconds to see a new app: if this fails, run the script again).");
    line("az ad sp show --id \"$app\" > /dev/null 2>&1 || az ad sp create --id \"$app\" > /dev/null");
    line("tenant=$(az account show --query tenantId -o tsv)");
    line("echo \"Entra Desk is registered: client ID $app in tenant $tenant\"");
    line("echo \"Sign in to it, consenting to its permissions: entractl login --tenant-id $tenant --client-id $app --prompt consent\"");
    script
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script() -> String {
        az_commands("Entra Desk (Ops' copy)", &Url::parse("https://graph.microsoft.com/v1.0").unwrap())
    }

    #[test]
    fn the_script_makes_a_single_tenant_public_client_with_every_scope_by_name() {
        let script = script();
        for needed in [
            "az ad app create --display-name 'Entra Desk (Ops'\\'' copy)' --sign-in-audience AzureADMyOrg",
            "--public-client-redirect-uris http://localhost --is-fallback-public-client true",
            "--required-resource-accesses @entra-desk-permissions.json",
            "az ad sp create --id \"$app\"",
            "az ad sp show --id \"$graph\" --query '[{resourceAppId: appId, resourceAccess: oauth2PermissionScopes[?contains(`[\"User.Read\",",
            "\"https://graph.microsoft.com/v1.0/applications(appId='$app')\"",
            "tags/any(t:t eq '$tag')",
            "--prompt consent",
        ] {
            assert!(script.contains(needed), "missing {needed:?} in\n{script}");
        }
        for scope in ALL_DELEGATED {
            assert!(script.contains(&format!("\"{scope}\"")), "{scope}");
        }
        assert!(script.contains(r#"--body '{"notes":"#) && script.contains(r#""tags":["EntraDesk:setup"]"#), "{script}");
    }

    #[test]
    fn no_permission_id_is_written_down_only_graphs_app_id() {
        let script = script();
        let guids: Vec<&str> = script
            .split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
            .filter(|w| crate::ids::is_guid(w))
            .collect();
        assert_eq!(guids, [GRAPH_APP_ID], "the permission ids are read from Graph when the script runs");
    }

    #[test]
    fn sh_reads_the_script() {
        let Ok(out) = std::process::Command::new("sh").arg("-n").arg("-c").arg(script()).output() else {
            return; // No sh here: the other tests still check the text.
        };
        assert!(out.status.success(), "sh -n: {}", String::from_utf8_lossy(&out.stderr));
    }
}
