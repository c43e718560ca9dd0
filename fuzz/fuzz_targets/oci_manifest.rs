//! An OCI or Docker manifest as a client pushes it to the registry, with the `Content-Type`
//! clients send (or none, or any other).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
enum ContentType<'a> {
    OciManifest,
    OciIndex,
    DockerManifest,
    DockerList,
    Other(&'a str),
}

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    content_type: Option<ContentType<'a>>,
    /// Last, so it takes the rest of the input: a seed is a flag byte and then a manifest.
    bytes: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let content_type = input.content_type.map(|c| match c {
        ContentType::OciManifest => "application/vnd.oci.image.manifest.v1+json",
        ContentType::OciIndex => "application/vnd.oci.image.index.v1+json",
        ContentType::DockerManifest => "application/vnd.docker.distribution.manifest.v2+json",
        ContentType::DockerList => "application/vnd.docker.distribution.manifest.list.v2+json",
        ContentType::Other(text) => text,
    });
    let _ = service::registry::manifests::parse(content_type, input.bytes);
});
