//! Git's commit-graph (`objects/info/commit-graph`, or the chain of layers
//! in `objects/info/commit-graphs/`; see `gitformat-commit-graph(5)`): a
//! commit's parents, commit time and root tree without inflating the commit
//! object, as git itself reads them for path-limited history.
//!
//! The graph only speeds reading up. It may be missing, stale (commits made
//! after it was written are not in it) or written by a newer git; every
//! such case answers `None` and the caller reads the object instead.

use std::fs::File;
use std::path::Path;

use git2::Oid;

const SIGNATURE: &[u8; 4] = b"CGPH";
const OID_FANOUT: u32 = u32::from_be_bytes(*b"OIDF");
const OID_LOOKUP: u32 = u32::from_be_bytes(*b"OIDL");
const COMMIT_DATA: u32 = u32::from_be_bytes(*b"CDAT");
const EXTRA_EDGES: u32 = u32::from_be_bytes(*b"EDGE");
/// A parent position meaning "no parent".
const NO_PARENT: u32 = 0x7000_0000;
/// Set in the second parent position: the rest are in the extra-edge list.
const OCTOPUS: u32 = 0x8000_0000;
const HASH_LEN: usize = 20;
const DATA_LEN: usize = HASH_LEN + 16;

/// One commit as the graph records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphCommit {
    /// The root tree.
    pub tree: Oid,
    /// The parents, in order.
    pub parents: Vec<Oid>,
    /// Committer time, seconds since the epoch.
    pub time: i64,
}

/// One graph file: the commits it holds, numbered after those of the
/// layers below it.
struct Layer {
    map: memmap2::Mmap,
    /// Commits in the layers below (positions start here).
    base: u32,
    count: u32,
    fanout: usize,
    oids: usize,
    data: usize,
    /// Offset and length of the extra-edge list, if any.
    edges: Option<(usize, usize)>,
}

/// The commit-graph of a repository: its layers, base first.
pub struct CommitGraph {
    layers: Vec<Layer>,
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn be64(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

impl Layer {
    /// Maps and checks one graph file; `None` if it is not one this reader
    /// understands (other hash, other version, sizes that do not add up).
    fn open(path: &Path, base: u32, layers_below: usize) -> Option<Layer> {
        let file = File::open(path).ok()?;
        // SAFETY: git writes commit-graph files to a temporary name and
        // renames them into place; it never changes a file in place, so the
        // mapped bytes stay as they are while mapped (as libgit2 and git
        // itself rely on). Every read below is bounds-checked.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
        let bytes = &map[..];
        if bytes.get(..4)? != SIGNATURE || *bytes.get(4)? != 1 || *bytes.get(5)? != 1 {
            return None;
        }
        let chunks = usize::from(*bytes.get(6)?);
        if usize::from(*bytes.get(7)?) != layers_below {
            return None;
        }
        let mut table = Vec::with_capacity(chunks + 1);
        for i in 0..=chunks {
            let at = 8 + i * 12;
            let offset = usize::try_from(be64(bytes, at + 4)?).ok()?;
            table.push((be32(bytes, at)?, offset));
        }
        // The table ends with a zero id at the end of the last chunk, and
        // the file with its checksum. Offsets only rise and end before the
        // checksum: every chunk is then inside the file, and no sum below
        // can overflow.
        if table.windows(2).any(|w| w[1].1 < w[0].1)
            || table[chunks].1.checked_add(HASH_LEN)? > bytes.len()
        {
            return None;
        }
        let chunk = |id: u32| {
            (0..chunks)
                .find(|&i| table[i].0 == id)
                .map(|i| (table[i].1, table[i + 1].1 - table[i].1))
        };
        let (fanout, fanout_len) = chunk(OID_FANOUT)?;
        let (oids, oids_len) = chunk(OID_LOOKUP)?;
        let (data, data_len) = chunk(COMMIT_DATA)?;
        let count = be32(bytes, fanout + 255 * 4)?;
        let n = usize::try_from(count).ok()?;
        if fanout_len != 256 * 4 || oids_len != n * HASH_LEN || data_len != n * DATA_LEN {
            return None;
        }
        Some(Layer {
            base,
            count,
            fanout,
            oids,
            data,
            edges: chunk(EXTRA_EDGES),
            map,
        })
    }

    fn oid(&self, local: u32) -> Option<&[u8]> {
        let at = self.oids + usize::try_from(local).ok()? * HASH_LEN;
        self.map.get(at..at + HASH_LEN)
    }

    /// The local position of `id`, by the fan-out table and a binary search.
    fn find(&self, id: &[u8]) -> Option<u32> {
        let first = usize::from(*id.first()?);
        let lo = if first == 0 {
            0
        } else {
            be32(&self.map, self.fanout + (first - 1) * 4)?
        };
        let hi = be32(&self.map, self.fanout + first * 4)?.min(self.count);
        let (mut lo, mut hi) = (lo, hi);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.oid(mid)?.cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

impl CommitGraph {
    /// The graph of the repository whose object directory is `objects`:
    /// the single file, or else the chain of layers. `None` when there is
    /// none or it cannot be read.
    pub fn open(objects: &Path) -> Option<CommitGraph> {
        let info = objects.join("info");
        if let Some(layer) = Layer::open(&info.join("commit-graph"), 0, 0) {
            return Some(CommitGraph {
                layers: vec![layer],
            });
        }
        let dir = info.join("commit-graphs");
        let chain = std::fs::read_to_string(dir.join("commit-graph-chain")).ok()?;
        let mut layers: Vec<Layer> = Vec::new();
        for hash in chain.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let base = layers
                .last()
                .map_or(Some(0), |l| l.base.checked_add(l.count))?;
            layers.push(Layer::open(
                &dir.join(format!("graph-{hash}.graph")),
                base,
                layers.len(),
            )?);
        }
        (!layers.is_empty()).then_some(CommitGraph { layers })
    }

    /// The id at a global position.
    fn oid_at(&self, position: u32) -> Option<Oid> {
        let layer = self
            .layers
            .iter()
            .find(|l| position >= l.base && position - l.base < l.count)?;
        Oid::from_bytes(layer.oid(position - layer.base)?).ok()
    }

    /// The commit `id`, if the graph holds it.
    pub fn get(&self, id: Oid) -> Option<GraphCommit> {
        let key = id.as_bytes();
        let (layer, local) = self
            .layers
            .iter()
            .rev()
            .find_map(|l| Some((l, l.find(key)?)))?;
        let at = layer.data + usize::try_from(local).ok()? * DATA_LEN;
        let bytes = layer.map.get(at..at + DATA_LEN)?;
        let tree = Oid::from_bytes(&bytes[..HASH_LEN]).ok()?;
        let first = be32(bytes, HASH_LEN)?;
        let second = be32(bytes, HASH_LEN + 4)?;
        let high = be32(bytes, HASH_LEN + 8)?;
        let low = be32(bytes, HASH_LEN + 12)?;
        let time = (i64::from(high & 0b11) << 32) | i64::from(low);
        let mut parents = Vec::with_capacity(2);
        if first != NO_PARENT {
            parents.push(self.oid_at(first)?);
        }
        if second & OCTOPUS != 0 {
            // The second and later parents, in the extra-edge list; the
            // last one has the high bit set.
            let (edges, len) = layer.edges?;
            let mut index = usize::try_from(second & !OCTOPUS).ok()?;
            loop {
                if (index + 1) * 4 > len {
                    return None;
                }
                let edge = be32(&layer.map, edges + index * 4)?;
                parents.push(self.oid_at(edge & !OCTOPUS)?);
                if edge & OCTOPUS != 0 {
                    break;
                }
                index += 1;
            }
        } else if second != NO_PARENT {
            parents.push(self.oid_at(second)?);
        }
        Some(GraphCommit {
            tree,
            parents,
            time,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs git hermetically in `dir`, with fixed identities and, when
    /// given, a fixed date.
    fn git_at(dir: &Path, args: &[&str], date: Option<u64>) -> String {
        let mut cmd = std::process::Command::new("git");
        cmd.args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .env("GIT_AUTHOR_NAME", "A")
            .env("GIT_AUTHOR_EMAIL", "a@x")
            .env("GIT_COMMITTER_NAME", "C")
            .env("GIT_COMMITTER_EMAIL", "c@x");
        if let Some(date) = date {
            let stamp = format!("{date} +0200");
            cmd.env("GIT_COMMITTER_DATE", &stamp)
                .env("GIT_AUTHOR_DATE", &stamp);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    }

    fn git(dir: &Path, args: &[&str]) -> String {
        git_at(dir, args, None)
    }

    /// A history with merges, an octopus and a root, written as a graph by
    /// git, read back commit by commit and compared with the objects.
    fn history(dir: &Path) {
        git(dir, &["init", "-q", "-b", "main"]);
        let mut date = 1_700_000_000u64;
        let mut commit = |dir: &Path, message: &str| {
            date += 100;
            git_at(
                dir,
                &["commit", "-q", "--allow-empty", "-m", message],
                Some(date),
            );
        };
        commit(dir, "root");
        for branch in ["b1", "b2", "b3"] {
            git(dir, &["branch", branch]);
        }
        for branch in ["b1", "b2", "b3"] {
            git(dir, &["switch", "-q", branch]);
            std::fs::write(dir.join(branch), branch).unwrap();
            git(dir, &["add", branch]);
            commit(dir, branch);
        }
        git(dir, &["switch", "-q", "main"]);
        commit(dir, "main 1");
        git(dir, &["merge", "-q", "--no-edit", "b1", "b2", "b3"]);
        git(dir, &["switch", "-q", "-c", "b4"]);
        commit(dir, "b4");
        git(dir, &["switch", "-q", "main"]);
        commit(dir, "main 2");
        git(dir, &["merge", "-q", "--no-edit", "--no-ff", "b4"]);
    }

    fn check(dir: &Path, graph: &CommitGraph, expect_all: bool) -> usize {
        let repo = git2::Repository::open(dir).unwrap();
        let mut seen = 0;
        for line in git(dir, &["rev-list", "--all"]).lines() {
            let id = Oid::from_str(line).unwrap();
            let commit = repo.find_commit(id).unwrap();
            match graph.get(id) {
                Some(got) => {
                    seen += 1;
                    assert_eq!(got.tree, commit.tree_id());
                    assert_eq!(got.parents, commit.parent_ids().collect::<Vec<_>>());
                    assert_eq!(got.time, commit.time().seconds());
                }
                None => assert!(!expect_all, "{id} missing"),
            }
        }
        seen
    }

    #[test]
    fn single_file_matches_the_objects() {
        let dir = tempfile::tempdir().unwrap();
        history(dir.path());
        git(dir.path(), &["commit-graph", "write", "--reachable"]);
        let objects = dir.path().join(".git/objects");
        let graph = CommitGraph::open(&objects).unwrap();
        assert_eq!(check(dir.path(), &graph, true), 9);
        // Not in the graph: a commit made after it, and a non-commit.
        std::fs::write(dir.path().join("later"), "x").unwrap();
        git(dir.path(), &["add", "later"]);
        git(dir.path(), &["commit", "-q", "-m", "later"]);
        let head = Oid::from_str(git(dir.path(), &["rev-parse", "HEAD"]).trim()).unwrap();
        assert!(graph.get(head).is_none());
        let tree = Oid::from_str(git(dir.path(), &["rev-parse", "HEAD^{tree}"]).trim()).unwrap();
        assert!(graph.get(tree).is_none());
    }

    #[test]
    fn chains_of_layers_match_the_objects() {
        let dir = tempfile::tempdir().unwrap();
        history(dir.path());
        git(
            dir.path(),
            &["commit-graph", "write", "--reachable", "--split"],
        );
        std::fs::write(dir.path().join("more"), "x").unwrap();
        git(dir.path(), &["add", "more"]);
        git(dir.path(), &["commit", "-q", "-m", "more"]);
        git(
            dir.path(),
            &["commit-graph", "write", "--reachable", "--split=no-merge"],
        );
        let objects = dir.path().join(".git/objects");
        assert!(!objects.join("info/commit-graph").exists());
        let graph = CommitGraph::open(&objects).unwrap();
        assert_eq!(graph.layers.len(), 2);
        assert_eq!(check(dir.path(), &graph, true), 10);
    }

    #[test]
    fn damaged_or_missing_graphs_are_not_used() {
        let dir = tempfile::tempdir().unwrap();
        history(dir.path());
        let objects = dir.path().join(".git/objects");
        assert!(CommitGraph::open(&objects).is_none());
        git(dir.path(), &["commit-graph", "write", "--reachable"]);
        let path = objects.join("info/commit-graph");
        let bytes = std::fs::read(&path).unwrap();
        // Every truncation is refused or, where the part read is intact,
        // gives the objects' own answers; none panics.
        for cut in (0..bytes.len()).step_by(7) {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            if let Some(graph) = CommitGraph::open(&objects) {
                check(dir.path(), &graph, false);
            }
        }
        // Offsets pointing anywhere (past the end, or wrapping around) are
        // refused or give the objects' own answers, never a panic.
        for entry in 0..=usize::from(bytes[6]) {
            for value in [u64::MAX, u64::MAX - 10, 1 << 40, 0] {
                let mut damaged = bytes.clone();
                let at = 8 + entry * 12 + 4;
                damaged[at..at + 8].copy_from_slice(&value.to_be_bytes());
                std::fs::write(&path, &damaged).unwrap();
                if let Some(graph) = CommitGraph::open(&objects) {
                    check(dir.path(), &graph, false);
                }
            }
        }
        // Another hash function: not read.
        let mut sha256 = bytes.clone();
        sha256[5] = 2;
        std::fs::write(&path, &sha256).unwrap();
        assert!(CommitGraph::open(&objects).is_none());
    }
}
