//! A file's fact-change triggers on inserts, set aside for a bulk write. SQLite has no
//! statement triggers, so each inserted row counted itself in `fact_changes` (a third of a
//! demo's time); set aside, the rows the write inserted are counted after it, by account, as a
//! server's statement triggers count them (`count_fact_inserts`, migration 14 of
//! `postgres/schema.sql`). A server's triggers stay as they are.

use super::sql::{self, Conn, Engine, Value};

/// How a row of a table that counts its inserts names its account.
fn account_of(table: &str) -> Option<&'static str> {
    match table {
        "interactions" | "tickets" | "nps_responses" | "usage_snapshots" | "mrr_changes"
        | "failed_payments" => Some("t.account_id"),
        "payment_attempts" => {
            Some("(SELECT p.account_id FROM failed_payments p WHERE p.id = t.payment_id)")
        }
        _ => None,
    }
}

/// The triggers set aside, and each table's highest id when they were.
pub(super) struct SetAside {
    triggers: Vec<Trigger>,
}

struct Trigger {
    name: String,
    table: String,
    sql: String,
    before: i64,
}

/// Sets aside, in the write transaction `tx`, the insert triggers that count into
/// `fact_changes` (on a file; on a server nothing). A trigger of a table this does not know
/// how to count for is left to run.
pub(super) fn set_aside(tx: &Conn) -> sql::Result<SetAside> {
    if tx.engine() != Engine::Sqlite {
        return Ok(SetAside {
            triggers: Vec::new(),
        });
    }
    let mut found: Vec<(String, String, String)> = Vec::new();
    {
        let mut stmt = tx.prepare(
            "SELECT name, tbl_name, sql FROM sqlite_schema
             WHERE type = 'trigger' AND sql LIKE '%AFTER INSERT ON%' AND sql LIKE '%fact_changes%'
             ORDER BY name",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            found.push((row.get(0)?, row.get(1)?, row.get(2)?));
        }
    }
    let mut triggers = Vec::new();
    for (name, table, sql) in found {
        if account_of(&table).is_none() {
            continue;
        }
        let before: i64 = tx.query_row(
            &format!("SELECT coalesce(max(id), 0) FROM \"{table}\""),
            [],
            |r| r.get(0),
        )?;
        tx.execute_batch(&format!("DROP TRIGGER \"{name}\""))?;
        triggers.push(Trigger {
            name,
            table,
            sql,
            before,
        });
    }
    Ok(SetAside { triggers })
}

impl SetAside {
    /// Counts the rows inserted since the triggers were set aside, and puts them back as they
    /// were (in the same transaction: no other connection ever sees them gone).
    pub(super) fn restore(self, tx: &Conn) -> sql::Result<()> {
        for t in self.triggers {
            let account = account_of(&t.table).expect("only known tables are set aside");
            tx.execute(
                &format!(
                    "INSERT INTO fact_changes (account_id, n)
                     SELECT account_id, count(*) FROM
                         (SELECT {account} AS account_id FROM \"{table}\" t WHERE t.id > ?1)
                     WHERE account_id IS NOT NULL GROUP BY account_id
                     ON CONFLICT (account_id) DO UPDATE SET n = fact_changes.n + excluded.n",
                    table = t.table
                ),
                [Value::Integer(t.before)],
            )?;
            tx.execute_batch(&t.sql)?;
            tracing::debug!(trigger = %t.name, "put back after a bulk write");
        }
        Ok(())
    }
}
