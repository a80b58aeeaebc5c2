//! Nothing lost: concurrent writers of every record kind in one clone, a
//! `sync` between two clones running meanwhile, writers killed at random
//! moments, and failed writes that must leave refs and notes as they were.
//! Real processes of the debug binary, spawned directly, bounded counts.
//! Each test prints what happened (counts, the random seed) for
//! `--nocapture`.

#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use crate::fixture::TestRepo;

const CONFIG: &str = "[environments.staging]\n";

/// A repository with a release v0.1.0, one unreleased feature, and a
/// staging environment.
fn repository() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write(".release.toml", CONFIG);
    repo.git(&["add", "."]);
    repo.commit("feat: a").tag("v0.1.0");
    repo.commit("feat: b");
    repo
}

/// What a writer records (each writer's line is recognisable by its
/// number: identity, suite or deployment note).
#[derive(Clone, Copy, Debug)]
enum Kind {
    Approve,
    Test,
    Deploy,
}

/// A running `git release` process recording one line.
struct Writer {
    kind: Kind,
    n: usize,
    child: Child,
}

impl Writer {
    fn spawn(repo: &TestRepo, dir: &Path, kind: Kind, n: usize) -> Writer {
        let name = format!("Writer {n}");
        let email = format!("w{n}@example.com");
        let note = format!("w{n}");
        let suite = format!("s{n}");
        let args: Vec<&str> = match kind {
            Kind::Approve => vec!["approve"],
            Kind::Test => vec!["test", "--suite", &suite, "--", "true"],
            Kind::Deploy => vec![
                "deploy", "v0.1.0", "--env", "staging", "--status", "started", "--note", &note,
            ],
        };
        let vars = [
            ("GIT_COMMITTER_NAME", name.as_str()),
            ("GIT_COMMITTER_EMAIL", email.as_str()),
        ];
        let child = repo
            .command(dir, &args, &vars)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        Writer { kind, n, child }
    }

    /// Waits for it: its kind and number, whether it said `recorded` (an
    /// acknowledged record), and its output for diagnostics.
    fn finish(self) -> (Kind, usize, bool, String) {
        let out = self.child.wait_with_output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let acknowledged = text.lines().any(|l| l.starts_with("recorded: "));
        if out.status.code() == Some(0) {
            assert!(acknowledged, "{text}");
        }
        (self.kind, self.n, acknowledged, text)
    }
}

/// How many lines of the notes on `rev` in `notes` are writer `n`'s.
fn count(dir: &Path, repo: &TestRepo, notes: &str, rev: &str, kind: Kind, n: usize) -> usize {
    let text = git_in(repo, dir, &["notes", "--ref", notes, "show", rev]);
    text.lines()
        .filter(|l| match kind {
            Kind::Approve => l.starts_with(&format!("Approved-by: Writer {n} <w{n}@example.com>;")),
            Kind::Test => l.contains(&format!("; suite=s{n};")),
            Kind::Deploy => l.ends_with(&format!("; note=w{n}")),
        })
        .count()
}

fn notes_of(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Approve => ("release/approvals", "HEAD"),
        Kind::Test => ("release/tests", "HEAD"),
        Kind::Deploy => ("release/deploys", "v0.1.0"),
    }
}

fn git_in(repo: &TestRepo, dir: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new("git");
    crate::fixture::hermetic(&mut cmd, repo.root());
    let out = cmd.args(args).current_dir(dir).output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `git fsck` finds nothing wrong, and every notes ref reads.
fn assert_fsck_clean(repo: &TestRepo, dir: &Path) {
    let mut cmd = Command::new("git");
    crate::fixture::hermetic(&mut cmd, repo.root());
    let out = cmd
        .args(["fsck", "--full", "--strict", "--no-dangling"])
        .current_dir(dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !stderr.contains("error") && !stderr.contains("missing"),
        "git fsck: {stderr}{}",
        String::from_utf8_lossy(&out.stdout)
    );
    for notes in ["release/approvals", "release/tests", "release/deploys"] {
        git_in(repo, dir, &["notes", "--ref", notes, "list"]);
    }
}

/// Every `seq` in a notes ref's notes, which must all differ: records made
/// in one clone are strictly ordered.
fn assert_seqs_distinct(repo: &TestRepo, dir: &Path, notes: &str, rev: &str) {
    let text = git_in(repo, dir, &["notes", "--ref", notes, "show", rev]);
    let mut seqs: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split("; seq=").nth(1))
        .map(|rest| rest.split(';').next().unwrap_or(rest))
        .collect();
    let total = seqs.len();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), total, "duplicate seq in {notes}:\n{text}");
}

/// Checks the outcome of a set of writers against the notes in `dir`:
/// every acknowledged line is there exactly once; no line twice.
fn assert_acknowledged_present(
    repo: &TestRepo,
    dir: &Path,
    results: &[(Kind, usize, bool, String)],
) -> usize {
    let mut acknowledged = 0;
    for (kind, n, ok, text) in results {
        let (notes, rev) = notes_of(*kind);
        let found = count(dir, repo, notes, rev, *kind, *n);
        if *ok {
            acknowledged += 1;
            assert_eq!(found, 1, "{kind:?} writer {n} said recorded: {text}");
        } else {
            assert!(found <= 1, "{kind:?} writer {n} is there {found} times");
        }
    }
    acknowledged
}

#[test]
fn concurrent_writers_of_every_kind_lose_nothing() {
    const EACH: usize = 50;
    let repo = repository();
    let started = Instant::now();
    let mut writers = Vec::new();
    for n in 0..EACH {
        for kind in [Kind::Approve, Kind::Test, Kind::Deploy] {
            writers.push(Writer::spawn(&repo, &repo.path(), kind, n));
        }
    }
    let results: Vec<_> = writers.into_iter().map(Writer::finish).collect();
    let failed: Vec<&String> = results
        .iter()
        .filter(|(_, _, ok, _)| !ok)
        .map(|(.., text)| text)
        .collect();
    // Every writer succeeds: retry outlasts contention (and nothing is lost).
    assert!(
        failed.is_empty(),
        "{} failed, e.g.:\n{}",
        failed.len(),
        failed[0]
    );
    let acknowledged = assert_acknowledged_present(&repo, &repo.path(), &results);
    assert_eq!(acknowledged, 3 * EACH);
    assert_fsck_clean(&repo, &repo.path());
    for kind in [Kind::Approve, Kind::Test, Kind::Deploy] {
        let (notes, rev) = notes_of(kind);
        assert_seqs_distinct(&repo, &repo.path(), notes, rev);
    }
    // One notes commit per record, each saying what it added.
    let subjects = repo.git(&["log", "--format=%s", "refs/notes/release/approvals"]);
    assert_eq!(subjects.lines().count(), EACH, "{subjects}");
    assert!(
        subjects
            .lines()
            .all(|s| s == "Notes added by 'git release approve'"),
        "{subjects}"
    );
    eprintln!(
        "{} writers in {:.1}s",
        3 * EACH,
        started.elapsed().as_secs_f64()
    );
}

/// Two clones of a bare remote, with the repository's history.
fn clones(repo: &TestRepo) -> (PathBuf, PathBuf) {
    let bare = repo.root().join("remote.git");
    repo.git(&["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
    repo.git(&["push", "-q", "--no-verify", "origin", "main", "--tags"]);
    let clone = |name: &str| {
        let dir = repo.root().join(name);
        repo.git(&["clone", "-q", bare.to_str().unwrap(), dir.to_str().unwrap()]);
        dir
    };
    (clone("a"), clone("b"))
}

#[test]
fn writers_in_two_clones_while_sync_runs_lose_nothing() {
    const EACH: usize = 12;
    let repo = repository();
    let (a, b) = clones(&repo);
    let mut writers = Vec::new();
    let mut syncs = Vec::new();
    for n in 0..EACH {
        for (i, kind) in [Kind::Approve, Kind::Test, Kind::Deploy]
            .into_iter()
            .enumerate()
        {
            // Numbered apart per clone, so lines tell their writer.
            writers.push(Writer::spawn(&repo, &a, kind, n * 10 + i));
            writers.push(Writer::spawn(&repo, &b, kind, 1000 + n * 10 + i));
        }
        if n % 4 == 0 {
            for dir in [&a, &b] {
                let child = repo
                    .command(
                        dir,
                        &["sync"],
                        &[
                            ("GIT_COMMITTER_NAME", "Sync"),
                            ("GIT_COMMITTER_EMAIL", "sync@example.com"),
                        ],
                    )
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                syncs.push(child);
            }
        }
    }
    let results: Vec<_> = writers.into_iter().map(Writer::finish).collect();
    let mut failed_syncs = 0;
    for sync in syncs {
        let out = sync.wait_with_output().unwrap();
        if !out.status.success() {
            // A sync may lose a push race more often than it retries; it
            // must fail cleanly then, and lose nothing.
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains("error: "), "{stderr}");
            failed_syncs += 1;
        }
    }
    assert!(
        results.iter().all(|(_, _, ok, _)| *ok),
        "every writer succeeds: {:?}",
        results.iter().find(|(_, _, ok, _)| !ok)
    );
    let sync = |dir: &Path| {
        repo.run_env(
            dir,
            &["sync"],
            &[
                ("GIT_COMMITTER_NAME", "Sync"),
                ("GIT_COMMITTER_EMAIL", "sync@example.com"),
            ],
        )
        .expect(0);
    };
    sync(&a);
    sync(&b);
    sync(&a);
    for dir in [&a, &b] {
        assert_eq!(assert_acknowledged_present(&repo, dir, &results), 6 * EACH);
        assert_fsck_clean(&repo, dir);
    }
    eprintln!("{failed_syncs} concurrent syncs failed cleanly");
}

/// A small deterministic generator, seeded from the clock (printed on failure).
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

#[test]
fn writers_killed_at_random_moments_leave_no_corrupt_ref() {
    const WRITERS: usize = 60;
    let repo = repository();
    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    let mut rng = Rng(seed);
    let kinds = [Kind::Approve, Kind::Test, Kind::Deploy];
    let mut writers: Vec<(Writer, Option<Duration>)> = (0..WRITERS)
        .map(|n| {
            let kill = (rng.next(3) > 0).then(|| Duration::from_millis(10 + rng.next(190)));
            (Writer::spawn(&repo, &repo.path(), kinds[n % 3], n), kill)
        })
        .collect();
    let start = Instant::now();
    let mut killed = 0;
    for _ in 0..400 {
        for (writer, kill) in &mut writers {
            if kill.is_some_and(|at| start.elapsed() >= at) {
                // SIGKILL: no chance to clean up.
                if writer.child.try_wait().ok().flatten().is_none() {
                    let _ = writer.child.kill();
                    killed += 1;
                }
                *kill = None;
            }
        }
        if writers.iter().all(|(_, k)| k.is_none()) {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let results: Vec<_> = writers.into_iter().map(|(w, _)| w.finish()).collect();
    let context = format!("seed {seed}, {killed} killed");
    assert_fsck_clean(&repo, &repo.path());
    let acknowledged = assert_acknowledged_present(&repo, &repo.path(), &results);
    // A killed writer may leave its ref's lock behind: later writers say so
    // and how to remove it, and record once it is gone.
    let refs = repo.path().join(".git/refs/notes/release");
    for (kind, name) in [
        (Kind::Approve, "approvals"),
        (Kind::Test, "tests"),
        (Kind::Deploy, "deploys"),
    ] {
        let lock = refs.join(format!("{name}.lock"));
        if lock.exists() {
            eprintln!("{context}: a killed writer left {}", lock.display());
            let run = repo.run_env(
                &repo.path(),
                &match kind {
                    Kind::Approve => vec!["approve"],
                    Kind::Test => vec!["test", "--suite", "after", "--", "true"],
                    Kind::Deploy => vec![
                        "deploy", "v0.1.0", "--env", "staging", "--status", "started",
                    ],
                },
                &[
                    ("GIT_COMMITTER_NAME", "After"),
                    ("GIT_COMMITTER_EMAIL", "after@example.com"),
                ],
            );
            run.expect(2);
            assert!(
                run.stderr().contains("is locked by") && run.stderr().contains("rm "),
                "{context}: {}",
                run.stderr()
            );
            std::fs::remove_file(&lock).unwrap();
        }
    }
    let after = Writer::spawn(&repo, &repo.path(), Kind::Approve, 999).finish();
    assert!(after.2, "{context}: {}", after.3);
    assert_fsck_clean(&repo, &repo.path());
    eprintln!("{context}, {acknowledged} acknowledged");
}

/// Every ref and the text of every note, byte for byte.
fn state(repo: &TestRepo, dir: &Path) -> String {
    let mut s = git_in(
        repo,
        dir,
        &["for-each-ref", "--format=%(refname) %(objectname)"],
    );
    for notes in ["release/approvals", "release/tests", "release/deploys"] {
        let list = git_in(repo, dir, &["notes", "--ref", notes, "list"]);
        for line in list.lines() {
            let Some((_, annotated)) = line.split_once(' ') else {
                continue;
            };
            s.push_str(&git_in(
                repo,
                dir,
                &["notes", "--ref", notes, "show", annotated],
            ));
        }
    }
    s
}

/// A lock left by a crashed writer, a minute old.
fn stale_lock(dir: &Path, name: &str) -> PathBuf {
    let lock = dir.join(format!(".git/refs/notes/release/{name}.lock"));
    std::fs::write(&lock, "").unwrap();
    let old = SystemTime::now() - Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&lock)
        .unwrap()
        .set_modified(old)
        .unwrap();
    lock
}

#[test]
fn failed_writes_leave_refs_and_notes_unchanged() {
    let mut repo = repository();
    repo.as_user("Ada Author", "ada@example.com");
    let (a, b) = clones(&repo);
    for dir in [&a, &b] {
        git_in(&repo, dir, &["config", "user.name", "Bea"]);
        git_in(&repo, dir, &["config", "user.email", "bea@example.com"]);
    }
    // Some records everywhere, synced once, then new ones on each side.
    for dir in [&a, &b] {
        repo.run_in(dir, &["approve"]).expect(0);
        repo.run_in(dir, &["test", "--suite", "unit", "--", "true"])
            .expect(0);
        repo.run_in(
            dir,
            &[
                "deploy", "v0.1.0", "--env", "staging", "--status", "started",
            ],
        )
        .expect(0);
        repo.run_in(dir, &["sync"]).expect(0);
    }
    repo.run_in(&b, &["approve", "--tag", "v0.4.0"]).expect(0);
    repo.run_in(&b, &["sync"]).expect(0);
    repo.run_in(&a, &["test", "--suite", "more", "--", "true"])
        .expect(0);

    let before = state(&repo, &a);
    let unchanged = |what: &str| {
        assert_eq!(state(&repo, &a), before, "{what} changed refs or notes");
    };
    // Invalid input.
    repo.run_in(&a, &["approve", "--tag", "not..valid"])
        .expect(2);
    unchanged("approve --tag not..valid");
    repo.run_in(
        &a,
        &["deploy", "v0.1.0", "--env", "moon", "--status", "started"],
    )
    .expect(2);
    unchanged("deploy --env moon");
    repo.run_in(&a, &["test", "--suite", "two words", "--", "true"])
        .expect(2);
    unchanged("test --suite 'two words'");
    repo.run_in(&a, &["sync", "no-such-remote"]).expect(2);
    unchanged("sync no-such-remote");
    // A crashed writer's lock on each notes ref: the write fails after
    // everything else succeeded, and says how to recover.
    for (args, name) in [
        (&["approve", "--tag", "v0.3.0"][..], "approvals"),
        (&["test", "--suite", "other", "--", "true"], "tests"),
        (
            &[
                "deploy",
                "v0.1.0",
                "--env",
                "staging",
                "--status",
                "succeeded",
            ],
            "deploys",
        ),
        (&["sync"], "approvals"),
    ] {
        let lock = stale_lock(&a, name);
        let run = repo.run_in(&a, args);
        run.expect(2);
        let stderr = run.stderr();
        assert!(
            stderr.contains(&format!("`refs/notes/release/{name}` is locked by"))
                && stderr.contains(&format!(
                    "hint: if no git or git-release process is running, remove the lock: `rm {}`",
                    lock.display()
                )),
            "{args:?}: {stderr}"
        );
        assert!(!run.stdout().contains("recorded"), "{}", run.stdout());
        std::fs::remove_file(&lock).unwrap();
        unchanged(&format!("{args:?} with a stale lock"));
    }
    // And with the lock gone, the same sync merges what b recorded.
    repo.run_in(&a, &["sync"]).expect(0);
    assert_ne!(state(&repo, &a), before);
}

#[test]
fn a_held_lock_is_waited_for() {
    let repo = repository();
    repo.run_env(
        &repo.path(),
        &["approve"],
        &[
            ("GIT_COMMITTER_NAME", "A"),
            ("GIT_COMMITTER_EMAIL", "a@example.com"),
        ],
    )
    .expect(0);
    let lock = repo.path().join(".git/refs/notes/release/approvals.lock");
    std::fs::write(&lock, "").unwrap();
    let writer = Writer::spawn(&repo, &repo.path(), Kind::Approve, 1);
    std::thread::sleep(Duration::from_millis(300));
    std::fs::remove_file(&lock).unwrap();
    let (.., ok, text) = writer.finish();
    assert!(ok, "{text}");
    assert_eq!(
        count(
            &repo.path(),
            &repo,
            "release/approvals",
            "HEAD",
            Kind::Approve,
            1
        ),
        1
    );
}

#[test]
fn writers_racing_to_create_the_notes_ref_lose_nothing() {
    // The first record creates the notes ref: a create-if-absent that must
    // be checked under the ref's lock like any other update.
    for _ in 0..5 {
        let repo = repository();
        let writers: Vec<Writer> = (0..12)
            .map(|n| Writer::spawn(&repo, &repo.path(), Kind::Approve, n))
            .collect();
        let results: Vec<_> = writers.into_iter().map(Writer::finish).collect();
        assert!(
            results.iter().all(|(_, _, ok, _)| *ok),
            "{:?}",
            results.iter().find(|(_, _, ok, _)| !ok)
        );
        assert_eq!(
            assert_acknowledged_present(&repo, &repo.path(), &results),
            12
        );
    }
}
