//! The figures a team weighs when it moves to a server, measured in one run on the bench's demo
//! file and on a PostgreSQL server, side by side. `RETAIN_BENCH_DB=postgresql://ROLE@HOST/DB`
//! names the server's database: the bench copies its demo file into it with `retain copy`
//! once (it must be empty then; later runs find the copy and keep it). ROLE must own that
//! database and may create databases: the writers and the import run on a throw-away copy
//! beside it (`CREATE DATABASE … TEMPLATE`), as they run on a copy of the file, so that the
//! next run measures the same data.

use std::sync::{Barrier, Mutex};

use retain::domain::model::{Interaction, InteractionKind};
use retain::store::postgres::{Server, words};

use super::*;

/// Writers at once, and the calls each logs.
const WRITERS: usize = 50;
const EACH: usize = 20;

/// What one engine measured.
struct Figures {
    first_screen: Stats,
    keystroke: Stats,
    /// A cursor move as the rep sees it: the list redrawn, before the detail beside it is read
    /// (the render loop never waits for the database).
    cursor: Stats,
    /// The detail that follows the cursor, read on the loading thread.
    detail: Stats,
    writes: Stats,
    /// The first call of each writer's connection.
    first_writes: Stats,
    /// Rows and seconds.
    import: Option<(u64, f64)>,
}

/// Measures both engines and prints them side by side; says why when the server cannot be
/// measured.
pub fn compare(file: &Path, url: &str, rounds: usize) {
    let me = retain::cli::os_user();
    let (server, scratch) = match server_copy(file, url, &me) {
        Ok(found) => found,
        Err(why) => {
            println!("file and server side by side: not measured ({why})");
            return;
        }
    };
    let ids = external_ids(file);
    let csv = file.parent().and_then(|dir| interactions_csv(dir, &ids));
    let words = lookup_words(file);
    let file_scratch = file.with_file_name(format!("scratch-{}.db", std::process::id()));
    let on_file = {
        let copied = std::fs::copy(file, &file_scratch).is_ok();
        let made = copied && make_admin_of_file(&file_scratch, &me);
        let scratch_arg = file_scratch.display().to_string();
        let figures = measure(
            &Target::File(file.to_path_buf()),
            made.then(|| (Target::File(file_scratch.clone()), scratch_arg)),
            csv.as_ref(),
            &words,
            &me,
            rounds,
        );
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file_scratch.display()));
        }
        figures
    };
    let on_server = {
        let made = scratch.make();
        let figures = measure(
            &server,
            made.as_ref().ok().cloned(),
            csv.as_ref(),
            &words,
            &me,
            rounds,
        );
        if let Err(why) = &made {
            println!("  (no throw-away copy on the server: {why})");
        }
        scratch.drop_it();
        figures
    };
    println!();
    println!(
        "file and server side by side · {} accounts · {} · {}",
        ids.len(),
        file.display(),
        server.shown()
    );
    println!(
        "{:<38} {:>10} {:>10} {:>12} {:>10}",
        "measure", "file p50", "file p99", "server p50", "server p99"
    );
    for (name, f, s) in [
        (
            "first screen, demo rep, scores kept ms",
            &on_file.first_screen,
            &on_server.first_screen,
        ),
        (
            "lookup keystroke (all) ms",
            &on_file.keystroke,
            &on_server.keystroke,
        ),
        (
            "cursor move (update + draw) ms",
            &on_file.cursor,
            &on_server.cursor,
        ),
        (
            "  the detail beside it, read ms",
            &on_file.detail,
            &on_server.detail,
        ),
        (
            "a call logged, 50 writers at once ms",
            &on_file.writes,
            &on_server.writes,
        ),
        (
            "  each writer's first, all at once ms",
            &on_file.first_writes,
            &on_server.first_writes,
        ),
    ] {
        println!(
            "{name:<38} {:>10} {:>10} {:>12} {:>10}",
            f.shown(0.5),
            f.shown(0.99),
            s.shown(0.5),
            s.shown(0.99)
        );
    }
    let import = |figures: &Figures| match figures.import {
        Some((rows, secs)) => format!("{rows} rows in {secs:.1} s"),
        None => "not measured".into(),
    };
    println!(
        "retain import interactions: file {}, server {}",
        import(&on_file),
        import(&on_server)
    );
}

/// The figures of one engine: the console's on `db`, the writers' and the import's on
/// `scratch` (and what `--db` names it by; none without one).
fn measure(
    db: &Target,
    scratch: Option<(Target, String)>,
    csv: Option<&(u64, PathBuf)>,
    words: &[(&str, Vec<String>)],
    me: &str,
    rounds: usize,
) -> Figures {
    let login = "carmen";
    // Once first: the day's scores are kept from then on.
    Bench::open(db, login).draw();
    let mut first_screen = Stats::new("first screen", "ms");
    for _ in 0..rounds {
        first_screen.time(|| Bench::open(db, login).draw());
    }
    let mut bench = Bench::open(db, login);
    bench.draw();
    bench.responder.build_index().expect("the index builds");
    let (keystroke, _, _) = lookups(&mut bench, words, rounds);
    let mut cursor = Stats::new("cursor move", "ms");
    let mut detail = Stats::new("detail", "ms");
    for i in 0..rounds * 10 {
        let key = if i % 20 < 10 { 'j' } else { 'k' };
        let asked = cursor.time(|| {
            let asked = bench.press(key);
            bench.draw();
            asked
        });
        detail.time(|| {
            bench.serve(asked);
            bench.draw()
        });
    }
    drop(bench);
    let Some((scratch, scratch_arg)) = scratch else {
        return Figures {
            first_screen,
            keystroke,
            cursor,
            detail,
            writes: Stats::new("writes", "ms"),
            first_writes: Stats::new("first writes", "ms"),
            import: None,
        };
    };
    let (writes, first_writes) = writers(&scratch, me);
    let import = csv.and_then(|(rows, csv)| {
        let start = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_retain"))
            .arg("--db")
            .arg(&scratch_arg)
            .args(["import", "interactions"])
            .arg(csv)
            .output()
            .ok()?;
        if !out.status.success() {
            println!(
                "  import on {}: {}",
                scratch.shown(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return None;
        }
        Some((*rows, start.elapsed().as_secs_f64()))
    });
    Figures {
        first_screen,
        keystroke,
        cursor,
        detail,
        writes,
        first_writes,
        import,
    }
}

/// `WRITERS` connections of their own logging `EACH` calls each, all at once, as consoles open
/// for the day do: each call's time, and the time of each connection's first call (its
/// statements prepared, the server's caches of its session filled), which the writers all make
/// at once before the others.
fn writers(db: &Target, me: &str) -> (Stats, Stats) {
    let (samples, firsts) = (Mutex::new(Vec::new()), Mutex::new(Vec::new()));
    let start = Barrier::new(WRITERS);
    std::thread::scope(|s| {
        for w in 0..WRITERS {
            let (samples, firsts, start) = (&samples, &firsts, &start);
            s.spawn(move || {
                let mut store = Store::open_target(db, Create::Never)
                    .expect("a writer opens the database")
                    .acting_as(me, me);
                let mut call = |i: usize| {
                    let now = Utc::now();
                    let call = Interaction {
                        rep: None,
                        kind: InteractionKind::Call,
                        occurred_at: now,
                        summary: format!("Writer {w}, call {i}"),
                        body: "Logged by the bench".into(),
                        outcome: None,
                        tags: Vec::new(),
                        follow_up_on: None,
                    };
                    let began = Instant::now();
                    store
                        .log_interaction(w as i64 + 1, &call, me, now)
                        .expect("the call is logged");
                    began.elapsed().as_secs_f64() * 1000.0
                };
                let first = call(0);
                firsts.lock().expect("the samples").push(first);
                start.wait();
                let mine: Vec<f64> = (1..=EACH).map(&mut call).collect();
                samples.lock().expect("the samples").extend(mine);
            });
        }
    });
    let mut stats = Stats::new("a call logged, 50 writers at once", "ms");
    stats.samples = samples.into_inner().expect("the samples");
    let mut first = Stats::new("a connection's first call", "ms");
    first.samples = firsts.into_inner().expect("the samples");
    (stats, first)
}

/// The accounts' external ids, from the file.
fn external_ids(file: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(file).expect("the bench database");
    let mut stmt = conn
        .prepare("SELECT external_id FROM accounts ORDER BY id")
        .expect("the ids");
    stmt.query_map([], |r| r.get(0))
        .expect("the ids")
        .collect::<Result<_, _>>()
        .expect("the ids")
}

/// Makes the user running the bench an admin of a copy of the file, as the import writes.
fn make_admin_of_file(file: &Path, me: &str) -> bool {
    rusqlite::Connection::open(file)
        .and_then(|c| {
            c.execute(
                "INSERT INTO reps (login, display_name, role) VALUES (?1, 'Bench', 'admin')
                 ON CONFLICT (login) DO UPDATE SET role = 'admin', active = 1",
                [me],
            )
        })
        .is_ok()
}

/// The server's database of the bench, and the throw-away copy beside it.
struct Scratch {
    server: Server,
    /// The bench's database, and the copy's name.
    database: String,
    copy: String,
    url: String,
}

impl Scratch {
    /// A copy of the bench's database made anew (no one may be connected to it meanwhile), and
    /// its URL.
    fn make(&self) -> Result<(Target, String), String> {
        let mut admin = self.maintenance()?;
        // One statement a call: CREATE DATABASE refuses to run in the transaction that a batch
        // of statements is.
        for sql in [
            format!("DROP DATABASE IF EXISTS \"{}\"", self.copy),
            format!(
                "CREATE DATABASE \"{}\" TEMPLATE \"{}\"",
                self.copy, self.database
            ),
        ] {
            admin.batch_execute(&sql).map_err(|e| words(&e))?;
        }
        let url = with_database(&self.url, &self.copy);
        Ok((Target::parse(&url, &retain::cli::os_user())?, url))
    }

    fn drop_it(&self) {
        if let Ok(mut admin) = self.maintenance() {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{}\"", self.copy));
        }
    }

    /// A connection to the server's `postgres` database, from which others are made and dropped.
    fn maintenance(&self) -> Result<postgres::Client, String> {
        Server::parse(&with_database(&self.url, "postgres"), self.server.role())
            .map_err(|e| e.to_string())?
            .connect()
            .map_err(|e| e.to_string())
    }
}

/// The server's database named by `url`, holding a copy of `file` (made now if the database is
/// empty), its schema brought up to this retain's and `me` (the server role) one of its admins.
fn server_copy(file: &Path, url: &str, me: &str) -> Result<(Target, Scratch), String> {
    let server = Server::parse(url, me)?;
    let mut client = server.connect().map_err(|e| e.to_string())?;
    let database: String = client
        .query_one("SELECT current_database()::text", &[])
        .map_err(|e| words(&e))?
        .get(0);
    let holds: bool = client
        .query_one("SELECT to_regclass('public.accounts') IS NOT NULL", &[])
        .map_err(|e| words(&e))?
        .get(0);
    let retain = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_retain"))
            .args(args)
            .output()
            .map_err(|e| e.to_string())
            .and_then(|out| {
                if out.status.success() {
                    Ok(())
                } else {
                    Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
                }
            })
    };
    let file_arg = file.to_str().ok_or("the bench file's path is not UTF-8")?;
    if !holds {
        eprintln!("copying {} to {} (once)...", file.display(), server.shown());
        let start = Instant::now();
        retain(&["--db", file_arg, "copy", "--to", url])?;
        println!(
            "retain copy of the bench file to the server: {:.1} s",
            start.elapsed().as_secs_f64()
        );
    }
    retain(&["--db", url, "init"])?;
    let accounts: i64 = client
        .query_one("SELECT count(*) FROM accounts", &[])
        .map_err(|e| words(&e))?
        .get(0);
    let in_file = external_ids(file).len() as i64;
    if accounts != in_file {
        return Err(format!(
            "{} holds {accounts} accounts, the bench file {in_file}: give the bench an empty database",
            server.shown()
        ));
    }
    let role: String = client
        .query_one("SELECT session_user::text", &[])
        .map_err(|e| words(&e))?
        .get(0);
    client
        .execute(
            "INSERT INTO reps (login, display_name, role) VALUES ($1, 'Bench', 'admin')
             ON CONFLICT (login) DO UPDATE SET role = 'admin', active = 1",
            &[&role],
        )
        .map_err(|e| words(&e))?;
    drop(client);
    let target = Target::parse(url, me)?;
    let scratch = Scratch {
        copy: format!("{database}_scratch"),
        database,
        url: url.to_string(),
        server,
    };
    Ok((target, scratch))
}

/// `url` naming another database of the same server (its query kept).
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    if query.is_empty() {
        format!("{server}/{database}")
    } else {
        format!("{server}/{database}?{query}")
    }
}
