//! Inclusion proofs, evaluated as `warg-transparency` evaluates them: that a log's head is a
//! leaf of the registry's log at the checkpoint (the log root), and that the map at the
//! checkpoint maps that log to that very head (the map root), so no later record is hidden.
//!
//! **The log** is a Merkle tree over the registry's records in order, its nodes numbered
//! in order (leaf `i` is node `2i`; a node's height is its index's trailing one bits). A log
//! of length `n` has one balanced root per set bit of `n`, tallest first. Proving leaf `i`:
//! hash up through the siblings to its balanced root, fold the balanced roots to its right
//! (from the smallest) into it, then those to its left (from the nearest), always hashing the
//! lower-numbered node on the left: the result is the log root.
//!
//! **The map** is a sparse Merkle tree of depth 256 keyed by `sha256(log id)`, bit 0 the
//! top. Proving a key: from its leaf up, each level's sibling is the proof's next hash (the
//! bottom ones, empty, left out; an absent one is the empty subtree of that height).

use prost::Message as _;

use super::encoding::{branch_hash, log_leaf_hash, map_leaf_hash, sha256};
use super::problem::{invalid, malformed, Problem};
use super::proto::{LogProofBundle, MapProofBundle};
use crate::digest::Digest;

/// A log head to prove: which log, which record, where in the registry's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leaf {
    /// The log's id.
    pub log: Digest,
    /// The id of its head record.
    pub record: Digest,
    /// The head's index in the registry's log.
    pub registry_index: u64,
}

/// Checks the server's two proof bundles (`/v1/proof/inclusion`'s `log` and `map`, base64
/// decoded) for `leaves` against the checkpoint's roots.
///
/// # Errors
/// - [`Problem::Malformed`]: a bundle that does not decode, a hash that is not 32 bytes, a
///   bundle for another log length or other leaves, a proof missing;
/// - [`Problem::Invalid`]: a proof that does not lead to the root, naming the leaf.
pub fn check_inclusion(
    log_length: u64,
    log_root: &Digest,
    map_root: &Digest,
    leaves: &[Leaf],
    log_bundle: &[u8],
    map_bundle: &[u8],
) -> Result<(), Problem> {
    let item = "the log inclusion proof";
    let log = LogProofBundle::decode(log_bundle).map_err(|e| malformed(item, e))?;
    if u64::from(log.log_length) != log_length {
        return Err(malformed(
            item,
            format!("it is for log length {}, not {log_length}", log.log_length),
        ));
    }
    let wanted: Vec<u64> = leaves.iter().map(|l| 2 * l.registry_index).collect();
    let given: Vec<u64> = log.included_indices.iter().map(|i| u64::from(*i)).collect();
    if given != wanted {
        return Err(malformed(
            item,
            "it proves other leaves than were asked for",
        ));
    }
    let mut hashes = Vec::with_capacity(log.hashes.len());
    for entry in &log.hashes {
        hashes.push((u64::from(entry.index), digest_of(&entry.hash, item)?));
    }
    for leaf in leaves {
        let what = format!("record {} of log {}", leaf.record, leaf.log);
        let found = log_root_of(
            log_length,
            leaf.registry_index,
            log_leaf_hash(&leaf.log, &leaf.record),
            &hashes,
        )
        .map_err(|why| malformed(item, format!("{what}: {why}")))?;
        if found != *log_root {
            return Err(invalid(
                item,
                format!("{what} leads to {found}, not the checkpoint's log root {log_root}"),
            ));
        }
    }

    let item = "the map inclusion proof";
    let map = MapProofBundle::decode(map_bundle).map_err(|e| malformed(item, e))?;
    if map.proofs.len() != leaves.len() {
        return Err(malformed(
            item,
            format!(
                "it has {} proofs for {} leaves",
                map.proofs.len(),
                leaves.len()
            ),
        ));
    }
    for (leaf, proof) in leaves.iter().zip(&map.proofs) {
        let mut peers = Vec::with_capacity(proof.hashes.len());
        for peer in &proof.hashes {
            peers.push(
                peer.hash
                    .as_deref()
                    .map(|h| digest_of(h, item))
                    .transpose()?,
            );
        }
        let found = map_root_of(&leaf.log, &leaf.record, &peers)?;
        if found != *map_root {
            return Err(invalid(
                item,
                format!(
                    "log {} with head {} leads to {found}, not the checkpoint's map root {map_root}",
                    leaf.log, leaf.record
                ),
            ));
        }
    }
    Ok(())
}

fn digest_of(bytes: &[u8], item: &str) -> Result<Digest, Problem> {
    <[u8; 32]>::try_from(bytes)
        .map(Digest::from_bytes)
        .map_err(|_| malformed(item, format!("a hash is {} bytes, not 32", bytes.len())))
}

/// A node of the log, by its in-order index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Node(u64);

impl Node {
    fn height(self) -> u32 {
        self.0.trailing_ones()
    }
    fn delta(self) -> u64 {
        1 << self.height()
    }
    fn is_left(self) -> bool {
        (self.0 >> (self.height() + 1)) & 1 == 0
    }
    fn sibling(self) -> Node {
        if self.is_left() {
            Node(self.0 + 2 * self.delta())
        } else {
            Node(self.0 - 2 * self.delta())
        }
    }
    fn parent(self) -> Node {
        if self.is_left() {
            Node(self.0 + self.delta())
        } else {
            Node(self.0 - self.delta())
        }
    }
    fn rightmost_descendant(self) -> u64 {
        self.0 + self.delta() - 1
    }
    /// The balanced roots of a log of `length` leaves, tallest first.
    fn broots(length: u64) -> Vec<Node> {
        let mut broots: Vec<Node> = Vec::new();
        for height in (0..64).rev().filter(|h| length >> h & 1 == 1) {
            let first = (1u64 << height) - 1;
            let next = match broots.last() {
                None => first,
                Some(last) => first + last.rightmost_descendant() + 2,
            };
            broots.push(Node(next));
        }
        broots
    }
}

/// The root of a log of `length` leaves in which leaf `index` hashes to `leaf`, from the
/// node hashes `known`.
fn log_root_of(
    length: u64,
    index: u64,
    leaf: Digest,
    known: &[(u64, Digest)],
) -> Result<Digest, String> {
    if index >= length {
        return Err(format!("leaf {index} is not in a log of length {length}"));
    }
    root_from(length, Node(2 * index), leaf, known)
}

/// The hash `known` holds for `node`.
fn hash_of(known: &[(u64, Digest)], node: Node) -> Result<Digest, String> {
    known
        .iter()
        .find(|(at, _)| *at == node.0)
        .map(|(_, hash)| *hash)
        .ok_or_else(|| format!("the hash of node {} is missing", node.0))
}

/// Hashes the lower-numbered node on the left; the result stands at `second`'s place.
fn combine(first: (Node, Digest), second: (Node, Digest)) -> (Node, Digest) {
    let hash = if first.0 .0 < second.0 .0 {
        branch_hash(&first.1, &second.1)
    } else {
        branch_hash(&second.1, &first.1)
    };
    (second.0, hash)
}

/// The root of a log of `length` leaves in which `start` (a leaf, or the balanced root of an
/// earlier length) hashes to `hash`, from the node hashes `known`.
fn root_from(
    length: u64,
    start: Node,
    hash: Digest,
    known: &[(u64, Digest)],
) -> Result<Digest, String> {
    if length > u64::from(u32::MAX) || start.rightmost_descendant() / 2 >= length {
        return Err(format!(
            "node {} is not in a log of length {length}",
            start.0
        ));
    }
    let broots = Node::broots(length);
    let mut current = (start, hash);
    // At most one step per level of a tree of 2^32 leaves.
    for _ in 0..64 {
        if broots.contains(&current.0) {
            break;
        }
        let sibling = current.0.sibling();
        current = combine(current, (sibling, hash_of(known, sibling)?));
        // The pair's hash stands at their parent.
        current.0 = sibling.parent();
    }
    let at = broots
        .iter()
        .position(|b| *b == current.0)
        .ok_or_else(|| format!("node {} reaches no balanced root", start.0))?;
    let mut lower: Option<(Node, Digest)> = None;
    for broot in broots[at + 1..].iter().rev() {
        let next = (*broot, hash_of(known, *broot)?);
        lower = Some(match lower {
            None => next,
            Some(acc) => combine(acc, next),
        });
    }
    if let Some(lower) = lower {
        current = combine(current, lower);
    }
    for broot in broots[..at].iter().rev() {
        current = combine(current, (*broot, hash_of(known, *broot)?));
    }
    Ok(current.1)
}

/// Checks the server's consistency bundle (`/v1/proof/consistency`'s `proof`, base64
/// decoded): that the log of `new_length` leaves with root `new_root` extends the one of
/// `old_length` leaves with root `old_root` (`warg_transparency`'s `ConsistencyProof`: each
/// balanced root of the old log proves included in the new root, and together they hash to
/// the old root).
///
/// # Errors
/// - [`Problem::Malformed`]: a bundle that does not decode or is for other lengths, a hash
///   missing or not 32 bytes;
/// - [`Problem::Invalid`]: a new log shorter than the old, or a proof that leads to another
///   root than either checkpoint's.
pub fn check_consistency(
    old_length: u64,
    old_root: &Digest,
    new_length: u64,
    new_root: &Digest,
    bundle: &[u8],
) -> Result<(), Problem> {
    let item = "the consistency proof";
    if old_length > new_length {
        return Err(invalid(
            item,
            format!("the log went back from length {old_length} to {new_length}"),
        ));
    }
    let proof = LogProofBundle::decode(bundle).map_err(|e| malformed(item, e))?;
    if u64::from(proof.log_length) != new_length
        || proof
            .consistent_lengths
            .iter()
            .map(|l| u64::from(*l))
            .ne([old_length])
    {
        return Err(malformed(
            item,
            format!("it is not a proof from length {old_length} to {new_length}"),
        ));
    }
    let mut known = Vec::with_capacity(proof.hashes.len());
    for entry in &proof.hashes {
        known.push((u64::from(entry.index), digest_of(&entry.hash, item)?));
    }
    let mut old_broots = Vec::new();
    for broot in Node::broots(old_length) {
        let hash = hash_of(&known, broot).map_err(|why| malformed(item, why))?;
        let found =
            root_from(new_length, broot, hash, &known).map_err(|why| malformed(item, why))?;
        if found != *new_root {
            return Err(invalid(
                item,
                format!("it leads to {found}, not the log root {new_root} at length {new_length}"),
            ));
        }
        old_broots.push(hash);
    }
    let old = old_broots
        .into_iter()
        .rev()
        .reduce(|right, left| branch_hash(&left, &right));
    match old {
        Some(old) if old != *old_root => Err(invalid(
            item,
            format!("the log root at length {old_length} was {old_root}, the proof gives {old}"),
        )),
        _ => Ok(()),
    }
}

/// The map root in which the log `log` maps to the head `record`, from the proof's `peers`.
fn map_root_of(log: &Digest, record: &Digest, peers: &[Option<Digest>]) -> Result<Digest, Problem> {
    if peers.len() > 256 {
        return Err(malformed(
            "the map inclusion proof",
            format!("it has {} hashes for a tree 256 deep", peers.len()),
        ));
    }
    let path = sha256(&[log.as_bytes()]);
    let mut empty = sha256(&[&[0u8]]);
    let mut hash = map_leaf_hash(record);
    let skipped = 256 - peers.len();
    for level in 0..256 {
        let bit = 255 - level;
        let right = path.as_bytes()[bit / 8] >> (7 - bit % 8) & 1 == 1;
        let peer = match level.checked_sub(skipped) {
            Some(at) => peers[at].unwrap_or(empty),
            None => empty,
        };
        hash = if right {
            branch_hash(&peer, &hash)
        } else {
            branch_hash(&hash, &peer)
        };
        empty = branch_hash(&empty, &empty);
    }
    Ok(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_roots_are_numbered_as_warg_transparency_numbers_them() {
        // warg-transparency's node tests: length 1 => [0]; 2 => [1]; 3 => [1, 4]; 7 => [3, 9, 12].
        let roots = |n| Node::broots(n).iter().map(|b| b.0).collect::<Vec<_>>();
        assert_eq!(roots(1), [0]);
        assert_eq!(roots(2), [1]);
        assert_eq!(roots(3), [1, 4]);
        assert_eq!(roots(7), [3, 9, 12]);
        assert_eq!(Node(0).sibling(), Node(2));
        assert_eq!(Node(3).sibling(), Node(11));
        assert_eq!(Node(5).parent(), Node(3));
    }

    #[test]
    fn a_leaf_outside_the_log_is_refused_not_walked() {
        assert!(log_root_of(3, 3, Digest::of(b""), &[]).is_err());
        assert!(log_root_of(u64::MAX, 1, Digest::of(b""), &[]).is_err());
        assert!(root_from(3, Node(7), Digest::of(b""), &[]).is_err());
    }
}
