//! License files as a customer's application (or anyone) hands them to the checker: any text
//! is read or refused, and claims signed by the right key are read or refused, never a panic.
#![no_main]

use arbitrary::Arbitrary;
use ed25519_dalek::{Signer, SigningKey};
use libfuzzer_sys::fuzz_target;
use types::license_file::{LicenseFile, PublicKey};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    /// A whole file, as text.
    file: &'a str,
    /// Claims the hub's key signs, to reach the claims' parser past the signature check.
    claims: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let signing = SigningKey::from_bytes(&[7; 32]);
    let key = PublicKey::from_bytes(signing.verifying_key().as_bytes()).expect("a valid key");
    let _ = PublicKey::parse(input.file);
    if let Ok(file) = LicenseFile::parse(input.file) {
        let _ = file.verify(&key);
    }
    let signature = signing.sign(input.claims).to_bytes();
    let signed = LicenseFile::from_signed(&key, input.claims, &signature);
    let reread = LicenseFile::parse(&signed.to_string()).expect("a written file reads back");
    let _ = reread.verify(&key);
});
