//! The risk summary of the next release, in plain language: breaking
//! changes, the size of the change, how many people wrote it, files touched
//! under the configured sensitive paths, and the time since the last
//! release. Pure: numbers in, sentences out.

use globset::{Glob, GlobSet, GlobSetBuilder};

/// How risky a release looks, from its facts alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Nothing stands out.
    Low,
    /// Worth a closer look.
    Medium,
    /// Needs care: breaking changes, sensitive files or a large change.
    High,
}

impl Level {
    /// As shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}

/// The facts the summary is made from.
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    /// Breaking changes' descriptions (first lines).
    pub breaking: Vec<String>,
    /// Commits in the release.
    pub commits: usize,
    /// Distinct authors.
    pub authors: usize,
    /// Changed files.
    pub files: &'a [String],
    /// Lines added.
    pub insertions: usize,
    /// Lines removed.
    pub deletions: usize,
    /// Days since the last release, and its tag; `None` before the first.
    pub since_last: Option<(i64, String)>,
}

/// The summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Risk {
    /// The overall level.
    pub level: Level,
    /// One plain sentence per fact, most important first.
    pub points: Vec<String>,
    /// Changed files under sensitive paths, each with the pattern it matched.
    pub sensitive: Vec<(String, String)>,
}

/// Sensitive path patterns, compiled.
#[derive(Debug, Clone)]
pub struct Sensitive {
    patterns: Vec<String>,
    set: GlobSet,
}

impl Sensitive {
    /// Compiles the patterns (`[site] sensitive-paths`).
    pub fn new(patterns: &[String]) -> Result<Sensitive, String> {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            builder.add(
                Glob::new(pattern)
                    .map_err(|e| format!("`site.sensitive-paths`: `{pattern}`: {e}"))?,
            );
        }
        Ok(Sensitive {
            patterns: patterns.to_vec(),
            set: builder
                .build()
                .map_err(|e| format!("`site.sensitive-paths`: {e}"))?,
        })
    }

    /// The files that match, each with the first pattern it matched.
    pub fn matches(&self, files: &[String]) -> Vec<(String, String)> {
        files
            .iter()
            .filter_map(|file| {
                let hit = self.set.matches(file).into_iter().min()?;
                Some((file.clone(), self.patterns[hit].clone()))
            })
            .collect()
    }
}

/// How big a change is, by files and lines.
fn size(files: usize, lines: usize) -> (&'static str, Level) {
    if files <= 10 && lines <= 200 {
        ("small", Level::Low)
    } else if files <= 50 && lines <= 1000 {
        ("medium-sized", Level::Medium)
    } else {
        ("large", Level::High)
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Summarises the facts.
pub fn assess(facts: &Facts<'_>, sensitive: &Sensitive) -> Risk {
    let mut level = Level::Low;
    let mut points = Vec::new();
    if facts.breaking.is_empty() {
        points.push("No breaking changes.".to_owned());
    } else {
        level = Level::High;
        points.push(format!(
            "{} — users may have to change something: {}.",
            plural(facts.breaking.len(), "breaking change", "breaking changes"),
            facts.breaking.join("; ")
        ));
    }
    let touched = sensitive.matches(facts.files);
    if !touched.is_empty() {
        level = Level::High;
        let shown: Vec<&str> = touched.iter().take(5).map(|(f, _)| f.as_str()).collect();
        let more = touched.len().saturating_sub(shown.len());
        points.push(format!(
            "Touches {} under sensitive paths: {}{}.",
            plural(touched.len(), "file", "files"),
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    let lines = facts.insertions + facts.deletions;
    let (word, size_level) = size(facts.files.len(), lines);
    level = level.max(size_level);
    points.push(format!(
        "A {word} change: {} changing {} (+{} −{} lines).",
        plural(facts.commits, "commit", "commits"),
        plural(facts.files.len(), "file", "files"),
        facts.insertions,
        facts.deletions
    ));
    points.push(match facts.authors {
        0 => "No authors (nothing to release).".to_owned(),
        1 => "Written by 1 person.".to_owned(),
        n => format!("Written by {n} people."),
    });
    match &facts.since_last {
        Some((days, tag)) => {
            if *days > 30 {
                level = level.max(Level::Medium);
            }
            points.push(match days {
                0 => format!("The last release, {tag}, was today."),
                1 => format!("1 day since the last release, {tag}."),
                d => format!("{d} days since the last release, {tag}."),
            });
        }
        None => points.push("The first release.".to_owned()),
    }
    Risk {
        level,
        points,
        sensitive: touched,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("src/f{i}.rs")).collect()
    }

    #[test]
    fn levels() {
        let none = Sensitive::new(&[]).unwrap();
        // (breaking, files, lines, days, sensitive pattern, expected)
        let rows: [(usize, usize, usize, i64, &str, Level); 6] = [
            (0, 3, 40, 2, "", Level::Low),
            (1, 3, 40, 2, "", Level::High),
            (0, 20, 300, 2, "", Level::Medium),
            (0, 80, 300, 2, "", Level::High),
            (0, 3, 40, 45, "", Level::Medium),
            (0, 3, 40, 2, "src/f1.rs", Level::High),
        ];
        for (breaking, n, lines, days, pattern, expected) in rows {
            let files = files(n);
            let sensitive = if pattern.is_empty() {
                none.clone()
            } else {
                Sensitive::new(&[pattern.to_owned()]).unwrap()
            };
            let risk = assess(
                &Facts {
                    breaking: vec!["x".to_owned(); breaking],
                    commits: 2,
                    authors: 2,
                    files: &files,
                    insertions: lines,
                    deletions: 0,
                    since_last: Some((days, "v1.0.0".to_owned())),
                },
                &sensitive,
            );
            assert_eq!(risk.level, expected, "{risk:?}");
        }
    }

    #[test]
    fn sentences() {
        let sensitive = Sensitive::new(&["migrations/**".to_owned()]).unwrap();
        let files = vec!["migrations/001.sql".to_owned(), "src/a.rs".to_owned()];
        let risk = assess(
            &Facts {
                breaking: vec!["the flag is gone".to_owned()],
                commits: 1,
                authors: 1,
                files: &files,
                insertions: 3,
                deletions: 1,
                since_last: None,
            },
            &sensitive,
        );
        assert_eq!(
            risk.sensitive,
            [("migrations/001.sql".to_owned(), "migrations/**".to_owned())]
        );
        assert_eq!(
            risk.points,
            [
                "1 breaking change — users may have to change something: the flag is gone.",
                "Touches 1 file under sensitive paths: migrations/001.sql.",
                "A small change: 1 commit changing 2 files (+3 −1 lines).",
                "Written by 1 person.",
                "The first release.",
            ]
        );
        assert!(Sensitive::new(&["a/[".to_owned()]).is_err());
    }
}
