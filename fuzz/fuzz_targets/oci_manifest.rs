//! An OCI or Docker manifest as a client pushes it to the registry, with any `Content-Type`.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    content_type: Option<&'a str>,
    bytes: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let _ = service::registry::manifests::parse(input.content_type, input.bytes);
});
