//! A compose file as a vendor publishes it (`POST …/versions`, the portal's form): the check
//! must answer, never panic, for any text. Helm values go through the same YAML reader.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = service::catalog::compose::validate(text);
    let _ = service::catalog::compose::validate_values("baseValues", text);
});
