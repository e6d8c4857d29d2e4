//! Which lease store to use: this desktop's own file, or a team's PostgreSQL store.
//!
//! The first of these that names one wins:
//! 1. `--lease-store URL` on an `entractl lease` command, or the app's "Use a team store…"
//!    (values given directly: never `${ENV}`-expanded, like every flag);
//! 2. the environment variable [`LEASE_STORE_ENV`] (`ENTRA_DESK_LEASE_STORE`);
//! 3. `leaseStore` in the settings file.
//!
//! The environment's and the settings file's values may use `${NAME}`. The word `local` (or an
//! empty value) names this desktop's file, so an admin can override a team store for one run.
//! A URL is only checked for its scheme here; the team store's crate parses the rest (and
//! refuses a URL that carries a password).

use super::values::substitute_env;
use crate::{Error, Result};

/// The environment variable naming the lease store.
pub const LEASE_STORE_ENV: &str = "ENTRA_DESK_LEASE_STORE";

/// The setting and the value that name this desktop's own store.
pub const LOCAL_LEASE_STORE: &str = "local";

/// Where leases are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaseStoreChoice {
    /// `leases.sqlite` in the data folder.
    Local,
    /// A team store: its URL (`postgres://user@host/database…`), without a password.
    Team(String),
}

impl LeaseStoreChoice {
    /// Picks the store from a flag, the environment and the settings file (see the module doc).
    pub fn choose(flag: Option<&str>, env: &dyn Fn(&str) -> Option<String>, settings: Option<&str>) -> Result<LeaseStoreChoice> {
        if let Some(flag) = flag {
            return LeaseStoreChoice::parse("--lease-store", flag);
        }
        if let Some(value) = env(LEASE_STORE_ENV) {
            return LeaseStoreChoice::parse(LEASE_STORE_ENV, &substitute_env(LEASE_STORE_ENV, &value, env)?);
        }
        match settings {
            Some(value) => LeaseStoreChoice::parse("leaseStore (settings.json)", &substitute_env("leaseStore", value, env)?),
            None => Ok(LeaseStoreChoice::Local),
        }
    }

    /// `local`, empty, or a `postgres://` / `postgresql://` URL.
    pub fn parse(setting: &str, value: &str) -> Result<LeaseStoreChoice> {
        let value = value.trim();
        if value.is_empty() || value.eq_ignore_ascii_case(LOCAL_LEASE_STORE) {
            return Ok(LeaseStoreChoice::Local);
        }
        let lower = value.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(LeaseStoreChoice::Team(value.to_string()));
        }
        Err(Error::config(format!(
            "{setting} must be `local` or a PostgreSQL URL such as postgres://entra_desk@db.example.com/leases?sslmode=verify-full \
             (what was given does not start with postgres://): fix the value"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn the_flag_wins_then_the_environment_then_the_settings_file() {
        let e = env(&[(LEASE_STORE_ENV, "postgres://env@db/leases"), ("DB", "db.example.com")]);
        let team = |u: &str| LeaseStoreChoice::Team(u.to_string());
        assert_eq!(LeaseStoreChoice::choose(Some("local"), &e, Some("postgres://s@db/x")).unwrap(), LeaseStoreChoice::Local);
        assert_eq!(LeaseStoreChoice::choose(None, &e, Some("postgres://s@db/x")).unwrap(), team("postgres://env@db/leases"));
        let none = env(&[("DB", "db.example.com")]);
        assert_eq!(LeaseStoreChoice::choose(None, &none, Some("postgres://s@${DB}/x")).unwrap(), team("postgres://s@db.example.com/x"));
        assert_eq!(LeaseStoreChoice::choose(None, &none, None).unwrap(), LeaseStoreChoice::Local);
    }

    #[test]
    fn a_flag_is_taken_as_written_and_a_wrong_scheme_is_named() {
        let e = env(&[("DB", "db.example.com")]);
        // `${…}` in a flag is not expanded: it reaches the URL parser as written.
        assert_eq!(LeaseStoreChoice::choose(Some("postgres://a@${DB}/x"), &e, None).unwrap(), LeaseStoreChoice::Team("postgres://a@${DB}/x".into()));
        let err = LeaseStoreChoice::choose(Some("mysql://a@db/x"), &e, None).unwrap_err();
        assert!(err.message().contains("--lease-store must be `local` or a PostgreSQL URL"), "{}", err.message());
        let err = LeaseStoreChoice::choose(None, &e, Some("postgres://a@${NOPE}/x")).unwrap_err();
        assert!(err.message().contains("NOPE"), "{}", err.message());
    }
}
