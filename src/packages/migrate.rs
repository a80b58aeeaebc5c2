//! Reading another release tool's configuration into a `.release.toml`
//! proposal: cocogitto's `cog.toml`, git-cliff's `cliff.toml`,
//! release-please's `release-please-config.json` (with its manifest) and
//! semantic-release's `.releaserc.json`. Tag formats, commit types and
//! changelog sections, packages and the 0.x policy are mapped; everything
//! else is listed as not mapped, with what to do instead. Pure: text in,
//! text out.

use std::fmt::Write as _;

use indexmap::IndexMap;

/// Which tool a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// cocogitto (`cog.toml`).
    Cocogitto,
    /// git-cliff (`cliff.toml`).
    GitCliff,
    /// release-please (`release-please-config.json`).
    ReleasePlease,
    /// semantic-release (`.releaserc`, `.releaserc.json`).
    SemanticRelease,
}

impl Tool {
    /// The tool a configuration file's name says.
    pub fn of(file_name: &str) -> Option<Tool> {
        match file_name {
            "cog.toml" => Some(Tool::Cocogitto),
            "cliff.toml" => Some(Tool::GitCliff),
            "release-please-config.json" => Some(Tool::ReleasePlease),
            ".releaserc" | ".releaserc.json" => Some(Tool::SemanticRelease),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Tool::Cocogitto => "cocogitto",
            Tool::GitCliff => "git-cliff",
            Tool::ReleasePlease => "release-please",
            Tool::SemanticRelease => "semantic-release",
        }
    }
}

/// A proposal: the configuration, and what could not be mapped.
#[derive(Debug, Default)]
pub struct Proposal {
    /// The top-level tag template, if mapped.
    tag: Option<String>,
    branches: Vec<String>,
    types: IndexMap<String, (Option<String>, Option<String>, bool)>,
    exclude: Vec<String>,
    changelog_path: Option<String>,
    header: Option<String>,
    zero_patch_for_minor: bool,
    packages: Vec<PackageProposal>,
    /// Lines of comment: versions, notes.
    notes: Vec<String>,
    /// What could not be mapped, with what to do.
    pub unmapped: Vec<String>,
}

#[derive(Debug, Default)]
struct PackageProposal {
    name: String,
    path: String,
    tag: Option<String>,
    version_files: Vec<String>,
    changelog: Option<String>,
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("`{file}` is not valid {format}: {message}")]
pub struct MigrateError {
    file: String,
    format: &'static str,
    message: String,
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

impl Proposal {
    /// The proposal as `.release.toml` text.
    pub fn to_toml(&self, tool: Tool, file: &str) -> String {
        let mut s = format!(
            "# Mapped from {}'s `{file}` by `git release init --from`.\n",
            tool.name()
        );
        for note in &self.notes {
            let _ = writeln!(s, "# {note}");
        }
        for item in &self.unmapped {
            let _ = writeln!(s, "# not mapped: {item}");
        }
        s.push('\n');
        if let Some(tag) = &self.tag {
            let _ = writeln!(s, "tag = {}", toml_str(tag));
        }
        if !self.branches.is_empty() {
            let list: Vec<String> = self.branches.iter().map(|b| toml_str(b)).collect();
            let _ = writeln!(s, "branches = [{}]", list.join(", "));
        }
        if self.zero_patch_for_minor {
            s.push_str("\n[commits.initial-development]\nmajor = \"minor\"\nminor = \"patch\"\npatch = \"patch\"\n");
        }
        if !self.types.is_empty() {
            s.push_str("\n[commits.types]\n");
            for (kind, (bump, section, hidden)) in &self.types {
                let mut fields = Vec::new();
                if let Some(bump) = bump {
                    fields.push(format!("bump = {}", toml_str(bump)));
                }
                if let Some(section) = section {
                    fields.push(format!("section = {}", toml_str(section)));
                }
                if *hidden {
                    fields.push("hidden = true".to_owned());
                }
                let _ = writeln!(s, "{} = {{ {} }}", toml_str(kind), fields.join(", "));
            }
        }
        if self.changelog_path.is_some() || self.header.is_some() || !self.exclude.is_empty() {
            s.push_str("\n[changelog]\n");
            if let Some(path) = &self.changelog_path {
                let _ = writeln!(s, "path = {}", toml_str(path));
            }
            if let Some(header) = &self.header {
                let _ = writeln!(s, "header = {}", toml_str(header));
            }
            if !self.exclude.is_empty() {
                let list: Vec<String> = self.exclude.iter().map(|e| toml_str(e)).collect();
                let _ = writeln!(s, "exclude = [{}]", list.join(", "));
            }
        }
        for package in &self.packages {
            s.push_str("\n[[package]]\n");
            let _ = writeln!(s, "name = {}", toml_str(&package.name));
            let _ = writeln!(s, "path = {}", toml_str(&package.path));
            if let Some(tag) = &package.tag {
                let _ = writeln!(s, "tag = {}", toml_str(tag));
            }
            if !package.version_files.is_empty() {
                let list: Vec<String> = package.version_files.iter().map(|f| toml_str(f)).collect();
                let _ = writeln!(s, "version-files = [{}]", list.join(", "));
            }
            if let Some(changelog) = &package.changelog {
                let _ = writeln!(s, "changelog = {}", toml_str(changelog));
            }
        }
        s
    }
}

/// Reads `text`, the file `file` of `tool` (with release-please's manifest,
/// if given), into a proposal.
pub fn migrate(
    tool: Tool,
    file: &str,
    text: &str,
    manifest: Option<&str>,
) -> Result<Proposal, MigrateError> {
    let text = text.trim_start_matches('\u{feff}');
    match tool {
        Tool::Cocogitto => cocogitto(file, text),
        Tool::GitCliff => git_cliff(file, text),
        Tool::ReleasePlease => release_please(file, text, manifest),
        Tool::SemanticRelease => semantic_release(file, text),
    }
}

fn parse_toml(file: &str, text: &str) -> Result<toml::Table, MigrateError> {
    toml::from_str(text).map_err(|e| MigrateError {
        file: file.to_owned(),
        format: "TOML",
        message: e.message().trim().to_owned(),
    })
}

fn parse_json(file: &str, text: &str) -> Result<serde_json::Value, MigrateError> {
    serde_json::from_str(text).map_err(|e| MigrateError {
        file: file.to_owned(),
        format: "JSON",
        message: e.to_string(),
    })
}

fn str_of<'a>(table: &'a toml::Table, key: &str) -> Option<&'a str> {
    table.get(key).and_then(toml::Value::as_str)
}

fn cocogitto(file: &str, text: &str) -> Result<Proposal, MigrateError> {
    let table = parse_toml(file, text)?;
    let mut p = Proposal::default();
    let prefix = str_of(&table, "tag_prefix").unwrap_or("");
    p.tag = Some(format!("{prefix}{{version}}"));
    if let Some(branches) = table
        .get("branch_whitelist")
        .and_then(toml::Value::as_array)
    {
        p.branches = branches
            .iter()
            .filter_map(|b| b.as_str().map(str::to_owned))
            .collect();
    }
    if let Some(types) = table.get("commit_types").and_then(toml::Value::as_table) {
        for (kind, rule) in types {
            let Some(rule) = rule.as_table() else {
                continue;
            };
            if rule.is_empty() {
                p.unmapped.push(format!(
                    "commit type `{kind}` disabled with `{{}}`: leave it out of `[commits.types]`"
                ));
                continue;
            }
            let flag = |key: &str| {
                rule.get(key)
                    .and_then(toml::Value::as_bool)
                    .unwrap_or(false)
            };
            let bump = if flag("bump_minor") {
                Some("minor".to_owned())
            } else if flag("bump_patch") {
                Some("patch".to_owned())
            } else {
                None
            };
            let section = str_of(rule, "changelog_title").map(str::to_owned);
            p.types
                .insert(kind.clone(), (bump, section, flag("omit_from_changelog")));
        }
    }
    if let Some(changelog) = table.get("changelog").and_then(toml::Value::as_table) {
        p.changelog_path = str_of(changelog, "path").map(str::to_owned);
        if changelog.contains_key("template") || changelog.contains_key("remote") {
            p.unmapped.push("`[changelog] template`/`remote`: git-release renders Handlebars templates (`[changelog] template`) and finds links from the `origin` remote or `[changelog] remote`".to_owned());
        }
    }
    let separator = str_of(&table, "monorepo_version_separator").unwrap_or("-");
    if let Some(packages) = table.get("packages").and_then(toml::Value::as_table) {
        for (name, package) in packages {
            let Some(package) = package.as_table() else {
                continue;
            };
            let path = str_of(package, "path").unwrap_or(name).to_owned();
            p.packages.push(PackageProposal {
                name: name.clone(),
                path,
                tag: Some(format!("{{name}}{separator}{prefix}{{version}}")),
                version_files: Vec::new(),
                changelog: str_of(package, "changelog_path").map(str::to_owned),
            });
            if package.contains_key("pre_bump_hooks") || package.contains_key("post_bump_hooks") {
                p.unmapped.push(format!("package `{name}` bump hooks: list the files they edit in its `version-files`, and run the rest in CI around `git release tag`"));
            }
        }
    }
    for hooks in [
        "pre_bump_hooks",
        "post_bump_hooks",
        "pre_package_bump_hooks",
        "post_package_bump_hooks",
    ] {
        if table.contains_key(hooks) {
            p.unmapped.push(format!("`{hooks}`: list the files they edit in `version-files` (`tag` writes them in the release commit), and run the rest in CI around `git release tag`"));
        }
    }
    if table.contains_key("bump_profiles") {
        p.unmapped
            .push("`bump_profiles`: no equivalent; run those steps in CI".to_owned());
    }
    Ok(p)
}

/// A `^type` (optionally `^type(`/`^type:` and friends) commit parser
/// pattern: the type it matches.
fn type_of_pattern(pattern: &str) -> Option<String> {
    let rest = pattern.strip_prefix('^')?;
    let kind: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let after = &rest[kind.len()..];
    let clean = after.is_empty()
        || after.starts_with('(')
        || after.starts_with(':')
        || after.starts_with("\\(")
        || after.starts_with('!')
        || after.starts_with('.')
        || after.starts_with('[');
    (!kind.is_empty() && clean).then(|| kind.to_ascii_lowercase())
}

/// A group title without git-cliff's ordering comments (`<!-- 0 -->`).
fn group_title(group: &str) -> String {
    let mut title = group.trim();
    while let Some(rest) = title.strip_prefix("<!--") {
        match rest.find("-->") {
            Some(end) => title = rest[end + 3..].trim_start(),
            None => break,
        }
    }
    title.to_owned()
}

fn git_cliff(file: &str, text: &str) -> Result<Proposal, MigrateError> {
    let table = parse_toml(file, text)?;
    let mut p = Proposal::default();
    let empty = toml::Table::new();
    let git = table
        .get("git")
        .and_then(toml::Value::as_table)
        .unwrap_or(&empty);
    match str_of(git, "tag_pattern") {
        Some(pattern) => {
            let core = pattern.trim_start_matches('^');
            if core.starts_with("v[0-9]") || core.starts_with("v\\d") || core == "v.*" {
                p.tag = Some("v{version}".to_owned());
            } else if core.starts_with("[0-9]") || core.starts_with("\\d") {
                p.tag = Some("{version}".to_owned());
            } else {
                p.unmapped.push(format!("`tag_pattern = \"{pattern}\"`: write the matching template by hand, e.g. `tag = \"v{{version}}\"` (`git release plan` names the template your tags follow)"));
            }
        }
        None => p.notes.push("git-cliff reads every tag by default; `plan` will say if your tags follow another template than `v{version}`".to_owned()),
    }
    if git
        .get("conventional_commits")
        .and_then(toml::Value::as_bool)
        == Some(false)
    {
        p.unmapped.push("`conventional_commits = false`: git-release reads Conventional Commits; others are listed in a warning and bump nothing".to_owned());
    }
    if let Some(parsers) = git.get("commit_parsers").and_then(toml::Value::as_array) {
        for parser in parsers.iter().filter_map(toml::Value::as_table) {
            let Some(message) = str_of(parser, "message") else {
                p.unmapped.push("a commit parser without `message` (body, footer or field parsers): no equivalent".to_owned());
                continue;
            };
            if parser.get("skip").and_then(toml::Value::as_bool) == Some(true) {
                p.exclude.push(message.to_owned());
                continue;
            }
            match (type_of_pattern(message), str_of(parser, "group")) {
                (Some(kind), Some(group)) => {
                    let bump = match kind.as_str() {
                        "feat" => Some("minor".to_owned()),
                        "fix" | "perf" => Some("patch".to_owned()),
                        _ => None,
                    };
                    p.types
                        .entry(kind)
                        .or_insert((bump, Some(group_title(group)), false));
                }
                _ => p.unmapped.push(format!(
                    "commit parser `{message}`: only `^type` patterns map to `[commits.types]`"
                )),
            }
        }
    }
    if let Some(changelog) = table.get("changelog").and_then(toml::Value::as_table) {
        if let Some(header) = str_of(changelog, "header") {
            if header.contains("{{") || header.contains("{%") {
                p.unmapped.push("`[changelog] header` uses Tera: write it as plain text in `[changelog] header`".to_owned());
            } else {
                p.header = Some(header.trim_end().to_owned() + "\n");
            }
        }
        for key in ["body", "footer", "postprocessors"] {
            if changelog.contains_key(key) {
                p.unmapped.push(format!("`[changelog] {key}` (Tera): git-release renders Handlebars; start from `git release changelog -o -` and set `[changelog] template`"));
            }
        }
    }
    Ok(p)
}

fn json_str<'a>(value: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(serde_json::Value::as_str)
}

fn release_please(
    file: &str,
    text: &str,
    manifest: Option<&str>,
) -> Result<Proposal, MigrateError> {
    let config = parse_json(file, text)?;
    let versions = match manifest {
        Some(text) => Some(parse_json(
            ".release-please-manifest.json",
            text.trim_start_matches('\u{feff}'),
        )?),
        None => None,
    };
    let mut p = Proposal::default();
    let flag =
        |value: &serde_json::Value, key: &str| value.get(key).and_then(serde_json::Value::as_bool);
    if flag(&config, "bump-patch-for-minor-pre-major") == Some(true) {
        p.zero_patch_for_minor = true;
    }
    let Some(packages) = config
        .get("packages")
        .and_then(serde_json::Value::as_object)
    else {
        p.unmapped.push("no `packages`: nothing to map".to_owned());
        return Ok(p);
    };
    let setting = |package: &serde_json::Value, key: &str| {
        package.get(key).or_else(|| config.get(key)).cloned()
    };
    for (path, package) in packages {
        let release_type = setting(package, "release-type")
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "simple".to_owned());
        let dir = if path == "." {
            String::new()
        } else {
            format!("{path}/")
        };
        let version_file = match release_type.as_str() {
            "rust" => Some(format!("{dir}Cargo.toml")),
            "node" => Some(format!("{dir}package.json")),
            "python" => Some(format!("{dir}pyproject.toml")),
            _ => None,
        };
        if version_file.is_none() {
            p.unmapped.push(format!("`{path}`: release type `{release_type}` keeps its version in files of its own; list them in `version-files` (with a `pattern` for plain text files)"));
        }
        let v = setting(package, "include-v-in-tag")
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        let v = if v { "v" } else { "" };
        let component = setting(package, "component")
            .or_else(|| setting(package, "package-name"))
            .and_then(|c| c.as_str().map(str::to_owned));
        let with_component = setting(package, "include-component-in-tag")
            .and_then(|c| c.as_bool())
            .unwrap_or(path != ".");
        let separator = setting(package, "tag-separator")
            .and_then(|s| s.as_str().map(str::to_owned))
            .unwrap_or_else(|| "-".to_owned());
        if let Some(version) = versions.as_ref().and_then(|m| json_str(m, path)) {
            p.notes.push(format!(
                "`{path}` is at {version} (.release-please-manifest.json)"
            ));
        }
        if path == "." {
            p.tag = Some(match (&component, with_component) {
                (Some(c), true) => format!("{c}{separator}{v}{{version}}"),
                _ => format!("{v}{{version}}"),
            });
            p.changelog_path =
                setting(package, "changelog-path").and_then(|c| c.as_str().map(str::to_owned));
            continue;
        }
        let name = component
            .clone()
            .unwrap_or_else(|| path.rsplit('/').next().unwrap_or(path).to_owned());
        p.packages.push(PackageProposal {
            tag: Some(if with_component {
                format!("{{name}}{separator}{v}{{version}}")
            } else {
                format!("{v}{{version}}")
            }),
            name,
            path: path.clone(),
            version_files: version_file.into_iter().collect(),
            changelog: setting(package, "changelog-path")
                .and_then(|c| c.as_str().map(|c| format!("{dir}{c}"))),
        });
    }
    for key in ["plugins", "extra-files", "changelog-sections"] {
        if config.get(key).is_some() || packages.values().any(|p| p.get(key).is_some()) {
            p.unmapped.push(format!("`{key}`: map it by hand (`version-files` for extra files, `[commits.types]` sections for changelog sections)"));
        }
    }
    Ok(p)
}

fn semantic_release(file: &str, text: &str) -> Result<Proposal, MigrateError> {
    let config = match parse_json(file, text) {
        Ok(config) => config,
        Err(e) => {
            return Err(MigrateError {
                message: format!(
                    "{} (only the JSON form is read; convert YAML or JavaScript configuration to `.releaserc.json`)",
                    e.message
                ),
                ..e
            });
        }
    };
    let mut p = Proposal::default();
    match json_str(&config, "tagFormat") {
        Some(format) if format.contains("${version}") => {
            p.tag = Some(format.replace("${version}", "{version}"));
        }
        Some(format) => p.unmapped.push(format!(
            "`tagFormat = \"{format}\"`: write the template by hand"
        )),
        None => p.tag = Some("v{version}".to_owned()),
    }
    if let Some(branches) = config.get("branches").and_then(serde_json::Value::as_array) {
        for branch in branches {
            match branch {
                serde_json::Value::String(name) => p.branches.push(name.clone()),
                serde_json::Value::Object(object) => {
                    let name = object.get("name").and_then(|n| n.as_str()).unwrap_or("?");
                    if object.get("prerelease").is_some() {
                        p.unmapped.push(format!("pre-release branch `{name}`: release from it with `git release tag --pre LABEL`"));
                    } else {
                        p.branches.push(name.to_owned());
                    }
                }
                _ => {}
            }
        }
    }
    for plugin in config
        .get("plugins")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
    {
        let (name, options) = match plugin {
            serde_json::Value::String(name) => (name.as_str(), None),
            serde_json::Value::Array(pair) => (
                pair.first().and_then(|n| n.as_str()).unwrap_or(""),
                pair.get(1),
            ),
            _ => continue,
        };
        match name {
            "@semantic-release/commit-analyzer" => {
                for rule in options.and_then(|o| o.get("releaseRules")).and_then(|r| r.as_array()).into_iter().flatten() {
                    match (json_str(rule, "type"), json_str(rule, "release"), rule.as_object().map(|o| o.len())) {
                        (Some(kind), Some(release), Some(2)) => {
                            let bump = if release == "false" { "none" } else { release };
                            p.types.insert(kind.to_owned(), (Some(bump.to_owned()), None, false));
                        }
                        _ => p.unmapped.push(format!("release rule `{rule}`: only `{{type, release}}` rules map to `[commits.types]`")),
                    }
                }
            }
            "@semantic-release/release-notes-generator" | "@semantic-release/git" => {}
            "@semantic-release/changelog" => {
                p.changelog_path = options.and_then(|o| json_str(o, "changelogFile")).map(str::to_owned);
            }
            "@semantic-release/npm" => p.notes.push("publish to npm in CI after `git release verify`; `version-files = [\"package.json\"]` keeps the manifest in step".to_owned()),
            other => p.unmapped.push(format!("plugin `{other}`: run its step in CI after `git release verify`")),
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn proposal(tool: Tool, file: &str, text: &str, manifest: Option<&str>) -> (String, Config) {
        let toml = migrate(tool, file, text, manifest)
            .unwrap()
            .to_toml(tool, file);
        let config = Config::parse(&toml, "proposal").unwrap_or_else(|e| panic!("{e}\n{toml}"));
        (toml, config)
    }

    #[test]
    fn cocogitto_prefix_types_packages_and_hooks() {
        let (toml, config) = proposal(
            Tool::Cocogitto,
            "cog.toml",
            "tag_prefix = \"\"\npre_bump_hooks = [\"cargo set-version {{version}}\"]\nbranch_whitelist = [\"main\"]\n\n[commit_types]\nhotfix = { changelog_title = \"Hotfixes\", bump_patch = true }\nchore = { changelog_title = \"\", omit_from_changelog = true }\n\n[packages.cog]\npath = \"cog\"\n",
            None,
        );
        assert_eq!(config.tag, "{version}");
        assert_eq!(config.branches, ["main"]);
        assert_eq!(
            config.commits.types["hotfix"].section.as_deref(),
            Some("Hotfixes")
        );
        assert!(config.commits.types["chore"].hidden);
        assert_eq!(config.package[0].name, "cog");
        assert!(toml.contains("# not mapped: `pre_bump_hooks`"), "{toml}");
    }

    #[test]
    fn git_cliff_tags_groups_and_skips() {
        let (toml, config) = proposal(
            Tool::GitCliff,
            "cliff.toml",
            "[changelog]\nheader = \"# Changelog\"\nbody = \"{{ x }}\"\n[git]\ntag_pattern = \"v[0-9].*\"\ncommit_parsers = [\n  { message = \"^feat\", group = \"<!-- 0 -->Features\" },\n  { message = \"^fix\", group = \"Bug Fixes\" },\n  { message = \"^chore\\\\(release\\\\)\", skip = true },\n  { body = \".*security\", group = \"Security\" },\n]\n",
            None,
        );
        assert_eq!(config.tag, "v{version}");
        assert_eq!(
            config.commits.types["feat"].section.as_deref(),
            Some("Features")
        );
        assert_eq!(config.changelog.exclude, ["^chore\\(release\\)"]);
        assert!(toml.contains("not mapped: `[changelog] body`"), "{toml}");
        assert!(
            toml.contains("not mapped: a commit parser without `message`"),
            "{toml}"
        );
    }

    #[test]
    fn release_please_packages_tags_and_versions() {
        let (toml, config) = proposal(
            Tool::ReleasePlease,
            "release-please-config.json",
            r#"{"bump-patch-for-minor-pre-major": true, "packages": {
                "crates/core": {"release-type": "rust", "component": "core"},
                "web": {"release-type": "node", "tag-separator": "@", "include-v-in-tag": false}}}"#,
            Some(r#"{"crates/core": "1.4.0", "web": "2.0.1"}"#),
        );
        assert_eq!(config.package[0].name, "core");
        assert_eq!(config.package[0].tag.as_deref(), Some("{name}-v{version}"));
        assert_eq!(config.package[1].tag.as_deref(), Some("{name}@{version}"));
        assert!(toml.contains("`crates/core` is at 1.4.0"), "{toml}");
        assert!(toml.contains("minor = \"patch\""), "{toml}");
    }

    #[test]
    fn semantic_release_tag_format_branches_and_rules() {
        let (toml, config) = proposal(
            Tool::SemanticRelease,
            ".releaserc.json",
            r#"{"tagFormat": "release-${version}", "branches": ["main", {"name": "beta", "prerelease": true}],
                "plugins": [["@semantic-release/commit-analyzer", {"releaseRules": [{"type": "docs", "release": "patch"}]}],
                            "@semantic-release/npm", "@semantic-release/github"]}"#,
            None,
        );
        assert_eq!(config.tag, "release-{version}");
        assert_eq!(config.branches, ["main"]);
        assert_eq!(
            config.commits.types["docs"].bump,
            crate::history::version::Bump::Patch
        );
        assert!(toml.contains("pre-release branch `beta`"), "{toml}");
        assert!(toml.contains("plugin `@semantic-release/github`"), "{toml}");
        let yaml = migrate(
            Tool::SemanticRelease,
            ".releaserc",
            "branches: [main]",
            None,
        )
        .unwrap_err();
        assert!(yaml.to_string().contains("only the JSON form"), "{yaml}");
    }
}
