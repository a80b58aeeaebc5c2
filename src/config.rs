//! `.release.toml`: the repository's release configuration, with a default
//! for every key and errors that name the file, line and column.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use semver::Version;
use serde::Deserialize;

use crate::gate::window::{Window, WindowConfig};
use crate::history::version::Bump;

/// The file name looked up at the repository root.
pub const FILE_NAME: &str = ".release.toml";

/// Where the JSON Schema of `.release.toml` is published (the copy in the
/// repository, `docs/release.schema.json`, is the same document).
pub const SCHEMA_URL: &str =
    "https://raw.githubusercontent.com/git-release-cli/git-release/main/docs/release.schema.json";

/// The JSON Schema (draft-07, which editors' TOML tooling reads) of
/// `.release.toml`, generated from [`Config`]: every key, its type, its
/// default and its documentation. Rules the schema cannot express (paths
/// inside the work tree, valid templates and durations) are still checked
/// when the file is loaded.
pub fn schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft07().into_generator();
    let mut schema = generator.into_root_schema_for::<Config>();
    schema.insert("$id".to_owned(), SCHEMA_URL.into());
    schema.insert(
        "title".to_owned(),
        "git-release configuration (.release.toml)".into(),
    );
    schema.to_value()
}

/// The whole configuration.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Config {
    /// Tag template; `{version}` is replaced by the version. Default `v{version}`.
    pub tag: String,
    /// The version of the first release. Default `0.1.0`.
    pub initial_version: Version,
    /// Branches on which `tag` may run; empty means anywhere.
    pub branches: Vec<String>,
    /// How commits are read.
    pub commits: CommitsConfig,
    /// Changelog and notes.
    pub changelog: ChangelogConfig,
    /// The release policy.
    pub gate: GateConfig,
    /// Commit message lint.
    pub lint: LintConfig,
    /// Files whose version `tag` updates in the release commit (single package).
    pub version_files: Vec<VersionFileConfig>,
    /// Packages of a monorepo; none means the repository is one package.
    pub package: Vec<PackageConfig>,
    /// Deployment environments, in promotion order.
    pub environments: IndexMap<String, EnvironmentConfig>,
    /// The release dashboard.
    pub site: SiteConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            tag: "v{version}".to_owned(),
            initial_version: Version::new(0, 1, 0),
            branches: Vec::new(),
            commits: CommitsConfig::default(),
            changelog: ChangelogConfig::default(),
            gate: GateConfig::default(),
            lint: LintConfig::default(),
            version_files: Vec::new(),
            package: Vec::new(),
            environments: IndexMap::new(),
            site: SiteConfig::default(),
        }
    }
}

/// `[commits]`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct CommitsConfig {
    /// Non-conventional commits are an error rather than a warning.
    pub strict: bool,
    /// Follow only first parents (squash-merge and merge-commit workflows).
    pub first_parent: bool,
    /// Type → bump and changelog section. Merged over the defaults.
    pub types: IndexMap<String, TypeRule>,
    /// How bumps are applied while the major version is 0.
    pub initial_development: ZeroRules,
}

impl Default for CommitsConfig {
    fn default() -> Self {
        CommitsConfig {
            strict: false,
            first_parent: false,
            types: IndexMap::new(),
            initial_development: ZeroRules::default(),
        }
    }
}

/// What one commit type does.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TypeRule {
    /// The bump a commit of this type causes. Default `none`.
    #[serde(default)]
    pub bump: Bump,
    /// The changelog heading. Default: none, so the type is not shown.
    #[serde(default)]
    pub section: Option<String>,
    /// Leave the type out of changelogs even if it has a section.
    #[serde(default)]
    pub hidden: bool,
}

/// `[commits.initial-development]`: how a computed bump is applied while the
/// major version is 0. 0.x never becomes 1.0.0 by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct ZeroRules {
    /// A breaking change in 0.x bumps this. Default `minor`.
    pub major: Bump,
    /// A feature in 0.x bumps this. Default `minor`.
    pub minor: Bump,
    /// A fix in 0.x bumps this. Default `patch`.
    pub patch: Bump,
}

impl Default for ZeroRules {
    fn default() -> Self {
        ZeroRules {
            major: Bump::Minor,
            minor: Bump::Minor,
            patch: Bump::Patch,
        }
    }
}

impl ZeroRules {
    /// The bump applied to a 0.x version for a computed bump.
    pub fn apply(&self, bump: Bump) -> Bump {
        let mapped = match bump {
            Bump::Major => self.major,
            Bump::Minor => self.minor,
            Bump::Patch => self.patch,
            Bump::None => Bump::None,
        };
        // Never to 1.0.0 by itself (the config refuses `major` here too).
        mapped.min(Bump::Minor)
    }
}

/// `[changelog]`.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct ChangelogConfig {
    /// The changelog file, relative to the repository root. Default `CHANGELOG.md`.
    pub path: Option<PathBuf>,
    /// Template for one changelog section. Default: built in.
    pub template: Option<PathBuf>,
    /// Template for release notes. Default: built in.
    pub notes_template: Option<PathBuf>,
    /// Template for the annotated tag's message. Default: built in.
    pub tag_message_template: Option<PathBuf>,
    /// A directory of `*.hbs` partials, registered by file stem.
    pub partials: Option<PathBuf>,
    /// The header of a new changelog file.
    pub header: Option<String>,
    /// Regular expressions: commits whose summary matches one are left out.
    pub exclude: Vec<String>,
    /// Section titles in the order they appear; others follow in type order.
    pub sections: Vec<String>,
    /// A last section for commits whose type no rule knows (`rt: …`), e.g.
    /// `"Other changes"`. Default: none, so they are left out.
    pub other: Option<String>,
    /// The repository's web URL for links, instead of the `origin` remote's.
    pub remote: Option<String>,
    /// The hosting service's kind when it cannot be told from the URL.
    pub host: Option<crate::render::links::Host>,
}

impl ChangelogConfig {
    /// The changelog path, relative to the repository root.
    pub fn path(&self) -> PathBuf {
        self.path
            .clone()
            .unwrap_or_else(|| PathBuf::from("CHANGELOG.md"))
    }
}

/// A file whose version is rewritten on release: a path (kind from the file
/// name), or a table with a regular expression holding `{version}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum VersionFileConfig {
    /// `"crates/core/Cargo.toml"`.
    Path(PathBuf),
    /// `{ path = "src/version.rs", pattern = "VERSION: &str = \"{version}\"" }`.
    Pattern {
        /// The file.
        path: PathBuf,
        /// A regular expression with `{version}` where the version stands.
        pattern: String,
    },
}

impl VersionFileConfig {
    /// The file's path.
    pub fn path(&self) -> &Path {
        match self {
            VersionFileConfig::Path(path) | VersionFileConfig::Pattern { path, .. } => path,
        }
    }

    /// The pattern, if any.
    pub fn pattern(&self) -> Option<&str> {
        match self {
            VersionFileConfig::Path(_) => None,
            VersionFileConfig::Pattern { pattern, .. } => Some(pattern),
        }
    }
}

/// `[[package]]`: one package of a monorepo.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackageConfig {
    /// Its name, used in tags (`{name}`) and `--package`.
    pub name: String,
    /// Its directory.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// Or several directories.
    #[serde(default)]
    pub paths: Vec<PathBuf>,
    /// Globs (from the repository root) of files under its paths that do not count.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Its tag template. Default: `{name}-v{version}`.
    #[serde(default)]
    pub tag: Option<String>,
    /// Files whose version `tag` rewrites.
    #[serde(default)]
    pub version_files: Vec<VersionFileConfig>,
    /// Its changelog. Default: `CHANGELOG.md` in its (first) path.
    #[serde(default)]
    pub changelog: Option<PathBuf>,
    /// Packages it depends on: their release makes it release too.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Its first version. Default: the top-level `initial-version`.
    #[serde(default)]
    pub initial_version: Option<Version>,
}

impl PackageConfig {
    /// Its directories.
    pub fn all_paths(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = self.path.iter().cloned().collect();
        paths.extend(self.paths.iter().cloned());
        paths
    }

    /// Its tag template.
    pub fn tag_template(&self) -> String {
        self.tag
            .clone()
            .unwrap_or_else(|| "{name}-v{version}".to_owned())
    }
}

/// `[environments.NAME]`: one deployment environment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct EnvironmentConfig {
    /// Environments where the same tag must have succeeded first.
    pub requires: Vec<String>,
    /// How long ago that success must be (`24h`, `2d`).
    pub soak: Option<String>,
    /// Approvals needed to deploy here (`git release approve --env NAME`).
    pub approvals: usize,
    /// The command `git release rollback --execute` runs.
    pub rollback_command: Option<String>,
    /// The health check `git release watch` runs (a shell command; exit 0 is healthy).
    pub check: Option<String>,
    /// How often `watch` runs the check (`30s`). Default `30s`.
    pub check_every: Option<String>,
    /// How long `watch` checks (`15m`). Default: the longest `soak` of the
    /// environments that require this one, else `15m`.
    pub check_for: Option<String>,
    /// A check still running after this is killed and counts as failed. Default `30s`.
    pub check_timeout: Option<String>,
    /// How many failed checks in a row make a sustained failure. Default 2.
    pub check_failures: Option<u32>,
    /// Whether `watch` runs `rollback-command` after a sustained failure. Default false.
    pub auto_rollback: bool,
}

/// `[site]`: the release dashboard that `git release site` writes.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct SiteConfig {
    /// The page's title. Default: the repository's name.
    pub title: Option<String>,
    /// Globs (from the repository root) of files whose change makes a
    /// release riskier, e.g. `migrations/**`. Default: none.
    pub sensitive_paths: Vec<String>,
}

/// `[lint]`: rules for `git release lint` and the commit-msg hook.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct LintConfig {
    /// Allowed types; empty means the types of `[commits.types]`.
    pub types: Vec<String>,
    /// Allowed scopes; empty means any.
    pub scopes: Vec<String>,
    /// Every commit needs a scope.
    pub require_scope: bool,
    /// The longest subject line, in characters (0: no limit). Default 100.
    pub max_subject_length: usize,
    /// Trailers every commit must carry, e.g. `Signed-off-by`.
    pub required_trailers: Vec<String>,
}

impl Default for LintConfig {
    fn default() -> Self {
        LintConfig {
            types: Vec::new(),
            scopes: Vec::new(),
            require_scope: false,
            max_subject_length: 100,
            required_trailers: Vec::new(),
        }
    }
}

/// `[gate]`: what evidence a release needs. Read from the trusted revision,
/// never from the candidate itself.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct GateConfig {
    /// Test suites that must have passed on the candidate's tree.
    pub tests: Vec<String>,
    /// How many distinct people must approve.
    pub approvals: usize,
    /// E-mail patterns (`*` wildcards) of who may approve; empty means anyone.
    pub approvers: Vec<String>,
    /// Whether authors of commits in scope and the person tagging may approve.
    pub self_approval: bool,
    /// Whether test and approval records must carry valid SSH signatures.
    pub signed: bool,
    /// The allowed signers file (OpenSSH format), read at the trusted revision.
    pub allowed_signers: PathBuf,
    /// Where policy and signers are read from: `previous-release` or a revision.
    pub trust: String,
    /// Whether `Tested-by`/`Approved-by`/`Reviewed-by`/`Acked-by` trailers in
    /// commit messages count as evidence.
    pub commit_trailers: bool,
    /// Evidence older than this does not count (`90m`, `12h`, `7d`).
    pub max_age: Option<String>,
    /// When releases may happen.
    pub window: Option<WindowConfig>,
}

impl Default for GateConfig {
    fn default() -> Self {
        GateConfig {
            tests: Vec::new(),
            approvals: 0,
            approvers: Vec::new(),
            self_approval: false,
            signed: false,
            allowed_signers: PathBuf::from(".release/allowed_signers"),
            trust: "previous-release".to_owned(),
            commit_trailers: false,
            max_age: None,
            window: None,
        }
    }
}

/// Parses a duration such as `90m`, `12h`, `7d` or `2w` (`500ms` and `30s`
/// for short ones).
pub fn parse_duration(text: &str) -> Result<jiff::SignedDuration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| {
        format!("`{text}` is not a duration; write it as `90m`, `12h`, `7d` or `2w`")
    })?;
    if unit.trim() == "ms" {
        return Ok(jiff::SignedDuration::from_millis(n));
    }
    let seconds = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => {
            return Err(format!(
                "`{text}` has an unknown unit; use `ms`, `s`, `m`, `h`, `d` or `w`"
            ));
        }
    };
    n.checked_mul(seconds)
        .map(jiff::SignedDuration::from_secs)
        .ok_or_else(|| format!("`{text}` is too long"))
}

/// The built-in commit types, in changelog section order.
pub fn default_types() -> IndexMap<String, TypeRule> {
    let rule = |bump, section: Option<&str>, hidden| TypeRule {
        bump,
        section: section.map(str::to_owned),
        hidden,
    };
    [
        ("feat", rule(Bump::Minor, Some("Features"), false)),
        ("fix", rule(Bump::Patch, Some("Bug Fixes"), false)),
        ("perf", rule(Bump::Patch, Some("Performance"), false)),
        ("revert", rule(Bump::Patch, Some("Reverts"), false)),
        ("refactor", rule(Bump::None, Some("Refactoring"), true)),
        ("docs", rule(Bump::None, Some("Documentation"), true)),
        ("test", rule(Bump::None, Some("Tests"), true)),
        ("build", rule(Bump::None, Some("Build"), true)),
        ("ci", rule(Bump::None, Some("CI"), true)),
        ("style", rule(Bump::None, Some("Style"), true)),
        ("chore", rule(Bump::None, Some("Chores"), true)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

impl Config {
    /// The type table: defaults, then the file's entries over them (keys lower-cased).
    pub fn types(&self) -> IndexMap<String, TypeRule> {
        let mut types = default_types();
        for (name, rule) in &self.commits.types {
            types.insert(name.to_ascii_lowercase(), rule.clone());
        }
        types
    }

    /// Parses configuration text; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|span| line_column(text, span.start))
                .unwrap_or((1, 1));
            ConfigError::Invalid {
                file: origin.to_owned(),
                line,
                column,
                message: e.message().trim().to_owned(),
            }
        })?;
        config.validate(origin, text)?;
        Ok(config)
    }

    fn validate(&self, origin: &str, text: &str) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Semantic {
            file: origin.to_owned(),
            message,
        };
        self.validate_paths(origin, text)?;
        crate::git::tags::Template::new(&self.tag).map_err(|e| invalid(e.to_string()))?;
        if !self.initial_version.pre.is_empty() {
            return Err(invalid(format!(
                "`initial-version` must be a release version, not the pre-release `{}`",
                self.initial_version
            )));
        }
        for pattern in &self.changelog.exclude {
            regex::Regex::new(pattern).map_err(|e| {
                invalid(format!(
                    "`changelog.exclude` has an invalid regular expression `{pattern}`: {e}"
                ))
            })?;
        }
        if let Some(remote) = &self.changelog.remote {
            if crate::render::links::Remote::from_url(remote, self.changelog.host).is_none() {
                return Err(invalid(format!(
                    "`changelog.remote` `{remote}` is not a repository URL of a known host; set `changelog.host` to `github`, `gitlab`, `bitbucket` or `gitea`"
                )));
            }
        }
        for (name, bump) in [
            ("major", self.commits.initial_development.major),
            ("minor", self.commits.initial_development.minor),
            ("patch", self.commits.initial_development.patch),
        ] {
            if bump == Bump::Major {
                return Err(invalid(format!(
                    "`commits.initial-development.{name} = \"major\"` would leave 0.x by itself; 0.x becomes 1.0.0 only on request (`--release-as 1.0.0`)"
                )));
            }
        }
        if let Some(max_age) = &self.gate.max_age {
            parse_duration(max_age).map_err(|e| invalid(format!("`gate.max-age`: {e}")))?;
        }
        for pattern in &self.gate.approvers {
            if pattern.is_empty() {
                return Err(invalid("`gate.approvers` has an empty pattern".to_owned()));
            }
        }
        if self.gate.signed && self.gate.allowed_signers.as_os_str().is_empty() {
            return Err(invalid(
                "`gate.signed = true` needs `gate.allowed-signers`".to_owned(),
            ));
        }
        if let Some(window) = &self.gate.window {
            Window::from_config(window).map_err(|e| invalid(format!("`gate.window`: {e}")))?;
        }
        self.validate_packages(origin)?;
        for (name, env) in &self.environments {
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            {
                return Err(invalid(format!(
                    "environment name `{name}` must be letters, digits and `-_.`"
                )));
            }
            for required in &env.requires {
                if !self.environments.contains_key(required) {
                    return Err(invalid(format!(
                        "environment `{name}` requires `{required}`, which is not an environment"
                    )));
                }
            }
            if let Some(soak) = &env.soak {
                parse_duration(soak)
                    .map_err(|e| invalid(format!("`environments.{name}.soak`: {e}")))?;
            }
            for (key, value) in [
                ("check-every", &env.check_every),
                ("check-for", &env.check_for),
                ("check-timeout", &env.check_timeout),
            ] {
                if let Some(value) = value {
                    match parse_duration(value) {
                        Ok(d) if d.is_positive() => {}
                        Ok(_) => {
                            return Err(invalid(format!(
                                "`environments.{name}.{key}` must be longer than zero, found `{value}`"
                            )));
                        }
                        Err(e) => {
                            return Err(invalid(format!("`environments.{name}.{key}`: {e}")));
                        }
                    }
                }
            }
            if env.check_failures == Some(0) {
                return Err(invalid(format!(
                    "`environments.{name}.check-failures` must be at least 1"
                )));
            }
            if env.check.as_deref().is_some_and(|c| c.trim().is_empty()) {
                return Err(invalid(format!(
                    "`environments.{name}.check` is empty; give a shell command, or leave the key out"
                )));
            }
            if env.auto_rollback && env.rollback_command.is_none() {
                return Err(invalid(format!(
                    "`environments.{name}.auto-rollback = true` needs `rollback-command`"
                )));
            }
        }
        for glob in &self.site.sensitive_paths {
            globset::Glob::new(glob)
                .map_err(|e| invalid(format!("`site.sensitive-paths`: `{glob}`: {e}")))?;
        }
        for file in &self.version_files {
            if let Some(pattern) = file.pattern() {
                crate::packages::version_files::check_pattern(pattern)
                    .map_err(|e| invalid(e.to_string()))?;
            }
        }
        for name in self.commits.types.keys() {
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(invalid(format!(
                    "`commits.types.{name}` is not a valid commit type; use a single word such as `feat`"
                )));
            }
        }
        Ok(())
    }

    /// Every path the configuration names, with its key and where it is
    /// written in the file, in file order.
    pub fn paths(&self) -> Vec<ConfiguredPath> {
        let key = |k: &str| Segment::Key(k.to_owned());
        let mut paths = Vec::new();
        let mut push = |key: &'static str, package: Option<&str>, segments, path: &Path| {
            paths.push(ConfiguredPath {
                key,
                package: package.map(str::to_owned),
                segments,
                path: path.to_path_buf(),
            });
        };
        let changelog = &self.changelog;
        for (full, name, value) in [
            ("changelog.path", "path", &changelog.path),
            ("changelog.template", "template", &changelog.template),
            (
                "changelog.notes-template",
                "notes-template",
                &changelog.notes_template,
            ),
            (
                "changelog.tag-message-template",
                "tag-message-template",
                &changelog.tag_message_template,
            ),
            ("changelog.partials", "partials", &changelog.partials),
        ] {
            if let Some(path) = value {
                push(full, None, vec![key("changelog"), key(name)], path);
            }
        }
        let file_segments = |mut at: Vec<Segment>, i: usize, file: &VersionFileConfig| {
            at.push(Segment::Index(i));
            if file.pattern().is_some() {
                at.push(key("path"));
            }
            at
        };
        for (i, file) in self.version_files.iter().enumerate() {
            let segments = file_segments(vec![key("version-files")], i, file);
            push("version-files", None, segments, file.path());
        }
        for (i, package) in self.package.iter().enumerate() {
            let at = |k: &str| vec![key("package"), Segment::Index(i), key(k)];
            let name = Some(package.name.as_str());
            if let Some(path) = &package.path {
                push("package.path", name, at("path"), path);
            }
            for (j, path) in package.paths.iter().enumerate() {
                let mut segments = at("paths");
                segments.push(Segment::Index(j));
                push("package.paths", name, segments, path);
            }
            if let Some(path) = &package.changelog {
                push("package.changelog", name, at("changelog"), path);
            }
            for (j, file) in package.version_files.iter().enumerate() {
                let segments = file_segments(at("version-files"), j, file);
                push("package.version-files", name, segments, file.path());
            }
        }
        push(
            "gate.allowed-signers",
            None,
            vec![key("gate"), key("allowed-signers")],
            &self.gate.allowed_signers,
        );
        paths
    }

    /// Refuses paths that leave the work tree: absolute, with `..`, or
    /// into the git directory (links are followed where the file is used).
    fn validate_paths(&self, origin: &str, text: &str) -> Result<(), ConfigError> {
        for configured in self.paths() {
            let Err(problem) = check_path(&configured.path, configured.may_be_empty()) else {
                continue;
            };
            let (line, column) = locate(text, &configured.segments).unwrap_or((0, 0));
            return Err(ConfigError::Path {
                file: origin.to_owned(),
                at: if line == 0 {
                    String::new()
                } else {
                    format!(" at line {line}, column {column}")
                },
                path: Box::new(PathError {
                    setting: configured.setting(),
                    key: configured.key,
                    path: configured.path.display().to_string(),
                    problem,
                }),
            });
        }
        Ok(())
    }

    fn validate_packages(&self, origin: &str) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Semantic {
            file: origin.to_owned(),
            message,
        };
        let mut names = std::collections::HashSet::new();
        let mut templates = std::collections::HashSet::new();
        for package in &self.package {
            let name = &package.name;
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./@".contains(c))
            {
                return Err(invalid(format!(
                    "package name `{name}` must be letters, digits and `-_./@`"
                )));
            }
            if !names.insert(name.clone()) {
                return Err(invalid(format!("two packages are named `{name}`")));
            }
            if package.all_paths().is_empty() {
                return Err(invalid(format!(
                    "package `{name}` needs `path` (or `paths`)"
                )));
            }
            for glob in &package.exclude {
                globset::Glob::new(glob)
                    .map_err(|e| invalid(format!("package `{name}`: exclude `{glob}`: {e}")))?;
            }
            let template =
                crate::git::tags::Template::for_package(&package.tag_template(), Some(name))
                    .map_err(|e| invalid(format!("package `{name}`: {e}")))?;
            if !templates.insert(template.format(&Version::new(1, 0, 0))) {
                return Err(invalid(format!(
                    "package `{name}` has the same tag template as another package; use `{{name}}` in `tag`, e.g. `{{name}}-v{{version}}`"
                )));
            }
            for dep in &package.depends_on {
                if !self.package.iter().any(|p| &p.name == dep) {
                    return Err(invalid(format!(
                        "package `{name}` depends on `{dep}`, which is not a package"
                    )));
                }
            }
            for file in &package.version_files {
                if let Some(pattern) = file.pattern() {
                    crate::packages::version_files::check_pattern(pattern)
                        .map_err(|e| invalid(e.to_string()))?;
                }
            }
        }
        Ok(())
    }

    /// Loads `path` if given (it must exist), else `.release.toml` in `root`
    /// if present, else the defaults.
    pub fn load(explicit: Option<&Path>, root: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match (explicit, root) {
            (Some(path), _) => path.to_path_buf(),
            (None, Some(root)) => {
                let path = root.join(FILE_NAME);
                if !path.exists() {
                    return Ok(Config::default());
                }
                path
            }
            (None, None) => return Ok(Config::default()),
        };
        let bytes = std::fs::read(&path).map_err(|source| ConfigError::Read {
            file: path.display().to_string(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|_| ConfigError::Semantic {
            file: path.display().to_string(),
            message: "the file is not valid UTF-8".to_owned(),
        })?;
        let origin = if explicit.is_some() {
            path.display().to_string()
        } else {
            FILE_NAME.to_owned()
        };
        Config::parse(&text, &origin)
    }
}

/// One step from the top of the file to a value: a key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A table key.
    Key(String),
    /// An array element.
    Index(usize),
}

/// A path the configuration names, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfiguredPath {
    /// Its key, e.g. `changelog.notes-template` or `package.version-files`.
    pub key: &'static str,
    /// The package it belongs to, for `package.*` keys.
    pub package: Option<String>,
    /// Where its value is written in the file.
    pub segments: Vec<Segment>,
    /// The path as written.
    pub path: PathBuf,
}

impl ConfiguredPath {
    /// The key as shown in messages: `` `key` `` with its package.
    pub fn setting(&self) -> String {
        setting(self.key, self.package.as_deref())
    }

    /// Whether an empty path means something (a package covering the whole
    /// repository, or no allowed signers file) rather than naming no file.
    fn may_be_empty(&self) -> bool {
        matches!(
            self.key,
            "package.path" | "package.paths" | "gate.allowed-signers"
        )
    }
}

/// A configuration key as shown in messages: `` `changelog.path` ``, or
/// `` `package.changelog` of package `core` ``.
pub fn setting(key: &str, package: Option<&str>) -> String {
    match package {
        Some(name) => format!("`{key}` of package `{name}`"),
        None => format!("`{key}`"),
    }
}

/// Why a configured path could leave the work tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PathProblem {
    /// `""` or `.` where a file is needed.
    #[error("names no file")]
    Empty,
    /// `/etc/passwd`.
    #[error("is an absolute path, and configured paths must stay inside the work tree")]
    Absolute,
    /// `../x`, `a/../../x`.
    #[error("goes up with `..`, and configured paths must stay inside the work tree")]
    ParentDir,
    /// `.git/hooks/pre-push`.
    #[error("is inside the git directory `.git`, which configured paths must stay out of")]
    GitDir,
}

/// Checks a path the configuration names, as written: relative to the
/// repository root, without `..`, outside `.git` (any case: file systems
/// may ignore it), and naming something unless `may_be_empty`. Links are
/// followed, and checked again, where the file is used
/// ([`WorkTree`](crate::git::work_tree::WorkTree)).
pub fn check_path(path: &Path, may_be_empty: bool) -> Result<(), PathProblem> {
    use std::path::Component;
    let mut names = 0;
    for component in path.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => return Err(PathProblem::Absolute),
            Component::ParentDir => return Err(PathProblem::ParentDir),
            Component::CurDir => {}
            Component::Normal(name) => {
                if name.eq_ignore_ascii_case(".git") {
                    return Err(PathProblem::GitDir);
                }
                names += 1;
            }
        }
    }
    if names == 0 && !may_be_empty {
        return Err(PathProblem::Empty);
    }
    Ok(())
}

/// The line and column of the value at `segments` in a TOML text.
fn locate(text: &str, segments: &[Segment]) -> Option<(usize, usize)> {
    let document = toml::de::DeTable::parse(text).ok()?;
    let mut span = document.span();
    let mut value: Option<&toml::de::DeValue<'_>> = None;
    let mut table = Some(document.get_ref());
    for segment in segments {
        let next = match (segment, table, value) {
            (Segment::Key(key), Some(table), _) => table.get(key.as_str())?,
            (Segment::Index(i), _, Some(toml::de::DeValue::Array(array))) => array.get(*i)?,
            _ => return None,
        };
        span = next.span();
        value = Some(next.get_ref());
        table = match next.get_ref() {
            toml::de::DeValue::Table(t) => Some(t),
            _ => None,
        };
    }
    Some(line_column(text, span.start))
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config `{file}`: {source}")]
    Read {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
    /// TOML syntax or an unknown or mistyped key.
    #[error("invalid config `{file}` at line {line}, column {column}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A path that would leave the work tree.
    #[error("invalid config `{file}`{at}: {path}")]
    Path {
        /// The file.
        file: String,
        /// ` at line N, column M`, when known.
        at: String,
        /// The key, its path and what is wrong.
        path: Box<PathError>,
    },
    /// Well-formed, but a value makes no sense.
    #[error("invalid config `{file}`: {message}")]
    Semantic {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
}

impl ConfigError {
    /// How to fix it.
    pub fn hints(&self) -> Vec<String> {
        match self {
            ConfigError::Path { path, .. } => path_hints(path.key, path.problem),
            ConfigError::Invalid { message, .. } => {
                let mut hints = unknown_key_hints(message);
                hints.push(DOCUMENTED.to_owned());
                hints
            }
            _ => vec![DOCUMENTED.to_owned()],
        }
    }
}

const DOCUMENTED: &str =
    "every key is documented, with its default, in the file `git release init --stdout` prints";

/// The tables and keys of `.release.toml`, for saying where a key belongs.
const KEYS: &[(&str, &[&str])] = &[
    (
        "the top level (above the first `[table]`)",
        &["tag", "initial-version", "branches", "version-files"],
    ),
    (
        "[commits]",
        &["strict", "first-parent", "types", "initial-development"],
    ),
    (
        "[changelog]",
        &[
            "path",
            "template",
            "notes-template",
            "tag-message-template",
            "partials",
            "header",
            "sections",
            "exclude",
            "remote",
            "host",
            "other",
        ],
    ),
    (
        "[gate]",
        &[
            "tests",
            "approvals",
            "approvers",
            "self-approval",
            "signed",
            "allowed-signers",
            "trust",
            "commit-trailers",
            "max-age",
            "window",
        ],
    ),
    (
        "[lint]",
        &[
            "types",
            "scopes",
            "require-scope",
            "max-subject-length",
            "required-trailers",
        ],
    ),
    (
        "[[package]]",
        &[
            "name",
            "path",
            "paths",
            "exclude",
            "tag",
            "version-files",
            "changelog",
            "depends-on",
            "initial-version",
        ],
    ),
    (
        "[environments.NAME]",
        &[
            "requires",
            "soak",
            "approvals",
            "rollback-command",
            "check",
            "check-every",
            "check-for",
            "check-timeout",
            "check-failures",
            "auto-rollback",
        ],
    ),
    ("[site]", &["title", "sensitive-paths"]),
];

/// For serde's "unknown field `x`, expected one of `a`, `b`": the closest
/// expected key, and the table where `x` belongs when it is a key of
/// another one (a top-level key written after a `[table]` header lands in
/// that table).
fn unknown_key_hints(message: &str) -> Vec<String> {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return Vec::new();
    };
    let Some((field, expected)) = rest.split_once('`') else {
        return Vec::new();
    };
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let mut hints = Vec::new();
    let close = candidates
        .iter()
        .map(|c| (edit_distance(field, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d < field.len().max(1))
        .min();
    if let Some((_, key)) = close {
        hints.push(format!("did you mean `{key}`?"));
    }
    if !candidates.contains(&field) {
        for (table, keys) in KEYS {
            if keys.contains(&field) {
                hints.push(format!(
                    "`{field}` belongs in {table}; a key written below a `[table]` header belongs to that table, so move it above the first header or under its own table"
                ));
                break;
            }
        }
    }
    hints
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// A configured path that would leave the work tree.
#[derive(Debug, thiserror::Error)]
#[error("{setting} = `{path}` {problem}")]
pub struct PathError {
    /// The key as shown, with its package.
    pub setting: String,
    /// The key.
    pub key: &'static str,
    /// The path as written.
    pub path: String,
    /// What is wrong with it.
    pub problem: PathProblem,
}

/// How to fix a configured path that would leave the work tree.
fn path_hints(key: &str, problem: PathProblem) -> Vec<String> {
    let example = match key {
        "changelog.path" => "`[changelog] path = \"CHANGELOG.md\"`",
        "changelog.template" => "`[changelog] template = \"templates/changelog.md.hbs\"`",
        "changelog.notes-template" => {
            "`[changelog] notes-template = \"templates/release-notes.md.hbs\"`"
        }
        "changelog.tag-message-template" => {
            "`[changelog] tag-message-template = \"templates/tag-message.hbs\"`"
        }
        "changelog.partials" => "`[changelog] partials = \"templates/partials\"`",
        "version-files" => "`version-files = [\"Cargo.toml\"]`",
        "package.path" | "package.paths" => "`path = \"crates/core\"` in its `[[package]]`",
        "package.changelog" => "`changelog = \"crates/core/CHANGELOG.md\"` in its `[[package]]`",
        "package.version-files" => {
            "`version-files = [\"crates/core/Cargo.toml\"]` in its `[[package]]`"
        }
        _ => "`[gate] allowed-signers = \".release/allowed_signers\"`",
    };
    let mut hints = vec![match problem {
        PathProblem::Empty => {
            format!("name a file, relative to the repository root, e.g. {example}")
        }
        PathProblem::GitDir => format!(
            "git-release reads and writes no file in the git directory on the configuration's word; use a path in the work tree, e.g. {example}"
        ),
        PathProblem::Absolute | PathProblem::ParentDir => {
            format!("write it relative to the repository root, without `..`, e.g. {example}")
        }
    }];
    let command_line = match key {
        "changelog.path" => {
            Some("`git release changelog --output FILE` writes a changelog anywhere")
        }
        "changelog.template" => {
            Some("`git release changelog --template FILE` takes a template from anywhere")
        }
        "changelog.notes-template" => {
            Some("`git release notes --template FILE` takes a template from anywhere")
        }
        _ => None,
    };
    if let (Some(line), PathProblem::Absolute | PathProblem::ParentDir) = (command_line, problem) {
        hints.push(format!(
            "a file outside the repository is yours to name on the command line: {line}"
        ));
    }
    hints
}

#[cfg(test)]
mod hint_tests {
    use super::*;

    #[test]
    fn unknown_keys_get_the_closest_key_and_where_they_belong() {
        let hints = |text: &str| Config::parse(text, ".release.toml").unwrap_err().hints();
        let typo = hints("[gate]\napprovels = 1\n");
        assert!(typo[0].contains("did you mean `approvals`?"), "{typo:?}");
        let misplaced = hints("[lint]\nrequire-scope = true\nbranches = [\"main\"]\n");
        assert!(
            misplaced
                .iter()
                .any(|h| h.contains("`branches` belongs in the top level")),
            "{misplaced:?}"
        );
        let top = hints("tagg = \"v{version}\"\n");
        assert!(top[0].contains("did you mean `tag`?"), "{top:?}");
        let unrelated = hints("[gate]\nzzzzzzzz = 1\n");
        assert!(
            !unrelated.iter().any(|h| h.contains("did you mean")),
            "{unrelated:?}"
        );
        assert!(
            unrelated.last().unwrap().contains("init --stdout"),
            "{unrelated:?}"
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    /// The key table above stays what serde knows: every table's keys, as
    /// serde lists them for an unknown key there.
    #[test]
    fn the_key_table_matches_the_configuration_types() {
        let tables = [
            ("", None),
            ("[commits]\n", Some("[commits]")),
            ("[changelog]\n", Some("[changelog]")),
            ("[gate]\n", Some("[gate]")),
            ("[lint]\n", Some("[lint]")),
            (
                "[[package]]\nname = \"a\"\npath = \"a\"\n",
                Some("[[package]]"),
            ),
            ("[environments.x]\n", Some("[environments.NAME]")),
            ("[site]\n", Some("[site]")),
        ];
        for (header, table) in tables {
            let err = Config::parse(&format!("{header}zzz = 1\n"), "t").unwrap_err();
            let ConfigError::Invalid { message, .. } = err else {
                panic!("{err}")
            };
            let (_, expected) = message.split_once("expected ").unwrap();
            let mut serde_keys: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            let mut ours: Vec<&str> = match table {
                Some(table) => KEYS.iter().find(|(t, _)| *t == table).unwrap().1.to_vec(),
                None => {
                    let mut keys = KEYS[0].1.to_vec();
                    keys.extend([
                        "commits",
                        "changelog",
                        "gate",
                        "lint",
                        "package",
                        "environments",
                        "site",
                    ]);
                    keys
                }
            };
            serde_keys.sort_unstable();
            ours.sort_unstable();
            assert_eq!(ours, serde_keys, "{header}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_default() {
        let c = Config::parse("", "x").unwrap();
        assert_eq!(c.tag, "v{version}");
        assert_eq!(c.initial_version, Version::new(0, 1, 0));
        assert_eq!(c.types()["feat"].bump, Bump::Minor);
        assert_eq!(c.types()["chore"].bump, Bump::None);
    }

    #[test]
    fn unknown_key_names_line_and_column() {
        let err = Config::parse(
            "tag = \"v{version}\"\n[commits]\nstrikt = true\n",
            ".release.toml",
        )
        .unwrap_err();
        let ConfigError::Invalid {
            line,
            column,
            message,
            ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!((*line, *column), (3, 1), "{err}");
        assert!(message.contains("strikt"), "{message}");
    }

    #[test]
    fn types_merge_over_defaults() {
        let c = Config::parse(
            "[commits.types]\nFeat = { bump = \"patch\" }\ndeps = { bump = \"patch\", section = \"Dependencies\" }\n",
            "x",
        )
        .unwrap();
        let types = c.types();
        assert_eq!(types["feat"].bump, Bump::Patch);
        assert_eq!(types["deps"].section.as_deref(), Some("Dependencies"));
        assert_eq!(types["fix"].bump, Bump::Patch);
    }

    #[test]
    fn bad_values() {
        for (text, needle) in [
            ("initial-version = \"1.x\"", "line 1"),
            ("tag = \"release\"", "{version}"),
            ("initial-version = \"1.0.0-rc.1\"", "pre-release"),
            ("[commits.types]\nfeat = { bump = \"huge\" }", "line 2"),
            (
                "[commits.types]\n\"fe at\" = { bump = \"minor\" }",
                "not a valid commit type",
            ),
        ] {
            let err = Config::parse(text, "f").unwrap_err().to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn changelog_settings_are_checked() {
        for (text, needle) in [
            (
                "[changelog]\nexclude = [\"(\"]",
                "invalid regular expression",
            ),
            (
                "[changelog]\nremote = \"https://example.org/o/r\"",
                "known host",
            ),
            (
                "[commits.initial-development]\nminor = \"major\"",
                "1.0.0 only on request",
            ),
            (
                "[site]\nsensitive-paths = [\"a/[\"]",
                "site.sensitive-paths",
            ),
            ("[site]\ntitel = \"x\"", "titel"),
            (
                "[environments.prod]\ncheck-every = \"0s\"",
                "longer than zero",
            ),
            ("[environments.prod]\ncheck-for = \"soon\"", "check-for"),
            ("[environments.prod]\ncheck-failures = 0", "at least 1"),
            (
                "[environments.prod]\nauto-rollback = true",
                "needs `rollback-command`",
            ),
        ] {
            let err = Config::parse(text, "f").unwrap_err().to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
        let c = Config::parse(
            "[changelog]\nremote = \"https://git.corp/o/r\"\nhost = \"gitlab\"",
            "f",
        )
        .unwrap();
        assert_eq!(c.changelog.path(), PathBuf::from("CHANGELOG.md"));
    }

    #[test]
    fn configured_paths_stay_inside_the_work_tree() {
        for (text, setting, at, problem) in [
            (
                "[changelog]\npath = \"../home/.profile\"\n",
                "`changelog.path`",
                " at line 2, column 8",
                PathProblem::ParentDir,
            ),
            (
                "tag = \"v{version}\"\n[changelog]\nnotes-template = \"/proc/self/environ\"\n",
                "`changelog.notes-template`",
                " at line 3, column 18",
                PathProblem::Absolute,
            ),
            (
                "changelog = { partials = \"a/../../b\" }\n",
                "`changelog.partials`",
                " at line 1, column 26",
                PathProblem::ParentDir,
            ),
            (
                "[changelog]\ntemplate = \".GIT/hooks/pre-push\"\n",
                "`changelog.template`",
                " at line 2, column 12",
                PathProblem::GitDir,
            ),
            (
                "[changelog]\ntag-message-template = \"./\"\n",
                "`changelog.tag-message-template`",
                " at line 2, column 24",
                PathProblem::Empty,
            ),
            (
                "version-files = [\"Cargo.toml\",\n  { path = \"/x\", pattern = \"{version}\" }]\n",
                "`version-files`",
                " at line 2, column 12",
                PathProblem::Absolute,
            ),
            (
                "[[package]]\nname = \"a\"\npath = \"a\"\n[[package]]\nname = \"b\"\npaths = [\"b\", \"../c\"]\n",
                "`package.paths` of package `b`",
                " at line 6, column 15",
                PathProblem::ParentDir,
            ),
            (
                "[[package]]\nname = \"b\"\npath = \"b\"\nchangelog = \"/b.md\"\n",
                "`package.changelog` of package `b`",
                " at line 4, column 13",
                PathProblem::Absolute,
            ),
            (
                "[[package]]\nname = \"b\"\npath = \"b\"\nversion-files = [\"../Cargo.toml\"]\n",
                "`package.version-files` of package `b`",
                " at line 4, column 18",
                PathProblem::ParentDir,
            ),
            (
                "[gate]\nallowed-signers = \"../signers\"\n",
                "`gate.allowed-signers`",
                " at line 2, column 19",
                PathProblem::ParentDir,
            ),
        ] {
            let err = Config::parse(text, ".release.toml").unwrap_err();
            let ConfigError::Path {
                at: found_at, path, ..
            } = &err
            else {
                panic!("{text}: {err:?}")
            };
            assert_eq!(
                (path.setting.as_str(), found_at.as_str(), path.problem),
                (setting, at, problem),
                "{text}"
            );
            assert!(
                err.to_string()
                    .starts_with("invalid config `.release.toml` at line"),
                "{err}"
            );
            assert!(!err.hints().is_empty(), "{err}");
        }
        // Inside the work tree: fine, and a package may be the whole repository.
        Config::parse(
            "version-files = [\"./Cargo.toml\"]\n[changelog]\npath = \"docs/CHANGES.md\"\nnotes-template = \"a.git/n.hbs\"\n[[package]]\nname = \"all\"\npath = \".\"\n",
            "f",
        )
        .unwrap();
    }

    #[test]
    fn path_errors_say_how_to_fix_them() {
        let err = Config::parse(
            "[changelog]\npath = \"/tmp/CHANGELOG.md\"\n",
            ".release.toml",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid config `.release.toml` at line 2, column 8: `changelog.path` = `/tmp/CHANGELOG.md` is an absolute path, and configured paths must stay inside the work tree"
        );
        let hints = err.hints();
        assert!(
            hints[0].contains("without `..`") && hints[0].contains("CHANGELOG.md"),
            "{hints:?}"
        );
        assert!(hints[1].contains("--output FILE"), "{hints:?}");
    }

    #[test]
    fn zero_rules_never_reach_one() {
        let rules = ZeroRules {
            major: Bump::Major,
            ..ZeroRules::default()
        };
        assert_eq!(rules.apply(Bump::Major), Bump::Minor);
        assert_eq!(ZeroRules::default().apply(Bump::Patch), Bump::Patch);
    }
}
