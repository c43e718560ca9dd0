//! Env templates and env files as vendors and customers write them: a text the check accepts
//! must also render (what the hub does when it sends the desired state), and the link
//! template check must answer for any text.
#![no_main]

use std::collections::BTreeMap;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    env: &'a str,
    secrets: BTreeMap<String, String>,
    extra: BTreeMap<String, String>,
}

fuzz_target!(|input: Input<'_>| {
    let _ = service::catalog::templates::validate_link_template(input.env);
    let template_ok = service::catalog::templates::validate_env_template(input.env).is_ok();
    if service::env_file::check(input.env, &input.secrets).is_ok() {
        assert!(template_ok, "check accepted what the template check refuses");
        service::env_file::render(input.env, &input.secrets, &input.extra)
            .expect("a checked env file renders");
    }
});
