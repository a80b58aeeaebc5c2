//! npm: a `package.json`'s top-level `"version"` and its requirements on
//! other packages, and the members' versions and requirements in
//! `package-lock.json` (lockfile versions 1 to 3).

use semver::Version;

use super::VersionFileError;
use super::edits::{Edits, shape};
use super::json::{self, json_string};
use super::requirements::simple_requirement;

/// `package.json` or `package-lock.json`: the top-level `"version"`.
pub(super) fn read_json_version(
    file: &str,
    text: &str,
) -> Result<Option<String>, VersionFileError> {
    let root = parse_json(file, text)?;
    Ok(root
        .get("version")
        .and_then(json::Spanned::as_str)
        .map(str::to_owned))
}

/// `package-lock.json`: sets the root package's version.
pub(super) fn set_package_lock_version(
    file: &str,
    text: &str,
    new: &str,
) -> Result<String, VersionFileError> {
    let root = parse_json(file, text)?;
    let mut edits = Edits::default();
    package_lock_root_edits(&root, new, &mut edits);
    if edits.is_empty() {
        return Err(VersionFileError::NoVersion {
            file: file.to_owned(),
            expected: "a top-level `\"version\"` or `packages[\"\"].version`".to_owned(),
        });
    }
    edits.apply(file, text)
}

/// `package.json`: the requirements on `dep_name` moved to `new`.
pub(super) fn package_json_dependency_edits(
    file: &str,
    text: &str,
    dep_name: &str,
    new: &Version,
) -> Result<Edits, VersionFileError> {
    let root = parse_json(file, text)?;
    let mut edits = Edits::default();
    npm_dependency_edits(&root, &[(dep_name, new)], &mut edits);
    Ok(edits)
}

/// `package-lock.json`: see [`super::update_package_lock`].
pub(super) fn update_lock(
    file: &str,
    text: &str,
    members: &[(String, String, Version)],
) -> Result<String, VersionFileError> {
    let root = parse_json(file, text)?;
    if !matches!(root.node, json::Node::Object(_)) {
        return Err(shape(file, "the top level", "an object"));
    }
    let mut edits = Edits::default();
    let members: Vec<(&str, String, &Version)> = members
        .iter()
        .map(|(name, path, version)| (name.as_str(), normalize_lock_path(path), version))
        .collect();
    let requirements: Vec<(&str, &Version)> = members
        .iter()
        .map(|(name, _, version)| (*name, *version))
        .collect();
    let packages = root.get("packages");
    for (name, path, version) in &members {
        let version_text = version.to_string();
        if path.is_empty() {
            package_lock_root_edits(&root, &version_text, &mut edits);
        } else if let Some(entry) = packages.and_then(|p| p.get(path)) {
            if let Some(value) = entry.get("version").filter(|v| v.as_str().is_some()) {
                edits.push_json(value.span.clone(), &version_text);
            }
        }
        if let Some(entry) = root.get("dependencies").and_then(|d| d.get(name)) {
            let linked = entry.get("resolved").is_none() && entry.get("link").is_none();
            if let Some(value) = entry.get("version") {
                if linked && value.as_str().is_some_and(|v| Version::parse(v).is_ok()) {
                    edits.push_json(value.span.clone(), &version_text);
                }
            }
            if let Some(requires) = entry.get("requires") {
                npm_requirement_edits(requires, &requirements, &mut edits);
            }
        }
    }
    if let Some(packages) = packages {
        let mut paths: Vec<&str> = members.iter().map(|(_, path, _)| path.as_str()).collect();
        paths.push("");
        paths.sort_unstable();
        paths.dedup();
        for path in paths {
            if let Some(entry) = packages.get(path) {
                npm_dependency_edits(entry, &requirements, &mut edits);
            }
        }
    }
    edits.apply(file, text)
}

const NPM_DEPENDENCY_SECTIONS: [&str; 4] = [
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
];

fn parse_json(file: &str, text: &str) -> Result<json::Spanned, VersionFileError> {
    let error = |message: String| VersionFileError::Json {
        file: file.to_owned(),
        message,
    };
    // serde_json's messages say what was expected, with line and column.
    // npm accepts a byte order mark; the span parser skips it too.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str::<serde_json::Value>(body).map_err(|e| error(e.to_string()))?;
    json::parse(text).map_err(error)
}

/// An npm requirement moved to `new`; `workspace:` keeps its protocol.
fn npm_requirement(spec: &str, new: &Version) -> Option<String> {
    let ops = [">=", "^", "~", "="];
    match spec.strip_prefix("workspace:") {
        Some(rest) => simple_requirement(rest, &ops, true, new).map(|r| format!("workspace:{r}")),
        None => simple_requirement(spec, &ops, true, new),
    }
}

fn npm_dependency_edits(object: &json::Spanned, deps: &[(&str, &Version)], edits: &mut Edits) {
    for section in NPM_DEPENDENCY_SECTIONS {
        if let Some(section) = object.get(section) {
            npm_requirement_edits(section, deps, edits);
        }
    }
}

/// Rewrites the requirements on `deps` in one `{ "name": "spec" }` map.
fn npm_requirement_edits(map: &json::Spanned, deps: &[(&str, &Version)], edits: &mut Edits) {
    for member in map.members() {
        let Some((_, new)) = deps.iter().find(|(name, _)| *name == member.key) else {
            continue;
        };
        let Some(spec) = member.value.as_str() else {
            continue;
        };
        if let Some(rewritten) = npm_requirement(spec, new) {
            edits.push_json(member.value.span.clone(), &rewritten);
        }
    }
}

pub(super) fn set_package_json_version(
    file: &str,
    text: &str,
    new: &str,
) -> Result<String, VersionFileError> {
    let root = parse_json(file, text)?;
    if !matches!(root.node, json::Node::Object(_)) {
        return Err(shape(file, "the top level", "an object"));
    }
    let mut edits = Edits::default();
    if let Some(version) = root.get("version") {
        if version.as_str().is_none() {
            return Err(shape(file, "`\"version\"`", "a string"));
        }
        edits.push_json(version.span.clone(), new);
        return edits.apply(file, text);
    }
    // No version yet: add one after `"name"`, in the style of that line.
    let Some(name) = root.member("name") else {
        return Err(VersionFileError::NoVersion {
            file: file.to_owned(),
            expected: "a top-level `\"version\"` (or a `\"name\"` to add it after)".to_owned(),
        });
    };
    let line_start = text
        .get(..name.key_span.start)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1);
    let indent = text
        .get(line_start..name.key_span.start)
        .unwrap_or_default();
    let separator = text
        .get(name.key_span.end..name.value.span.start)
        .unwrap_or(": ");
    let break_line = if indent.trim().is_empty() && line_start > 0 {
        format!("\n{indent}")
    } else {
        " ".to_owned()
    };
    let inserted = format!(",{break_line}\"version\"{separator}{}", json_string(new));
    let end = name.value.span.end;
    edits.push(end..end, inserted);
    edits.apply(file, text)
}

/// The root package's version in a lockfile: top-level `"version"` and
/// `packages[""].version`.
fn package_lock_root_edits(root: &json::Spanned, new: &str, edits: &mut Edits) {
    if let Some(value) = root.get("version").filter(|v| v.as_str().is_some()) {
        edits.push_json(value.span.clone(), new);
    }
    let package = root.get("packages").and_then(|p| p.get(""));
    if let Some(value) = package
        .and_then(|p| p.get("version"))
        .filter(|v| v.as_str().is_some())
    {
        edits.push_json(value.span.clone(), new);
    }
}

fn normalize_lock_path(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut path = path.trim_matches('/');
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.trim_start_matches('/');
    }
    if path == "." {
        String::new()
    } else {
        path.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packages::version_files::test_support::{pair, v};
    use crate::packages::version_files::{Kind, set_dependency, set_version, update_package_lock};

    #[test]
    fn npm_requirements_keep_their_operator_and_leave_other_specs() {
        let cases = [
            ("^1.2.0", Some("^2.0.0")),
            ("~1.2.0", Some("~2.0.0")),
            ("1.2.0", Some("2.0.0")),
            (">=1.2.0", Some(">=2.0.0")),
            ("workspace:^1.2.0", Some("workspace:^2.0.0")),
            ("workspace:*", None),
            ("workspace:^", None),
            ("file:../core", None),
            ("latest", None),
            ("1.x", None),
            (">=1 <2", None),
            ("^1 || ^2", None),
            ("npm:core@^1", None),
            ("github:user/core", None),
        ];
        for (old, expected) in cases {
            assert_eq!(
                npm_requirement(old, &v("2.0.0")).as_deref(),
                expected,
                "{old}"
            );
        }
    }

    #[test]
    fn npm_dependencies_are_updated_in_every_section() {
        let template = "{\n  \"name\": \"app\",\n  \"dependencies\": { \"core\": \"^{V}\", \"left-pad\": \"^1.0.0\" },\n  \"devDependencies\": {\n    \"core\": \"~{V}\"\n  },\n  \"peerDependencies\": { \"core\": \"{V}\" },\n  \"optionalDependencies\": { \"core\": \"workspace:^{V}\" },\n  \"resolutions\": { \"core\": \"1.0.0\" }\n}\n";
        let (before, after) = pair(template, "1.0.0", "2.0.0");
        let (out, changed) = set_dependency(
            &Kind::PackageJson,
            "package.json",
            &before,
            "core",
            &v("2.0.0"),
        )
        .unwrap();
        assert!(changed);
        assert_eq!(out, after);
        let untouched = "{\"dependencies\": {\"core\": \"workspace:*\", \"web\": \"file:../web\"}}";
        for dep in ["core", "web"] {
            let (out, changed) = set_dependency(
                &Kind::PackageJson,
                "package.json",
                untouched,
                dep,
                &v("2.0.0"),
            )
            .unwrap();
            assert!(!changed);
            assert_eq!(out, untouched);
        }
    }

    #[test]
    fn package_lock_v3_updates_member_entries() {
        let template = r#"{
  "name": "monorepo",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "monorepo",
      "version": "1.0.0",
      "workspaces": ["packages/*"]
    },
    "node_modules/core": {
      "resolved": "packages/core",
      "link": true
    },
    "node_modules/left-pad": {
      "version": "{core}",
      "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-0.3.1.tgz"
    },
    "packages/core": {
      "name": "core",
      "version": "{core-new}"
    },
    "packages/web": {
      "name": "web",
      "version": "{web}",
      "dependencies": {
        "core": "^{core-new}",
        "left-pad": "^{core}"
      }
    }
  }
}
"#;
        let fill = |core_new: &str, web: &str| {
            template
                .replace("{core-new}", core_new)
                .replace("{core}", "0.3.1")
                .replace("{web}", web)
        };
        let before = fill("0.3.1", "1.0.0");
        let after = fill("0.4.0", "1.0.1");
        let members = [
            ("core".to_owned(), "packages/core".to_owned(), v("0.4.0")),
            ("web".to_owned(), "./packages/web/".to_owned(), v("1.0.1")),
        ];
        let out = update_package_lock("package-lock.json", &before, &members).unwrap();
        assert_eq!(out, after);
    }

    #[test]
    fn package_lock_v1_updates_root_and_linked_dependencies() {
        let template = "{\n\t\"name\": \"web\",\n\t\"version\": \"{root}\",\n\t\"lockfileVersion\": 1,\n\t\"requires\": true,\n\t\"dependencies\": {\n\t\t\"core\": {\n\t\t\t\"version\": \"{core}\"\n\t\t},\n\t\t\"ui\": {\n\t\t\t\"version\": \"file:packages/ui\",\n\t\t\t\"requires\": {\n\t\t\t\t\"core\": \"^{core}\"\n\t\t\t}\n\t\t},\n\t\t\"left-pad\": {\n\t\t\t\"version\": \"0.3.1\",\n\t\t\t\"resolved\": \"https://registry.npmjs.org/left-pad/-/left-pad-0.3.1.tgz\"\n\t\t}\n\t}\n}";
        let fill =
            |root: &str, core: &str| template.replace("{root}", root).replace("{core}", core);
        let before = fill("0.3.1", "0.3.1");
        let after = fill("0.4.0", "1.0.0");
        let members = [
            ("web".to_owned(), ".".to_owned(), v("0.4.0")),
            ("core".to_owned(), "packages/core".to_owned(), v("1.0.0")),
            ("ui".to_owned(), "packages/ui".to_owned(), v("0.3.2")),
            (
                "left-pad".to_owned(),
                "packages/left-pad".to_owned(),
                v("9.0.0"),
            ),
        ];
        let out = update_package_lock("package-lock.json", &before, &members).unwrap();
        assert_eq!(out, after);
    }

    #[test]
    fn byte_order_mark_is_kept() {
        let (before, after) = pair(
            "\u{feff}{\"name\": \"web\", \"version\": \"{V}\"}\n",
            "1.0.0",
            "1.1.0",
        );
        let out = set_version(&Kind::PackageJson, "package.json", &before, &v("1.1.0")).unwrap();
        assert_eq!(out, after);
    }
}
