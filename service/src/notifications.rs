//! Emails sent on a vendor's behalf, in the vendor's branding.

use std::net::IpAddr;

use crate::Services;
use crate::rate_limit;
use types::Email;

use crate::auth::Actor;
use crate::invitations::Issued;
use crate::mail::Mailer;
use crate::mail::templates::{self, EmailLink};
use crate::{Error, Result, branding, repo};

/// The mail-side branding of a vendor, with its logo as an absolute URL under `base_url`.
async fn mail_branding(
    services: &Services,
    organization: types::OrganizationId,
    base_url: &str,
) -> Result<templates::Branding> {
    let _db = &services.db;
    let b = branding::get(services, organization).await?;
    let logo = b
        .has_logo
        .then(|| format!("{base_url}/branding/{}/logo", organization));
    Ok(templates::Branding::new(
        &b.title,
        &b.primary_color,
        logo.as_deref(),
    )?)
}

/// Emails an invitation link to its invitee, in the vendor's branding.
pub async fn send_invitation(
    services: &Services,
    mailer: &dyn Mailer,
    actor: &Actor,
    issued: &Issued,
    base_url: &str,
    ttl_hours: u32,
) -> Result<()> {
    let inviter = repo::users::find(&services.db, actor.user_id.0)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let organization = repo::organizations::find_by_id(&services.db, actor.organization_id.0)
        .await?
        .ok_or(Error::NotFound {
            what: "organization",
        })?;
    let invited_to = match issued.invitation.customer {
        Some(c) => repo::customers::find(&services.db, actor.organization_id.0, c.0)
            .await?
            .map(|c| c.name)
            .unwrap_or(organization.name),
        None => organization.name,
    };
    let branding = mail_branding(services, actor.organization_id, base_url).await?;
    let link = EmailLink::parse(&invitation_link(base_url, &issued.token))?;
    let mail = templates::invitation(&branding, &inviter, &invited_to, &link, ttl_hours);
    mailer
        .send(mail.addressed_to(Email::parse(issued.invitation.email.clone())?))
        .await
}

/// What became of a freshly issued invitation link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The link that accepts the invitation (shown once, so it can be passed on by hand).
    pub link: String,
    /// Whether the hub emailed it.
    pub emailed: bool,
    /// Why it was not emailed, when it was not, for the person who invited.
    pub problem: Option<String>,
}

/// Emails an invitation's link when the hub has a mail server, and returns the link either way:
/// a failed or impossible email never loses the invitation, whose link can be sent by hand.
pub async fn deliver_invitation(
    services: &crate::Services,
    actor: &Actor,
    issued: &Issued,
) -> Delivery {
    let base = services
        .config
        .public_url
        .clone()
        .unwrap_or_else(|| "http://localhost".into());
    let link = invitation_link(&base, &issued.token);
    let hours = u32::try_from(services.config.invitation_ttl.num_hours()).unwrap_or(72);
    let Some(mailer) = &services.mailer else {
        return Delivery {
            link,
            emailed: false,
            problem: Some(
                "No mail server is configured on this hub: copy the link and send it yourself."
                    .into(),
            ),
        };
    };
    match send_invitation(services, mailer.as_ref(), actor, issued, &base, hours).await {
        Ok(()) => Delivery {
            link,
            emailed: true,
            problem: None,
        },
        Err(err) => {
            tracing::warn!(error = %err, "invitation email not sent");
            Delivery {
                link,
                emailed: false,
                problem: Some(format!(
                    "The email could not be sent ({err}); copy the link and send it yourself."
                )),
            }
        }
    }
}

/// The link that accepts an invitation.
pub fn invitation_link(base_url: &str, token: &str) -> String {
    format!("{}/invite/{token}", base_url.trim_end_matches('/'))
}

/// The branding of the organization a person belongs to first, or the hub's own.
async fn branding_for_user(
    services: &Services,
    user: &crate::accounts::User,
    base_url: &str,
) -> Result<templates::Branding> {
    let _db = &services.db;
    match crate::accounts::actor(services, user.id, None).await? {
        Some(actor) => mail_branding(services, actor.organization_id, base_url).await,
        None => Ok(templates::Branding::new(
            "Consign",
            branding::DEFAULT_COLOR,
            None,
        )?),
    }
}

/// The portal's "forgot password" request: emails `email`'s account a reset link, when there
/// is one. Requests are limited per `client` address and per address asked for
/// ([`rate_limit::RESET_PER_IP`], [`rate_limit::RESET_PER_ACCOUNT`]), whether or not an
/// account has it, and the answer is the same either way: a mail that cannot be sent is
/// logged, not returned, so addresses cannot be probed. A hub without a mail server refuses
/// on `email`, saying what to do instead.
pub async fn reset_password_by_mail(
    services: &Services,
    email: &str,
    client: Option<IpAddr>,
    base_url: &str,
) -> Result<()> {
    let ip = rate_limit::address(client);
    services
        .limiter
        .hit(&format!("reset/ip/{ip}"), rate_limit::RESET_PER_IP)?;
    services.limiter.hit(
        &format!("reset/account/{}", email.trim().to_lowercase()),
        rate_limit::RESET_PER_ACCOUNT,
    )?;
    let Some(mailer) = services.mailer.clone() else {
        return Err(Error::invalid(
            "email",
            "This hub cannot send email, so it cannot reset passwords by mail. Ask an admin of \
             your organization to invite you again.",
        ));
    };
    if let Some((user, token)) = crate::email_links::request_password_reset(services, email).await?
        && let Err(err) =
            send_password_reset(services, mailer.as_ref(), &user, base_url, &token).await
    {
        tracing::error!(error = %err, "password reset mail not sent");
    }
    Ok(())
}

/// Emails a password-reset link.
pub async fn send_password_reset(
    services: &Services,
    mailer: &dyn Mailer,
    user: &crate::accounts::User,
    base_url: &str,
    token: &str,
) -> Result<()> {
    let branding = branding_for_user(services, user, base_url).await?;
    let link = EmailLink::parse(&format!("{}/reset/{token}", base_url.trim_end_matches('/')))?;
    let minutes = u32::try_from(crate::email_links::RESET_TTL.num_minutes()).unwrap_or(60);
    let mail = templates::password_reset(&branding, &link, minutes);
    mailer.send(mail.addressed_to(user.email.clone())).await
}

/// Emails a link that confirms an address: the account's own (`to` = its address) or a new
/// one it is moving to.
pub async fn send_address_check(
    services: &Services,
    mailer: &dyn Mailer,
    user: &crate::accounts::User,
    to: Email,
    base_url: &str,
    path: &str,
    token: &str,
) -> Result<()> {
    let branding = branding_for_user(services, user, base_url).await?;
    let link = EmailLink::parse(&format!(
        "{}/{path}/{token}",
        base_url.trim_end_matches('/')
    ))?;
    let mail = templates::verify_email(&branding, &link);
    mailer.send(mail.addressed_to(to)).await
}
