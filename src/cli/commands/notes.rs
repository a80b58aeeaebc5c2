//! `git release notes`: the notes of one release, to stdout or a file.

use std::path::PathBuf;

use crate::Error;
use crate::cli::context::Env;
use crate::error::Outcome;
use crate::history::plan::Request;
use crate::render::describe::{self, Describer};
use crate::render::templates::{Kind, Templates};

/// `notes`' arguments.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// The notes of this existing release tag (CI: `--tag "$TAG"`)
    #[arg(long, value_name = "TAG", env = "GIT_RELEASE_TAG", conflicts_with_all = ["unreleased", "range"])]
    pub tag: Option<String>,
    /// What the next release would contain (the default when HEAD is not a release)
    #[arg(long, conflicts_with = "range")]
    pub unreleased: bool,
    /// The commits of a range, `A..B`
    #[arg(long, value_name = "A..B")]
    pub range: Option<String>,
    /// Write to this file instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Use this template instead of the configured or built-in one
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// The announcement style: markdown (the notes template), plain text, or Slack
    #[arg(long, value_enum, default_value_t = NoteStyle::Markdown)]
    pub style: NoteStyle,
    /// The release date of unreleased changes (YYYY-MM-DD) [default: SOURCE_DATE_EPOCH or today]
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

/// How notes are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum NoteStyle {
    /// Markdown, from the notes template.
    #[default]
    Markdown,
    /// Plain text for e-mail and people outside engineering.
    Plain,
    /// Slack mrkdwn.
    Slack,
}

/// Prints or writes the notes.
pub fn run(args: &Args, env: &Env) -> Result<Outcome, Error> {
    let work_tree = crate::git::work_tree::WorkTree::of(&env.repo)?;
    let mut sources = describe::sources(&env.config, work_tree.as_ref())?;
    match args.style {
        NoteStyle::Markdown => {}
        NoteStyle::Plain => {
            sources.notes = None;
            sources.notes_builtin = Some((
                "release-notes-plain.hbs",
                crate::render::templates::builtin::NOTES_PLAIN,
            ));
        }
        NoteStyle::Slack => {
            sources.notes = None;
            sources.notes_builtin = Some((
                "release-notes-slack.hbs",
                crate::render::templates::builtin::NOTES_SLACK,
            ));
        }
    }
    if let Some(template) = &args.template {
        sources.notes = Some(template.clone());
    }
    let templates = Templates::new(&sources)?;

    let mut releases = Vec::new();
    if let Some(tag) = &args.tag {
        // The package whose tag template names the tag.
        let package = match (crate::packages::for_tag(&env.packages, tag), env.monorepo()) {
            (Some((package, _)), _) => package,
            (None, false) => env
                .packages
                .first()
                .ok_or_else(|| Error::refused("no package", &[]))?,
            (None, true) => {
                let templates: Vec<String> = env
                    .packages
                    .iter()
                    .map(|p| format!("{} ({})", p.label(), p.tag))
                    .collect();
                return Err(Error::Refused {
                    message: format!(
                        "`{tag}` is not a release tag of {}",
                        if env.one_package {
                            "this package"
                        } else {
                            "any package"
                        }
                    ),
                    hints: vec![format!(
                        "release tags follow the packages' templates: {}",
                        templates.join(", ")
                    )],
                });
            }
        };
        releases.push(Describer::new(&env.repo, &env.config, package, false)?.tag(tag)?);
    } else if let Some(range) = &args.range {
        let Some((from, to)) = range.split_once("..") else {
            return Err(Error::refused(
                format!("`--range {range}` is not a range"),
                &["write it as `A..B`, e.g. `--range v1.0.0..HEAD`"],
            ));
        };
        let to = if to.is_empty() { "HEAD" } else { to };
        let package = env.single_package("`notes --range`")?;
        let describer = Describer::new(&env.repo, &env.config, package, false)?;
        releases.push(describer.range(from, to, crate::clock::timestamp(args.date.as_deref())?)?);
    } else {
        let head = env.repo.head()?;
        let plans = env.plans(&Request::default())?;
        let mut reasons = Vec::new();
        for (package, (plan, history)) in env.packages.iter().zip(&plans) {
            let describer = Describer::new(&env.repo, &env.config, package, false)?;
            // At a release tag (and not asked for unreleased): that release.
            let at_head = describer
                .index()
                .releases
                .iter()
                .filter(|t| t.commit == head && t.version.pre.is_empty())
                .map(|t| t.name.clone())
                .next();
            match at_head {
                Some(tag) if !args.unreleased => releases.push(describer.tag(&tag)?),
                _ => {
                    let timestamp = crate::clock::timestamp(args.date.as_deref())?;
                    match describer.unreleased(plan, history, timestamp, false) {
                        Some(release) => releases.push(release),
                        None => reasons.push(plan.reason.clone()),
                    }
                }
            }
        }
        if releases.is_empty() {
            env.out
                .say(&format!("nothing to release: {}", reasons.join("; ")));
            return Ok(Outcome::No);
        }
    }

    if env.out.json() {
        match releases.as_slice() {
            [one] => env.out.json_value(one)?,
            many => env.out.json_value(&many)?,
        }
        return Ok(Outcome::Success);
    }
    let mut text = String::new();
    let several = releases.len() > 1;
    for release in &releases {
        if several {
            text.push_str(&format!(
                "# {} {}\n\n",
                release.package.as_deref().unwrap_or(""),
                release.version
            ));
        }
        text.push_str(&templates.render(Kind::Notes, release)?);
        if several && !text.ends_with("\n\n") {
            text.push('\n');
        }
    }
    match &args.output {
        Some(path) if path.as_os_str() != "-" => {
            crate::git::writer::write_atomically(path, text.as_bytes())?;
            env.out.info(&format!("wrote {}", path.display()));
        }
        _ => env.out.data(&text)?,
    }
    Ok(Outcome::Success)
}
