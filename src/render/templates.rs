//! Handlebars rendering of the changelog, release notes and tag message:
//! built-in templates, per-repository overrides and partials, helpers, and
//! errors that name the template file and line.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output as HbOutput, RenderContext,
    RenderErrorReason, handlebars_helper,
};
use serde::Serialize;

/// The built-in templates, compiled into the binary.
pub mod builtin {
    /// One changelog section.
    pub const CHANGELOG: &str = include_str!("../../templates/changelog.md.hbs");
    /// Release notes.
    pub const NOTES: &str = include_str!("../../templates/release-notes.md.hbs");
    /// Release notes for people outside engineering, without markup.
    pub const NOTES_PLAIN: &str = include_str!("../../templates/release-notes-plain.hbs");
    /// Release notes as Slack mrkdwn.
    pub const NOTES_SLACK: &str = include_str!("../../templates/release-notes-slack.hbs");
    /// The annotated tag's message (the release record).
    pub const TAG_MESSAGE: &str = include_str!("../../templates/tag-message.hbs");
    /// Partial: one commit line.
    pub const COMMIT: &str = include_str!("../../templates/partials/commit.hbs");
    /// Partial: a commit's short id, linked when possible.
    pub const COMMIT_LINK: &str = include_str!("../../templates/partials/commit-link.hbs");
}

/// Which template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `changelog.md.hbs`.
    Changelog,
    /// `release-notes.md.hbs`.
    Notes,
    /// `tag-message.hbs`.
    TagMessage,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Changelog => "changelog.md.hbs",
            Kind::Notes => "release-notes.md.hbs",
            Kind::TagMessage => "tag-message.hbs",
        }
    }
}

/// Where templates come from: built in unless a file is given.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Changelog section template file.
    pub changelog: Option<PathBuf>,
    /// Release notes template file.
    pub notes: Option<PathBuf>,
    /// Tag message template file.
    pub tag_message: Option<PathBuf>,
    /// Partials, registered by file stem (see [`partial_files`]).
    pub partials: Vec<PathBuf>,
    /// A built-in notes template other than the default (`--style`).
    pub notes_builtin: Option<(&'static str, &'static str)>,
}

/// A template that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The file could not be read.
    #[error("cannot read template `{file}`: {source}")]
    Read {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A syntax error.
    #[error("template `{file}` has a syntax error at line {line}, column {column}: {message}")]
    Syntax {
        /// The template (file path, or the built-in name).
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A template that could recurse without end, nest too deep or
    /// expand too far (see [`template_limits`](crate::render::template_limits)).
    #[error("template `{file}` cannot be used: {message}")]
    Limit {
        /// The template or partial.
        file: String,
        /// What limit it breaks.
        message: String,
    },
    /// Rendering failed: a missing variable in strict mode, a helper error.
    #[error("template `{file}` failed{at}: {message}")]
    Render {
        /// The template.
        file: String,
        /// ` at line N, column M`, when known.
        at: String,
        /// What is wrong.
        message: String,
    },
}

impl TemplateError {
    /// How to fix it.
    pub fn hints(&self) -> Vec<String> {
        match self {
            TemplateError::Read { .. } => vec!["check the template path in `.release.toml` or `--template`".to_owned()],
            TemplateError::Syntax { .. } => vec!["Handlebars syntax: https://handlebarsjs.com/guide/".to_owned()],
            TemplateError::Limit { .. } => vec![
                format!(
                    "a partial may not include itself, directly or through others; blocks, partials and subexpressions may nest {} deep; partials are named as in `{{{{> commit}}}}` and inline partials as in `{{{{#*inline \"name\"}}}}`",
                    crate::render::template_limits::MAX_DEPTH
                ),
            ],
            TemplateError::Render { .. } => vec![
                "templates run in strict mode: every variable must exist; the fields are listed in docs/template-context.md".to_owned(),
                "`git release notes --format json` prints the context a template gets".to_owned(),
            ],
        }
    }
}

/// Compiled templates.
pub struct Templates {
    registry: Handlebars<'static>,
    files: [(Kind, String); 3],
}

handlebars_helper!(short: |id: str| id.chars().take(7).collect::<String>());
handlebars_helper!(upper_first: |s: str| {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
        None => String::new(),
    }
});
handlebars_helper!(first_line: |s: str| s.lines().next().unwrap_or("").to_owned());
handlebars_helper!(indent: |s: str, n: u64| {
    let pad = " ".repeat(usize::try_from(n.min(64)).unwrap_or(0));
    s.lines().enumerate().map(|(i, line)| {
        if i == 0 || line.is_empty() { line.to_owned() } else { format!("{pad}{line}") }
    }).collect::<Vec<_>>().join("\n")
});

/// `{{format_date timestamp "%Y-%m-%d"}}`: formats seconds since the epoch (UTC).
fn date_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn HbOutput,
) -> HelperResult {
    let seconds = h.param(0).and_then(|p| p.value().as_i64()).ok_or_else(|| {
        RenderErrorReason::ParamTypeMismatchForName(
            "format_date",
            "0".to_owned(),
            "a timestamp in seconds".to_owned(),
        )
    })?;
    let format = h
        .param(1)
        .and_then(|p| p.value().as_str())
        .unwrap_or("%Y-%m-%d");
    let time = jiff::Timestamp::from_second(seconds)
        .map_err(|e| RenderErrorReason::Other(format!("date: {e}")))?;
    let text = jiff::fmt::strtime::format(format, &time.to_zoned_datetime(jiff::tz::TimeZone::UTC))
        .map_err(|e| RenderErrorReason::Other(format!("date: bad format `{format}`: {e}")))?;
    out.write(&text)?;
    Ok(())
}

/// `{{join list ", "}}`, or `{{join list ", " key="name"}}` for a list of objects.
fn join_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn HbOutput,
) -> HelperResult {
    let list = h
        .param(0)
        .and_then(|p| p.value().as_array())
        .ok_or_else(|| {
            RenderErrorReason::ParamTypeMismatchForName("join", "0".to_owned(), "a list".to_owned())
        })?;
    let separator = h.param(1).and_then(|p| p.value().as_str()).unwrap_or(", ");
    let key = h.hash_get("key").and_then(|k| k.value().as_str());
    let items: Vec<String> = list
        .iter()
        .map(|item| {
            let item = match key {
                Some(key) => item.get(key).unwrap_or(&serde_json::Value::Null),
                None => item,
            };
            match item {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            }
        })
        .collect();
    out.write(&items.join(separator))?;
    Ok(())
}

fn load(path: &Path) -> Result<String, TemplateError> {
    std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
        file: path.display().to_string(),
        source,
    })
}

/// Refuses templates that could recurse without end, nest too deep for the
/// stack or expand too far, naming the file.
fn check_limits(
    registry: &Handlebars<'static>,
    shown: &HashMap<String, String>,
) -> Result<(), TemplateError> {
    use crate::render::template_limits::{self, MAX_DEPTH, MAX_EXPANDED, Problem};
    let templates = registry
        .get_templates()
        .iter()
        .map(|(n, t)| (n.as_str(), t));
    let Err((root, problem)) = template_limits::check(templates) else {
        return Ok(());
    };
    // The file of a template or partial; an inline partial's is its root's.
    let file = |name: &str| {
        shown
            .get(name)
            .or_else(|| shown.get(&root))
            .cloned()
            .unwrap_or_else(|| root.clone())
    };
    let at = |line: Option<usize>| line.map(|l| format!(" at line {l}")).unwrap_or_default();
    let (file, message) = match problem {
        Problem::Cycle(names) => (
            file(&root),
            format!(
                "partials include each other in a circle: {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(" → ")
            ),
        ),
        Problem::TooDeep { name, line } => (
            file(&name),
            format!(
                "blocks, partials and subexpressions nest more than {MAX_DEPTH} deep{}",
                at(line)
            ),
        ),
        Problem::Dynamic { name, line } => (
            file(&name),
            format!(
                "a partial's name is computed{}, so it cannot be checked",
                at(line)
            ),
        ),
        Problem::TooLarge { name } => (
            file(&name),
            format!("its partials expand to more than {MAX_EXPANDED} elements"),
        ),
    };
    Err(TemplateError::Limit { file, message })
}

/// The `*.hbs` files of a partials directory, in name order.
pub fn partial_files(dir: &Path) -> Result<Vec<PathBuf>, TemplateError> {
    let entries = std::fs::read_dir(dir).map_err(|source| TemplateError::Read {
        file: dir.display().to_string(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "hbs"))
        .collect();
    paths.sort();
    Ok(paths)
}

fn syntax(file: &str, e: &handlebars::TemplateError) -> TemplateError {
    let (line, column) = e.pos().unwrap_or((1, 1));
    TemplateError::Syntax {
        file: file.to_owned(),
        line,
        column,
        message: e.reason().to_string(),
    }
}

/// A built-in template with the built-in partials it includes written out
/// in place, unless a partials directory replaces them. Handlebars copies
/// the whole context of every partial it includes (each commit of a
/// changelog, twice over for a full history), so writing them out renders
/// the same text with a third less work. `{{> commit}}` stands on a line of
/// its own and the partial ends its line; `{{> commit-link commit}}` changes
/// the context to the commit, as `{{#with commit}}` does without a copy.
fn expand_builtin_partials(template: &str, overridden: &[String]) -> String {
    let is_builtin = |name: &str| !overridden.iter().any(|o| o == name);
    let mut text = template.to_owned();
    if is_builtin("commit") {
        let line = builtin::COMMIT.trim_end_matches('\n').to_owned() + "\n";
        text = text.replace("{{> commit}}\n", &line);
    }
    if is_builtin("commit-link") {
        let link = format!(
            "{{{{#with commit}}}}{}{{{{/with}}}}",
            builtin::COMMIT_LINK.trim_end()
        );
        text = text.replace("{{> commit-link commit}}", &link);
    }
    text
}

impl Templates {
    /// Compiles the templates: built in, or from the given files.
    pub fn new(sources: &Sources) -> Result<Templates, TemplateError> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(handlebars::no_escape);
        registry.register_helper("short", Box::new(short));
        registry.register_helper("upper_first", Box::new(upper_first));
        registry.register_helper("first_line", Box::new(first_line));
        registry.register_helper("indent", Box::new(indent));
        registry.register_helper("format_date", Box::new(date_helper));
        registry.register_helper("join", Box::new(join_helper));

        registry
            .register_partial(
                "commit",
                builtin::COMMIT.trim_end_matches('\n').to_owned() + "\n",
            )
            .map_err(|e| syntax("templates/partials/commit.hbs (built in)", &e))?;
        // commit-link is used inline: no trailing newline.
        registry
            .register_partial("commit-link", builtin::COMMIT_LINK.trim_end())
            .map_err(|e| syntax("templates/partials/commit-link.hbs (built in)", &e))?;
        let mut shown: HashMap<String, String> = [
            ("commit", "templates/partials/commit.hbs (built in)"),
            (
                "commit-link",
                "templates/partials/commit-link.hbs (built in)",
            ),
        ]
        .into_iter()
        .map(|(n, f)| (n.to_owned(), f.to_owned()))
        .collect();
        let mut overridden = Vec::new();
        for path in &sources.partials {
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else {
                continue;
            };
            let text = load(path)?;
            let text = if stem == "commit-link" {
                text.trim_end().to_owned()
            } else {
                text
            };
            registry
                .register_partial(&stem, text)
                .map_err(|e| syntax(&path.display().to_string(), &e))?;
            shown.insert(stem.clone(), path.display().to_string());
            overridden.push(stem);
        }

        let mut files = [
            (Kind::Changelog, String::new()),
            (Kind::Notes, String::new()),
            (Kind::TagMessage, String::new()),
        ];
        for (kind, file) in &mut files {
            let (path, builtin) = match kind {
                Kind::Changelog => (&sources.changelog, builtin::CHANGELOG),
                Kind::Notes => (
                    &sources.notes,
                    sources.notes_builtin.map_or(builtin::NOTES, |(_, t)| t),
                ),
                Kind::TagMessage => (&sources.tag_message, builtin::TAG_MESSAGE),
            };
            let (name, text) = match path {
                Some(path) => (path.display().to_string(), load(path)?),
                None => (
                    format!("templates/{} (built in)", kind.name()),
                    expand_builtin_partials(builtin, &overridden),
                ),
            };
            registry
                .register_template_string(kind.name(), text)
                .map_err(|e| syntax(&name, &e))?;
            shown.insert(kind.name().to_owned(), name.clone());
            *file = name;
        }
        check_limits(&registry, &shown)?;
        Ok(Templates { registry, files })
    }

    /// Renders a template with a context.
    pub fn render<T: Serialize>(&self, kind: Kind, context: &T) -> Result<String, TemplateError> {
        let file = self
            .files
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or_else(|| kind.name().to_owned(), |(_, f)| f.clone());
        self.registry.render(kind.name(), context).map_err(|e| {
            let at = match (e.line_no, e.column_no) {
                (Some(line), Some(column)) => format!(" at line {line}, column {column}"),
                (Some(line), None) => format!(" at line {line}"),
                _ => String::new(),
            };
            let in_partial = e
                .template_name
                .as_deref()
                .filter(|n| *n != kind.name())
                .map(|n| format!(" (in partial `{n}`)"))
                .unwrap_or_default();
            let message = match e.reason() {
                RenderErrorReason::MissingVariable(Some(name)) => {
                    format!("unknown variable `{name}`")
                }
                reason => reason.to_string(),
            };
            TemplateError::Render {
                file,
                at: format!("{at}{in_partial}"),
                message,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with(text: &str) -> Result<Templates, TemplateError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.hbs");
        std::fs::write(&path, text).unwrap();
        let templates = Templates::new(&Sources {
            notes: Some(path),
            ..Sources::default()
        });
        drop(dir);
        templates
    }

    #[test]
    fn helpers() {
        let t = with("{{short id}} {{upper_first d}} {{format_date ts}} {{format_date ts \"%d.%m.%Y\"}} {{join xs \"+\"}} {{join ps \", \" key=\"name\"}} {{#if (eq a \"x\")}}eq{{/if}} {{indent b 2}}").unwrap();
        let out = t
            .render(
                Kind::Notes,
                &json!({"id": "0123456789", "d": "ärger", "ts": 1_700_000_000, "xs": ["a", "b"],
                        "ps": [{"name": "Ada"}, {"name": "Bea"}], "a": "x", "b": "l1\nl2"}),
            )
            .unwrap();
        assert_eq!(
            out,
            "0123456 Ärger 2023-11-14 14.11.2023 a+b Ada, Bea eq l1\n  l2"
        );
    }

    #[test]
    fn strict_and_unescaped() {
        let t = with("{{a}} <{{b}}>").unwrap();
        assert_eq!(
            t.render(Kind::Notes, &json!({"a": "<&>", "b": 1})).unwrap(),
            "<&> <1>"
        );
        let err = t
            .render(Kind::Notes, &json!({"a": 1}))
            .unwrap_err()
            .to_string();
        assert!(err.contains("t.hbs") && err.contains("line 1"), "{err}");
    }

    fn release_json(url: bool) -> serde_json::Value {
        let link = |s: &str| url.then(|| format!("https://h/{s}"));
        let commit = |id: &str, scope: Option<&str>| {
            json!({"short_id": id, "url": link(id), "scope": scope, "description": format!("did {id}"),
                   "description_md": format!("did {id}"),
                   "references": [{"id": "#1", "action": "closes", "url": link("1")},
                                  {"id": "#2", "action": null, "url": null}]})
        };
        json!({"version": "1.2.0", "date": "2024-01-02", "links": {"compare": link("c")},
               "breaking_changes": [{"scope": "api", "description": "gone\nfor good", "commit": commit("abc1234", Some("api"))}],
               "sections": [{"title": "Features", "commits": [commit("abc1234", Some("api")), commit("def5678", None)]}],
               "notes": ["n"], "contributors": [{"name": "Ada"}]})
    }

    #[test]
    fn builtin_partials_written_out_render_like_partials() {
        let builtin = Templates::new(&Sources::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for (kind, text) in [
            (Kind::Changelog, builtin::CHANGELOG),
            (Kind::Notes, builtin::NOTES),
        ] {
            let path = dir.path().join(kind.name());
            std::fs::write(&path, text).unwrap();
            let sources = match kind {
                Kind::Changelog => Sources {
                    changelog: Some(path),
                    ..Sources::default()
                },
                _ => Sources {
                    notes: Some(path),
                    ..Sources::default()
                },
            };
            let included = Templates::new(&sources).unwrap();
            for url in [true, false] {
                let context = release_json(url);
                let expected = included.render(kind, &context).unwrap();
                assert!(expected.contains("did def5678"), "{expected}");
                assert_eq!(builtin.render(kind, &context).unwrap(), expected);
            }
        }
        // A partials directory still replaces the built-in ones.
        std::fs::write(dir.path().join("commit.hbs"), "* {{description}}!\n").unwrap();
        std::fs::write(dir.path().join("commit-link.hbs"), "<{{short_id}}>").unwrap();
        let replaced = Templates::new(&Sources {
            partials: partial_files(dir.path()).unwrap(),
            ..Sources::default()
        })
        .unwrap();
        let out = replaced
            .render(Kind::Changelog, &release_json(true))
            .unwrap();
        assert!(
            out.contains("* did def5678!\n") && out.contains("(<abc1234>)"),
            "{out}"
        );
    }

    #[test]
    fn syntax_errors_name_file_and_line() {
        let err = with("ok\n{{#if x}}\nno close\n").err().unwrap().to_string();
        assert!(
            err.contains("t.hbs") && err.contains("syntax error"),
            "{err}"
        );
    }
}
