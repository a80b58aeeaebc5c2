//! One pass for every package agrees with one run per package: the
//! all-packages `plan` (one walk of history) and `changelog` (one walk for
//! every changelog) give, package by package, exactly what `--package X`
//! gives, on generated monorepos with merges, side branches, tags on
//! unmerged and merged branches, pre-releases, nested and multi-path
//! packages, excludes, commits that touch no package, equal commit times
//! and clocks that go backwards.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::fixture::{TestRepo, hermetic};

/// A small deterministic generator (64-bit LCG).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const PACKAGES: usize = 12;

/// `[[package]]` tables: `p0`…`p9` under `packages/`, `p10` with two
/// paths, `p11` nested inside `p1`; `p2` leaves out Markdown files.
fn config() -> String {
    let mut out = String::new();
    for p in 0..10 {
        out.push_str(&format!(
            "[[package]]\nname = \"p{p}\"\npath = \"packages/p{p}\"\ntag = \"p{p}-v{{version}}\"\n"
        ));
        if p == 2 {
            out.push_str("exclude = [\"packages/p2/**/*.md\"]\n");
        }
        out.push('\n');
    }
    out.push_str("[[package]]\nname = \"p10\"\npaths = [\"libs/x\", \"libs/y\"]\ntag = \"p10-v{version}\"\n\n");
    out.push_str(
        "[[package]]\nname = \"p11\"\npath = \"packages/p1/sub\"\ntag = \"p11-v{version}\"\n",
    );
    out
}

/// A file some package (or none) owns.
fn file_for(rng: &mut Rng, i: usize) -> String {
    match rng.below(20) {
        0 => format!("docs/d{}.txt", i % 7),
        1 => format!("packages/p1/sub/s{}.txt", i % 5),
        2 => format!("libs/{}/f{}.txt", ["x", "y"][i % 2], i % 3),
        3 => format!("packages/p2/notes{}.md", i % 3),
        _ => format!("packages/p{}/src/f{}.txt", rng.below(10), i % 9),
    }
}

/// Builds the history with `git fast-import`: `commits` commits on main,
/// side branches merged back, tags as described in the module doc; with
/// `skew`, some commit times go backwards.
fn generate(seed: u64, commits: usize, skew: bool) -> TestRepo {
    let repo = TestRepo::empty();
    let mut rng = Rng(seed);
    let mut stream = Vec::new();
    let mut minor = [1u64; PACKAGES];
    let mut time = 1_600_000_000i64;
    let mut mark = 0usize;
    let mut main_marks: Vec<usize> = Vec::new();
    let types = ["feat", "fix", "fix", "chore", "docs", "perf"];
    let mut tags: Vec<(String, usize)> = Vec::new();
    let commit = |stream: &mut Vec<u8>,
                  mark: usize,
                  branch: &str,
                  time: i64,
                  message: &str,
                  from: Option<usize>,
                  merge: Option<usize>,
                  files: &[(String, String)]| {
        write!(
            stream,
            "commit refs/heads/{branch}\nmark :{mark}\nauthor A <a@example.com> {time} +0000\ncommitter A <a@example.com> {time} +0000\ndata {}\n{message}\n",
            message.len()
        )
        .unwrap();
        if let Some(from) = from {
            writeln!(stream, "from :{from}").unwrap();
        }
        if let Some(merge) = merge {
            writeln!(stream, "merge :{merge}").unwrap();
        }
        for (path, body) in files {
            write!(
                stream,
                "M 100644 inline {path}\ndata {}\n{body}\n",
                body.len()
            )
            .unwrap();
        }
    };
    // The configuration, and every package's first release on it.
    mark += 1;
    let cfg = config();
    commit(
        &mut stream,
        mark,
        "main",
        time,
        "chore: init",
        None,
        None,
        &[(".release.toml".into(), cfg)],
    );
    main_marks.push(mark);
    for p in 0..PACKAGES {
        tags.push((format!("p{p}-v0.1.0"), mark));
    }
    let mut side = 0;
    for i in 0..commits {
        // Commit times: mostly forward, sometimes equal, sometimes back.
        time += match rng.below(10) {
            0 => 0,
            1 if skew => -300,
            _ => 60,
        };
        let kind = types[rng.below(types.len() as u64) as usize];
        let mut files = vec![(file_for(&mut rng, i), format!("{i}\n"))];
        if rng.below(8) == 0 {
            files.push((file_for(&mut rng, i + 1), format!("{i}b\n")));
        }
        let message = format!("{kind}: change {i}");
        mark += 1;
        let parent = *main_marks.last().unwrap();
        commit(
            &mut stream,
            mark,
            "main",
            time,
            &message,
            Some(parent),
            None,
            &files,
        );
        main_marks.push(mark);

        // A side branch from a few commits back, merged now (or never).
        if rng.below(6) == 0 && main_marks.len() > 6 {
            side += 1;
            let base = main_marks[main_marks.len() - 2 - rng.below(4) as usize];
            let branch = format!("side{side}");
            let mut tip = base;
            // Some branches were committed with a clock far off.
            let off = match rng.below(6) {
                0 if skew => -86_400,
                1 if skew => 86_400,
                // Same-second commits on both sides of a merge.
                2 => -30,
                _ => 0,
            };
            for j in 0..=rng.below(3) {
                time += 30;
                mark += 1;
                let time = time + off;
                let files = [(
                    file_for(&mut rng, i + j as usize),
                    format!("side {side} {j}\n"),
                )];
                commit(
                    &mut stream,
                    mark,
                    &branch,
                    time,
                    &format!("fix: side {side}.{j}"),
                    Some(tip),
                    None,
                    &files,
                );
                tip = mark;
            }
            let p = rng.below(10) as usize;
            match rng.below(5) {
                // A release on a branch never merged: a tag to skip.
                0 => {
                    tags.push((format!("p{p}-v9.{side}.0"), tip));
                    continue;
                }
                // A release on a branch merged later: two tags bound
                // the range of that package.
                1 => {
                    minor[p] += 1;
                    tags.push((format!("p{p}-v0.{}.0", minor[p]), tip));
                }
                _ => {}
            }
            time += 30;
            mark += 1;
            let parent = *main_marks.last().unwrap();
            commit(
                &mut stream,
                mark,
                "main",
                time,
                &format!("Merge branch '{branch}'"),
                Some(parent),
                Some(tip),
                &[],
            );
            main_marks.push(mark);
        }
        // Releases and pre-releases on main, none in the last 40 commits.
        let p = rng.below(PACKAGES as u64) as usize;
        match if i + 40 < commits { rng.below(12) } else { 12 } {
            0 | 1 => {
                minor[p] += 1;
                tags.push((format!("p{p}-v0.{}.0", minor[p]), mark));
            }
            2 => tags.push((format!("p{p}-v0.{}.0-rc.1", minor[p] + 1), mark)),
            _ => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (name, at) in tags.iter().rev() {
        // The newest of two tags with one name wins.
        if !seen.insert(name.clone()) {
            continue;
        }
        write!(
            stream,
            "tag {name}\nfrom :{at}\ntagger A <a@example.com> {time} +0000\ndata 8\nrelease\n"
        )
        .unwrap();
    }
    fast_import(&repo, &stream);
    repo
}

/// Feeds a `git fast-import` stream to the repository and checks out `main`.
fn fast_import(repo: &TestRepo, stream: &[u8]) {
    let mut cmd = Command::new("git");
    hermetic(&mut cmd, repo.root());
    let mut child = cmd
        .args(["fast-import", "--quiet"])
        .current_dir(repo.path())
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stream).unwrap();
    assert!(child.wait().unwrap().success());
    repo.git(&["reset", "-q", "--hard", "main"]);
}

/// Each package's plan from one all-packages run, by name, without the
/// warning only an all-packages plan can give (commits in no package).
fn plans_of_all(repo: &TestRepo, extra: &[&str]) -> (Vec<(String, Value)>, Vec<String>) {
    let mut args = vec!["plan", "--format", "json"];
    args.extend(extra);
    let all = repo.run(&args).json();
    assert!(all.is_array(), "{all}");
    let mut loose = Vec::new();
    let plans = all
        .as_array()
        .unwrap()
        .iter()
        .map(|plan| {
            let mut plan = plan.clone();
            let warnings = plan["warnings"].as_array_mut().unwrap();
            warnings.retain(|w| {
                let text = w.as_str().unwrap();
                let about_loose = text.contains("touch no package");
                if about_loose {
                    loose.push(text.to_owned());
                }
                !about_loose
            });
            (plan["package"].as_str().unwrap().to_owned(), plan)
        })
        .collect();
    (plans, loose)
}

fn assert_one_pass_matches(repo: &TestRepo, extra: &[&str]) -> Vec<String> {
    let (all, loose) = plans_of_all(repo, extra);
    assert_eq!(all.len(), PACKAGES);
    for (name, plan) in &all {
        let mut args = vec!["plan", "--format", "json", "--package", name.as_str()];
        args.extend(extra);
        let alone = repo.run(&args).json();
        let alone = alone.as_array().map_or(&alone, |a| &a[0]);
        assert_eq!(
            plan, alone,
            "package {name}: the all-packages plan differs from `plan --package {name}` ({extra:?})"
        );
    }
    loose
}

#[test]
fn one_walk_plans_every_package_as_its_own_walk_would() {
    for (seed, skew) in [(1, true), (2, true), (3, false)] {
        let repo = generate(seed, 260, skew);
        // Without a commit-graph every commit is read; with one, the walk
        // reads only what it needs.
        let loose = assert_one_pass_matches(&repo, &[]);
        repo.git(&["commit-graph", "write", "--reachable"]);
        assert_eq!(assert_one_pass_matches(&repo, &[]), loose);
        assert_one_pass_matches(&repo, &["--pre", "rc"]);
        // The generator puts commits under docs/ that no package owns (and
        // Markdown under p2, which p2 leaves out):
        // the all-packages plan names those after every release, and only
        // those.
        let named: Vec<&str> = loose
            .iter()
            .flat_map(|w| w.split(": ").nth(1).unwrap_or("").split(", "))
            .filter_map(|item| item.split(' ').next())
            .filter(|id| id.len() == 7)
            .collect();
        for id in &named {
            let files = repo.git(&["diff-tree", "--no-commit-id", "--name-only", "-r", id]);
            assert!(
                files.lines().all(|f| f.starts_with("docs/")
                    || f.starts_with("packages/p2/") && f.ends_with(".md")),
                "{id} is named as touching no package, but changes {files}"
            );
        }
        if seed == 1 {
            assert!(!named.is_empty(), "the generator should leave such commits");
        }
    }
}

/// Every package's changelog file, by package.
fn changelogs(repo: &TestRepo) -> Vec<(usize, String)> {
    let path = |p: usize| match p {
        10 => repo.path().join("libs/x/CHANGELOG.md"),
        _ => repo.path().join(format!("packages/p{p}/CHANGELOG.md")),
    };
    (0..PACKAGES)
        .filter(|&p| p != 11)
        .map(|p| (p, std::fs::read_to_string(path(p)).unwrap_or_default()))
        .chain([(
            11,
            std::fs::read_to_string(path(1).with_file_name("sub/CHANGELOG.md")).unwrap_or_default(),
        )])
        .collect()
}

/// `changelog` for all packages in `one` and `changelog --package X` for
/// each in `each` (a copy) write the same files.
fn assert_changelogs_match(one: &TestRepo, each: &TestRepo, extra: &[&str]) {
    let mut args = vec!["changelog"];
    args.extend(extra);
    one.run(&args).expect(0);
    for p in 0..PACKAGES {
        let name = format!("p{p}");
        let mut args = vec!["changelog", "--package", name.as_str()];
        args.extend(extra);
        each.run(&args).expect(0);
    }
    for ((p, a), (_, b)) in changelogs(one).iter().zip(changelogs(each)) {
        assert_eq!(
            a, &b,
            "p{p}'s changelog differs between one pass and `--package p{p}` ({extra:?})"
        );
    }
}

#[test]
fn one_pass_writes_every_changelog_as_each_package_alone_would() {
    for (seed, skew) in [(4, true), (5, false), (6, false), (14, true)] {
        let mut one = generate(seed, 200, skew);
        one.git(&["commit-graph", "write", "--reachable"]);
        let mut each = one.duplicate();
        // From nothing, then again (nothing to add), then regenerated.
        assert_changelogs_match(&one, &each, &[]);
        let before = changelogs(&one);
        assert!(
            before
                .iter()
                .filter(|(_, text)| text.contains("## "))
                .count()
                > 6
        );
        assert_changelogs_match(&one, &each, &[]);
        assert_eq!(changelogs(&one), before, "a second run changes nothing");
        assert_changelogs_match(&one, &each, &["--regenerate"]);
        // New releases of some packages: only those sections are added.
        for repo in [&mut one, &mut each] {
            repo.write("packages/p3/src/new.txt", "new\n")
                .git(&["add", "packages/p3/src/new.txt"]);
            repo.commit("feat: p3 grows").tag("p3-v5.0.0");
            repo.write("libs/y/new.txt", "new\n")
                .git(&["add", "libs/y/new.txt"]);
            repo.commit("fix: y mends").tag("p10-v5.0.0");
        }
        assert_changelogs_match(&one, &each, &[]);
        let after = changelogs(&one);
        assert!(after[3].1.contains("p3 grows") && after[10].1.contains("y mends"));
        assert_eq!(after[5], before[5], "p5 had no release");
        // And with the unreleased changes.
        for repo in [&mut one, &mut each] {
            repo.write("packages/p4/src/new.txt", "new\n")
                .git(&["add", "packages/p4/src/new.txt"]);
            repo.commit("feat: p4 grows");
        }
        assert_changelogs_match(&one, &each, &["--unreleased", "--date", "2026-12-01"]);
    }
}

/// A commit for fast-import: mark, branch, time, message, parents, file.
type Spec = (
    usize,
    &'static str,
    i64,
    &'static str,
    &'static [usize],
    &'static str,
);

/// A commit of the release reached first from a branch merged after it, at
/// the same second as another commit of the release: the walk from HEAD
/// queues it earlier than the release's own walk does, so the one pass
/// replays that release's walk to list its commits in the same order.
#[test]
fn a_release_reached_from_a_later_branch_keeps_its_own_order() {
    let repo = TestRepo::empty();
    let config = "[[package]]\nname = \"a\"\npath = \"a\"\ntag = \"a-v{version}\"\n\n[[package]]\nname = \"b\"\npath = \"b\"\ntag = \"b-v{version}\"\n";
    let commits: [Spec; 8] = [
        (1, "main", 100, "chore: base", &[], "b/base.txt"),
        (2, "main", 200, "fix: x", &[1], "a/x.txt"),
        (3, "main", 300, "fix: c", &[2], "a/c.txt"),
        (4, "side", 200, "fix: y", &[1], "a/y.txt"),
        (5, "side", 400, "fix: z", &[4], "a/z.txt"),
        (6, "main", 500, "Merge side", &[3, 5], ""),
        (7, "late", 600, "fix: o", &[2], "a/o.txt"),
        (8, "main", 700, "Merge late", &[6, 7], ""),
    ];
    let mut stream = Vec::new();
    for (mark, branch, time, message, parents, file) in commits {
        write!(
            stream,
            "commit refs/heads/{branch}\nmark :{mark}\ncommitter A <a@example.com> {time} +0000\ndata {}\n{message}\n",
            message.len()
        )
        .unwrap();
        for (i, parent) in parents.iter().enumerate() {
            writeln!(
                stream,
                "{} :{parent}",
                if i == 0 { "from" } else { "merge" }
            )
            .unwrap();
        }
        if mark == 1 {
            write!(
                stream,
                "M 100644 inline .release.toml\ndata {}\n{config}\n",
                config.len()
            )
            .unwrap();
        }
        if !file.is_empty() {
            write!(stream, "M 100644 inline {file}\ndata 2\n{mark}\n").unwrap();
        }
    }
    for (name, mark) in [
        ("a-v0.1.0", 1),
        ("b-v0.1.0", 1),
        ("a-v0.2.0", 6),
        ("b-v0.2.0", 6),
    ] {
        write!(
            stream,
            "tag {name}\nfrom :{mark}\ntagger A <a@example.com> 800 +0000\ndata 1\nr\n"
        )
        .unwrap();
    }
    fast_import(&repo, &stream);
    let alone = repo
        .run(&["changelog", "--package", "a", "-o", "-"])
        .expect(0)
        .stdout();
    let section = |text: &str| {
        let start = text.find("## 0.2.0").unwrap();
        text[start..text.find("## 0.1.0").unwrap()].to_owned()
    };
    // The release's own walk: z (400), c (300), then y before x (both at
    // 200, y queued first).
    let listed: Vec<&str> = ["fix: z", "fix: c", "fix: y", "fix: x"]
        .iter()
        .map(|m| &m[5..])
        .collect();
    let own = section(&alone);
    let at: Vec<usize> = listed
        .iter()
        .map(|m| own.find(&format!("- {m} ")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{own}");
    repo.run(&["changelog"]).expect(0);
    let one = std::fs::read_to_string(repo.path().join("a/CHANGELOG.md")).unwrap();
    assert_eq!(one, alone);
}
