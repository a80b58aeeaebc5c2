//! Evidence and gates: `test`, `approve`, `gate`, `tag`, `verify`, `sync`,
//! with real repositories, a real bare remote and real `ssh-keygen` keys.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fixture::{TestRepo, git_in};

const POLICY: &str = "[gate]\ntests = [\"unit\"]\napprovals = 1\napprovers = [\"*@example.com\"]\nmax-age = \"7d\"\n";

/// A repository whose release v1.0.0 carries `policy`, with one feature
/// since by Ada (ada@example.com, the author in the fixture's environment).
fn released_with(policy: &str) -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(".release.toml", policy);
    repo.git(&["add", "."]);
    repo.commit("chore: release policy").tag("v1.0.0");
    repo.commit("feat: new thing");
    repo.as_user("Ada Author", "ada@example.com");
    repo
}

fn passes_tests(repo: &TestRepo) {
    repo.run(&["test", "--suite", "unit", "--", "true"])
        .expect(0);
}

fn approve_as(repo: &mut TestRepo, name: &str, email: &str, args: &[&str]) {
    repo.as_user(name, email);
    let mut all = vec!["approve"];
    all.extend_from_slice(args);
    repo.run(&all).expect(0);
    repo.as_user("Ada Author", "ada@example.com");
}

fn gate_json(repo: &TestRepo) -> serde_json::Value {
    repo.run(&["gate", "--format", "json"]).json()
}

fn requirement<'a>(json: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    json["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no requirement {name} in {json}"))
}

#[test]
fn gate_fails_then_passes_with_each_requirement() {
    let mut repo = released_with(POLICY);
    let run = repo.run(&["gate"]);
    run.expect(1);
    insta::assert_snapshot!("gate_unmet", run.stdout());
    passes_tests(&repo);
    let json = gate_json(&repo);
    assert_eq!(requirement(&json, "tests: unit")["ok"], true);
    assert_eq!(requirement(&json, "approvals")["ok"], false);
    approve_as(&mut repo, "Bea", "bea@example.com", &[]);
    let run = repo.run(&["gate"]);
    run.expect(0);
    assert!(run.stdout().contains("Gate met."), "{}", run.stdout());
    // The plan shows the gate too.
    let plan = repo.run(&["plan", "--format", "json"]).json();
    assert_eq!(plan["gate"]["ok"], true);
}

#[test]
fn failing_test_is_recorded_and_exits_1() {
    let repo = released_with(POLICY);
    let run = repo.run(&["test", "--suite", "unit", "--", "false"]);
    run.expect(1);
    assert!(
        run.stderr().contains("suite `unit` failed"),
        "{}",
        run.stderr()
    );
    let note = repo.git(&["notes", "--ref", "release/tests", "show", "HEAD"]);
    assert!(note.contains("result=fail"), "{note}");
    let json = gate_json(&repo);
    assert!(
        requirement(&json, "tests: unit")["detail"]
            .as_str()
            .unwrap()
            .contains("failed")
    );
    // A command that does not exist is an error, and nothing is recorded.
    let run = repo.run(&["test", "--suite", "unit", "--", "no-such-command-xyz"]);
    run.expect(2);
    assert_eq!(
        repo.git(&["notes", "--ref", "release/tests", "show", "HEAD"]),
        note
    );
}

#[test]
fn test_refuses_a_dirty_tree() {
    let mut repo = released_with(POLICY);
    repo.write("uncommitted.txt", "x");
    let run = repo.run(&["test", "--suite", "unit", "--", "true"]);
    run.expect(2);
    assert!(
        run.stderr()
            .contains("uncommitted changes (uncommitted.txt)"),
        "{}",
        run.stderr()
    );
    assert!(run.stderr().contains("hint:"));
}

#[test]
fn a_test_of_another_tree_does_not_count() {
    let mut repo = released_with(POLICY);
    passes_tests(&repo);
    repo.commit("fix: after the test run");
    let json = gate_json(&repo);
    let tests = requirement(&json, "tests: unit");
    assert_eq!(tests["ok"], false);
    // Copying the old record onto the new commit does not help: it names another tree.
    let old = repo.git(&["notes", "--ref", "release/tests", "show", "HEAD~1"]);
    repo.git(&[
        "notes",
        "--ref",
        "release/tests",
        "add",
        "-m",
        old.trim(),
        "HEAD",
    ]);
    let json = gate_json(&repo);
    let tests = requirement(&json, "tests: unit");
    assert_eq!(tests["ok"], false);
    assert!(
        tests["rejected"][0]
            .as_str()
            .unwrap()
            .contains("recorded for commit"),
        "{tests}"
    );
}

#[test]
fn replayed_approvals_do_not_count() {
    let mut repo = released_with(POLICY);
    passes_tests(&repo);
    // An approval for another tag name.
    approve_as(&mut repo, "Bea", "bea@example.com", &["--tag", "v9.0.0"]);
    let json = gate_json(&repo);
    let approvals = requirement(&json, "approvals");
    assert_eq!(approvals["ok"], false);
    assert!(
        approvals["rejected"][0]
            .as_str()
            .unwrap()
            .contains("approves tag `v9.0.0`")
    );
    // An approval for the same tag on another commit, copied here.
    let mut other = released_with(POLICY);
    other.commit("feat: different");
    approve_as(&mut other, "Bea", "bea@example.com", &[]);
    let line = other.git(&["notes", "--ref", "release/approvals", "show", "HEAD"]);
    repo.git(&[
        "notes",
        "--ref",
        "release/approvals",
        "append",
        "-m",
        line.trim(),
        "HEAD",
    ]);
    let json = gate_json(&repo);
    assert_eq!(requirement(&json, "approvals")["ok"], false);
}

#[test]
fn self_approval_and_duplicates() {
    let repo = released_with(POLICY);
    passes_tests(&repo);
    // Ada wrote the feature: her approval does not count.
    let run = repo.run(&["approve"]);
    run.expect(0);
    assert!(run.stderr().contains("will not count"), "{}", run.stderr());
    let json = gate_json(&repo);
    assert!(
        requirement(&json, "approvals")["rejected"][0]
            .as_str()
            .unwrap()
            .contains("self-approval is off")
    );
    // Two approvals by one person count once.
    let mut repo = released_with(&POLICY.replace("approvals = 1", "approvals = 2"));
    approve_as(&mut repo, "Bea", "bea@example.com", &[]);
    approve_as(&mut repo, "Bea B.", "BEA@example.com", &[]);
    let json = gate_json(&repo);
    assert_eq!(
        requirement(&json, "approvals")["detail"],
        "1 of 2 approvals (bea@example.com)"
    );
    // Outside the approver patterns.
    approve_as(&mut repo, "Mallory", "mallory@evil.test", &[]);
    let json = gate_json(&repo);
    let rejected = requirement(&json, "approvals")["rejected"].to_string();
    assert!(rejected.contains("not an allowed approver"), "{rejected}");
}

#[test]
fn the_candidate_cannot_loosen_its_own_policy() {
    let mut repo = released_with(POLICY);
    repo.write(".release.toml", "[gate]\n");
    repo.git(&["add", "."]);
    repo.commit("chore: drop the gate");
    let run = repo.run(&["gate"]);
    run.expect(1);
    assert!(
        run.stdout()
            .contains("policy: .release.toml at release v1.0.0"),
        "{}",
        run.stdout()
    );
}

#[test]
fn evidence_age_and_release_windows_with_a_pinned_clock() {
    let policy = format!(
        "{POLICY}\n[gate.window]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\nhours = \"09:00-17:00\"\ntimezone = \"Europe/Berlin\"\nfreeze = [{{ from = \"2023-12-20\", to = \"2024-01-02\", reason = \"holidays\" }}]\n"
    );
    let mut repo = released_with(&policy);
    passes_tests(&repo);
    approve_as(&mut repo, "Bea", "bea@example.com", &[]);
    let at = |now: &str| {
        repo.run_env(
            &repo.path(),
            &["gate", "--format", "json"],
            &[("GIT_RELEASE_NOW", now)],
        )
    };
    // Wednesday 2023-11-15 11:00 in Berlin: inside.
    let inside = at("2023-11-15T10:00:00Z");
    inside.expect(0);
    // Saturday: outside.
    let saturday = at("2023-11-18T10:00:00Z");
    saturday.expect(1);
    assert!(
        requirement(&saturday.json(), "release window")["detail"]
            .as_str()
            .unwrap()
            .contains("not on an allowed day")
    );
    // In the freeze.
    let freeze = at("2023-12-21T10:00:00Z").json();
    assert!(
        requirement(&freeze, "release window")["detail"]
            .as_str()
            .unwrap()
            .contains("holidays")
    );
    // Overridden, with the reason recorded.
    let run = repo.run_env(
        &repo.path(),
        &[
            "gate",
            "--override-window",
            "security fix",
            "--format",
            "json",
        ],
        &[("GIT_RELEASE_NOW", "2023-11-18T10:00:00Z")],
    );
    run.expect(0);
    // Evidence older than max-age (7d) no longer counts.
    let late = at("2023-11-29T10:00:00Z");
    late.expect(1);
    assert!(
        requirement(&late.json(), "tests: unit")["rejected"][0]
            .as_str()
            .unwrap()
            .contains("max-age")
    );
}

#[test]
fn tag_leaves_no_trace_when_the_gate_fails_or_the_tag_exists() {
    let mut repo = released_with(POLICY);
    repo.write("CHANGELOG.md", "# Changelog\n");
    repo.git(&["add", "."]);
    repo.commit("docs: changelog");
    let before = snapshot(&repo);
    let run = repo.run(&["tag"]);
    run.expect(1);
    assert!(
        run.stderr().contains("refusing to tag v1.1.0"),
        "{}",
        run.stderr()
    );
    assert_eq!(snapshot(&repo), before);
    // The tag exists already.
    passes_tests(&repo);
    approve_as(&mut repo, "Bea", "bea@example.com", &[]);
    repo.branch("side")
        .commit("feat: elsewhere")
        .tag("v1.1.0")
        .switch("main");
    let before = snapshot(&repo);
    let run = repo.run(&["tag"]);
    run.expect(2);
    assert!(run.stderr().contains("exists already"), "{}", run.stderr());
    assert_eq!(snapshot(&repo), before);
}

/// Everything a failed `tag` must leave alone: refs, HEAD, index, files.
fn snapshot(repo: &TestRepo) -> String {
    let refs = repo.git(&["for-each-ref", "--format=%(refname) %(objectname)"]);
    let status = repo.git(&["status", "--porcelain", "--untracked-files=all"]);
    let head = repo.git(&["rev-parse", "HEAD"]);
    let index = repo.git(&["ls-files", "-s"]);
    let changelog = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap_or_default();
    format!("{refs}\n{status}\n{head}\n{index}\n{changelog}")
}

#[test]
fn tag_dry_run_writes_nothing_and_refuses_bad_states() {
    let mut repo = released_with(POLICY);
    passes_tests(&repo);
    approve_as(&mut repo, "Bea", "bea@example.com", &[]);
    let before = snapshot(&repo);
    let run = repo.run(&["tag", "--dry-run"]);
    run.expect(0);
    assert!(run.stdout().contains("Dry run: nothing was written."));
    assert!(run.stdout().contains("Release-Candidate: "));
    assert_eq!(snapshot(&repo), before);
    // Dirty tree.
    repo.write("stray.txt", "x");
    repo.run(&["tag"]).expect(2);
    std::fs::remove_file(repo.path().join("stray.txt")).unwrap();
    // A branch outside `branches` (read from the work tree's config).
    repo.write(
        ".release.toml",
        &format!("branches = [\"release/*\"]\n{POLICY}"),
    );
    let run = repo.run(&["tag"]);
    run.expect(2);
    assert!(run.stderr().contains("hint:"));
    repo.git(&["checkout", "--", ".release.toml"]);
    // Detached HEAD.
    repo.git(&["checkout", "-q", "--detach", "HEAD"]);
    let run = repo.run(&["tag"]);
    run.expect(2);
    assert!(run.stderr().contains("detached"), "{}", run.stderr());
    assert_eq!(snapshot(&repo), before);
}

/// A bare remote and a clone of it, with the policy released as v1.0.0.
fn remote_and_clone() -> (TestRepo, PathBuf) {
    let repo = released_with(POLICY);
    let bare = repo.root().join("remote.git");
    repo.git(&["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main", "v1.0.0"]);
    (repo, bare)
}

#[test]
fn tag_with_changelog_push_and_verify_in_a_fresh_clone() {
    let (mut repo, bare) = remote_and_clone();
    repo.write("CHANGELOG.md", "# Changelog\n\nHand-written intro.\n");
    repo.git(&["add", "."]);
    repo.commit("docs: start a changelog");
    repo.git(&["push", "-q", "origin", "main"]);
    passes_tests(&repo);
    approve_as(&mut repo, "Bea", "bea@example.com", &[]);
    let run = repo.run(&["tag", "--push"]);
    run.expect(0);
    assert!(run.stdout().contains("tagged v1.1.0"), "{}", run.stdout());
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]).trim(),
        "chore(release): v1.1.0"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    let changelog = std::fs::read_to_string(repo.path().join("CHANGELOG.md")).unwrap();
    assert!(
        changelog
            .starts_with("# Changelog\n\nHand-written intro.\n\n<!-- git-release: v1.1.0 -->\n"),
        "{changelog}"
    );
    // Everything reached the remote.
    let remote_refs = git_in(&bare, &["for-each-ref", "--format=%(refname)"]);
    for r in [
        "refs/tags/v1.1.0",
        "refs/notes/release/tests",
        "refs/notes/release/approvals",
    ] {
        assert!(remote_refs.contains(r), "{r} in {remote_refs}");
    }
    // CI: a fresh clone on a detached HEAD at the tag, with the notes fetched.
    let ci = repo.root().join("ci");
    git_in(
        repo.root(),
        &["clone", "-q", bare.to_str().unwrap(), ci.to_str().unwrap()],
    );
    git_in(
        &ci,
        &[
            "fetch",
            "-q",
            "origin",
            "refs/notes/release/*:refs/notes/release/*",
        ],
    );
    git_in(&ci, &["checkout", "-q", "--detach", "v1.1.0"]);
    let run = repo.run_in(&ci, &["verify", "v1.1.0"]);
    run.expect(0);
    assert!(
        run.stdout().contains("changes only release files"),
        "{}",
        run.stdout()
    );
    let json = repo
        .run_in(&ci, &["verify", "v1.1.0", "--format", "json"])
        .json();
    assert_eq!(json["ok"], true);
    // Without the notes, verification fails and says how to fetch them.
    let bare_ci = repo.root().join("ci2");
    git_in(
        repo.root(),
        &[
            "clone",
            "-q",
            bare.to_str().unwrap(),
            bare_ci.to_str().unwrap(),
        ],
    );
    let run = repo.run_in(&bare_ci, &["verify", "v1.1.0"]);
    run.expect(1);
    assert!(
        run.stderr().contains("refs/notes/release/*"),
        "{}",
        run.stderr()
    );
}

#[test]
fn verify_fails_on_a_hand_made_tag() {
    let (repo, _) = remote_and_clone();
    repo.git(&["tag", "-a", "v1.1.0", "-m", "by hand"]);
    let run = repo.run(&["verify", "v1.1.0"]);
    run.expect(1);
    assert!(run.stdout().contains("Not verified."), "{}", run.stdout());
    // A lower version than the last release.
    repo.git(&["tag", "v0.9.0"]);
    let json = repo.run(&["verify", "v0.9.0", "--format", "json"]).json();
    assert_eq!(json["ok"], false);
    assert!(json["checks"].to_string().contains("not above"), "{json}");
    // Unknown tag.
    repo.run(&["verify", "v7.7.7"]).expect(1);
}

#[test]
fn a_release_commit_that_changes_code_is_rejected() {
    let (mut repo, _) = remote_and_clone();
    passes_tests(&repo);
    approve_as(&mut repo, "Bea", "bea@example.com", &[]);
    repo.run(&["tag"]).expect(0);
    // Forge: move the tag to a commit that sneaks in code, claiming the same candidate.
    let message = repo.git(&["tag", "-l", "--format=%(contents)", "v1.1.0"]);
    repo.write("evil.sh", "rm -rf /");
    repo.git(&["add", "."]);
    repo.commit("chore(release): v1.1.0");
    repo.git(&["tag", "-f", "-a", "v1.1.0", "-m", message.trim()]);
    let run = repo.run(&["verify", "v1.1.0"]);
    run.expect(1);
    assert!(
        run.stdout().contains("changes more than `tag` writes"),
        "{}",
        run.stdout()
    );
}

#[test]
fn concurrent_approvals_from_two_clones_merge_without_loss() {
    let (repo, bare) = remote_and_clone();
    repo.git(&["push", "-q", "origin", "main"]);
    let clone = |name: &str, who: &str| {
        let dir = repo.root().join(name);
        git_in(
            repo.root(),
            &["clone", "-q", bare.to_str().unwrap(), dir.to_str().unwrap()],
        );
        git_in(&dir, &["config", "user.name", who]);
        git_in(
            &dir,
            &[
                "config",
                "user.email",
                &format!("{}@example.com", who.to_lowercase()),
            ],
        );
        dir
    };
    let a = clone("a", "Bea");
    let b = clone("b", "Carl");
    repo.run_in(&a, &["approve"]).expect(0);
    repo.run_in(&b, &["approve"]).expect(0);
    repo.run_in(&a, &["sync"]).expect(0);
    // B's notes diverged from the remote's: a plain push would be rejected;
    // sync merges by line union and pushes.
    let run = repo.run_in(&b, &["sync"]);
    run.expect(0);
    repo.run_in(&a, &["sync"]).expect(0);
    let note = git_in(&a, &["notes", "--ref", "release/approvals", "show", "HEAD"]);
    assert!(
        note.contains("bea@example.com") && note.contains("carl@example.com"),
        "{note}"
    );
}

/// Makes an ed25519 key with the real ssh-keygen; returns (private key, public key line).
fn keygen(dir: &Path, name: &str) -> (PathBuf, String) {
    let key = dir.join(name);
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    (key, public.trim().to_owned())
}

#[test]
fn signed_approvals_with_real_ssh_keys() {
    let keys = tempfile::tempdir().unwrap();
    let (bea_key, bea_pub) = keygen(keys.path(), "bea");
    let (mallory_key, mallory_pub) = keygen(keys.path(), "mallory");
    let policy =
        "[gate]\napprovals = 1\nsigned = true\nallowed-signers = \".release/allowed_signers\"\n";
    let mut repo = TestRepo::new();
    repo.write(".release.toml", policy);
    repo.write(
        ".release/allowed_signers",
        &format!("bea@example.com {bea_pub}\n"),
    );
    repo.git(&["add", "."]);
    repo.commit("chore: policy").tag("v1.0.0");
    // The candidate adds Mallory as a signer: not trusted, because signers
    // are read from v1.0.0.
    repo.write(
        ".release/allowed_signers",
        &format!("bea@example.com {bea_pub}\nmallory@example.com {mallory_pub}\n"),
    );
    repo.git(&["add", "."]);
    repo.commit("feat: trust me");

    // Unsigned approval: does not count.
    repo.as_user("Bea", "bea@example.com");
    repo.git(&["config", "user.signingkey", bea_key.to_str().unwrap()]);
    let unsigned = repo.run(&["approve"]);
    unsigned.expect(0); // `signed = true` in the work tree's config signs automatically
    repo.git(&["notes", "--ref", "release/approvals", "remove", "HEAD"]);
    repo.git(&["config", "--unset", "user.signingkey"]);
    let unsigned = repo.run(&["approve", "--config", "/dev/null"]);
    unsigned.expect(0);
    repo.as_user("Ada Author", "ada@example.com");
    let json = gate_json(&repo);
    assert_eq!(requirement(&json, "approvals")["ok"], false);
    assert!(
        requirement(&json, "approvals")["rejected"]
            .to_string()
            .contains("not signed"),
        "{json}"
    );

    // Mallory signs with her own key, which the candidate added: rejected.
    repo.as_user("Mallory", "mallory@example.com");
    repo.git(&["config", "user.signingkey", mallory_key.to_str().unwrap()]);
    repo.run(&["approve", "--sign"]).expect(0);
    // A record claiming to be Bea but signed with Mallory's key: rejected.
    repo.as_user("Bea", "bea@example.com");
    repo.run(&["approve", "--sign"]).expect(0);
    repo.as_user("Ada Author", "ada@example.com");
    let json = gate_json(&repo);
    let approvals = requirement(&json, "approvals");
    assert_eq!(approvals["ok"], false, "{approvals}");
    assert!(
        approvals["rejected"]
            .to_string()
            .contains("signature does not verify"),
        "{approvals}"
    );

    // Bea signs with her key: counts.
    repo.as_user("Bea", "bea@example.com");
    repo.git(&["config", "user.signingkey", bea_key.to_str().unwrap()]);
    repo.run(&["approve", "--sign"]).expect(0);
    repo.as_user("Ada Author", "ada@example.com");
    let json = gate_json(&repo);
    assert_eq!(requirement(&json, "approvals")["ok"], true, "{json}");
    assert!(
        requirement(&json, "approvals")["detail"]
            .as_str()
            .unwrap()
            .contains("bea@example.com")
    );

    // A tampered signed record does not verify.
    let note = repo.git(&["notes", "--ref", "release/approvals", "show", "HEAD"]);
    let tampered = note.replace("Bea <bea@example.com>", "Bee <bea@example.com>");
    repo.git(&[
        "notes",
        "--ref",
        "release/approvals",
        "add",
        "-f",
        "-m",
        tampered.trim(),
        "HEAD",
    ]);
    let json = gate_json(&repo);
    assert_eq!(requirement(&json, "approvals")["ok"], false, "{json}");
}

/// Certifies `key` with the certificate authority `ca` for `principal`;
/// returns the certificate file, which `user.signingkey` may name.
fn certify(ca: &Path, key: &Path, principal: &str) -> PathBuf {
    let out = Command::new("ssh-keygen")
        .args(["-q", "-s"])
        .arg(ca)
        .args(["-I", principal, "-n", principal])
        .arg(key.with_extension("pub"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(format!("{}-cert.pub", key.display()))
}

#[test]
fn signed_approvals_with_ssh_certificates() {
    let keys = tempfile::tempdir().unwrap();
    let (ca_key, ca_pub) = keygen(keys.path(), "ca");
    let (bea_key, _) = keygen(keys.path(), "bea");
    let (carl_key, _) = keygen(keys.path(), "carl");
    let policy =
        "[gate]\napprovals = 1\nsigned = true\nallowed-signers = \".release/allowed_signers\"\n";
    let mut repo = TestRepo::new();
    repo.write(".release.toml", policy);
    repo.write(
        ".release/allowed_signers",
        &format!("*@example.com cert-authority {ca_pub}\n"),
    );
    repo.git(&["add", "."]);
    repo.commit("chore: policy").tag("v1.0.0");
    repo.commit("feat: certified");

    // Carl's certificate names Carl: a record claiming Bea is rejected.
    let carl_cert = certify(&ca_key, &carl_key, "carl@example.com");
    repo.as_user("Bea", "bea@example.com");
    repo.git(&["config", "user.signingkey", carl_cert.to_str().unwrap()]);
    repo.run(&["approve", "--sign"]).expect(0);
    repo.as_user("Ada Author", "ada@example.com");
    let json = gate_json(&repo);
    let approvals = requirement(&json, "approvals");
    assert_eq!(approvals["ok"], false, "{approvals}");
    assert!(
        approvals["rejected"]
            .to_string()
            .contains("not `bea@example.com`"),
        "{approvals}"
    );

    // Bea's own certificate: counts.
    let bea_cert = certify(&ca_key, &bea_key, "bea@example.com");
    repo.as_user("Bea", "bea@example.com");
    repo.git(&["config", "user.signingkey", bea_cert.to_str().unwrap()]);
    repo.run(&["approve", "--sign"]).expect(0);
    repo.as_user("Ada Author", "ada@example.com");
    let json = gate_json(&repo);
    assert_eq!(requirement(&json, "approvals")["ok"], true, "{json}");
}

#[test]
fn malformed_notes_are_reported_not_trusted() {
    let mut repo = released_with(POLICY);
    repo.git(&[
        "notes",
        "--ref",
        "release/approvals",
        "add",
        "-m",
        "Approved-by: nonsense\n\u{1F4A3}; tag=v1.1.0",
        "HEAD",
    ]);
    approve_as(&mut repo, "Bea", "bea@example.com", &[]);
    let run = repo.run(&["gate"]);
    run.expect(1);
    assert!(
        run.stderr().contains("ignored a malformed record"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stdout().contains("approvals: 1 of 1"),
        "{}",
        run.stdout()
    );
}

#[test]
fn signed_tag_with_an_ssh_key() {
    let keys = tempfile::tempdir().unwrap();
    let (key, public) = keygen(keys.path(), "ada");
    let mut repo = TestRepo::new();
    repo.tag("v1.0.0").commit("feat: signed");
    // A changelog makes a release commit, so the tag's record must name the
    // candidate in a `Release-Candidate` trailer that the signature (appended
    // to the message) must not hide.
    repo.write("CHANGELOG.md", "# Changelog\n");
    repo.git(&["add", "."]);
    repo.commit("docs: changelog");
    repo.as_user("Ada Author", "ada@example.com");
    repo.git(&["config", "gpg.format", "ssh"]);
    repo.git(&["config", "user.signingkey", key.to_str().unwrap()]);
    let run = repo.run(&["tag", "--sign"]);
    run.expect(0);
    let raw = repo.git(&["cat-file", "-p", "v1.1.0"]);
    assert!(raw.contains("-----BEGIN SSH SIGNATURE-----"), "{raw}");
    let signers = keys.path().join("allowed");
    std::fs::write(&signers, format!("ada@example.com {public}\n")).unwrap();
    repo.git(&[
        "config",
        "gpg.ssh.allowedSignersFile",
        signers.to_str().unwrap(),
    ]);
    repo.git(&["tag", "-v", "v1.1.0"]);
    let run = repo.run(&["verify", "v1.1.0"]);
    run.expect(0);
    assert!(
        run.stdout().contains("changes only release files"),
        "{}",
        run.stdout()
    );
}
