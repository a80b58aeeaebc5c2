//! Conventional Commits lint: one message (the commit-msg hook) or many (a
//! range in CI), against the configured types, scopes, subject length and
//! required trailers. Pure: messages in, problems out.

use serde::Serialize;

use crate::config::LintConfig;
use crate::history::conventional;
use crate::history::trailer;

/// One problem with one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The commit's short id (range mode).
    pub commit: Option<String>,
    /// The message's first line.
    pub summary: String,
    /// What is wrong.
    pub problem: String,
    /// An example of the right form.
    pub example: String,
}

/// The rules in force.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Allowed types (lower case).
    pub types: Vec<String>,
    /// Allowed scopes; empty means any.
    pub scopes: Vec<String>,
    /// A scope is required.
    pub require_scope: bool,
    /// Longest header, in characters.
    pub max_subject: usize,
    /// Trailers every message must carry.
    pub required_trailers: Vec<String>,
}

impl Rules {
    /// The rules from configuration; `known_types` are the configured commit types.
    pub fn new(config: &LintConfig, known_types: impl IntoIterator<Item = String>) -> Rules {
        let types = if config.types.is_empty() {
            known_types.into_iter().collect()
        } else {
            config
                .types
                .iter()
                .map(|t| t.to_ascii_lowercase())
                .collect()
        };
        Rules {
            types,
            scopes: config.scopes.clone(),
            require_scope: config.require_scope,
            max_subject: config.max_subject_length,
            required_trailers: config.required_trailers.clone(),
        }
    }
}

/// Where a message comes from: the hook may see work in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A message being committed (`fixup!` and `squash!` are fine).
    Commit,
    /// A commit about to be merged (`fixup!` and `squash!` must be squashed first).
    History,
}

/// Strips what git itself strips from a commit-msg file: comment lines and
/// everything below the scissors line.
pub fn clean_message_file(text: &str, comment_char: char) -> String {
    let mut lines = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.starts_with(comment_char) {
            if line.contains(" >8 ")
                && line
                    .trim_start_matches(comment_char)
                    .trim()
                    .starts_with("---")
            {
                break;
            }
            continue;
        }
        lines.push(line.trim_end());
    }
    let text = lines.join("\n");
    text.trim_matches('\n').to_owned()
}

/// Lints one message.
pub fn lint(message: &str, commit: Option<&str>, rules: &Rules, mode: Mode) -> Vec<Problem> {
    let summary = message.lines().next().unwrap_or("").trim().to_owned();
    let problem = |problem: String, example: &str| Problem {
        commit: commit.map(str::to_owned),
        summary: summary.clone(),
        problem,
        example: example.to_owned(),
    };
    let example_type = rules.types.first().map_or("feat", String::as_str);
    let example = format!("{example_type}(parser): handle empty input");

    if summary.starts_with("Merge ") || summary.starts_with("Revert \"") {
        return Vec::new();
    }
    for prefix in ["fixup! ", "squash! ", "amend! "] {
        if summary.starts_with(prefix) {
            return match mode {
                Mode::Commit => Vec::new(),
                Mode::History => vec![problem(
                    format!(
                        "`{}` commits must be squashed before they land",
                        prefix.trim()
                    ),
                    "git rebase -i --autosquash <base>",
                )],
            };
        }
    }
    if message.trim().is_empty() {
        return vec![problem("the message is empty".to_owned(), &example)];
    }

    let mut problems = Vec::new();
    match conventional::parse(message) {
        Err(e) => problems.push(problem(format!("not a Conventional Commit: {e}"), &example)),
        Ok(c) => {
            if !rules.types.is_empty() && !rules.types.contains(&c.kind) {
                problems.push(problem(
                    format!(
                        "the type `{}` is not allowed; use one of {}",
                        c.kind,
                        rules.types.join(", ")
                    ),
                    &example,
                ));
            }
            match &c.scope {
                Some(scope)
                    if !rules.scopes.is_empty() && !rules.scopes.iter().any(|s| s == scope) =>
                {
                    problems.push(problem(
                        format!(
                            "the scope `{scope}` is not allowed; use one of {}",
                            rules.scopes.join(", ")
                        ),
                        &format!("{}({}): {}", c.kind, rules.scopes[0], c.description),
                    ));
                }
                None if rules.require_scope => problems.push(problem(
                    "a scope is required".to_owned(),
                    &format!(
                        "{}({}): {}",
                        c.kind,
                        rules.scopes.first().map_or("scope", String::as_str),
                        c.description
                    ),
                )),
                _ => {}
            }
        }
    }
    let length = summary.chars().count();
    if rules.max_subject > 0 && length > rules.max_subject {
        problems.push(problem(
            format!(
                "the subject is {length} characters; at most {} are allowed",
                rules.max_subject
            ),
            "move details into the body, after a blank line",
        ));
    }
    if message.lines().nth(1).is_some_and(|l| !l.trim().is_empty()) {
        problems.push(problem(
            "the second line must be blank, between the subject and the body".to_owned(),
            "fix: subject\\n\\nbody",
        ));
    }
    if !rules.required_trailers.is_empty() {
        let trailers = trailer::parse(message);
        for required in &rules.required_trailers {
            if !trailers
                .iter()
                .any(|t| t.key.eq_ignore_ascii_case(required))
            {
                let example = if required.eq_ignore_ascii_case("Signed-off-by") {
                    "git commit -s (adds `Signed-off-by: Your Name <you@example.com>`)".to_owned()
                } else {
                    format!("{required}: …  (in the last paragraph)")
                };
                problems.push(problem(
                    format!("the trailer `{required}:` is required"),
                    &example,
                ));
            }
        }
    }
    problems
}

/// The lint rules of a configuration.
pub fn rules_of(config: &crate::config::Config) -> Rules {
    Rules::new(&config.lint, config.types().into_keys())
}

/// The comment character git uses in message files (`core.commentChar`).
pub fn comment_char(repo: &crate::git::repo::Repo) -> char {
    repo.config_value("core.commentChar")
        .and_then(|c| c.chars().next())
        .filter(|c| !c.is_whitespace() && *c != 'a')
        .unwrap_or('#')
}

/// Lints one commit message file, as the commit-msg hook is given it.
pub fn lint_message_file(
    path: &std::path::Path,
    repo: &crate::git::repo::Repo,
    config: &crate::config::Config,
) -> Result<Vec<Problem>, crate::Error> {
    let bytes =
        std::fs::read(path).map_err(crate::Error::io(format!("reading `{}`", path.display())))?;
    let message = clean_message_file(&String::from_utf8_lossy(&bytes), comment_char(repo));
    Ok(lint(&message, None, &rules_of(config), Mode::Commit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules {
            types: vec!["feat".into(), "fix".into(), "docs".into()],
            scopes: Vec::new(),
            require_scope: false,
            max_subject: 50,
            required_trailers: Vec::new(),
        }
    }

    fn problems(message: &str, rules: &Rules, mode: Mode) -> Vec<String> {
        lint(message, None, rules, mode)
            .into_iter()
            .map(|p| p.problem)
            .collect()
    }

    #[test]
    fn table() {
        // (message, expected problem substrings; empty means clean)
        let rows: &[(&str, &[&str])] = &[
            ("feat: add x", &[]),
            ("FEAT(api): add x", &[]),
            ("update readme", &["not a Conventional Commit"]),
            ("chore: tidy", &["type `chore` is not allowed"]),
            (
                "feat: this subject is much too long to fit into fifty characters",
                &["at most 50"],
            ),
            (
                "fix: a\nbody without blank line",
                &["second line must be blank"],
            ),
            ("Merge branch 'main' into topic", &[]),
            ("Revert \"feat: add x\"\n\nThis reverts commit abc.", &[]),
            ("fixup! feat: add x", &[]),
            ("", &["empty"]),
        ];
        for (message, expected) in rows {
            let got = problems(message, &rules(), Mode::Commit);
            assert_eq!(got.len(), expected.len(), "{message:?}: {got:?}");
            for (g, e) in got.iter().zip(expected.iter()) {
                assert!(g.contains(e), "{message:?}: {g} should contain {e}");
            }
        }
        assert_eq!(
            problems("squash! feat: x", &rules(), Mode::History).len(),
            1
        );
    }

    #[test]
    fn scopes_and_trailers() {
        let mut r = rules();
        r.scopes = vec!["api".into(), "cli".into()];
        r.require_scope = true;
        r.required_trailers = vec!["Signed-off-by".into()];
        assert_eq!(
            problems("feat(api): x\n\nSigned-off-by: A <a@x>", &r, Mode::Commit),
            Vec::<String>::new()
        );
        let got = problems("feat(web): x", &r, Mode::Commit);
        assert!(
            got[0].contains("scope `web`") && got[1].contains("Signed-off-by"),
            "{got:?}"
        );
        assert!(
            problems("feat: x\n\nSigned-off-by: A <a@x>", &r, Mode::Commit)[0]
                .contains("scope is required")
        );
    }

    #[test]
    fn message_files() {
        let file = "feat: x\n\nbody\n# Please enter the commit message\n#\n# ------------------------ >8 ------------------------\n# Do not modify\ndiff --git a/x b/x\n";
        assert_eq!(clean_message_file(file, '#'), "feat: x\n\nbody");
        assert_eq!(clean_message_file("\n\nfix: y\r\n\r\n", '#'), "fix: y");
    }
}
