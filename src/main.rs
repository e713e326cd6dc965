use std::process::ExitCode;

fn main() -> ExitCode {
    match retain::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("retain: {err:#}");
            ExitCode::FAILURE
        }
    }
}
