//! The dashboard in a real headless Chromium (Debian's `chromium`): the
//! key facts are in the DOM after the page ran, a phone-sized screenshot
//! is a real picture, and the console stays free of errors.
//!
//! Without Chromium the test fails and says how to install it, unless
//! `GIT_RELEASE_SKIP_BROWSER=1` is set.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::fixture::TestRepo;
use crate::site::{generate, monorepo, released};

/// The browser, or why there is none (`None`: skipped on purpose).
#[allow(clippy::print_stderr)] // says why the test did nothing
fn chromium() -> Option<PathBuf> {
    if std::env::var_os("GIT_RELEASE_SKIP_BROWSER").is_some_and(|v| v == "1") {
        eprintln!("GIT_RELEASE_SKIP_BROWSER=1: the browser test is skipped");
        return None;
    }
    for name in ["chromium", "chromium-browser"] {
        let found = std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|path| path.is_file())
        });
        if let Some(path) = found {
            return Some(path);
        }
    }
    panic!(
        "the browser test needs Chromium, and `chromium` is not on PATH.\n\
         Install it (Debian/Ubuntu: `sudo apt-get install -y chromium`), \
         or set GIT_RELEASE_SKIP_BROWSER=1 to skip this test"
    );
}

/// Runs Chromium headless on `page` with `extra` flags, in a fresh profile
/// and with nothing but the local file to load; kills it after a minute.
fn browse(browser: &Path, home: &Path, page: &Path, extra: &[&str]) -> Output {
    let profile = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(browser);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("LC_ALL", "C")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("starting chromium");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "chromium did not finish within a minute on {}",
                page.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// Console errors and uncaught exceptions in Chromium's log.
fn console_errors(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| l.contains("Uncaught") || l.contains(":CONSOLE") || l.contains("ERROR:CONSOLE"))
        .map(str::to_owned)
        .collect()
}

/// A PNG's width and height, from its IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 24, "not a PNG: {} bytes", bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG header");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// The row of `env` in the environments table.
fn environment_row<'a>(dom: &'a str, env: &str) -> &'a str {
    let marker = format!("data-label=\"Environment\">{env}</th>");
    let at = dom
        .find(&marker)
        .unwrap_or_else(|| panic!("no row for {env}"));
    let start = dom[..at].rfind("<tr").unwrap();
    let end = at + dom[at..].find("</tr>").unwrap();
    &dom[start..end]
}

fn check_dashboard(repo: &TestRepo, browser: &Path) {
    let dir = generate(repo, "site");
    let index = dir.join("index.html");
    let dump = browse(browser, repo.root(), &index, &["--dump-dom"]);
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let dom = String::from_utf8_lossy(&dump.stdout).into_owned();
    // The running version per environment, the failed deployment flagged,
    // the next version.
    let staging = environment_row(&dom, "staging");
    assert!(staging.contains(">v0.3.0</a>"), "{staging}");
    let production = environment_row(&dom, "production");
    assert!(production.contains(">v0.1.0</a>"), "{production}");
    assert!(
        production.starts_with("<tr class=\"alert\">"),
        "{production}"
    );
    assert!(
        production.contains("<span class=\"badge bad\">failed</span> v0.2.0"),
        "{production}"
    );
    assert!(production.contains("needs attention"), "{production}");
    assert!(
        dom.contains("<h3>0.4.0 <span class=\"muted\">(tag v0.4.0)</span></h3>"),
        "{dom}"
    );
    // Markup from commit messages stayed text.
    assert!(!dom.contains("<script>alert"), "{dom}");
    let errors = console_errors(&dump);
    assert!(errors.is_empty(), "console errors: {errors:?}");

    // A phone-sized screenshot.
    let shot = repo.root().join("phone.png");
    let run = browse(
        browser,
        repo.root(),
        &index,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=390,844",
            "--hide-scrollbars",
        ],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let png = std::fs::read(&shot).expect("chromium wrote no screenshot");
    assert_eq!(png_size(&png), (390, 844));
    assert!(
        png.len() > 10_000,
        "a nearly empty screenshot: {} bytes",
        png.len()
    );
    assert!(
        console_errors(&run).is_empty(),
        "{:?}",
        console_errors(&run)
    );

    // A release page.
    let page = dir.join("releases/v0.2.0.html");
    let dump = browse(browser, repo.root(), &page, &["--dump-dom"]);
    let dom = String::from_utf8_lossy(&dump.stdout);
    assert!(dom.contains("<h1>v0.2.0</h1>"), "{dom}");
    assert!(
        console_errors(&dump).is_empty(),
        "{:?}",
        console_errors(&dump)
    );
}

#[test]
fn the_dashboard_in_a_real_browser() {
    let Some(browser) = chromium() else { return };
    check_dashboard(&released(), &browser);
    // The package filter's script runs without errors and shows itself.
    let repo = monorepo();
    let dir = generate(&repo, "site");
    let dump = browse(
        &browser,
        repo.root(),
        &dir.join("index.html"),
        &["--dump-dom"],
    );
    let dom = String::from_utf8_lossy(&dump.stdout);
    assert!(
        dom.contains("<form id=\"filter\" class=\"filter\" role=\"search\">"),
        "{dom}"
    );
    let errors = console_errors(&dump);
    assert!(errors.is_empty(), "console errors: {errors:?}");
}
