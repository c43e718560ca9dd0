//! Env templates and env files as vendors and customers write them: any text is accepted or
//! refused by the checks; a text `env_file::check` accepts also renders (what the hub does
//! when it sends the desired state), and the rendering names each secret it used.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let secrets = BTreeMap::from([
        ("DB_PASSWORD".to_string(), "pa$$ \"word\" #1\\".to_string()),
        ("TOKEN".to_string(), String::new()),
    ]);
    let extra = BTreeMap::from([("seats".to_string(), "5".to_string())]);
    let _ = service::catalog::templates::validate_link_template(text);
    let template_ok = service::catalog::templates::validate_env_template(text).is_ok();
    if service::env_file::check(text, &secrets).is_ok() {
        assert!(template_ok, "check accepted what the template check refuses");
        let rendered =
            service::env_file::render(text, &secrets, &extra).expect("a checked env file renders");
        for key in &rendered.secret_keys {
            assert!(!key.is_empty(), "an empty secret key in {rendered:?}");
        }
    }
});
