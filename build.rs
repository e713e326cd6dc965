//! Whether this build's tests include the PostgreSQL runs: they need a server, named by
//! `RETAIN_TEST_PG` (`tests/with-postgres` starts one and sets it). Without it they report as
//! ignored, with the line that says how to run them.
// Cargo reads its instructions from the build script's standard output.
#[allow(clippy::disallowed_macros)]
fn main() {
    println!("cargo::rustc-check-cfg=cfg(retain_pg)");
    println!("cargo::rerun-if-env-changed=RETAIN_TEST_PG");
    if std::env::var_os("RETAIN_TEST_PG").is_some_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=retain_pg");
    }
}
