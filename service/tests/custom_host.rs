//! Custom portal hosts against a real DNS server (dnsmasq on a free loopback port), on SQLite and
//! PostgreSQL: the hub's own names are refused, a host is one vendor's, and a host serves a
//! vendor's portal only after its TXT record proves the vendor controls it; a signed-in
//! customer sees their own vendor's portal on any host.

// A panic is how a test reports failure; unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use consign_service::branding::{self, BrandingInput};
use consign_service::custom_host;
use consign_service::testing::world::World;
use consign_service::{Error, Services, on_both_databases};

const HUB: &str = "hub.example.test";

/// A dnsmasq answering only the TXT records it is given, on 127.0.0.1; killed when dropped.
struct Dns {
    child: Child,
    address: SocketAddr,
}

impl Dns {
    fn dnsmasq() -> PathBuf {
        ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .expect("dnsmasq is missing: apt-get install dnsmasq-base (cargo xtask setup does)")
    }

    /// Serves `records` (name, value) as TXT records. The port is the kernel's pick, free for
    /// UDP and TCP when picked; another process may take it before dnsmasq does, and then
    /// dnsmasq exits at once, so a start that fails is tried again on a new port.
    async fn start(records: &[(&str, &str)]) -> Self {
        let mut failures = Vec::new();
        for _ in 0..5 {
            let port = free_port();
            let mut command = Command::new(Self::dnsmasq());
            command.args([
                "--keep-in-foreground",
                "--no-resolv",
                "--no-hosts",
                "--conf-file=/dev/null",
                "--pid-file=",
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                &format!("--port={port}"),
            ]);
            for (name, value) in records {
                command.arg(format!("--txt-record={name},{value}"));
            }
            let child = command
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start dnsmasq");
            let mut dns = Self {
                child,
                address: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            };
            match dns.wait_until_listening().await {
                Ok(()) => return dns,
                Err(why) => failures.push(why),
            }
        }
        panic!("dnsmasq did not start: {failures:?}");
    }

    /// Waits for dnsmasq's TCP socket (opened with its UDP one) while dnsmasq runs, however
    /// long a loaded machine takes; `Err` with what it said when it exits first.
    async fn wait_until_listening(&mut self) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while tokio::time::Instant::now() < deadline {
            if tokio::net::TcpStream::connect(self.address).await.is_ok() {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let mut said = String::new();
                if let Some(mut stderr) = self.child.stderr.take() {
                    std::io::Read::read_to_string(&mut stderr, &mut said).ok();
                }
                return Err(format!("on {}: {status}: {}", self.address, said.trim()));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("on {}: not listening after 60 s", self.address))
    }
}

/// A port the kernel picks that is free for UDP and for TCP at the moment of asking.
fn free_port() -> u16 {
    loop {
        let tcp = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = tcp.local_addr().unwrap().port();
        if UdpSocket::bind((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return port;
        }
    }
}

impl Drop for Dns {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn input(host: &str) -> BrandingInput {
    BrandingInput {
        title: "Portal".into(),
        primary_color: "#123456".into(),
        home_markdown: String::new(),
        custom_host: host.into(),
    }
}

fn configured(services: &Services, dns: Option<SocketAddr>) -> Services {
    let mut s = services.clone();
    s.config.own_hosts = vec!["localhost".into(), HUB.into(), "127.0.0.1".into()];
    s.config.dns_resolver = dns;
    s
}

fn assert_host_refused(result: Result<branding::Branding, Error>, host: &str) {
    match result {
        Err(Error::InvalidInput {
            field: "host name", ..
        })
        | Err(Error::Invalid(types::NameError::Invalid {
            field: "host name", ..
        })) => {}
        other => panic!("{host} must be refused, got {other:?}"),
    }
}

async fn the_hubs_own_names_are_never_a_vendors_host(services: &Services) {
    let s = configured(services, None);
    let w = World::build(services).await;
    for host in [
        HUB,
        "HUB.example.test.",
        "acme.hub.example.test",
        "localhost",
        "127.0.0.1",
    ] {
        assert_host_refused(
            branding::update(services, &s.config, &w.vendor_admin, input(host)).await,
            host,
        );
    }
    // A name that merely ends like the hub's is someone else's.
    branding::update(
        services,
        &s.config,
        &w.vendor_admin,
        input("myhub.example.test"),
    )
    .await
    .unwrap();
}

async fn a_host_serves_a_portal_only_after_its_txt_record_proves_it(services: &Services) {
    let w = World::build(services).await;
    let host = "portal.umbrella.test";
    let unproved = configured(services, None);
    branding::update(services, &unproved.config, &w.other_vendor, input(host))
        .await
        .unwrap();
    // One vendor's host is no other's, proved or not.
    let taken = branding::update(services, &unproved.config, &w.vendor_admin, input(host)).await;
    assert!(matches!(taken, Err(Error::Conflict { .. })), "{taken:?}");

    let wanted = custom_host::challenge(services, &w.other_vendor)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(wanted.record_name, format!("_consign-challenge.{host}"));
    assert!(
        wanted.record_value.starts_with("consign-verification="),
        "{wanted:?}"
    );
    assert!(wanted.verified_at.is_none());
    assert_eq!(
        branding::vendor_for_host(services, host).await.unwrap(),
        None
    );

    // A record with another token (say, another vendor's) proves nothing.
    let dns = Dns::start(&[(&wanted.record_name, "consign-verification=not-the-token")]).await;
    let s = configured(services, Some(dns.address));
    let refused = custom_host::verify(&s, &w.other_vendor, Utc::now()).await;
    assert!(
        matches!(&refused, Err(Error::InvalidInput { field: "host name", message }) if message.contains(&wanted.record_value)),
        "{refused:?}"
    );
    assert_eq!(
        branding::vendor_for_host(services, host).await.unwrap(),
        None
    );
    drop(dns);

    let dns = Dns::start(&[(&wanted.record_name, &wanted.record_value)]).await;
    let s = configured(services, Some(dns.address));
    // Only the vendor's admins verify.
    assert!(matches!(
        custom_host::verify(&s, &w.vendor_ro, Utc::now()).await,
        Err(Error::Forbidden { .. })
    ));
    let proved = custom_host::verify(&s, &w.other_vendor, Utc::now())
        .await
        .unwrap();
    assert!(proved.verified_at.is_some());
    assert!(
        branding::get(services, w.other_vendor.organization_id)
            .await
            .unwrap()
            .custom_host_verified
    );
    assert_eq!(
        branding::vendor_for_host(services, &format!("{}:8443", host.to_uppercase()))
            .await
            .unwrap(),
        Some(w.other_vendor.organization_id)
    );
    // Anonymous visitors of the host see its vendor; a signed-in customer sees their own.
    assert_eq!(
        branding::portal_vendor(&s, host, None).await.unwrap(),
        Some(w.other_vendor.organization_id)
    );
    assert_eq!(
        branding::portal_vendor(&s, host, Some(&w.customer_ro))
            .await
            .unwrap(),
        Some(w.customer_ro.organization_id)
    );
    // On the hub's own name nobody's custom host decides (two vendors: no branding).
    assert_eq!(branding::portal_vendor(&s, HUB, None).await.unwrap(), None);

    // Saving the branding with the same host keeps the proof; a new host starts over.
    branding::update(services, &s.config, &w.other_vendor, input(host))
        .await
        .unwrap();
    assert_eq!(
        branding::vendor_for_host(services, host).await.unwrap(),
        Some(w.other_vendor.organization_id)
    );
    let moved = branding::update(
        services,
        &s.config,
        &w.other_vendor,
        input("new.umbrella.test"),
    )
    .await
    .unwrap();
    assert!(!moved.custom_host_verified);
    assert_eq!(
        branding::vendor_for_host(services, host).await.unwrap(),
        None
    );
    let again = custom_host::challenge(services, &w.other_vendor)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(
        again.record_value, wanted.record_value,
        "a new host, a new token"
    );
    // The old record does not prove the new host.
    assert!(
        custom_host::verify(&s, &w.other_vendor, Utc::now())
            .await
            .is_err()
    );
}

on_both_databases!(
    the_hubs_own_names_are_never_a_vendors_host,
    a_host_serves_a_portal_only_after_its_txt_record_proves_it,
);
