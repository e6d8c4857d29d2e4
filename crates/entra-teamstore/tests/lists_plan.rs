//! The Leases screen's pages are read in index order in the team store (migration
//! V3__lease_lists): for each order the screen offers, PostgreSQL can walk an index to the page
//! instead of sorting every lease. Checked on the plans, with sequential scans and sorts priced
//! out, so that the answer does not hang on how few rows a test table holds: without a fitting
//! index the plan still has to sort, and says so.

mod common;

/// The plan of `query`, with every other way priced out.
fn plan(cluster: &entra_testkit::postgres::Cluster, query: &str) -> String {
    cluster.sql_in("plans", &format!("SET enable_seqscan = off; SET enable_sort = off; SET enable_bitmapscan = off; EXPLAIN {query}")).unwrap()
}

#[tokio::test]
async fn every_page_order_walks_an_index() {
    let cluster = common::cluster();
    common::new_store_database(&cluster, "plans", &[]).await;
    // The ORDER BY clauses src/lists.rs writes, each with the index that should serve it.
    let pages = [
        ("issued_at DESC, id COLLATE \"C\" DESC", "leases_by_issued"),
        ("issued_at ASC, id COLLATE \"C\" ASC", "leases_by_issued"),
        ("expires_at ASC, id COLLATE \"C\" ASC", "leases_by_expiry"),
        ("definition COLLATE \"C\" DESC, id COLLATE \"C\" DESC", "leases_by_definition"),
        ("lower(issued_by) COLLATE \"C\" ASC NULLS LAST, id COLLATE \"C\" ASC", "leases_by_issuer"),
    ];
    for (order, index) in pages {
        let plan = plan(&cluster, &format!("SELECT * FROM entra_desk.leases ORDER BY {order} LIMIT 100 OFFSET 200"));
        assert!(plan.contains(&format!("Index Scan Backward using {index}")) || plan.contains(&format!("Index Scan using {index}")), "{order}:\n{plan}");
        assert!(!plan.contains("Sort"), "{order} sorts:\n{plan}");
    }
    let audit = plan(&cluster, "SELECT * FROM entra_desk.audit_log WHERE action = 'revoke' ORDER BY seq DESC LIMIT 100 OFFSET 0");
    assert!(audit.contains("using audit_log_by_action") && !audit.contains("Sort"), "{audit}");
}
