//! Every package's releases from one walk of the whole history: for each
//! package, the chain of final releases reachable from HEAD (newest first)
//! with the commits of each, exactly as
//! [`crate::render::describe::Describer::chain`] finds them one package and
//! one release at a time.
//!
//! A package's chain is `r1` = its highest final release reachable from
//! HEAD, then `r(k+1)` = its highest final release below `rk` reachable
//! from `rk`; release `rk` holds the commits reachable from `rk` and not
//! from `r(k+1)`. Each release is an ancestor of the one before, so a
//! commit belongs to the deepest release of the chain that reaches it.
//! One pass over history in topological order (children first) carries,
//! for every package, that depth down to the parents, decides each chain
//! as its releases are met, and sorts each commit that touches a package
//! (one tree comparison per commit for all packages, see [`PathSet`]) into
//! its release.
//!
//! Within a release, commits are listed in the order a walk from that
//! release visits them. That order is the walk from HEAD's, restricted to
//! the release, unless a commit of the release was also reached from
//! outside it (a branch forked before the release and merged after) and
//! shares its commit time with another commit, or commit times go
//! backwards somewhere: then the release's own walk is replayed on the
//! graph already in memory (no object is read again).
//!
//! Deciding `r(k+1)` as the first candidate met assumes versions grow
//! along history. A package where a higher candidate turns up later (tags
//! out of version order), or where two releases have equal versions, is
//! not answered here (`None`): its caller walks it alone.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::rc::Rc;

use git2::Oid;
use semver::Version;

use crate::git::changed_paths::PathSet;
use crate::git::repo::{RawCommit, Repo, RepoError, git_err};
use crate::git::tags::{ReleaseTag, TagIndex};

/// One release of a chain.
pub struct ChainRelease {
    /// The release.
    pub tag: ReleaseTag,
    /// The release before it in the chain.
    pub previous: Option<ReleaseTag>,
    /// Its commits that touch the package, newest first, not read yet
    /// ([`Repo::read_message`] reads each).
    pub commits: Vec<RawCommit>,
}

/// One package for [`find_chains`].
pub struct Target<'a> {
    /// Its release tags.
    pub index: &'a TagIndex,
    /// Its paths (empty: the whole repository).
    pub paths: Vec<std::path::PathBuf>,
    /// Files under its paths that do not count.
    pub exclude: Option<globset::GlobSet>,
    /// The chain is needed down to its first release below this version
    /// (the lowest its changelog lacks); the pass ends once every target
    /// has that release's commits and the release before it.
    pub until: Version,
}

/// How many commits the pass processes between checks of whether every
/// target has what it needs.
const CHECK_EVERY: usize = 256;

/// The history from HEAD, in memory: commits in walk order and edges by
/// position.
struct Graph {
    commits: Vec<RawCommit>,
    position: HashMap<Oid, usize>,
    parents: Vec<Vec<usize>>,
    /// Some parent's commit time is later than its child's.
    skewed: bool,
    /// How many commits have each commit time.
    times: HashMap<i64, u32>,
}

impl Graph {
    fn new(commits: Vec<RawCommit>) -> Graph {
        let position: HashMap<Oid, usize> = commits
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id(), i))
            .collect();
        let parents: Vec<Vec<usize>> = commits
            .iter()
            .map(|c| {
                c.parent_ids()
                    .filter_map(|p| position.get(&p).copied())
                    .collect()
            })
            .collect();
        let skewed = parents
            .iter()
            .enumerate()
            .any(|(c, ps)| ps.iter().any(|&p| commits[p].time() > commits[c].time()));
        let mut times = HashMap::new();
        for commit in &commits {
            *times.entry(commit.time()).or_insert(0) += 1;
        }
        Graph {
            commits,
            position,
            parents,
            skewed,
            times,
        }
    }

    /// The commits of the walk from `start` that stops at `stops`, in the
    /// order [`Repo::walk`] visits them, with the stops it met: the same
    /// algorithm (date order, out-of-range marks carried to visited
    /// ancestors, the same slop) run on positions.
    fn replay(&self, start: usize, stops: &HashSet<usize>) -> (Vec<usize>, Vec<usize>) {
        const SLOP: usize = 5;
        if stops.contains(&start) {
            return (Vec::new(), vec![start]);
        }
        #[derive(Default, Clone, Copy)]
        struct Node {
            queued: bool,
            visited: bool,
            out: bool,
        }
        let mut nodes: HashMap<usize, Node> = HashMap::new();
        let mut queue = BinaryHeap::new();
        let time = |at: usize| self.commits[at].time();
        let mut seq = 0u64;
        queue.push((time(start), Reverse(seq), start));
        nodes.insert(
            start,
            Node {
                queued: true,
                ..Node::default()
            },
        );
        let mut order = Vec::new();
        let mut frontier = Vec::new();
        let mut slop = SLOP;
        let mark = |at: usize, nodes: &mut HashMap<usize, Node>| {
            let mut stack = vec![at];
            while let Some(at) = stack.pop() {
                let node = nodes.entry(at).or_default();
                if node.out {
                    continue;
                }
                node.out = true;
                if node.visited {
                    stack.extend(self.parents[at].iter().copied());
                }
            }
        };
        while let Some((_, _, at)) = queue.pop() {
            let node = nodes.entry(at).or_default();
            if node.visited {
                continue;
            }
            node.visited = true;
            let out = node.out;
            if !out {
                order.push(at);
            }
            let mut pushed_inside = false;
            for &parent in &self.parents[at] {
                if out || stops.contains(&parent) {
                    if !out && !frontier.contains(&parent) {
                        frontier.push(parent);
                    }
                    mark(parent, &mut nodes);
                }
                let node = nodes.entry(parent).or_default();
                if node.queued {
                    continue;
                }
                node.queued = true;
                seq += 1;
                queue.push((time(parent), Reverse(seq), parent));
                pushed_inside |= !node.out;
            }
            let inside_left = pushed_inside
                || queue
                    .iter()
                    .any(|&(_, _, q)| nodes.get(&q).is_some_and(|n| !n.out && !n.visited));
            if inside_left {
                slop = SLOP;
            } else if slop == 0 {
                break;
            } else {
                slop -= 1;
            }
        }
        order.retain(|at| !nodes[at].out);
        (order, frontier)
    }
}

/// Per package: where its chain stands.
struct State {
    /// The chain so far, with each release's position.
    chain: Vec<(ReleaseTag, usize)>,
    /// A release turned up that breaks the one-pass rule: walk it alone.
    failed: bool,
    /// How deep the chain is needed, once its last needed release is met.
    needed: Option<usize>,
    /// Nothing more to find.
    done: bool,
    /// Depths (1-based) whose order the walk from HEAD may not give.
    replay: HashSet<usize>,
}

/// The chain of every target from `head`, each release with its commits
/// (`None` for a target this pass does not answer, see the module doc).
/// Follows all parents.
pub fn find_chains(
    repo: &Repo,
    targets: &[Target<'_>],
    head: Oid,
) -> Result<Vec<Option<Vec<ChainRelease>>>, RepoError> {
    // Messages are read release by release, when described.
    let graph = Graph::new(repo.walk_shape(head)?.commits);
    let count = graph.commits.len();
    let packages = targets.len();
    let mut children = vec![0u32; count];
    for list in &graph.parents {
        for &p in list {
            children[p] += 1;
        }
    }
    // Final releases by commit, highest version first per commit.
    let mut finals: HashMap<usize, Vec<(usize, &ReleaseTag)>> = HashMap::new();
    for (p, target) in targets.iter().enumerate() {
        for tag in target
            .index
            .releases
            .iter()
            .filter(|t| t.version.pre.is_empty())
        {
            if let Some(&at) = graph.position.get(&tag.commit) {
                finals.entry(at).or_default().push((p, tag));
            }
        }
    }
    let shapes: Vec<(Vec<std::path::PathBuf>, Option<globset::GlobSet>)> = targets
        .iter()
        .map(|t| (t.paths.clone(), t.exclude.clone()))
        .collect();
    let paths = PathSet::new(&shapes);
    let everywhere: Vec<usize> = (0..packages)
        .filter(|&p| targets[p].paths.is_empty())
        .collect();
    let odb = repo
        .git()
        .odb()
        .map_err(git_err("opening the object database"))?;
    let touched_at = |graph: &Graph, at: usize| -> Result<Vec<usize>, RepoError> {
        let commit = &graph.commits[at];
        let parent_tree = match commit.parent_id(0) {
            Some(id) => Some(match graph.position.get(&id) {
                Some(&i) => graph.commits[i].tree_id(),
                None => repo.root_tree(id)?,
            }),
            None => None,
        };
        let mut touched = paths.changed(repo, &odb, commit.tree_id(), parent_tree)?;
        touched.extend(&everywhere);
        Ok(touched)
    };

    let mut states: Vec<State> = (0..packages)
        .map(|_| State {
            chain: Vec::new(),
            failed: false,
            needed: None,
            done: false,
            replay: HashSet::new(),
        })
        .collect();
    // What the pass learns per commit: the packages it touches, and its
    // depth in every package's chain (shared until it changes).
    let mut touched: Vec<Option<Vec<usize>>> = vec![None; count];
    let mut depth: Vec<Option<Rc<Vec<u32>>>> = vec![None; count];
    // For commits reached from children at different depths: each
    // distinct depth they were reached with.
    let mut reached: HashMap<usize, Vec<Rc<Vec<u32>>>> = HashMap::new();
    // Per package and depth (1-based): the commits touching it.
    let mut buckets: Vec<Vec<Vec<usize>>> = vec![Vec::new(); packages];
    // Children first; among commits ready, in walk order.
    let mut ready = BinaryHeap::new();
    if count > 0 {
        depth[0] = Some(Rc::new(vec![0; packages]));
        ready.push(Reverse(0usize));
    }
    // Commits with a depth not yet processed: the edge of the pass.
    let mut edge: HashSet<usize> = HashSet::new();
    let mut processed = 0usize;
    while let Some(Reverse(at)) = ready.pop() {
        let mut own = depth[at]
            .take()
            .unwrap_or_else(|| Rc::new(vec![0; packages]));
        if let Some(tags) = finals.get(&at) {
            for &(p, tag) in tags {
                decide(&mut states[p], &mut own, p, tag, at, &targets[p].until);
            }
        }
        // Reached from outside a release of some package (at a shallower
        // depth) and sharing its commit time: that release's order needs
        // its own walk.
        if let Some(depths) = reached.remove(&at) {
            if graph
                .times
                .get(&graph.commits[at].time())
                .copied()
                .unwrap_or(0)
                > 1
            {
                for theirs in depths {
                    for p in 0..packages {
                        let k = own[p] as usize;
                        let starts_here =
                            k > 0 && states[p].chain.get(k - 1).is_some_and(|(_, c)| *c == at);
                        if theirs[p] < own[p] && !starts_here {
                            states[p].replay.insert(k);
                        }
                    }
                }
            }
        }
        let changed = touched_at(&graph, at)?;
        for &p in &changed {
            let k = own[p] as usize;
            if k > 0 && !states[p].failed && !states[p].done {
                let bucket = &mut buckets[p];
                if bucket.len() < k {
                    bucket.resize(k, Vec::new());
                }
                bucket[k - 1].push(at);
            }
        }
        touched[at] = Some(changed);
        for &q in &graph.parents[at] {
            depth[q] = Some(match depth[q].take() {
                None => Rc::clone(&own),
                Some(theirs) if Rc::ptr_eq(&theirs, &own) || theirs == own => theirs,
                Some(theirs) => {
                    let entry = reached.entry(q).or_default();
                    for seen in [&theirs, &own] {
                        if !entry.iter().any(|e| e == seen) {
                            entry.push(Rc::clone(seen));
                        }
                    }
                    let mut deeper = (*theirs).clone();
                    for (a, b) in deeper.iter_mut().zip(own.iter()) {
                        *a = (*a).max(*b);
                    }
                    Rc::new(deeper)
                }
            });
            edge.insert(q);
            children[q] -= 1;
            if children[q] == 0 {
                ready.push(Reverse(q));
            }
        }
        edge.remove(&at);
        processed += 1;
        if processed % CHECK_EVERY == 0 && all_done(&mut states, &edge, &depth) {
            break;
        }
    }

    let mut out = Vec::with_capacity(packages);
    for (p, state) in states.iter().enumerate() {
        if state.failed {
            out.push(None);
            continue;
        }
        let wanted = match (state.done, state.needed) {
            (true, Some(needed)) => needed,
            _ => state.chain.len(),
        };
        let mut releases = Vec::with_capacity(wanted);
        for k in 1..=wanted {
            let (tag, start) = &state.chain[k - 1];
            let order: Vec<usize> = if graph.skewed || state.replay.contains(&k) {
                // The release's own walk: stops at every final release below it.
                let stops: HashSet<usize> = targets[p]
                    .index
                    .releases
                    .iter()
                    .filter(|t| t.version.pre.is_empty() && t.version < tag.version)
                    .filter_map(|t| graph.position.get(&t.commit).copied())
                    .collect();
                let (mut order, frontier) = graph.replay(*start, &stops);
                if let Some((_, next)) = state.chain.get(k) {
                    if frontier.iter().any(|f| f != next) {
                        order = graph.replay(*start, &[*next].into()).0;
                    }
                }
                order
            } else {
                // In walk order, which the positions are.
                let mut order = buckets[p].get(k - 1).cloned().unwrap_or_default();
                order.sort_unstable();
                order
            };
            let mut commits = Vec::new();
            for at in order {
                if touched[at].is_none() {
                    touched[at] = Some(touched_at(&graph, at)?);
                }
                if touched[at].as_ref().is_some_and(|t| t.contains(&p)) {
                    commits.push(graph.commits[at].clone());
                }
            }
            releases.push(ChainRelease {
                tag: tag.clone(),
                previous: state.chain.get(k).map(|(t, _)| t.clone()),
                commits,
            });
        }
        out.push(Some(releases));
    }
    Ok(out)
}

/// Whether the final release `tag` of package `p`, met at `at` with the
/// commit's depths `own`, is the next release of its chain; if so it is
/// added and the commit's depth for `p` becomes its own. A candidate
/// higher than one already chosen, or a tie, fails the package.
fn decide(
    state: &mut State,
    own: &mut Rc<Vec<u32>>,
    p: usize,
    tag: &ReleaseTag,
    at: usize,
    until: &Version,
) {
    if state.failed {
        return;
    }
    let k = own[p] as usize;
    // Only releases below the one that reaches this commit are candidates.
    if let Some((above, _)) = k.checked_sub(1).and_then(|i| state.chain.get(i)) {
        if tag.version >= above.version {
            if tag.version == above.version && above.name != tag.name {
                state.failed = true;
            }
            return;
        }
    }
    match state.chain.get(k) {
        None => {
            state.chain.push((tag.clone(), at));
            Rc::make_mut(own)[p] = (k + 1) as u32;
            if state.needed.is_none() && tag.version < *until {
                state.needed = Some(k + 1);
            }
        }
        Some((chosen, _)) if tag.version >= chosen.version && chosen.name != tag.name => {
            state.failed = true;
        }
        Some(_) => {}
    }
}

/// Marks done every target whose needed releases are complete: every
/// commit at the edge of the pass is deeper in its chain (depths only grow
/// from children to parents, so no commit still to come is shallower).
/// Whether all are done (or failed).
fn all_done(states: &mut [State], edge: &HashSet<usize>, depth: &[Option<Rc<Vec<u32>>>]) -> bool {
    for (p, state) in states.iter_mut().enumerate() {
        if state.done || state.failed {
            continue;
        }
        let Some(needed) = state.needed else { continue };
        // Deeper than needed: the release before the last needed is met too.
        let deeper = edge
            .iter()
            .all(|&q| depth[q].as_ref().is_some_and(|d| d[p] as usize > needed));
        if deeper {
            state.done = true;
        }
    }
    states.iter().all(|s| s.done || s.failed)
}
