//! One walk for many packages: [`Repo::walk_unread`] run for every
//! package at once, each with its own stop commits.
//!
//! With all parents followed, the order in which the single walk visits
//! commits does not depend on its stops (they only mark commits out of
//! range), so one walk in that order serves every package: each commit
//! carries one bit per package saying whether it is out of that package's
//! range, and each package's walk ends where its own would have (the same
//! stop rule and slop), its bits frozen from then on. A package's range is
//! then exactly what its own walk returns, in the same order.

use std::collections::{BinaryHeap, HashMap};

use git2::Oid;

use super::{Entry, OidHash, RawCommit, Repo, RepoError, git_err};

/// Bits per word of a package bit set.
const WORD: usize = 64;

/// What one walk found for many packages.
pub struct ManyWalk {
    /// Every commit visited, in visit order (unread where the commit-graph
    /// knew it, as [`Repo::walk_unread`] leaves them).
    pub commits: Vec<RawCommit>,
    /// Words per commit in `out`.
    words: usize,
    /// For each commit of `commits`, one bit per package: out of its range.
    out: Vec<u64>,
    /// For each package: how many of `commits` its own walk visited.
    cutoff: Vec<usize>,
    /// For each package: the stop commits its walk met, in meeting order.
    pub frontier: Vec<Vec<Oid>>,
    /// Where each commit is in `commits`.
    position: HashMap<Oid, usize, OidHash>,
}

impl ManyWalk {
    /// Whether `commits[at]` is in `package`'s range.
    pub fn includes(&self, package: usize, at: usize) -> bool {
        at < self.cutoff[package]
            && self.out[at * self.words + package / WORD] >> (package % WORD) & 1 == 0
    }

    /// Where a commit is in `commits`, if visited.
    pub fn position(&self, id: Oid) -> Option<usize> {
        self.position.get(&id).copied()
    }

    /// The positions of `package`'s range, newest first.
    pub fn range(&self, package: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.cutoff[package].min(self.commits.len()))
            .filter(move |&at| self.includes(package, at))
    }
}

/// A commit met by the walk.
struct Node {
    commit: Option<RawCommit>,
    parents: Vec<Oid>,
    queued: bool,
    visited: bool,
    /// Index of its bits in `bits` (one set per node).
    slot: usize,
}

/// The bit sets of all nodes, `words` per node.
struct Bits {
    words: usize,
    data: Vec<u64>,
}

impl Bits {
    fn get(&self, slot: usize) -> &[u64] {
        &self.data[slot * self.words..(slot + 1) * self.words]
    }
    fn get_mut(&mut self, slot: usize) -> &mut [u64] {
        &mut self.data[slot * self.words..(slot + 1) * self.words]
    }
    fn add(&mut self) -> usize {
        let slot = self.data.len() / self.words;
        self.data.extend(std::iter::repeat_n(0, self.words));
        slot
    }
}

/// Calls `f` with each set bit of `word` (offset by `base`).
fn each_bit(mut word: u64, base: usize, mut f: impl FnMut(usize)) {
    while word != 0 {
        let bit = word.trailing_zeros() as usize;
        f(base + bit);
        word &= word - 1;
    }
}

impl Repo {
    /// [`Repo::walk_unread`] from `start` with all parents, once for each
    /// set of stop commits in `stops` (one per package), in a single walk.
    pub fn walk_many(&self, start: Oid, stops: &[Vec<Oid>]) -> Result<ManyWalk, RepoError> {
        const SLOP: usize = 5;
        let packages = stops.len();
        let words = packages.div_ceil(WORD).max(1);
        let odb = self
            .repo
            .odb()
            .map_err(git_err("opening the object database"))?;
        let graph = self.graph();
        let read = |id: Oid| match graph.and_then(|g| g.get(id)) {
            Some(known) => Ok(RawCommit::from_graph(id, known)),
            None => self.raw_commit(&odb, id),
        };
        // Which packages stop at each commit.
        let mut stop_bits: HashMap<Oid, Vec<u64>, OidHash> = HashMap::default();
        for (package, ids) in stops.iter().enumerate() {
            for id in ids {
                stop_bits.entry(*id).or_insert_with(|| vec![0; words])[package / WORD] |=
                    1 << (package % WORD);
            }
        }
        let mut active = vec![0u64; words];
        for package in 0..packages {
            active[package / WORD] |= 1 << (package % WORD);
        }
        let mut frontier: Vec<Vec<Oid>> = vec![Vec::new(); packages];
        let mut cutoff = vec![usize::MAX; packages];
        // Per package: queued, unvisited commits in its range.
        let mut live = vec![0usize; packages];
        let mut slop = vec![SLOP; packages];

        let mut nodes: Vec<Node> = Vec::new();
        let mut index: HashMap<Oid, usize, OidHash> = HashMap::default();
        let mut bits = Bits {
            words,
            data: Vec::new(),
        };
        let mut queue = BinaryHeap::new();
        let mut seq = 0u64;
        let mut order: Vec<usize> = Vec::new();

        // Packages whose stops include the start have an empty range.
        if let Some(at_start) = stop_bits.get(&start) {
            for (w, word) in at_start.iter().enumerate() {
                each_bit(*word, w * WORD, |p| {
                    frontier[p].push(start);
                    cutoff[p] = 0;
                });
                active[w] &= !word;
            }
        }
        if active.iter().any(|&w| w != 0) {
            let first = read(start)?;
            queue.push(Entry {
                time: first.time(),
                seq,
                id: start,
            });
            let at = node_for(start, &mut nodes, &mut index, &mut bits);
            nodes[at].queued = true;
            nodes[at].commit = Some(first);
            for (w, word) in active.iter().enumerate() {
                each_bit(*word, w * WORD, |p| live[p] += 1);
            }
        }

        let mut pushed = vec![0u64; words];
        let mut marks = vec![0u64; words];
        while active.iter().any(|&w| w != 0) {
            let Some(Entry { id, .. }) = queue.pop() else {
                break;
            };
            let Some(&at) = index.get(&id) else { continue };
            if nodes[at].visited {
                continue;
            }
            nodes[at].visited = true;
            let Some(commit) = nodes[at].commit.take() else {
                continue;
            };
            let slot = nodes[at].slot;
            for (w, (&on, &own)) in active.iter().zip(bits.get(slot)).enumerate() {
                each_bit(on & !own, w * WORD, |p| live[p] -= 1);
            }
            nodes[at].parents = commit.parent_ids().collect();
            nodes[at].commit = Some(commit);
            order.push(at);
            pushed.iter_mut().for_each(|w| *w = 0);
            let parents = nodes[at].parents.clone();
            for parent in parents {
                let stop = stop_bits.get(&parent);
                // Out of range for a package: below a commit out of it, or
                // one of its stops (met from inside: its frontier).
                for w in 0..words {
                    let own = bits.get(slot)[w];
                    let stopped = stop.map_or(0, |s| s[w]);
                    each_bit(stopped & !own & active[w], w * WORD, |p| {
                        if !frontier[p].contains(&parent) {
                            frontier[p].push(parent);
                        }
                    });
                    marks[w] = (own | stopped) & active[w];
                }
                if marks.iter().any(|&w| w != 0) {
                    mark_out(parent, &marks, &mut nodes, &mut index, &mut bits, &mut live);
                }
                let known = index.get(&parent).copied();
                if known.is_some_and(|i| nodes[i].queued) {
                    continue;
                }
                let commit = read(parent)?;
                seq += 1;
                queue.push(Entry {
                    time: commit.time(),
                    seq,
                    id: parent,
                });
                let i = node_for(parent, &mut nodes, &mut index, &mut bits);
                nodes[i].queued = true;
                nodes[i].commit = Some(commit);
                let parent_slot = nodes[i].slot;
                for w in 0..words {
                    let inside = active[w] & !bits.get(parent_slot)[w];
                    each_bit(inside, w * WORD, |p| live[p] += 1);
                    pushed[w] |= inside;
                }
            }
            // Each package's own walk ends as it would alone.
            for w in 0..words {
                each_bit(active[w], w * WORD, |p| {
                    if pushed[w] >> (p % WORD) & 1 == 1 || live[p] > 0 {
                        slop[p] = SLOP;
                    } else if slop[p] == 0 {
                        cutoff[p] = order.len();
                    } else {
                        slop[p] -= 1;
                    }
                });
            }
            for (p, &c) in cutoff.iter().enumerate() {
                if c != usize::MAX {
                    active[p / WORD] &= !(1 << (p % WORD));
                }
            }
        }
        for c in cutoff.iter_mut().filter(|c| **c == usize::MAX) {
            *c = order.len();
        }

        let mut out = Vec::with_capacity(order.len() * words);
        let mut position = HashMap::default();
        let mut commits = Vec::with_capacity(order.len());
        for (i, at) in order.into_iter().enumerate() {
            out.extend_from_slice(bits.get(nodes[at].slot));
            if let Some(commit) = nodes[at].commit.take() {
                position.insert(commit.id(), i);
                commits.push(commit);
            }
        }
        Ok(ManyWalk {
            commits,
            words,
            out,
            cutoff,
            frontier,
            position,
        })
    }
}

/// Where the node of `id` is, made (in range for every package) if new.
fn node_for(
    id: Oid,
    nodes: &mut Vec<Node>,
    index: &mut HashMap<Oid, usize, OidHash>,
    bits: &mut Bits,
) -> usize {
    if let Some(&at) = index.get(&id) {
        return at;
    }
    let slot = bits.add();
    nodes.push(Node {
        commit: None,
        parents: Vec::new(),
        queued: false,
        visited: false,
        slot,
    });
    index.insert(id, nodes.len() - 1);
    nodes.len() - 1
}

/// Marks `id` out of range for the packages in `marks` and carries the
/// mark to its visited ancestors; unvisited ones keep it until visited.
fn mark_out(
    id: Oid,
    marks: &[u64],
    nodes: &mut Vec<Node>,
    index: &mut HashMap<Oid, usize, OidHash>,
    bits: &mut Bits,
    live: &mut [usize],
) {
    let mut stack = vec![(id, marks.to_vec())];
    while let Some((id, marks)) = stack.pop() {
        let at = node_for(id, nodes, index, bits);
        let node = &nodes[at];
        let own = bits.get_mut(node.slot);
        let new: Vec<u64> = marks.iter().zip(own.iter()).map(|(m, o)| m & !o).collect();
        if new.iter().all(|&w| w == 0) {
            continue;
        }
        for (o, n) in own.iter_mut().zip(&new) {
            *o |= n;
        }
        if node.queued && !node.visited {
            for (w, word) in new.iter().enumerate() {
                each_bit(*word, w * WORD, |p| live[p] -= 1);
            }
        }
        if node.visited {
            for parent in &node.parents {
                stack.push((*parent, new.clone()));
            }
        }
    }
}
