//! `git release schema`: the JSON Schema of `.release.toml`, for editors
//! (taplo, Even Better TOML) and for checking a file in CI.

use crate::Error;
use crate::cli::output::Output;
use crate::error::Outcome;

/// Prints the schema.
pub fn run(out: &Output) -> Result<Outcome, Error> {
    let schema = crate::config::schema();
    if out.json() {
        out.data_json(&schema)?;
    } else {
        let text = serde_json::to_string_pretty(&schema).map_err(|e| Error::Io {
            doing: "writing the schema".to_owned(),
            source: std::io::Error::other(e),
        })?;
        out.data(&format!("{text}\n"))?;
    }
    Ok(Outcome::Success)
}
