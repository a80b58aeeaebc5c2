//! `git release verify TAG`: CI's check of a pushed release tag.

use crate::Error;
use crate::cli::context::Env;
use crate::cli::output::{Output, Style};
use crate::error::Outcome;
use crate::gate::trust_base;
use crate::gate::verify_tag::{self, Verification};

/// `verify`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The tag to verify (CI: "$GITHUB_REF_NAME", "$CI_COMMIT_TAG", …)
    #[arg(value_name = "TAG", env = "GIT_RELEASE_TAG")]
    pub tag: String,
    /// The revision whose rules you vouch for: the chain of verified
    /// releases starts here [default: GIT_RELEASE_TRUST_ROOT, git config
    /// release.trustRoot, else the first release]
    #[arg(long, value_name = "REV")]
    pub trust_root: Option<String>,
}

/// Verifies the tag; exit 1 with the reasons when it fails.
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    let name = args.tag.strip_prefix("refs/tags/").unwrap_or(&args.tag);
    let verification = match env.repo.git().find_reference(&format!("refs/tags/{name}")) {
        Ok(reference) => match reference.target() {
            Some(target) => {
                let started = std::time::Instant::now();
                let pin = trust_base::pinned(&env.repo, args.trust_root.as_deref())?;
                env.out.info(&match &pin {
                    Some(pin) => format!("trust root: {} ({:.7})", pin.label, pin.commit),
                    None => "trust root: nothing pinned, so the chain of releases starts at the first release".to_owned(),
                });
                let verification =
                    verify_tag::Verifier::new(&env.repo, pin)?.verify(name, target)?;
                env.out.info(&format!(
                    "verified the chain behind {name} in {}",
                    crate::cli::context::elapsed(started)
                ));
                verification
            }
            None => Verification::failed_public(name, "the tag is a symbolic reference"),
        },
        Err(_) => Verification::failed_public(
            name,
            "there is no such tag here; in CI, fetch tags and evidence: `git fetch --tags origin 'refs/notes/release/*:refs/notes/release/*'`",
        ),
    };
    show(&verification, &env.out)?;
    Ok(if verification.ok {
        Outcome::Success
    } else {
        Outcome::No
    })
}

/// Prints a verification (text or JSON).
pub fn show(v: &Verification, out: &Output) -> Result<(), Error> {
    for warning in &v.warnings {
        out.warn(warning);
    }
    if out.json() {
        return out.json_value(v);
    }
    let mut s = format!("Verify {}\n", v.tag);
    for c in &v.checks {
        let mark = if c.ok {
            out.paint(Style::Good, "ok  ")
        } else {
            out.paint(Style::Bad, "FAIL")
        };
        s.push_str(&format!("  {mark}  {}: {}\n", c.name, c.detail));
    }
    if let Some(gate) = &v.gate {
        s.push_str(
            &crate::cli::reports::gate_report(gate, out)
                .lines()
                .map(|l| format!("  {l}\n"))
                .collect::<String>(),
        );
    }
    s.push_str(if v.ok {
        "Verified.\n"
    } else {
        "Not verified.\n"
    });
    out.write(&s)
}
