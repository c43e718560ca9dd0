//! Which addresses the hub may fetch upstream repositories from. A vendor names the upstream's
//! address, and the upstream names its token service and redirects: left alone, any of them
//! could point the hub at the network it runs in (its database, the cloud's metadata service,
//! an admin port on loopback) and hand a tenant what it finds there. So by default the hub
//! connects only to public addresses: every name is resolved and checked at connection time
//! (a name that resolves differently later, DNS rebinding, is checked again), and addresses
//! written as IP literals are checked before each request and redirect. An operator whose
//! upstreams live on a private network allows them with a hub setting.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why an address is refused, for the error the vendor sees.
pub(super) const REFUSED: &str = "it is a loopback, private or link-local address, which this hub does not fetch from (its operator can allow private upstreams with CONSIGN_REGISTRY_UPSTREAM_PRIVATE=true)";

/// Whether the hub may connect to `ip` when private networks are not allowed: a globally
/// routable unicast address.
pub(super) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        // 0.0.0.0/8 ("this network"), 100.64.0.0/10 (carrier-grade NAT), 192.0.0.0/24
        // (protocol assignments), 198.18.0.0/15 (benchmarking), 240.0.0.0/4 (reserved).
        || a == 0
        || (a == 100 && (b & 0xc0) == 64)
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || (a == 198 && (b & 0xfe) == 18)
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || ip.is_unique_local()
        || ip.is_unicast_link_local()
        // 2001:db8::/32, documentation; 64:ff9b:1::/48, local NAT64.
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        || (first == 0x0064 && ip.segments()[1] == 0xff9b && ip.segments()[2] == 1))
}

/// Whether `url` may be fetched: its host, when an IP literal, must be public unless private
/// networks are allowed (names are checked when they are resolved, by [`PublicOnly`]).
pub(super) fn allows(url: &url::Url, private_allowed: bool) -> bool {
    if private_allowed {
        return true;
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) => is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_public(IpAddr::V6(ip)),
        Some(url::Host::Domain(_)) => true,
        None => false,
    }
}

/// A resolver giving the HTTP client only the public addresses of a name, and an error naming
/// the reason when it has none.
#[derive(Debug, Default)]
pub(super) struct PublicOnly;

impl PublicOnly {
    /// As reqwest takes a resolver.
    pub(super) fn shared() -> Arc<Self> {
        Arc::new(Self)
    }
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_string();
            // The port is replaced by the client's own.
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address: {REFUSED}").into());
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_globally_routable_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "100.64.0.1",
            "100.127.255.255",
            "192.0.0.8",
            "198.18.0.1",
            "198.19.255.255",
            "192.0.2.1",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b:1::1",
        ] {
            let ip: IpAddr = private.parse().unwrap();
            assert!(!is_public(ip), "{private} must be refused");
        }
        for public in [
            "1.1.1.1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.255.255",
            "172.32.0.1",
            "198.20.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = public.parse().unwrap();
            assert!(is_public(ip), "{public} is public");
        }
    }

    #[test]
    fn literal_hosts_are_checked_and_names_left_to_the_resolver() {
        let url = |s: &str| url::Url::parse(s).unwrap();
        assert!(!allows(&url("http://127.0.0.1:5000"), false));
        assert!(!allows(&url("http://[::1]:5000"), false));
        assert!(!allows(&url("http://169.254.169.254/latest"), false));
        assert!(!allows(&url("http://[::ffff:a9fe:a9fe]/"), false));
        assert!(allows(&url("http://127.0.0.1:5000"), true));
        assert!(allows(&url("https://8.8.8.8"), false));
        assert!(allows(&url("https://registry.example.com"), false));
    }

    #[tokio::test]
    async fn names_resolving_only_to_private_addresses_are_refused() {
        let refused = PublicOnly
            .resolve("localhost".parse().unwrap())
            .await
            .err()
            .expect("localhost resolves to loopback only");
        assert!(
            refused.to_string().contains("no public address"),
            "{refused}"
        );
    }
}
