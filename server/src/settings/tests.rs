//! The settings loader: layers, messages, the help text.

use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn defaults_use_sqlite_under_the_data_dir() {
    let s = Settings::load(None, env(&[])).unwrap();
    assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(s.database_url(), "sqlite://data/consign.db?mode=rwc");
    assert!(!s.serves_https());
}

#[test]
fn the_environment_overrides_the_file_which_overrides_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("consign.toml");
    std::fs::write(
        &file,
        "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/consign\"\nlog = \"debug\"\n",
    )
    .unwrap();
    let s = Settings::load(
        Some(&file),
        env(&[
            ("CONSIGN_LISTEN", "127.0.0.1:9999"),
            ("CONSIGN_PUBLIC_URL", "https://hub.example.com"),
        ]),
    )
    .unwrap();
    assert_eq!(s.listen.to_string(), "127.0.0.1:9999");
    assert_eq!(s.data_dir, PathBuf::from("/srv/consign"));
    assert_eq!(s.log, "debug");
    assert!(s.serves_https());
}

#[test]
fn consign_database_url_wins_over_database_url() {
    let s = Settings::load(
        None,
        env(&[
            ("DATABASE_URL", "postgres://a/b"),
            ("CONSIGN_DATABASE_URL", "postgres://c/d"),
        ]),
    )
    .unwrap();
    assert_eq!(s.database_url(), "postgres://c/d");
    let s = Settings::load(None, env(&[("DATABASE_URL", "postgres://a/b")])).unwrap();
    assert_eq!(s.database_url(), "postgres://a/b");
}

#[test]
fn debug_output_hides_the_database_password() {
    let s = Settings::load(None, env(&[("DATABASE_URL", "postgres://u:hunter2@db/x")])).unwrap();
    assert!(!format!("{s:?}").contains("hunter2"));
}

#[test]
fn bad_values_name_the_variable_and_the_expected_form() {
    let err = Settings::load(None, env(&[("CONSIGN_LISTEN", "eight-thousand")])).unwrap_err();
    assert!(err.to_string().contains("CONSIGN_LISTEN"), "{err}");
    assert!(err.to_string().contains("eight-thousand"), "{err}");
    assert!(err.to_string().contains("127.0.0.1:8080"), "{err}");
    for (variable, value) in [
        ("CONSIGN_INVITATION_TTL_HOURS", "soon"),
        ("CONSIGN_SMTP_PORT", "99999"),
        ("CONSIGN_REGISTRY_GC_MINUTES", "-1"),
        ("CONSIGN_LOG_FORMAT", "xml"),
        ("CONSIGN_PUBLIC_URL", "hub dot example"),
        ("CONSIGN_REGISTRY_LISTEN", "5000"),
        ("CONSIGN_DNS_RESOLVER", "localhost"),
        ("CONSIGN_REGISTRY_S3_PATH_STYLE", "sometimes"),
        ("CONSIGN_AGENT_HEARTBEAT_SECS", "0"),
        ("CONSIGN_AGENT_HEARTBEAT_SECS", "a minute"),
    ] {
        let err = Settings::load(None, env(&[(variable, value)])).unwrap_err();
        assert!(err.to_string().contains(variable), "{variable}: {err}");
        assert!(err.to_string().contains(value), "{variable}: {err}");
    }
}

#[test]
fn a_misspelt_variable_is_left_alone_and_reported() {
    let vars = env(&[("CONSIGN_LISTNE", "x"), ("CONSIGN_LISTEN", "127.0.0.1:9")]);
    let s = Settings::load(None, vars.clone()).unwrap();
    assert_eq!(s.listen.to_string(), "127.0.0.1:9");
    assert_eq!(unknown_variables(vars), ["CONSIGN_LISTNE"]);
}

#[test]
fn an_agents_variables_in_the_environment_do_not_stop_the_hub() {
    let vars = env(&[
        ("CONSIGN_TARGET_ID", "0b7e3c52-4f0f-4d8e-9a55-3c8f1f0f9a11"),
        ("CONSIGN_ENROLMENT_SECRET", "consign_enrol_abc"),
        ("CONSIGN_HUB_URL", "http://127.0.0.1:8080"),
        ("CONSIGN_AGENT_STATE_DIR", "/var/lib/consign-agent"),
        ("CONSIGN_AGENT_TOKEN", "consign_agent_abc"),
        ("CONSIGN_CONFIG", "/etc/consign/hub.toml"),
        ("CONSIGN_TEST_POSTGRES_URL", "postgres://localhost/test"),
    ]);
    let s = Settings::load(None, vars.clone()).unwrap();
    assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(
        unknown_variables(vars),
        [
            "CONSIGN_AGENT_STATE_DIR",
            "CONSIGN_AGENT_TOKEN",
            "CONSIGN_ENROLMENT_SECRET",
            "CONSIGN_HUB_URL",
            "CONSIGN_TARGET_ID",
            "CONSIGN_TEST_POSTGRES_URL",
        ]
    );
}

#[test]
fn a_bad_value_in_the_file_names_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("consign.toml");
    std::fs::write(&file, "registry_gc_minutes = \"hourly\"\n").unwrap();
    let err = Settings::load(Some(&file), env(&[]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("consign.toml"), "{err}");
    assert!(err.contains("registry_gc_minutes"), "{err}");
    assert!(err.contains("a number of minutes"), "{err}");
    let err = Settings::load(Some(&dir.path().join("missing.toml")), env(&[])).unwrap_err();
    assert!(err.to_string().contains("missing.toml"), "{err}");
}

#[test]
fn values_of_digits_stay_text_and_yes_no_reads_as_a_switch() {
    let s = Settings::load(
        None,
        env(&[
            ("CONSIGN_SMTP_HOST", "smtp.example.com"),
            ("CONSIGN_SMTP_USERNAME", "1234"),
            ("CONSIGN_SMTP_PASSWORD", "123456"),
            ("CONSIGN_MAIL_FROM", "hub@example.com"),
            ("CONSIGN_ALLOW_SIGNUP", "no"),
            ("CONSIGN_SMTP_PORT", "2525"),
        ]),
    )
    .unwrap();
    let mail = s.mail().unwrap().unwrap();
    assert_eq!(mail.username.as_deref(), Some("1234"));
    assert_eq!(
        mail.password
            .as_ref()
            .map(|p| p.expose_secret().to_string()),
        Some("123456".to_string())
    );
    assert_eq!(mail.port, 2525);
    assert!(!s.allow_signup);
}

#[test]
fn help_lists_every_setting_with_its_variable_key_and_default() {
    let help = help();
    for setting in SETTINGS {
        let line = format!(
            "{} / {} ({}): ",
            setting.variable(),
            setting.key,
            setting.default
        );
        assert!(help.contains(&line), "{line} missing:\n{help}");
        assert!(!setting.doc.trim().is_empty(), "{} has no doc", setting.key);
    }
    assert!(help.contains("DATABASE_URL"), "{help}");
}

#[test]
fn an_unknown_key_in_the_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("consign.toml");
    std::fs::write(&file, "lisen = \"0.0.0.0:9000\"\n").unwrap();
    let err = Settings::load(Some(&file), env(&[])).unwrap_err();
    assert!(err.to_string().contains("lisen"), "{err}");
}

#[test]
fn a_mail_server_needs_a_sender_and_gets_the_port_of_its_tls_mode() {
    let err = Settings::load(None, env(&[("CONSIGN_SMTP_HOST", "smtp.example.com")])).unwrap_err();
    assert!(err.to_string().contains("CONSIGN_MAIL_FROM"), "{err}");
    let s = Settings::load(
        None,
        env(&[
            ("CONSIGN_SMTP_HOST", "smtp.example.com"),
            ("CONSIGN_SMTP_TLS", "tls"),
            ("CONSIGN_SMTP_USERNAME", "hub"),
            ("CONSIGN_SMTP_PASSWORD", "mail-secret"),
            ("CONSIGN_MAIL_FROM", "Acme <noreply@acme.example>"),
        ]),
    )
    .unwrap();
    let mail = s.mail().unwrap().unwrap();
    assert_eq!((mail.host.as_str(), mail.port), ("smtp.example.com", 465));
    assert!(!format!("{s:?}").contains("mail-secret"));
    let err = Settings::load(None, env(&[("CONSIGN_SMTP_TLS", "ssl")])).unwrap_err();
    assert!(err.to_string().contains("none, starttls or tls"), "{err}");
}

#[test]
fn registry_object_storage_needs_a_bucket_and_both_keys_or_neither() {
    assert!(
        Settings::load(None, env(&[]))
            .unwrap()
            .registry_s3()
            .unwrap()
            .is_none()
    );
    for (pairs, named) in [
        (
            &[("CONSIGN_REGISTRY_S3_ENDPOINT", "http://127.0.0.1:9000")][..],
            "CONSIGN_REGISTRY_S3_BUCKET",
        ),
        (
            &[
                ("CONSIGN_REGISTRY_S3_BUCKET", "blobs"),
                ("CONSIGN_REGISTRY_S3_ACCESS_KEY_ID", "AKIA1"),
            ],
            "go together",
        ),
        (
            &[
                ("CONSIGN_REGISTRY_S3_BUCKET", "blobs"),
                ("CONSIGN_REGISTRY_S3_ENDPOINT", "minio:9000"),
            ],
            "CONSIGN_REGISTRY_S3_ENDPOINT",
        ),
    ] {
        let err = Settings::load(None, env(pairs)).unwrap_err();
        assert!(err.to_string().contains(named), "{err}");
    }
    let s = Settings::load(
        None,
        env(&[
            ("CONSIGN_REGISTRY_S3_BUCKET", "blobs"),
            ("CONSIGN_REGISTRY_S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("CONSIGN_REGISTRY_S3_ACCESS_KEY_ID", "AKIA1"),
            ("CONSIGN_REGISTRY_S3_SECRET_ACCESS_KEY", "s3-secret-value"),
            ("CONSIGN_REGISTRY_S3_PATH_STYLE", "false"),
        ]),
    )
    .unwrap();
    let s3 = s.registry_s3().unwrap().unwrap();
    assert_eq!(
        (s3.bucket.as_str(), s3.region.as_str()),
        ("blobs", "us-east-1")
    );
    assert!(!s3.path_style);
    assert!(!format!("{s:?}").contains("s3-secret-value"));
}

#[test]
fn sign_up_and_invitation_lifetime_are_settings() {
    let s = Settings::load(
        None,
        env(&[
            ("CONSIGN_ALLOW_SIGNUP", "false"),
            ("CONSIGN_INVITATION_TTL_HOURS", "24"),
        ]),
    )
    .unwrap();
    assert!(!s.allow_signup);
    assert_eq!(s.invitation_ttl_hours, 24);
    let err = Settings::load(None, env(&[("CONSIGN_INVITATION_TTL_HOURS", "0")])).unwrap_err();
    assert!(err.to_string().contains("at least 1"), "{err}");
    assert!(Settings::load(None, env(&[("CONSIGN_ALLOW_SIGNUP", "maybe")])).is_err());
}
