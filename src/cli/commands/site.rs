//! `git release site -o DIR`: write the release dashboard, a static web
//! site made from the repository alone (see [`crate::site`]).

use std::path::PathBuf;

use serde::Serialize;

use crate::Error;
use crate::cli::context::Env;
use crate::error::Outcome;
use crate::site::collect::Input;

/// `site`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The directory to write the site to (created when missing; files
    /// whose contents did not change are left alone)
    #[arg(short, long, value_name = "DIR", env = "GIT_RELEASE_SITE_OUTPUT")]
    pub output: PathBuf,
}

/// What was written, for `--format json`.
#[derive(Debug, Serialize)]
struct Written {
    index: String,
    releases: usize,
    files: usize,
}

/// Writes the site.
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    // The same records, read the same way, as `status`.
    let (records, malformed) = crate::ledger::read(&env.repo)?;
    for m in &malformed {
        env.out
            .warn(&format!("ignored a malformed deployment record: {m}"));
    }
    let input = Input {
        repo: &env.repo,
        config: &env.config,
        packages: &env.packages,
        records: &records,
        pinned: crate::clock::pinned()?,
    };
    let started = std::time::Instant::now();
    let (_, summary) = crate::site::build(&input, &mut |path, text| {
        crate::git::writer::write_published(&args.output.join(path), text.as_bytes())
    })?;
    env.out.info(&format!(
        "made {} file(s) in {:.2}s",
        summary.files,
        started.elapsed().as_secs_f64()
    ));
    let index = args.output.join("index.html");
    if env.out.json() {
        env.out.json_value(&Written {
            index: index.display().to_string(),
            releases: summary.releases,
            files: summary.files,
        })?;
    } else {
        env.out.line(&format!(
            "wrote {} ({} release page(s))",
            index.display(),
            summary.releases
        ))?;
    }
    Ok(Outcome::Success)
}
