//! `git release schema`: the JSON Schema of `.release.toml`, and the copy
//! shipped in the repository for editors.

use crate::fixture::TestRepo;

const SHIPPED: &str = "docs/release.schema.json";

fn shipped() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/release.schema.json"
    ))
    .unwrap_or_default()
}

#[test]
fn the_shipped_schema_is_the_generated_one() {
    let repo = TestRepo::empty();
    let run = repo.run(&["schema"]);
    run.expect(0);
    assert!(
        run.stdout() == shipped(),
        "{SHIPPED} is out of date: run `cargo run -q -- schema > {SHIPPED}` and commit it"
    );
    // Outside a repository too, and as JSON the same document.
    let outside = repo.run_in(repo.root(), &["schema", "--format", "json"]);
    outside.expect(0);
    assert_eq!(outside.json(), run.json());
}

#[test]
fn the_schema_knows_every_table_of_the_example_and_refuses_unknown_keys() {
    let schema: serde_json::Value = serde_json::from_str(&shipped()).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["additionalProperties"], false);
    let properties = schema["properties"].as_object().unwrap();
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.release.toml.example"
    ))
    .unwrap();
    let mut tables = 0;
    for line in example.lines() {
        let line = line.trim_start_matches('#').trim();
        let Some(header) = line.strip_prefix('[') else {
            continue;
        };
        let name = header
            .trim_start_matches('[')
            .split(['.', ']'])
            .next()
            .unwrap_or_default();
        tables += 1;
        assert!(
            properties.contains_key(name),
            "`[{name}]` of .release.toml.example is not in the schema"
        );
    }
    assert!(tables >= 5, "{tables}");
    for key in ["tag", "initial-version", "branches", "version-files"] {
        assert!(properties.contains_key(key), "{key}");
    }
    // Defaults and documentation come along.
    assert_eq!(properties["tag"]["default"], "v{version}");
    assert!(properties["gate"]["description"].is_string());
}
