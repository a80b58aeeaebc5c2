//! Test helpers shared by the format files' tests: versions, before and
//! after texts, and the sample manifests more than one file tests with.

use semver::Version;

pub(super) fn v(text: &str) -> Version {
    Version::parse(text).unwrap()
}

/// `template` with `{V}` as `old`, and what it must become: the same with
/// `{V}` as `new` — so nothing but the version bytes may change.
pub(super) fn pair(template: &str, old: &str, new: &str) -> (String, String) {
    (template.replace("{V}", old), template.replace("{V}", new))
}

pub(super) const CARGO_DEPENDENTS: &str = r#"[package]
name = "app"
version = "0.1.0"

[dependencies]
core = "{caret}"   # caret
serde = "1.2"
renamed = { package = "core", version = "{tilde}", path = "../core" }
core-extra = "1.2"

[dependencies.other]
version = "1.2"

[dev-dependencies.core]
version = '{exact}'
path = "../core"

[build-dependencies]
core = { path = "../core" }

[target.'cfg(unix)'.dependencies]
core = { version = "{bare}", optional = true }

[workspace.dependencies]
core = { version = "{ge}", path = "crates/core" }
inherited = { workspace = true }
"#;
