//! License files as a customer's application (or anyone) hands them to the checker: any text
//! is read or refused, and claims signed by the right key are read or refused, never a panic.
#![no_main]

use arbitrary::Arbitrary;
use ed25519_dalek::{Signer, SigningKey};
use libfuzzer_sys::fuzz_target;
use types::license_file::{LicenseFile, PublicKey};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    /// Whether `bytes` are claims for the hub's key to sign (reaching the claims' parser past
    /// the signature check) or a whole file.
    signed: bool,
    /// Last, so it takes the rest of the input: a seed is a flag byte and then the JSON.
    bytes: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let signing = SigningKey::from_bytes(&[7; 32]);
    let key = PublicKey::from_bytes(signing.verifying_key().as_bytes()).expect("a valid key");
    if input.signed {
        let signature = signing.sign(input.bytes).to_bytes();
        let signed = LicenseFile::from_signed(&key, input.bytes, &signature);
        let reread = LicenseFile::parse(&signed.to_string()).expect("a written file reads back");
        assert_eq!(reread, signed);
        let _ = reread.verify(&key);
    } else if let Ok(text) = std::str::from_utf8(input.bytes) {
        let _ = PublicKey::parse(text);
        if let Ok(file) = LicenseFile::parse(text) {
            let _ = file.verify(&key);
        }
    }
});
