use std::process::ExitCode;

fn main() -> ExitCode {
    match retain::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A script that asked for JSON reads its error as JSON too (on stderr, so that
            // standard output never holds anything but the answer).
            if std::env::args().skip(1).any(|a| a == "--json") {
                let error = serde_json::json!({ "error": format!("{err:#}") });
                let text = retain::display::to_json_line(&error).unwrap_or_default();
                retain::tell!("{text}");
            } else {
                retain::tell!("retain: {err:#}");
            }
            ExitCode::FAILURE
        }
    }
}
