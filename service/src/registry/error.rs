//! The OCI distribution spec's error codes, and the HTTP status each one is answered with.

use std::fmt;

/// A registry error code (the spec's list, plus the distinctions its statuses need).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistryCode {
    /// The blob is not in the repository.
    BlobUnknown,
    /// The upload is malformed, or a chunk is out of order.
    BlobUploadInvalid,
    /// A chunk does not start where the upload ends (answered with 416).
    BlobUploadOutOfOrder,
    /// No such upload session in this repository.
    BlobUploadUnknown,
    /// The content does not match the digest given, or the digest is malformed.
    DigestInvalid,
    /// A manifest references a blob or manifest the repository does not hold.
    ManifestBlobUnknown,
    /// The manifest is malformed or of an unsupported media type.
    ManifestInvalid,
    /// The manifest is larger than the registry accepts (answered with 413).
    ManifestTooLarge,
    /// No such manifest or tag.
    ManifestUnknown,
    /// The repository name is malformed.
    NameInvalid,
    /// No such repository (or the caller may not know that it exists).
    NameUnknown,
    /// The Content-Length or size does not match.
    SizeInvalid,
    /// The caller is not authenticated.
    Unauthorized,
    /// The caller may not do this.
    Denied,
    /// The operation is not supported.
    Unsupported,
    /// The requested byte range cannot be served (answered with 416).
    RangeInvalid,
    /// The `n` of a listing is not a number of entries.
    PaginationNumberInvalid,
    /// A tag to set is malformed.
    TagInvalid,
    /// The upstream repository an artifact pulls through from did not answer as a registry
    /// should, and the hub has no copy to serve instead (answered with 502).
    UpstreamUnavailable,
}

impl RegistryCode {
    /// The code as the spec spells it in error bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BlobUnknown => "BLOB_UNKNOWN",
            Self::BlobUploadInvalid | Self::BlobUploadOutOfOrder => "BLOB_UPLOAD_INVALID",
            Self::BlobUploadUnknown => "BLOB_UPLOAD_UNKNOWN",
            Self::DigestInvalid => "DIGEST_INVALID",
            Self::ManifestBlobUnknown => "MANIFEST_BLOB_UNKNOWN",
            Self::ManifestInvalid | Self::ManifestTooLarge => "MANIFEST_INVALID",
            Self::ManifestUnknown => "MANIFEST_UNKNOWN",
            Self::NameInvalid => "NAME_INVALID",
            Self::NameUnknown => "NAME_UNKNOWN",
            Self::SizeInvalid => "SIZE_INVALID",
            Self::Unauthorized => "UNAUTHORIZED",
            Self::Denied => "DENIED",
            Self::Unsupported => "UNSUPPORTED",
            Self::RangeInvalid => "RANGE_INVALID",
            Self::PaginationNumberInvalid => "PAGINATION_NUMBER_INVALID",
            Self::TagInvalid => "TAG_INVALID",
            Self::UpstreamUnavailable => "UNAVAILABLE",
        }
    }

    /// The HTTP status it is answered with.
    pub fn status(self) -> u16 {
        match self {
            Self::BlobUnknown
            | Self::BlobUploadUnknown
            | Self::ManifestUnknown
            | Self::NameUnknown => 404,
            Self::BlobUploadOutOfOrder | Self::RangeInvalid => 416,
            Self::ManifestTooLarge => 413,
            Self::Unauthorized => 401,
            Self::Denied => 403,
            Self::Unsupported => 405,
            Self::UpstreamUnavailable => 502,
            Self::BlobUploadInvalid
            | Self::ManifestBlobUnknown
            | Self::DigestInvalid
            | Self::ManifestInvalid
            | Self::NameInvalid
            | Self::SizeInvalid
            | Self::PaginationNumberInvalid
            | Self::TagInvalid => 400,
        }
    }
}

impl fmt::Display for RegistryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
