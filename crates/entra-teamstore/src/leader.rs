//! The maintenance leadership (see entra_core's `store::shared`), each step one statement on the
//! `leader` row with the database's clock: taking it when it is free or expired (a new term),
//! renewing it while this member holds it (the same term), giving it up, and reading who holds
//! it. Fencing, the other half, is [`PgLeaseStore::write`](crate::PgLeaseStore).
//!
//! A leader whose connections the server ended (a failover, `pg_terminate_backend`, a network
//! cut) steps down: its term is ended before it may lead again, in a new term. Its pool would
//! otherwise reconnect quietly and renew the old term, and whatever it was writing when the
//! connection went may or may not have been committed: a new term fences off anything still
//! running under the old one, and lets another member take over first.

use crate::errors::unknown;
use crate::leases::get;
use crate::PgLeaseStore;
use entra_core::leases::store::{LeaderInfo, Leadership};
use entra_core::Result;
use std::time::Duration;

/// The leader row's name.
const NAME: &str = "maintenance";

impl PgLeaseStore {
    /// Takes or renews the leadership for `member` until `ttl` from now (the server's now).
    pub(crate) async fn take_lead(&self, member: &str, ttl: Duration) -> Result<Option<Leadership>> {
        let lost = self.inner.connector.lost();
        let held = self.inner.granted.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some((held_by, term, lost_then)) = held.filter(|(m, _, _)| m == member) {
            if lost != lost_then {
                tracing::info!(term, "a connection to the team store was lost during this term: stepping down");
                let until = chrono::Utc::now();
                self.give_up(&Leadership { member: held_by, term: u64::try_from(term).map_err(|_| unknown("leadership term"))?, until }).await?;
                *self.inner.granted.lock().unwrap_or_else(|p| p.into_inner()) = None;
                return Ok(None);
            }
        }
        let conn = self.conn().await?;
        let ttl = ttl.as_secs_f64();
        // A member holding an unexpired term keeps it (same term and `since`); a free or
        // expired row goes to the asker with the next term; anyone else's live term is left.
        let row = conn
            .client
            .query_opt(
                "INSERT INTO leader AS l (name, member, term, since, until)
                 VALUES ($1, $2, 1, now(), now() + $3::float8 * interval '1 second')
                 ON CONFLICT (name) DO UPDATE SET
                     term = CASE WHEN l.member = excluded.member AND l.until > now() THEN l.term ELSE l.term + 1 END,
                     since = CASE WHEN l.member = excluded.member AND l.until > now() THEN l.since ELSE now() END,
                     member = excluded.member,
                     until = excluded.until
                 WHERE l.until <= now() OR l.member = excluded.member
                 RETURNING member, term, until",
                &[&NAME, &member, &ttl],
            )
            .await
            .map_err(|e| self.sql(e))?;
        let Some(row) = row else { return Ok(None) };
        let term: i64 = get(&row, 1, "leader.term")?;
        *self.inner.granted.lock().unwrap_or_else(|p| p.into_inner()) = Some((member.to_string(), term, lost));
        Ok(Some(Leadership {
            member: get(&row, 0, "leader.member")?,
            term: u64::try_from(term).map_err(|_| unknown("leadership term"))?,
            until: get(&row, 2, "leader.until")?,
        }))
    }

    /// Ends `leadership`'s term at once, if it is still this member's.
    pub(crate) async fn give_up(&self, leadership: &Leadership) -> Result<()> {
        let conn = self.conn().await?;
        let term = i64::try_from(leadership.term).unwrap_or(i64::MAX);
        conn.client
            .execute(
                "UPDATE leader SET until = now() WHERE name = $1 AND member = $2 AND term = $3 AND until > now()",
                &[&NAME, &leadership.member, &term],
            )
            .await
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Who leads now, if anyone's term is live.
    pub(crate) async fn current_leader(&self) -> Result<Option<LeaderInfo>> {
        let conn = self.conn().await?;
        let row = conn
            .client
            .query_opt("SELECT member, since, until FROM leader WHERE name = $1 AND until > now()", &[&NAME])
            .await
            .map_err(|e| self.sql(e))?;
        row.map(|r| {
            Ok(LeaderInfo { member: get(&r, 0, "leader.member")?, since: get(&r, 1, "leader.since")?, until: get(&r, 2, "leader.until")? })
        })
        .transpose()
    }
}
