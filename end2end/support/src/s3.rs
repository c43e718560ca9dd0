//! A real S3-compatible server for the registry's object-storage tests: moto's server (PyPI
//! `moto[server]`, which `cargo xtask setup --test` installs) on a free port of 127.0.0.1, with
//! one bucket; stopped on drop.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use server::Settings;

/// The bucket [`Moto::start`] creates.
pub const BUCKET: &str = "consign-blobs";

/// A running moto server.
#[derive(Debug)]
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
}

impl Moto {
    /// Starts the server and creates [`BUCKET`].
    pub async fn start() -> Self {
        let port = crate::hub::free_port();
        // `python3 -m` rather than the `moto_server` script, which pip may put off PATH.
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 is missing");
        let mut moto = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                moto.child.try_wait().unwrap().is_none(),
                "moto's server exited: python3 -m pip install 'moto[server]' (cargo xtask setup --test does)"
            );
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "moto_server did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // moto does not check signatures: an unsigned request makes the bucket.
        let made = reqwest::Client::new()
            .put(format!("{}/{BUCKET}", moto.endpoint))
            .send()
            .await
            .unwrap();
        assert!(made.status().is_success(), "{}", made.status());
        moto
    }

    /// Points the hub's registry at this server.
    pub fn configure(&self, settings: &mut Settings) {
        settings.registry_s3_endpoint = Some(self.endpoint.clone());
        settings.registry_s3_bucket = Some(BUCKET.into());
        settings.registry_s3_region = "us-east-1".into();
        settings.registry_s3_access_key_id = Some("testing".into());
        settings.registry_s3_secret_access_key = Some("testing".into());
        settings.registry_s3_path_style = true;
        settings.registry_s3_prefix = "registry".into();
    }

    /// The keys stored in the bucket (unsigned listing; moto allows it).
    pub async fn keys(&self) -> Vec<String> {
        let xml = reqwest::get(format!("{}/{BUCKET}?list-type=2", self.endpoint))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        xml.split("<Key>")
            .skip(1)
            .filter_map(|k| k.split_once("</Key>").map(|(k, _)| k.to_string()))
            .collect()
    }

    /// Multipart uploads begun but neither completed nor aborted.
    pub async fn open_multipart_uploads(&self) -> usize {
        let xml = reqwest::get(format!("{}/{BUCKET}?uploads", self.endpoint))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        xml.matches("<UploadId>").count()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
