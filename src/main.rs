use std::process::ExitCode;

fn main() -> ExitCode {
    match retain::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            retain::tell!("retain: {err:#}");
            ExitCode::FAILURE
        }
    }
}
