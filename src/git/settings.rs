//! Git configuration values as git resolves them for the command it runs:
//! `git -c key=value` (`GIT_CONFIG_PARAMETERS`) and `GIT_CONFIG_COUNT`/
//! `GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n` first — libgit2 reads neither —
//! then the repository's config files (or the user's outside one).

/// What git's configuration says for this command: the command line's
/// entries and the config files, read once.
pub struct Settings {
    command_line: Vec<(String, Option<String>)>,
    files: Option<git2::Config>,
}

impl Settings {
    /// Reads `GIT_CONFIG_COUNT`'s and `GIT_CONFIG_PARAMETERS`' entries (in
    /// the order git applies them) and opens the config files: the
    /// repository's (with the user's and the system's), or outside a
    /// repository the user's and the system's.
    pub fn load() -> Settings {
        let count = std::env::var("GIT_CONFIG_COUNT")
            .ok()
            .and_then(|n| n.trim().parse::<usize>().ok())
            .unwrap_or(0);
        let mut command_line: Vec<(String, Option<String>)> = (0..count.min(1000))
            .filter_map(|i| {
                let key = std::env::var(format!("GIT_CONFIG_KEY_{i}")).ok()?;
                Some((key, std::env::var(format!("GIT_CONFIG_VALUE_{i}")).ok()))
            })
            .collect();
        if let Ok(parameters) = std::env::var("GIT_CONFIG_PARAMETERS") {
            command_line.extend(parse_parameters(&parameters));
        }
        let files = match git2::Repository::open_from_env() {
            Ok(repo) => repo.config().ok(),
            Err(_) => git2::Config::open_default().ok(),
        };
        Settings {
            command_line,
            files,
        }
    }

    /// The value of `key` (e.g. `color.ui`): the command line's last, else
    /// the config files'. A key given without a value (`-c color.ui`, or
    /// `[color] ui` with no `=`) reads as `true`, as git reads it.
    pub fn get(&self, key: &str) -> Option<String> {
        let given = self
            .command_line
            .iter()
            .rev()
            .find(|(k, _)| same_key(k, key))
            .map(|(_, v)| v.clone().unwrap_or_else(|| "true".to_owned()));
        given.or_else(|| {
            let config = self.files.as_ref()?;
            match config.get_string(key) {
                Ok(value) => Some(value),
                Err(_) => config.get_bool(key).ok().map(|b| b.to_string()),
            }
        })
    }
}

/// Section and variable names are case-insensitive; a subsection is not.
fn same_key(a: &str, b: &str) -> bool {
    match (a.split_once('.'), b.split_once('.')) {
        (Some((sa, ra)), Some((sb, rb))) => {
            let (ma, va) = ra.rsplit_once('.').unwrap_or(("", ra));
            let (mb, vb) = rb.rsplit_once('.').unwrap_or(("", rb));
            sa.eq_ignore_ascii_case(sb) && ma == mb && va.eq_ignore_ascii_case(vb)
        }
        _ => a.eq_ignore_ascii_case(b),
    }
}

/// `GIT_CONFIG_PARAMETERS` as git writes it: shell-quoted entries separated
/// by spaces, either `'key'='value'` (git 2.31 and later; `'key'` alone for
/// no value) or `'key=value'` (older). Anything malformed ends the parse.
pub fn parse_parameters(text: &str) -> Vec<(String, Option<String>)> {
    let mut entries = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let Some(first) = quoted(&mut chars) else {
            break;
        };
        if chars.peek() == Some(&'=') {
            chars.next();
            // `'key'=` with nothing after it: a key without a value.
            if chars.peek().is_none_or(|c| c.is_whitespace()) {
                entries.push((first, None));
                continue;
            }
            let Some(value) = quoted(&mut chars) else {
                break;
            };
            entries.push((first, Some(value)));
        } else {
            match first.split_once('=') {
                Some((key, value)) => entries.push((key.to_owned(), Some(value.to_owned()))),
                None => entries.push((first, None)),
            }
        }
    }
    entries
}

/// One shell single-quoted word as git's `sq_quote` writes it: a quote or
/// `!` inside is closed, backslashed and reopened (`'\''`, `'\!'`).
fn quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<String> {
    let mut word = String::new();
    if chars.next()? != '\'' {
        return None;
    }
    loop {
        match chars.next()? {
            '\'' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                    word.push(chars.next()?);
                    if chars.next()? != '\'' {
                        return None;
                    }
                } else {
                    return Some(word);
                }
            }
            c => word.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, value: Option<&str>) -> (String, Option<String>) {
        (key.to_owned(), value.map(str::to_owned))
    }

    #[test]
    fn parses_both_formats_of_git_config_parameters() {
        assert_eq!(
            parse_parameters(
                "'color.ui'='never' 'user.name'='it'\\''s me' 'core.bare'= 'alias.x'=''\\!'ls'"
            ),
            vec![
                entry("color.ui", Some("never")),
                entry("user.name", Some("it's me")),
                entry("core.bare", None),
                entry("alias.x", Some("!ls")),
            ]
        );
        assert_eq!(
            parse_parameters("'color.ui=always' 'a.b=c=d'"),
            vec![entry("color.ui", Some("always")), entry("a.b", Some("c=d"))]
        );
        assert_eq!(parse_parameters(""), vec![]);
        // Malformed: what came before stands.
        assert_eq!(
            parse_parameters("'a.b'='c' nonsense"),
            vec![entry("a.b", Some("c"))]
        );
        assert_eq!(parse_parameters("'unterminated"), vec![]);
    }

    #[test]
    fn the_last_command_line_entry_wins_and_a_bare_key_is_true() {
        let settings = Settings {
            command_line: vec![
                entry("color.ui", Some("always")),
                entry("Color.UI", Some("never")),
                entry("color.release", None),
            ],
            files: None,
        };
        assert_eq!(settings.get("color.ui").as_deref(), Some("never"));
        assert_eq!(settings.get("color.release").as_deref(), Some("true"));
        assert_eq!(settings.get("color.diff"), None);
    }

    #[test]
    fn keys_compare_as_git_compares_them() {
        assert!(same_key("Color.UI", "color.ui"));
        assert!(same_key("remote.Origin.URL", "remote.Origin.url"));
        assert!(!same_key("remote.Origin.url", "remote.origin.url"));
    }

    /// What git itself puts in the environment for `git -c`, parsed back.
    #[test]
    fn reads_what_git_passes_for_dash_c() {
        let shown = std::process::Command::new("git")
            .args(["-c", "color.ui=never", "-c", "x.y=it's", "-c", "z.w"])
            .args(["-c", "alias.params=!printf %s \"$GIT_CONFIG_PARAMETERS\""])
            .arg("params")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output();
        let Ok(shown) = shown else { return };
        let text = String::from_utf8_lossy(&shown.stdout).into_owned();
        let parsed = parse_parameters(&text);
        for expected in [
            entry(
                "alias.params",
                Some("!printf %s \"$GIT_CONFIG_PARAMETERS\""),
            ),
            entry("color.ui", Some("never")),
            entry("x.y", Some("it's")),
            entry("z.w", None),
        ] {
            assert!(parsed.contains(&expected), "{text}: {parsed:?}");
        }
    }
}
