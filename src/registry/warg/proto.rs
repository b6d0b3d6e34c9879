//! The protobuf messages of the Warg protocol that a client reads, as `warg-protobuf` defines
//! them (`warg/protocol/warg.proto`, `warg/transparency/proofs.proto`), derived with prost by
//! hand so that no `protoc` runs at build time. Field tags are the wire format: they must
//! match the `.proto` files exactly. Unknown fields are skipped, as protobuf wants.

#![allow(missing_docs)] // each field is the `.proto` field of the same name

/// `google.protobuf.Timestamp`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, prost::Message)]
pub struct Timestamp {
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

/// `warg.protocol.PackageRecord`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PackageRecord {
    #[prost(string, optional, tag = "1")]
    pub prev: Option<String>,
    #[prost(uint32, tag = "2")]
    pub version: u32,
    #[prost(message, optional, tag = "3")]
    pub time: Option<Timestamp>,
    #[prost(message, repeated, tag = "4")]
    pub entries: Vec<PackageEntry>,
}

/// `warg.protocol.PackageEntry`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PackageEntry {
    #[prost(oneof = "package_entry::Contents", tags = "1, 2, 3, 4, 5")]
    pub contents: Option<package_entry::Contents>,
}

/// The `oneof` of [`PackageEntry`].
pub mod package_entry {
    /// `PackageEntry.contents`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Contents {
        #[prost(message, tag = "1")]
        Init(super::PackageInit),
        #[prost(message, tag = "2")]
        GrantFlat(super::GrantFlat),
        #[prost(message, tag = "3")]
        RevokeFlat(super::RevokeFlat),
        #[prost(message, tag = "4")]
        Release(super::PackageRelease),
        #[prost(message, tag = "5")]
        Yank(super::PackageYank),
    }
}

/// `warg.protocol.PackageInit` (note: `key` is field 1 here, 2 in `OperatorInit`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct PackageInit {
    #[prost(string, tag = "1")]
    pub key: String,
    #[prost(string, tag = "2")]
    pub hash_algorithm: String,
}

/// `PackageGrantFlat` and `OperatorGrantFlat`, which share their layout.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GrantFlat {
    #[prost(string, tag = "1")]
    pub key: String,
    #[prost(int32, repeated, tag = "2")]
    pub permissions: Vec<i32>,
}

/// `PackageRevokeFlat` and `OperatorRevokeFlat`, which share their layout.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RevokeFlat {
    #[prost(string, tag = "1")]
    pub key_id: String,
    #[prost(int32, repeated, tag = "2")]
    pub permissions: Vec<i32>,
}

/// `warg.protocol.PackageRelease`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PackageRelease {
    #[prost(string, tag = "1")]
    pub version: String,
    #[prost(string, tag = "2")]
    pub content_hash: String,
}

/// `warg.protocol.PackageYank`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PackageYank {
    #[prost(string, tag = "1")]
    pub version: String,
}

/// `warg.protocol.OperatorRecord`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct OperatorRecord {
    #[prost(string, optional, tag = "1")]
    pub prev: Option<String>,
    #[prost(uint32, tag = "2")]
    pub version: u32,
    #[prost(message, optional, tag = "3")]
    pub time: Option<Timestamp>,
    #[prost(message, repeated, tag = "4")]
    pub entries: Vec<OperatorEntry>,
}

/// `warg.protocol.OperatorEntry`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct OperatorEntry {
    #[prost(oneof = "operator_entry::Contents", tags = "1, 2, 3, 4, 5")]
    pub contents: Option<operator_entry::Contents>,
}

/// The `oneof` of [`OperatorEntry`].
pub mod operator_entry {
    /// `OperatorEntry.contents`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Contents {
        #[prost(message, tag = "1")]
        Init(super::OperatorInit),
        #[prost(message, tag = "2")]
        GrantFlat(super::GrantFlat),
        #[prost(message, tag = "3")]
        RevokeFlat(super::RevokeFlat),
        #[prost(message, tag = "4")]
        DefineNamespace(super::DefineNamespace),
        #[prost(message, tag = "5")]
        ImportNamespace(super::ImportNamespace),
    }
}

/// `warg.protocol.OperatorInit`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct OperatorInit {
    #[prost(string, tag = "1")]
    pub hash_algorithm: String,
    #[prost(string, tag = "2")]
    pub key: String,
}

/// `warg.protocol.OperatorDefineNamespace`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DefineNamespace {
    #[prost(string, tag = "1")]
    pub namespace: String,
}

/// `warg.protocol.OperatorImportNamespace`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ImportNamespace {
    #[prost(string, tag = "1")]
    pub namespace: String,
    #[prost(string, tag = "2")]
    pub registry: String,
}

/// `warg.transparency.LogProofBundle`: the hashes of the log's nodes that inclusion proofs
/// for `included_indices` (node indices) at `log_length` need.
#[derive(Clone, PartialEq, prost::Message)]
pub struct LogProofBundle {
    #[prost(uint32, tag = "1")]
    pub log_length: u32,
    #[prost(uint32, repeated, tag = "2")]
    pub consistent_lengths: Vec<u32>,
    #[prost(uint32, repeated, tag = "3")]
    pub included_indices: Vec<u32>,
    #[prost(message, repeated, tag = "4")]
    pub hashes: Vec<HashEntry>,
}

/// `warg.transparency.HashEntry`: a node of the log and its hash.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HashEntry {
    #[prost(uint32, tag = "1")]
    pub index: u32,
    #[prost(bytes = "vec", tag = "2")]
    pub hash: Vec<u8>,
}

/// `warg.transparency.MapProofBundle`: one proof per leaf asked for.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MapProofBundle {
    #[prost(message, repeated, tag = "1")]
    pub proofs: Vec<MapInclusionProof>,
}

/// `warg.transparency.MapInclusionProof`: the sibling hashes along the key's path, bottom up,
/// the empty ones at the bottom left out; an absent hash is an empty subtree.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MapInclusionProof {
    #[prost(message, repeated, tag = "1")]
    pub hashes: Vec<OptionalHash>,
}

/// `warg.transparency.OptionalHash`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct OptionalHash {
    #[prost(bytes = "vec", optional, tag = "1")]
    pub hash: Option<Vec<u8>>,
}
