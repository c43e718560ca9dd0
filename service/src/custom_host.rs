//! A vendor's own host name for its customer portal, and the proof that the vendor controls it.
//!
//! A host serves a vendor's portal only once the vendor has published, in DNS, a TXT record
//! `_consign-challenge.<host>` with the value `consign-verification=<token>`, where the token
//! is random and belongs to that vendor and that host (a new host gets a new token). The hub's
//! own names (its public URL's host, its listening addresses, `localhost`) and every name under
//! them are refused outright, so no vendor can take over the portal others reach the hub by.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::{Resolver, TokioResolver};

use crate::auth::Actor;
use crate::entity::branding as row;
use crate::{Error, Result, Services, repo, tokens};

/// The label in front of the host that carries the TXT record.
pub const CHALLENGE_LABEL: &str = "_consign-challenge";
/// What the TXT record's value starts with; the token follows.
pub const RECORD_PREFIX: &str = "consign-verification=";

/// How long one DNS query may take: the vendor waits for the answer after clicking Verify.
const DNS_TIMEOUT: Duration = Duration::from_secs(3);

/// What a vendor publishes to prove it controls its custom host, and whether it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostChallenge {
    /// The custom host name.
    pub host: String,
    /// The name of the TXT record: `_consign-challenge.<host>`.
    pub record_name: String,
    /// The value the TXT record must have: `consign-verification=<token>`.
    pub record_value: String,
    /// When the record was found; until then the host serves no portal.
    pub verified_at: Option<DateTime<Utc>>,
}

/// A fresh token for a newly named host.
pub(crate) fn new_token() -> String {
    tokens::generate()
}

/// Whether `host` is one of the hub's own names or a name under one.
pub fn is_hub_name(host: &str, own_hosts: &[String]) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    own_hosts.iter().any(|own| {
        let own = own.trim_end_matches('.').to_ascii_lowercase();
        !own.is_empty()
            && (host == own
                || host
                    .strip_suffix(own.as_str())
                    .is_some_and(|head| head.ends_with('.')))
    })
}

/// Refuses a custom host that is, or falls under, one of the hub's own names.
pub(crate) fn refuse_hub_names(host: &str, own_hosts: &[String]) -> Result<()> {
    if is_hub_name(host, own_hosts) {
        return Err(Error::invalid(
            "host name",
            format!(
                "{host} is the hub's own address (or a name under it): every vendor's \
                 customers reach the hub there, so it cannot be one vendor's portal; choose \
                 a host name of your own domain"
            ),
        ));
    }
    Ok(())
}

fn challenge_of(r: &row::Model) -> Option<HostChallenge> {
    let host = r.custom_host.clone()?;
    let token = r.custom_host_token.clone()?;
    Some(HostChallenge {
        record_name: format!("{CHALLENGE_LABEL}.{host}"),
        record_value: format!("{RECORD_PREFIX}{token}"),
        host,
        verified_at: r.custom_host_verified_at,
    })
}

/// The vendor's custom host with its TXT record to publish; `None` when it has none. Vendor
/// members only. A host saved before verification existed gets its token here.
pub async fn challenge(services: &Services, actor: &Actor) -> Result<Option<HostChallenge>> {
    actor.require_vendor_read("see the branding")?;
    let Some(found) = repo::branding::find(&services.db, actor.organization_id.0).await? else {
        return Ok(None);
    };
    if let (Some(host), None) = (&found.custom_host, &found.custom_host_token) {
        repo::branding::give_host_token(&services.db, found.organization_id, host, &new_token())
            .await?;
        let again = repo::branding::find(&services.db, actor.organization_id.0).await?;
        return Ok(again.as_ref().and_then(challenge_of));
    }
    Ok(challenge_of(&found))
}

/// Looks the vendor's TXT record up and, when it carries the token, marks the host verified
/// (vendor admins only). A missing or different record is [`Error::InvalidInput`] on the host
/// name, saying what was expected.
pub async fn verify(s: &Services, actor: &Actor, now: DateTime<Utc>) -> Result<HostChallenge> {
    actor.require_vendor_admin("verify the host name")?;
    let Some(wanted) = challenge(s, actor).await? else {
        return Err(Error::invalid(
            "host name",
            "save a host name in the branding first",
        ));
    };
    if wanted.verified_at.is_some() {
        return Ok(wanted);
    }
    // The hub's names may have changed since the host was saved.
    refuse_hub_names(&wanted.host, &s.config.own_hosts)?;
    let found = txt_values(s.config.dns_resolver, &wanted.record_name).await;
    let matches = found
        .as_ref()
        .is_ok_and(|values| values.iter().any(|v| v.trim() == wanted.record_value));
    if !matches {
        let seen = match found {
            Ok(values) if values.is_empty() => "no TXT record".to_string(),
            Ok(values) => format!("TXT values {values:?}"),
            Err(err) => format!("no answer ({err})"),
        };
        return Err(Error::invalid(
            "host name",
            format!(
                "DNS has no TXT record {} with the value {} (found {seen}); add it at your DNS \
                 provider, wait for it to appear, then verify again",
                wanted.record_name, wanted.record_value
            ),
        ));
    }
    let token = wanted
        .record_value
        .strip_prefix(RECORD_PREFIX)
        .unwrap_or_default();
    // Conditional on the host and token still being the ones looked up: a host changed
    // meanwhile stays unverified.
    if !repo::branding::mark_host_verified(&s.db, actor.organization_id.0, &wanted.host, token, now)
        .await?
    {
        return Err(Error::invalid(
            "host name",
            "the host name changed while it was being verified; verify again",
        ));
    }
    Ok(HostChallenge {
        verified_at: Some(now),
        ..wanted
    })
}

/// The TXT values at `name` (each record's strings joined), asked of `nameserver` or, when
/// `None`, of the system's resolvers. A fresh resolver each time: nothing cached, so a record
/// just added is seen as soon as the nameserver has it.
async fn txt_values(
    nameserver: Option<SocketAddr>,
    name: &str,
) -> std::result::Result<Vec<String>, String> {
    let mut options = ResolverOpts::default();
    options.timeout = DNS_TIMEOUT;
    options.attempts = 1;
    options.cache_size = 0;
    let mut builder = match nameserver {
        Some(address) => {
            let mut server = NameServerConfig::udp_and_tcp(address.ip());
            for connection in &mut server.connections {
                connection.port = address.port();
            }
            Resolver::builder_with_config(
                ResolverConfig::from_name_servers(vec![server]),
                TokioRuntimeProvider::default(),
            )
        }
        None => TokioResolver::builder_tokio().map_err(|e| e.to_string())?,
    };
    *builder.options_mut() = options;
    let resolver = builder.build().map_err(|e| e.to_string())?;
    // The trailing dot: the name is absolute, never completed with a search domain.
    let lookup = match resolver.txt_lookup(format!("{name}.")).await {
        Ok(lookup) => lookup,
        Err(err) if err.is_no_records_found() || err.is_nx_domain() => return Ok(Vec::new()),
        Err(err) => return Err(err.to_string()),
    };
    Ok(lookup
        .answers()
        .iter()
        .filter_map(|record| match &record.data {
            RData::TXT(txt) => Some(
                txt.txt_data
                    .iter()
                    .map(|part| String::from_utf8_lossy(part).into_owned())
                    .collect::<String>(),
            ),
            _ => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hubs_names_and_names_under_them_are_its_own() {
        let own = vec!["hub.example.com".to_string(), "127.0.0.1".to_string()];
        assert!(is_hub_name("hub.example.com", &own));
        assert!(is_hub_name("HUB.example.com.", &own));
        assert!(is_hub_name("acme.hub.example.com", &own));
        assert!(!is_hub_name("myhub.example.com", &own));
        assert!(!is_hub_name("portal.acme.com", &own));
        assert!(!is_hub_name("example.com", &own));
    }
}
