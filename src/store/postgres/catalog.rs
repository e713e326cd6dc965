//! The server's schema read into the catalog both engines share (see `store::catalog`).

use std::collections::BTreeMap;

use postgres::GenericClient;

use super::migrate::VERSION_TABLE;

// The announcing triggers (`migrate::ANNOUNCER`) are the server's way of telling consoles of a
// change, not part of the schema both engines share: they are left out.
use crate::store::catalog::{Catalog, Column, ForeignKey, Index, Kind, Table, normal_predicate};

/// The catalog of the database's current schema (`search_path`), less the version table.
pub fn read(client: &mut impl GenericClient) -> Result<Catalog, postgres::Error> {
    let mut catalog = Catalog::default();
    let names: Vec<String> = client
        .query(
            "SELECT relname::text FROM pg_class
             WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace
               AND relname <> $1 AND relname <> $2 ORDER BY 1",
            &[&VERSION_TABLE, &super::migrate::WRITE_LOCK_TABLE],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    for name in names {
        let table = table(client, &name)?;
        catalog.tables.insert(name, table);
    }
    catalog.triggers = client
        .query(
            "SELECT t.tgname || ' on ' || c.relname FROM pg_trigger t
             JOIN pg_class c ON c.oid = t.tgrelid
             WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace
               AND t.tgname <> ALL ($1)",
            &[&vec![
                super::migrate::ANNOUNCER,
                super::migrate::AUDIT_SIGNER,
            ]],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(catalog)
}

/// A constraint's or index's columns by name, in order (`conkey`, `confkey`).
const NAMES_OF: &str = "array(SELECT a.attname::text FROM unnest({keys}) WITH ORDINALITY k(n, o)
     JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.n ORDER BY k.o)";

fn names_of(keys: &str, rel: &str) -> String {
    NAMES_OF.replace("{keys}", keys).replace("{rel}", rel)
}

fn table(client: &mut impl GenericClient, name: &str) -> Result<Table, postgres::Error> {
    let mut table = Table::default();
    for row in client.query(
        "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                pg_get_expr(d.adbin, d.adrelid)
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid = $1::text::regclass AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attnum",
        &[&name],
    )? {
        let declared: String = row.get(1);
        let default: Option<String> = row.get(3);
        table.columns.push(Column {
            name: row.get(0),
            kind: match declared.as_str() {
                "bigint" | "integer" | "smallint" => Kind::Integer,
                "double precision" | "real" => Kind::Real,
                _ => Kind::Text,
            },
            not_null: row.get(2),
            default: default.map(|d| without_casts(&d)),
        });
    }
    let constraints = format!(
        "SELECT c.contype::text, {}, c.confrelid::regclass::text, {}, c.confdeltype::text
         FROM pg_constraint c WHERE c.conrelid = $1::text::regclass",
        names_of("c.conkey", "c.conrelid"),
        names_of("c.confkey", "c.confrelid"),
    );
    for row in client.query(&constraints, &[&name])? {
        let kind: String = row.get(0);
        match kind.as_str() {
            "p" => table.primary_key = row.get(1),
            "c" => table.checks += 1,
            "f" => {
                let on_delete: String = row.get(4);
                table.foreign_keys.insert(ForeignKey {
                    columns: row.get(1),
                    table: row.get(2),
                    references: row.get(3),
                    on_delete: match on_delete.as_str() {
                        "c" => "CASCADE",
                        "n" => "SET NULL",
                        "d" => "SET DEFAULT",
                        "r" => "RESTRICT",
                        _ => "NO ACTION",
                    }
                    .to_string(),
                });
            }
            _ => {}
        }
    }
    let indexes: BTreeMap<String, Index> = client
        .query(
            "SELECT i.relname::text, x.indisunique, x.indisprimary,
                    EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid),
                    pg_get_expr(x.indpred, x.indrelid),
                    array(SELECT pg_get_indexdef(x.indexrelid, k, true)
                          FROM generate_series(1, x.indnkeyatts) k ORDER BY k)
             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
             WHERE x.indrelid = $1::text::regclass",
            &[&name],
        )?
        .iter()
        .filter(|row| !row.get::<_, bool>(2))
        .map(|row| {
            let index_name: String = row.get(0);
            let backs_constraint: bool = row.get(3);
            let predicate: Option<String> = row.get(4);
            let index = Index {
                name: (!backs_constraint).then(|| index_name.clone()),
                columns: row.get(5),
                unique: row.get(1),
                predicate: predicate.as_deref().map(normal_predicate),
            };
            (index_name, index)
        })
        .collect();
    table.indexes = indexes.into_values().collect();
    Ok(table)
}

/// `'rep'::text` as `'rep'`: the default as SQLite writes it.
fn without_casts(default: &str) -> String {
    let mut text = default.trim();
    while let Some(at) = text.rfind("::") {
        if text[at + 2..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '"')
        {
            text = &text[..at];
        } else {
            break;
        }
    }
    text.to_string()
}
