//! Which of many packages' paths a commit changes, from one comparison of
//! its tree with its first parent's.
//!
//! The paths are kept in a prefix tree, so a commit costs one descent from
//! the root that stops wherever the two trees agree: a directory holding
//! 1,000 packages is read once per commit (both sides compared entry by
//! entry in git's sort order), not once per package. The answer for each
//! path is exactly [`Repo::touches`]'s, excludes included.

use std::cmp::Ordering;
use std::path::PathBuf;
use std::rc::Rc;

use git2::{ObjectType, Oid};

use crate::git::repo::{EntryPair, Repo, RepoError, git_err, tree_entry};

/// A node of the prefix tree: one path component.
#[derive(Default)]
struct Node {
    /// Children, sorted by name.
    children: Vec<(Vec<u8>, Node)>,
    /// The packages (with the index of their path) whose path ends here.
    owners: Vec<(usize, usize)>,
}

/// The paths of many packages, each with the files under it that do not
/// count.
pub struct PathSet {
    root: Node,
    paths: Vec<Vec<PathBuf>>,
    exclude: Vec<Option<globset::GlobSet>>,
    /// The trees read last: a commit's trees are its child's parent trees,
    /// and commits come child first.
    recent: std::cell::RefCell<Vec<(Oid, Tree)>>,
}

/// A tree object's bytes, or `None` where the entry is not a tree.
type Tree = Option<Rc<[u8]>>;

/// How many trees [`PathSet`] keeps from one commit to the next.
const RECENT: usize = 32;

/// Above this many children a directory is compared entry by entry in
/// one pass, below it each child is looked up by name.
const LOOKUP_LIMIT: usize = 4;

impl PathSet {
    /// The prefix tree of `packages`' paths (package `i` is `packages[i]`);
    /// a package without paths is never reported (it covers everything).
    pub fn new(packages: &[(Vec<PathBuf>, Option<globset::GlobSet>)]) -> PathSet {
        let mut root = Node::default();
        for (owner, (paths, _)) in packages.iter().enumerate() {
            for (which, path) in paths.iter().enumerate() {
                let mut node = &mut root;
                for component in path.components() {
                    let name = component.as_os_str().as_encoded_bytes().to_vec();
                    let at = match node.children.binary_search_by(|(n, _)| n.cmp(&name)) {
                        Ok(at) => at,
                        Err(at) => {
                            node.children.insert(at, (name, Node::default()));
                            at
                        }
                    };
                    node = &mut node.children[at].1;
                }
                node.owners.push((owner, which));
            }
        }
        PathSet {
            root,
            paths: packages.iter().map(|(p, _)| p.clone()).collect(),
            exclude: packages.iter().map(|(_, e)| e.clone()).collect(),
            recent: Default::default(),
        }
    }

    /// The packages whose paths differ between the tree `mine` and the
    /// tree `theirs` (`None`: a root commit), sorted and without repeats;
    /// changes only to excluded files do not count.
    pub fn changed(
        &self,
        repo: &Repo,
        odb: &git2::Odb<'_>,
        mine: Oid,
        theirs: Option<Oid>,
    ) -> Result<Vec<usize>, RepoError> {
        let mut hits: Vec<(usize, usize, EntryPair)> = Vec::new();
        self.visit(odb, &self.root, Some(mine), theirs, &mut hits)?;
        let mut out: Vec<usize> = Vec::new();
        for (owner, which, (a, b)) in hits {
            if out.last() == Some(&owner) || out.contains(&owner) {
                continue;
            }
            let counts = match &self.exclude[owner] {
                None => true,
                Some(exclude) => repo.changed_outside(&self.paths[owner][which], a, b, exclude)?,
            };
            if counts {
                out.push(owner);
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    fn visit(
        &self,
        odb: &git2::Odb<'_>,
        node: &Node,
        a: Option<Oid>,
        b: Option<Oid>,
        hits: &mut Vec<(usize, usize, EntryPair)>,
    ) -> Result<(), RepoError> {
        if a == b {
            return Ok(());
        }
        hits.extend(node.owners.iter().map(|&(o, w)| (o, w, (a, b))));
        if node.children.is_empty() {
            return Ok(());
        }
        let (ta, tb) = (self.tree(odb, a)?, self.tree(odb, b)?);
        let (da, db) = (
            ta.as_deref().unwrap_or(&[][..]),
            tb.as_deref().unwrap_or(&[][..]),
        );
        let pair = |name: &[u8]| {
            (
                ta.as_ref().and_then(|_| tree_entry(da, name)),
                tb.as_ref().and_then(|_| tree_entry(db, name)),
            )
        };
        if node.children.len() <= LOOKUP_LIMIT {
            for (name, child) in &node.children {
                let (ca, cb) = pair(name);
                self.visit(odb, child, ca, cb, hits)?;
            }
            return Ok(());
        }
        // Many children: the names whose entries differ, in one pass over
        // both sorted trees, then only those children.
        for name in differing_names(da, db) {
            if let Ok(at) = node
                .children
                .binary_search_by(|(n, _)| n.as_slice().cmp(name))
            {
                let (ca, cb) = pair(name);
                self.visit(odb, &node.children[at].1, ca, cb, hits)?;
            }
        }
        Ok(())
    }
}

impl PathSet {
    /// A tree object's bytes (`None` for no entry, or an entry that is not
    /// a tree: a file where a directory was has nothing below it).
    fn tree(&self, odb: &git2::Odb<'_>, id: Option<Oid>) -> Result<Tree, RepoError> {
        let Some(id) = id else { return Ok(None) };
        if let Some((_, data)) = self.recent.borrow().iter().find(|(k, _)| *k == id) {
            return Ok(data.clone());
        }
        let object = odb.read(id).map_err(git_err("reading a tree"))?;
        let data: Option<Rc<[u8]>> =
            (object.kind() == ObjectType::Tree).then(|| object.data().into());
        let mut recent = self.recent.borrow_mut();
        if recent.len() == RECENT {
            recent.remove(0);
        }
        recent.push((id, data.clone()));
        Ok(data)
    }
}

/// The entry of a tree object starting at `at`: name, whether it is a
/// tree, raw id, and where the next entry starts.
fn entry_at(data: &[u8], at: usize) -> Option<(&[u8], bool, &[u8], usize)> {
    let space = at + memchr::memchr(b' ', data.get(at..)?)?;
    let nul = space + memchr::memchr(0, &data[space..])?;
    let id = data.get(nul + 1..nul + 21)?;
    Some((
        &data[space + 1..nul],
        &data[at..space] == b"40000",
        id,
        nul + 21,
    ))
}

/// Where the entry starting at `at` ends.
fn entry_end(data: &[u8], at: usize) -> Option<usize> {
    let nul = at + memchr::memchr(0, data.get(at..)?)?;
    (nul + 21 <= data.len()).then_some(nul + 21)
}

/// Git's tree order: names compared as bytes, a tree's as if it ended in `/`.
fn tree_order(a: &[u8], a_tree: bool, b: &[u8], b_tree: bool) -> Ordering {
    let common = a.len().min(b.len());
    match a[..common].cmp(&b[..common]) {
        Ordering::Equal => {}
        other => return other,
    }
    let next = |name: &[u8], tree: bool| match name.get(common) {
        Some(&c) => c,
        None if tree => b'/',
        None => 0,
    };
    next(a, a_tree).cmp(&next(b, b_tree))
}

/// The names present in only one of two sorted trees or with different ids
/// (a name whose kind changed may come twice). Where both trees hold the
/// same bytes at the same place (most of a directory of packages from one
/// commit to the next), entries are skipped whole, without parsing the
/// other side.
fn differing_names<'d>(a: &'d [u8], b: &'d [u8]) -> Vec<&'d [u8]> {
    let mut out = Vec::new();
    let (mut ia, mut ib) = (0, 0);
    loop {
        if ia == ib {
            while let Some(end) = entry_end(a, ia) {
                if b.get(ia..end) != Some(&a[ia..end]) {
                    break;
                }
                ia = end;
                ib = end;
            }
        }
        match (entry_at(a, ia), entry_at(b, ib)) {
            (None, None) => break,
            (Some((name, _, _, next)), None) => {
                out.push(name);
                ia = next;
            }
            (None, Some((name, _, _, next))) => {
                out.push(name);
                ib = next;
            }
            (Some((na, ta, ida, next_a)), Some((nb, tb, idb, next_b))) => {
                match tree_order(na, ta, nb, tb) {
                    Ordering::Less => {
                        out.push(na);
                        ia = next_a;
                    }
                    Ordering::Greater => {
                        out.push(nb);
                        ib = next_b;
                    }
                    Ordering::Equal => {
                        if ida != idb {
                            out.push(na);
                        }
                        ia = next_a;
                        ib = next_b;
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(entries: &[(&str, bool, u8)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, is_tree, id) in entries {
            out.extend_from_slice(if *is_tree { b"40000" } else { b"100644" });
            out.push(b' ');
            out.extend_from_slice(name.as_bytes());
            out.push(0);
            out.extend_from_slice(&[*id; 20]);
        }
        out
    }

    #[test]
    fn differing_names_follow_git_order() {
        // Git sorts `a.txt` before the tree `a` (`a/`), and `a` before `a0`.
        let a = tree(&[
            ("a.txt", false, 1),
            ("a", true, 2),
            ("a0", false, 3),
            ("z", false, 4),
        ]);
        let b = tree(&[
            ("a.txt", false, 1),
            ("a", true, 9),
            ("b", false, 5),
            ("z", false, 4),
        ]);
        assert_eq!(
            differing_names(&a, &b),
            vec![&b"a"[..], &b"a0"[..], &b"b"[..]]
        );
        assert!(differing_names(&a, &a).is_empty());
        assert_eq!(differing_names(&a, &[]).len(), 4);
    }

    #[test]
    fn tree_order_puts_trees_after_files_with_the_same_prefix() {
        assert_eq!(tree_order(b"a", true, b"a.txt", false), Ordering::Greater);
        assert_eq!(tree_order(b"a", false, b"a.txt", false), Ordering::Less);
        assert_eq!(tree_order(b"a", true, b"a0", false), Ordering::Less);
        assert_eq!(tree_order(b"a", true, b"a", true), Ordering::Equal);
    }
}
