#!/usr/bin/env python3
# Benchmark git-release against plain-git "floors" on synthetic histories (Python 3.11 stdlib only).
#
#   cargo build --release && python3 bench/run.py
#   python3 bench/run.py [--sizes 100000,500000] [--runs 5] [--bin target/release/git-release]
#                        [--histories bench/histories] [--only plan,version,changelog,package]
#
# For each size, bench/gen-history.py builds (once; reused while <histories>/hist-<N>/.git/
# gen-history-stats.json exists) a deterministic history with the default seed. Each command
# runs with cwd = the history, stdout -> /dev/null, env GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
# (floors too, for fairness): one warm-up run, then --runs timed runs; we report the median wall
# time and the peak RSS (max ru_maxrss from os.wait4 over the runs). Results also go to
# <histories>/results.json. Linux caveat: a child's ru_maxrss starts at this Python process's RSS
# (it is inherited through fork/exec), so values at that level (~15 MiB) are printed as "<=X":
# the real peak is at most X. Values above it are exact.
#
# Targets (printed next to each ratio, with whether they were met):
#   plan, version   <= 3x   `git log --format=%H%n%B <last-tag>..HEAD`, and < 50 MiB peak RSS
#                           (the RSS target is stated at 500k commits; checked at every size)
#   changelog       <= 1.5x `git log --format=%H%n%B` (whole history)
#   package plan    <= 2x   `git log --format=%H <last-a-tag>..HEAD -- packages/a`
#   scaling         plan/version/package time should stay ~flat from the smallest to the largest
#                   size (the range since the last release does not grow); changelog at most linear.
#
# Monorepos (--mono 200,1000 packages x --mono-sizes 100000,500000 commits; --mono "" skips them):
# bench/gen-monorepo.py builds each (packages p<i> under packages/p<i>, tags p<i>-v{version}).
#   all-packages plan       <= 2x   `git log --format=%H --name-only <oldest package's last tag>..HEAD`
#   all-packages changelog  <= 1.5x `git log --format=%H%n%B --name-only` (whole history), every
#                                   package's CHANGELOG.md regenerated in the work tree
#   plan --package p5       <= 2x   `git log --format=%H <p5's last tag>..HEAD -- packages/p5`
#   shown without target: `changelog --package p5 --output -` next to
#   `git log --format=%H%n%B -- packages/p5`, and `changelog` when every file is up to date.
#   scaling: plans ~flat from the smallest to the largest size, changelogs at most linear.
import argparse, json, os, re, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
SEMVER = re.compile(r"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:\+[0-9A-Za-z.-]+)?$")  # no pre-release
ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", NO_COLOR="1")
OURS = ["plan", "version", "changelog", "package"]
# task -> (label, target ratio, primary floor, extra floor shown without target, RSS limit MiB)
TARGETS = {
    "plan": ("git-release plan", 3.0, "range_log", None, 50),
    "version": ("git-release version", 3.0, "range_log", "describe", 50),
    "changelog": ("git-release changelog (full)", 1.5, "full_log", None, None),
    "package": ("git-release plan --package a", 2.0, "pkg_log", None, None),
}
FLOOR_LABELS = {"range_log": "range git log", "describe": "git describe",
                "full_log": "whole git log", "pkg_log": "path-limited git log"}


def git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, env=ENV, check=True, capture_output=True, text=True).stdout


def last_tag(repo, prefix=""):
    """Highest `<prefix>v<semver>` tag without pre-release reachable from HEAD, or None."""
    best = None
    for t in git(repo, "tag", "--merged", "HEAD", "--list", prefix + "v*").split():
        m = SEMVER.match(t[len(prefix):])
        if m and (best is None or tuple(map(int, m.groups())) > best[0]):
            best = (tuple(map(int, m.groups())), t)
    return best and best[1]


def pack_refs(path):
    """Pack refs with their peeled ids, as a clone or `git gc` leaves them
    (fast-import leaves one loose file per tag). --loose-refs skips this."""
    if not os.path.exists(os.path.join(path, ".git", "packed-refs")):
        git(path, "pack-refs", "--all")


def ensure_history(histories, size):
    path = os.path.join(histories, "hist-%d" % size)
    if os.path.exists(os.path.join(path, ".git", "gen-history-stats.json")):
        print("reusing %s" % path)
        return path
    if os.path.exists(path) and os.listdir(path):
        sys.exit("%s exists but has no .git/gen-history-stats.json (interrupted?); remove it and rerun" % path)
    print("generating %s ..." % path, flush=True)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, os.path.join(HERE, "gen-history.py"), path, "-n", str(size)],
                   check=True, stdout=subprocess.DEVNULL)
    print("generated %s in %.1f s" % (path, time.perf_counter() - t0))
    return path


def run_once(cmd, cwd):
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return dt, ru.ru_maxrss / 1024.0, p.returncode, err.read().decode(errors="replace")


INHERITED_MIB = [0.0]  # ru_maxrss of a no-op child: the lowest value wait4 can report


def fmt_mib(v):
    return "<=%.1f" % v if v <= INHERITED_MIB[0] + 0.5 else "%.1f" % v


def measure(name, cmd, cwd, runs):
    res = dict(cmd=" ".join(cmd), ok=True)
    times, rss = [], []
    for i in range(runs + 1):  # the first run is the warm-up
        dt, mib, rc, err = run_once(cmd, cwd)
        if rc != 0:
            lines = err.strip().splitlines()[:8]
            print(" FAILED (exit %d): %s\n    %s" % (rc, res["cmd"], "\n    ".join(lines)))
            res.update(ok=False, exit=rc, stderr="\n".join(lines))
            return res
        if i:
            times.append(dt)
            rss.append(mib)
    res.update(median_s=statistics.median(times), times_s=times, peak_mib=max(rss))
    print(" %.4f s  %s MiB" % (res["median_s"], fmt_mib(res["peak_mib"])))
    return res


def bench_size(repo, args):
    stats = json.load(open(os.path.join(repo, ".git", "gen-history-stats.json")))
    tag = last_tag(repo)
    rng = "%s..HEAD" % tag if tag else "HEAD"
    pkg_tag = tag  # package a uses the repository's tags (see below)
    pkg_rng = "%s..HEAD" % pkg_tag if pkg_tag else "HEAD"
    # Package `a` (packages/a) released with the repository's own tags, in a
    # config kept in .git so the other tasks still see a single package.
    pkg_config = os.path.join(repo, ".git", "release-packages.toml")
    with open(pkg_config, "w") as f:
        f.write('[[package]]\nname = "a"\npath = "packages/a"\ntag = "v{version}"\n')
    has_pkgs = True
    meta = dict(commits=stats.get("commits"), head=stats.get("head"), last_tag=tag, package_tag=pkg_tag,
                range_commits=int(git(repo, "rev-list", "--count", rng)), packages_configured=has_pkgs)
    print("last tag %s (%d commits in range), package-a tag %s" % (tag, meta["range_commits"], pkg_tag))
    floors = {"range_log": ["git", "log", "--format=%H%n%B", rng],
              "describe": ["git", "describe", "--tags", "--abbrev=0"],
              "full_log": ["git", "log", "--format=%H%n%B"],
              "pkg_log": ["git", "log", "--format=%H", pkg_rng, "--", "packages/a"]}
    ours = {"plan": [args.bin, "plan", "--format", "json"],
            "version": [args.bin, "version"],
            "changelog": [args.bin, "changelog", "--regenerate", "--output", "-"],
            "package": [args.bin, "--config", pkg_config, "plan", "--package", "a", "--format", "json"]}
    tasks = {}
    needed = {f for t in args.only if t != "package" or has_pkgs for f in TARGETS[t][2:4] if f}
    for f in [f for f in floors if f in needed]:
        print("  floor %-10s" % f, end="", flush=True)
        tasks[f] = measure(f, floors[f], repo, args.runs)
    for t in args.only:
        if t == "package" and not has_pkgs:
            print("  ours  %-10s skipped (no packages configured)" % t)
            tasks[t] = dict(cmd=" ".join(ours[t]), ok=False, skipped="no packages configured")
            continue
        print("  ours  %-10s" % t, end="", flush=True)
        tasks[t] = measure(t, ours[t], repo, args.runs)
    for t in args.only:  # ratios and targets
        label, limit, floor, extra, rss_max = TARGETS[t]
        r = tasks[t]
        if not r["ok"] or not tasks[floor]["ok"]:
            continue
        r["ratio"] = {floor: r["median_s"] / tasks[floor]["median_s"]}
        if extra and tasks[extra]["ok"]:
            r["ratio"][extra] = r["median_s"] / tasks[extra]["median_s"]
        r["target"] = dict(max_ratio=limit, vs=floor, max_rss_mib=rss_max)
        r["met"] = r["ratio"][floor] <= limit and (rss_max is None or r["peak_mib"] < rss_max)
    return dict(meta=meta, tasks=tasks)


def print_table(size, res):
    m = res["meta"]
    print("\n### %d commits (last tag %s, %d commits since; package-a tag %s)\n"
          % (size, m["last_tag"], m["range_commits"], m["package_tag"]))
    print("| task | median s | peak MiB | ratio vs floor | target | met |\n|---|---|---|---|---|---|")
    for name, r in res["tasks"].items():
        label = TARGETS[name][0] if name in TARGETS else "floor: " + r["cmd"]
        if r.get("skipped"):
            print("| %s | skipped (%s) | | | | |" % (label, r["skipped"]))
        elif not r["ok"]:
            print("| %s | FAILED (exit %d) | | | | no |" % (label, r["exit"]))
        elif name not in TARGETS or "ratio" not in r:
            print("| %s | %.4f | %s | | | |" % (label, r["median_s"], fmt_mib(r["peak_mib"])))
        else:
            t = r["target"]
            ratios = " / ".join("%.2fx %s" % (v, FLOOR_LABELS[k]) for k, v in r["ratio"].items())
            tgt = "<= %gx %s" % (t["max_ratio"], FLOOR_LABELS[t["vs"]])
            if t["max_rss_mib"]:
                tgt += ", < %d MiB" % t["max_rss_mib"]
            print("| %s | %.4f | %s | %s | %s | %s |"
                  % (label, r["median_s"], fmt_mib(r["peak_mib"]), ratios, tgt, "yes" if r["met"] else "**NO**"))


MONO_TARGETS = {
    "mono_plan": ("all-packages plan", 2.0, "mono_range_names"),
    "mono_changelog": ("all-packages changelog", 1.5, "mono_full_names"),
    "mono_package": ("plan --package p5", 2.0, "mono_pkg_log"),
    "mono_pkg_changelog": ("changelog --package p5 --output -", None, "mono_pkg_full"),
    "mono_uptodate": ("changelog, every file up to date", None, None),
}
FLOOR_LABELS.update(mono_range_names="range git log --name-only", mono_full_names="whole git log --name-only",
                    mono_pkg_log="path-limited git log", mono_pkg_full="path-limited whole git log")


def ensure_monorepo(histories, packages, size):
    path = os.path.join(histories, "mono-%d-%d" % (packages, size))
    done = os.path.join(path, ".git", "gen-monorepo-done")
    if os.path.exists(done):
        print("reusing %s" % path)
        return path
    if os.path.exists(path) and os.listdir(path):
        sys.exit("%s exists but is incomplete (interrupted?); remove it and rerun" % path)
    print("generating %s ..." % path, flush=True)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, os.path.join(HERE, "gen-monorepo.py"), path, "-p", str(packages),
                    "-n", str(size)], check=True, stdout=subprocess.DEVNULL)
    open(done, "w").close()
    print("generated %s in %.1f s" % (path, time.perf_counter() - t0))
    return path


def last_package_tags(repo):
    """Per package p<i>: (its highest version tag reachable from HEAD, that commit's time)."""
    best = {}
    out = git(repo, "for-each-ref", "--merged", "HEAD", "--format=%(refname:short) %(*committerdate:unix)"
              " %(committerdate:unix)", "refs/tags/")
    for line in out.splitlines():
        name, *dates = line.split()
        m = re.match(r"^(p\d+)-v(\d+)\.(\d+)\.(\d+)$", name)
        if not m:
            continue
        version = tuple(map(int, m.groups()[1:]))
        when = int(next(d for d in dates if d))
        if m.group(1) not in best or version > best[m.group(1)][0]:
            best[m.group(1)] = (version, name, when)
    return {p: (name, when) for p, (_, name, when) in best.items()}


def bench_mono(repo, args):
    tags = last_package_tags(repo)
    oldest = min(tags.values(), key=lambda t: t[1])[0]
    p5 = tags["p5"][0]
    meta = dict(commits=int(git(repo, "rev-list", "--count", "HEAD")), packages=len(tags), oldest_last_tag=oldest,
                range_commits=int(git(repo, "rev-list", "--count", oldest + "..HEAD")), p5_tag=p5)
    print("%d packages, oldest last release %s (%d commits since)" % (len(tags), oldest, meta["range_commits"]))
    floors = {"mono_range_names": ["git", "log", "--format=%H", "--name-only", oldest + "..HEAD"],
              "mono_full_names": ["git", "log", "--format=%H%n%B", "--name-only"],
              "mono_pkg_log": ["git", "log", "--format=%H", p5 + "..HEAD", "--", "packages/p5"],
              "mono_pkg_full": ["git", "log", "--format=%H%n%B", "--", "packages/p5"]}
    ours = {"mono_plan": [args.bin, "plan", "--format", "json"],
            "mono_changelog": [args.bin, "changelog", "--regenerate"],
            "mono_package": [args.bin, "plan", "--package", "p5", "--format", "json"],
            "mono_pkg_changelog": [args.bin, "changelog", "--package", "p5", "--output", "-"],
            "mono_uptodate": [args.bin, "changelog"]}
    tasks = {}
    for f, cmd in floors.items():
        print("  floor %-18s" % f, end="", flush=True)
        tasks[f] = measure(f, cmd, repo, args.runs)
    for t, cmd in ours.items():
        print("  ours  %-18s" % t, end="", flush=True)
        tasks[t] = measure(t, cmd, repo, args.runs)
    for t, (_, limit, floor) in MONO_TARGETS.items():
        r = tasks[t]
        if floor is None or not r["ok"] or not tasks[floor]["ok"]:
            continue
        r["ratio"] = {floor: r["median_s"] / tasks[floor]["median_s"]}
        if limit is not None:
            r["target"] = dict(max_ratio=limit, vs=floor)
            r["met"] = r["ratio"][floor] <= limit
    return dict(meta=meta, tasks=tasks)


def print_mono(key, res):
    m = res["meta"]
    print("\n### monorepo %s: %d packages, %d commits (oldest last release %s, %d commits since)\n"
          % (key, m["packages"], m["commits"], m["oldest_last_tag"], m["range_commits"]))
    print("| task | median s | peak MiB | ratio vs floor | target | met |\n|---|---|---|---|---|---|")
    for name, r in res["tasks"].items():
        label = MONO_TARGETS[name][0] if name in MONO_TARGETS else "floor: " + r["cmd"]
        if not r["ok"]:
            print("| %s | FAILED (exit %d) | | | | no |" % (label, r["exit"]))
            continue
        ratio = " / ".join("%.2fx %s" % (v, FLOOR_LABELS[k]) for k, v in r.get("ratio", {}).items())
        target = r.get("target")
        print("| %s | %.4f | %s | %s | %s | %s |" % (
            label, r["median_s"], fmt_mib(r["peak_mib"]), ratio,
            "<= %gx %s" % (target["max_ratio"], FLOOR_LABELS[target["vs"]]) if target else "",
            ("yes" if r["met"] else "**NO**") if target else ""))


def print_mono_scaling(results, counts, sizes):
    if len(sizes) < 2:
        return {}
    lo, hi = sizes[0], sizes[-1]
    out = {}
    for packages in counts:
        a, b = results.get("%d-%d" % (packages, lo)), results.get("%d-%d" % (packages, hi))
        if not (a and b):
            continue
        print("\n### monorepo scaling, %d packages, %d -> %d commits\n" % (packages, lo, hi))
        for name in MONO_TARGETS:
            ra, rb = a["tasks"][name], b["tasks"][name]
            if not (ra.get("ok") and rb.get("ok")):
                continue
            ratio = rb["median_s"] / ra["median_s"]
            out["%d/%s" % (packages, name)] = ratio
            if name in ("mono_plan", "mono_package"):
                note = "flat" if ratio < 2 else "GROWS with history size"
            else:
                note = "at most linear" if ratio <= hi / lo * 1.2 else "SUPER-LINEAR"
            print("- %-20s time x%.2f (history x%.1f) -- %s" % (name, ratio, hi / lo, note))
    return out


def print_scaling(results, sizes):
    lo, hi = sizes[0], sizes[-1]
    a, b = results[str(lo)], results[str(hi)]
    k = hi / lo
    print("\n### scaling %d -> %d commits (history %.1fx; range %d -> %d commits)\n"
          % (lo, hi, k, a["meta"]["range_commits"], b["meta"]["range_commits"]))
    scaling = {}
    for name in list(a["tasks"]):
        ra, rb = a["tasks"][name], b["tasks"].get(name, {})
        if not (ra.get("ok") and rb.get("ok")):
            continue
        ratio = rb["median_s"] / ra["median_s"]
        scaling[name] = ratio
        if name in ("plan", "version", "package"):
            note = "flat (cost follows the range, not the history)" if ratio < 2 else "GROWS with history size"
        elif name == "changelog":
            note = "at most linear" if ratio <= k * 1.2 else "SUPER-LINEAR"
        else:
            note = "floor"
        print("- %-10s time x%.2f (history x%.1f) -- %s" % (name, ratio, k, note))
    return dict(from_size=lo, to_size=hi, history_ratio=k, time_ratio=scaling)


def main():
    ap = argparse.ArgumentParser(description="benchmark git-release against plain git on synthetic histories")
    ap.add_argument("--sizes", default="100000,500000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "target", "release", "git-release"))
    ap.add_argument("--histories", default=os.path.join(HERE, "histories"))
    ap.add_argument("--only", default=",".join(OURS))
    ap.add_argument("--mono", default="200,1000", help="monorepo package counts (\"\" skips monorepos)")
    ap.add_argument("--mono-sizes", default="100000,500000", help="monorepo history sizes")
    ap.add_argument("--loose-refs", action="store_true",
                    help="keep tags as the loose refs fast-import writes (default: pack them, as a clone would)")
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin)
    args.histories = os.path.abspath(args.histories)
    args.only = [t for t in OURS if t in args.only.split(",")]
    sizes = sorted(int(s) for s in args.sizes.split(",") if s) if args.only else []
    counts = sorted(int(p) for p in args.mono.split(",") if p)
    mono_sizes = sorted(int(s) for s in args.mono_sizes.split(",") if s)
    if not os.access(args.bin, os.X_OK):
        sys.exit("%s not found or not executable (cargo build --release first, or pass --bin)" % args.bin)
    os.makedirs(args.histories, exist_ok=True)
    INHERITED_MIB[0] = max(run_once(["true"], ".")[1] for _ in range(3))
    results = {}
    for size in sizes:
        repo = ensure_history(args.histories, size)
        if not args.loose_refs:
            pack_refs(repo)
        results[str(size)] = bench_size(repo, args)
    mono = {}
    for packages in counts:
        for size in mono_sizes:
            repo = ensure_monorepo(args.histories, packages, size)
            print("monorepo %d packages, %d commits" % (packages, size))
            mono["%d-%d" % (packages, size)] = bench_mono(repo, args)
    for size in sizes:
        print_table(size, results[str(size)])
    for key, res in mono.items():
        print_mono(key, res)
    out = dict(bin=args.bin, runs=args.runs, inherited_rss_mib=INHERITED_MIB[0],
               git=git(".", "--version").strip(), sizes=results, monorepos=mono)
    if len(sizes) > 1:
        out["scaling"] = print_scaling(results, sizes)
    out["mono_scaling"] = print_mono_scaling(mono, counts, mono_sizes)
    with open(os.path.join(args.histories, "results.json"), "w") as f:
        json.dump(out, f, indent=1)
    print("\nresults written to %s" % os.path.join(args.histories, "results.json"))


if __name__ == "__main__":
    main()
