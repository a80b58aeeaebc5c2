#!/usr/bin/env python3
# The release dashboard on a long release history (Python 3 stdlib only).
#
#   cargo build --release && python3 bench/site.py [--releases 2000] [--bin target/release/git-release]
#
# Builds (with `git fast-import`, in a temp dir) a history of N releases: three commits each
# (feat, fix, docs), an annotated tag v1.x.y on the last, and two deployment records per
# release (staging and production) in refs/notes/release/deploys, a failed one now and then.
# Then times `git release site -o DIR`: a cold run (the verification cache is empty), two warm
# runs (files unchanged, not rewritten), and a run into a fresh directory; and, as the floor,
# `git log` of the whole history. Prints wall times and the number of pages written.
import argparse, os, shutil, subprocess, sys, tempfile, time

def version(i):
    return f"{1 + i // 400}.{(i // 20) % 20}.{i % 20}"

def build(repo, releases):
    subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
    out = []
    w = out.append
    t = 1_600_000_000
    mark = 0
    w("blob\nmark :1\ndata 0\n\n")
    previous = None
    for i in range(releases):
        for kind, text in (("feat", f"feat(api): endpoint {i}"), ("fix", f"fix: bug {i}"), ("docs", f"docs: note {i}")):
            mark += 1
            t += 1200
            body = f"{text}\n"
            w(f"commit refs/heads/main\nmark :{mark + 1}\n")
            w(f"author Ada Author <ada@example.com> {t} +0000\ncommitter Ada Author <ada@example.com> {t} +0000\n")
            w(f"data {len(body.encode())}\n{body}")
            if previous:
                w(f"from :{previous}\n")
            content = f"{kind} {i}\n"
            w(f"M 100644 inline src/f{i % 50}.txt\ndata {len(content.encode())}\n{content}\n")
            previous = mark + 1
        t += 60
        msg = f"v{version(i)}\n\nRelease {version(i)}: 3 commit(s), minor bump.\nminor because of a feature\n"
        w(f"tag v{version(i)}\nfrom :{previous}\ntagger Ada Author <ada@example.com> {t} +0000\n")
        w(f"data {len(msg.encode())}\n{msg}\n")
    subprocess.run(["git", "fast-import", "--quiet"], input="".join(out).encode(), cwd=repo, check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True)
    # Deployment records, attached to each released commit.
    refs = subprocess.run(["git", "show-ref", "--tags", "-d"], cwd=repo, check=True,
                          capture_output=True, text=True).stdout
    commits = {}
    for line in refs.splitlines():
        oid, ref = line.split(" ", 1)
        if ref.endswith("^{}"):
            commits[ref[len("refs/tags/"):-3]] = oid
    notes = []
    n = notes.append
    n("commit refs/notes/release/deploys\ncommitter Ada Author <ada@example.com> 1700000000 +0000\ndata 5\nnotes\n")
    for i in range(releases):
        tag = f"v{version(i)}"
        day = 1_600_000_000 + i * 3700
        def at(s):
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(s))
        prod = "failed" if i % 97 == 0 else "succeeded"
        text = (f"Deployed-to: staging succeeded; tag={tag}; commit={commits[tag]}; at={at(day)}; by=\"Ada <ada@example.com>\"\n"
                f"Deployed-to: production {prod}; tag={tag}; commit={commits[tag]}; at={at(day + 1800)}; by=\"Ada <ada@example.com>\"\n")
        n(f"N inline {commits[tag]}\ndata {len(text.encode())}\n{text}\n")
    subprocess.run(["git", "fast-import", "--quiet", "--force"], input="".join(notes).encode(), cwd=repo, check=True)
    with open(os.path.join(repo, ".release.toml"), "w") as f:
        f.write("[environments.staging]\n[environments.production]\nrequires = [\"staging\"]\n")

def timed(cmd, cwd, env):
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--releases", type=int, default=2000)
    p.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "git-release"))
    a = p.parse_args()
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", NO_COLOR="1", GIT_RELEASE_NOW="2026-01-01T00:00:00Z")
    with tempfile.TemporaryDirectory() as tmp:
        repo = os.path.join(tmp, "repo")
        start = time.perf_counter()
        build(repo, a.releases)
        print(f"built {a.releases} releases ({3 * a.releases} commits) in {time.perf_counter() - start:.1f}s")
        floor = timed(["git", "log", "--format=%H%n%B"], repo, env)
        out = os.path.join(tmp, "site")
        cold = timed([a.bin, "site", "-o", out], repo, env)
        warm = [timed([a.bin, "site", "-o", out], repo, env) for _ in range(2)]
        fresh = timed([a.bin, "site", "-o", os.path.join(tmp, "site2")], repo, env)
        pages = len(os.listdir(os.path.join(out, "releases")))
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(out) for f in fs)
        print(f"pages: {pages} release pages + index.html ({size / 1e6:.1f} MB, index {os.path.getsize(os.path.join(out, 'index.html')) / 1e6:.2f} MB)")
        print(f"git log (whole history, floor): {floor:.2f}s")
        print(f"git release site, cold (empty verification cache): {cold:.2f}s")
        print(f"git release site, warm (nothing rewritten): {min(warm):.2f}s")
        print(f"git release site, into a fresh directory: {fresh:.2f}s")

if __name__ == "__main__":
    sys.exit(main())
