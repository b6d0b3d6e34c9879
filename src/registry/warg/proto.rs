//! The protobuf messages of the Warg protocol that a client reads, as `warg-protobuf` defines
//! them (`warg/protocol/warg.proto`, `warg/transparency/proofs.proto`), derived with prost by
//! hand so that no `protoc` runs at build time. Field tags are the wire format: they must
//! match the `.proto` files exactly. Unknown fields are skipped, as protobuf wants.

/// `google.protobuf.Timestamp`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, prost::Message)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    /// Nanoseconds within the second, `0..1_000_000_000`.
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

/// `warg.protocol.PackageRecord`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PackageRecord {
    /// The id (`sha256:<hex>`) of the record before; absent on the first.
    #[prost(string, optional, tag = "1")]
    pub prev: Option<String>,
    /// The protocol version of the record: 0.
    #[prost(uint32, tag = "2")]
    pub version: u32,
    /// When the record was made.
    #[prost(message, optional, tag = "3")]
    pub time: Option<Timestamp>,
    /// What the record does, in order.
    #[prost(message, repeated, tag = "4")]
    pub entries: Vec<PackageEntry>,
}

/// `warg.protocol.PackageEntry`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PackageEntry {
    /// The entry, one of its kinds.
    #[prost(oneof = "package_entry::Contents", tags = "1, 2, 3, 4, 5")]
    pub contents: Option<package_entry::Contents>,
}

/// The `oneof` of [`PackageEntry`].
pub mod package_entry {
    /// `PackageEntry.contents`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Contents {
        /// `init`: starts the log.
        #[prost(message, tag = "1")]
        Init(super::PackageInit),
        /// `grantFlat`: gives a key permissions.
        #[prost(message, tag = "2")]
        GrantFlat(super::GrantFlat),
        /// `revokeFlat`: takes permissions from a key.
        #[prost(message, tag = "3")]
        RevokeFlat(super::RevokeFlat),
        /// `release`: a version and its content.
        #[prost(message, tag = "4")]
        Release(super::PackageRelease),
        /// `yank`: withdraws a version.
        #[prost(message, tag = "5")]
        Yank(super::PackageYank),
    }
}

/// `warg.protocol.PackageInit` (note: `key` is field 1 here, 2 in `OperatorInit`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct PackageInit {
    /// A public key, `ecdsa-p256:<base64>`.
    #[prost(string, tag = "1")]
    pub key: String,
    /// The hash algorithm the log links records with: `sha256`.
    #[prost(string, tag = "2")]
    pub hash_algorithm: String,
}

/// `PackageGrantFlat` and `OperatorGrantFlat`, which share their layout.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantFlat {
    /// A public key, `ecdsa-p256:<base64>`.
    #[prost(string, tag = "1")]
    pub key: String,
    /// Permission numbers, as the `.proto` enum numbers them.
    #[prost(int32, repeated, tag = "2")]
    pub permissions: Vec<i32>,
}

/// `PackageRevokeFlat` and `OperatorRevokeFlat`, which share their layout.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RevokeFlat {
    /// The id of the key whose permissions are revoked.
    #[prost(string, tag = "1")]
    pub key_id: String,
    /// Permission numbers, as the `.proto` enum numbers them.
    #[prost(int32, repeated, tag = "2")]
    pub permissions: Vec<i32>,
}

/// `warg.protocol.PackageRelease`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PackageRelease {
    /// A semantic version.
    #[prost(string, tag = "1")]
    pub version: String,
    /// The digest of the released content, `sha256:<hex>`.
    #[prost(string, tag = "2")]
    pub content_hash: String,
}

/// `warg.protocol.PackageYank`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PackageYank {
    /// A semantic version.
    #[prost(string, tag = "1")]
    pub version: String,
}

/// `warg.protocol.OperatorRecord`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct OperatorRecord {
    /// The id (`sha256:<hex>`) of the record before; absent on the first.
    #[prost(string, optional, tag = "1")]
    pub prev: Option<String>,
    /// The protocol version of the record: 0.
    #[prost(uint32, tag = "2")]
    pub version: u32,
    /// When the record was made.
    #[prost(message, optional, tag = "3")]
    pub time: Option<Timestamp>,
    /// What the record does, in order.
    #[prost(message, repeated, tag = "4")]
    pub entries: Vec<OperatorEntry>,
}

/// `warg.protocol.OperatorEntry`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct OperatorEntry {
    /// The entry, one of its kinds.
    #[prost(oneof = "operator_entry::Contents", tags = "1, 2, 3, 4, 5")]
    pub contents: Option<operator_entry::Contents>,
}

/// The `oneof` of [`OperatorEntry`].
pub mod operator_entry {
    /// `OperatorEntry.contents`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Contents {
        /// `init`: starts the log.
        #[prost(message, tag = "1")]
        Init(super::OperatorInit),
        /// `grantFlat`: gives a key permissions.
        #[prost(message, tag = "2")]
        GrantFlat(super::GrantFlat),
        /// `revokeFlat`: takes permissions from a key.
        #[prost(message, tag = "3")]
        RevokeFlat(super::RevokeFlat),
        /// `defineNamespace`.
        #[prost(message, tag = "4")]
        DefineNamespace(super::DefineNamespace),
        /// `importNamespace`.
        #[prost(message, tag = "5")]
        ImportNamespace(super::ImportNamespace),
    }
}

/// `warg.protocol.OperatorInit`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct OperatorInit {
    /// The hash algorithm the log links records with: `sha256`.
    #[prost(string, tag = "1")]
    pub hash_algorithm: String,
    /// A public key, `ecdsa-p256:<base64>`.
    #[prost(string, tag = "2")]
    pub key: String,
}

/// `warg.protocol.OperatorDefineNamespace`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DefineNamespace {
    /// A namespace name.
    #[prost(string, tag = "1")]
    pub namespace: String,
}

/// `warg.protocol.OperatorImportNamespace`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ImportNamespace {
    /// A namespace name.
    #[prost(string, tag = "1")]
    pub namespace: String,
    /// The registry a namespace is imported from.
    #[prost(string, tag = "2")]
    pub registry: String,
}

/// `warg.transparency.LogProofBundle`: the hashes of the log's nodes that inclusion proofs
/// for `included_indices` (node indices) at `log_length` need.
#[derive(Clone, PartialEq, prost::Message)]
pub struct LogProofBundle {
    /// The length of the log the proofs are for.
    #[prost(uint32, tag = "1")]
    pub log_length: u32,
    /// The older lengths consistency is proved from.
    #[prost(uint32, repeated, tag = "2")]
    pub consistent_lengths: Vec<u32>,
    /// The node indices whose inclusion is proved.
    #[prost(uint32, repeated, tag = "3")]
    pub included_indices: Vec<u32>,
    /// The hashes of the nodes the proofs need.
    #[prost(message, repeated, tag = "4")]
    pub hashes: Vec<HashEntry>,
}

/// `warg.transparency.HashEntry`: a node of the log and its hash.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HashEntry {
    /// The node index.
    #[prost(uint32, tag = "1")]
    pub index: u32,
    /// The hash, 32 bytes.
    #[prost(bytes = "vec", tag = "2")]
    pub hash: Vec<u8>,
}

/// `warg.transparency.MapProofBundle`: one proof per leaf asked for.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MapProofBundle {
    /// One proof per leaf asked for.
    #[prost(message, repeated, tag = "1")]
    pub proofs: Vec<MapInclusionProof>,
}

/// `warg.transparency.MapInclusionProof`: the sibling hashes along the key's path, bottom up,
/// the empty ones at the bottom left out; an absent hash is an empty subtree.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MapInclusionProof {
    /// The sibling hashes, bottom up.
    #[prost(message, repeated, tag = "1")]
    pub hashes: Vec<OptionalHash>,
}

/// `warg.transparency.OptionalHash`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct OptionalHash {
    /// The hash, or none for an empty subtree.
    #[prost(bytes = "vec", optional, tag = "1")]
    pub hash: Option<Vec<u8>>,
}
