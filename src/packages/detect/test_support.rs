//! Test helpers shared by the detection tests: building a work tree from
//! files, summarizing what was detected, and the fixture trees used by more
//! than one ecosystem's tests.

use super::Detected;

pub(super) fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

pub(super) fn summary(found: &[Detected]) -> Vec<(String, String, Option<String>, Vec<String>)> {
    found
        .iter()
        .map(|d| {
            (
                d.name.clone(),
                d.path.clone(),
                d.version.clone(),
                d.dependencies.clone(),
            )
        })
        .collect()
}

pub(super) fn row(
    name: &str,
    path: &str,
    version: Option<&str>,
    deps: &[&str],
) -> (String, String, Option<String>, Vec<String>) {
    (
        name.to_owned(),
        path.to_owned(),
        version.map(str::to_owned),
        deps.iter().map(|d| (*d).to_owned()).collect(),
    )
}

pub(super) const CARGO_WORKSPACE: &[(&str, &str)] = &[
    (".gitignore", "/ignored/\n"),
    (
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"crates/fuzz\"]\n\n[workspace.package]\nversion = \"0.3.1\"\n\n[workspace.dependencies]\ncore = { path = \"crates/core\", version = \"0.3.1\" }\n",
    ),
    ("Cargo.lock", "version = 4\n"),
    (
        "crates/core/Cargo.toml",
        "[package]\nname = \"core\"\nversion.workspace = true\n",
    ),
    (
        "crates/cli/Cargo.toml",
        "[package]\nname = \"cli\"\nversion = \"1.0.0\"\n\n[dependencies]\ncore = { workspace = true }\nserde = \"1\"\n\n[target.'cfg(unix)'.dependencies]\nutil2 = { package = \"util\", path = \"../../libs/util\" }\n",
    ),
    (
        "crates/fuzz/Cargo.toml",
        "[package]\nname = \"fuzz\"\nversion = \"0.0.0\"\n[dependencies]\ncore = { path = \"../core\" }\n",
    ),
    (
        "libs/util/Cargo.toml",
        "[package]\nname = \"util\"\nversion = \"0.1.0\"\n",
    ),
    (
        "tests/fixtures/demo/Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n",
    ),
    (
        "ignored/Cargo.toml",
        "[package]\nname = \"ghost\"\nversion = \"0.1.0\"\n",
    ),
    (
        "target/debug/build/Cargo.toml",
        "[package]\nname = \"built\"\n",
    ),
    (".hidden/Cargo.toml", "[package]\nname = \"hidden\"\n"),
];

pub(super) const NPM_WORKSPACE: &[(&str, &str)] = &[
    (
        "package.json",
        r#"{ "name": "monorepo", "private": true, "workspaces": ["packages/*", "!packages/legacy"] }"#,
    ),
    ("package-lock.json", "{}"),
    (
        "packages/core/package.json",
        r#"{ "name": "@acme/core", "version": "1.2.0" }"#,
    ),
    (
        "packages/web/package.json",
        r#"{ "name": "web", "version": "0.1.0", "dependencies": { "@acme/core": "^1.2.0", "react": "^18" }, "devDependencies": { "web": "0.0.0" } }"#,
    ),
    ("packages/legacy/package.json", r#"{ "name": "legacy" }"#),
    (
        "packages/web/fixtures/package.json",
        r#"{ "name": "fixture" }"#,
    ),
    (
        "packages/web/node_modules/react/package.json",
        r#"{ "name": "react" }"#,
    ),
];

pub(super) const PYTHON: &[(&str, &str)] = &[
    (
        "poetry-app/pyproject.toml",
        "[tool.poetry]\nname = \"poetry-app\"\nversion = \"0.2.0\"\n\n[tool.poetry.dependencies]\npython = \"^3.10\"\npep-lib = { path = \"../pep-lib\", develop = true }\n",
    ),
    (
        "pep-lib/pyproject.toml",
        "[project]\nname = \"Pep_Lib\"\nversion = \"1.0.0\"\ndependencies = [\"requests>=2\"]\n\n[dependency-groups]\ndev = [\"dyn>=1\", { include-group = \"x\" }]\n",
    ),
    (
        "dyn/pyproject.toml",
        "[project]\nname = \"dyn\"\ndynamic = [\"version\"]\n",
    ),
    ("tools/pyproject.toml", "[tool.black]\nline-length = 100\n"),
];
