//! Vendor sign-up: a person creates a vendor organization and becomes its first admin.

use crate::Services;
use chrono::Utc;
use types::{OrganizationId, OrganizationName, Role, Slug};

use crate::accounts::{self, NewUser, User};
use crate::entity::{membership, organization};
use crate::organizations::Organization;
use crate::{Error, Result, repo};

/// What the sign-up form asks for.
#[derive(Clone, Debug)]
pub struct SignUp {
    /// The vendor organization's name.
    pub organization_name: OrganizationName,
    /// The first admin's account.
    pub user: NewUser,
}

/// Creates the vendor organization, the account and the admin membership, all or nothing.
/// The first sign-up on a hub is always allowed; later ones only when `open` (a setting).
pub async fn sign_up(
    services: &Services,
    form: SignUp,
    open: bool,
) -> Result<(User, Organization)> {
    // Hash first: the transaction should not hold the database while argon2 runs.
    let account = accounts::new_account_row(form.user).await?;
    let txn = crate::db::begin_writer(&services.db).await?;
    if !open && repo::organizations::count(&txn).await? > 0 {
        return Err(Error::SignUpClosed);
    }
    let slug = free_slug(&txn, form.organization_name.as_str()).await?;
    let user = repo::users::insert(&txn, account).await?;
    let org = repo::organizations::insert(
        &txn,
        organization::Model {
            id: OrganizationId::new().0,
            name: form.organization_name.into(),
            slug: slug.into(),
            created_at: Utc::now(),
        },
    )
    .await?;
    repo::memberships::insert(
        &txn,
        membership::Model {
            user_id: user.id,
            organization_id: org.id,
            role: Role::Admin.as_str().into(),
            created_at: Utc::now(),
            customer_organization_id: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok((user.try_into()?, org.try_into()?))
}

/// A slug derived from the name (`Acme Corp.` → `acme-corp`), suffixed until it is free.
async fn free_slug(db: &impl sea_orm::ConnectionTrait, name: &str) -> Result<Slug> {
    let base = slugify(name);
    for n in 1..1000 {
        let candidate = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        if !repo::organizations::slug_taken(db, &candidate).await? {
            return Ok(Slug::parse(candidate)?);
        }
    }
    Err(Error::Conflict {
        field: "organization name",
    })
}

fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let core: String = slug.chars().take(32).collect();
    let core = core.trim_end_matches('-');
    match core {
        "" => "org".to_string(),
        c if c.len() < 2 || !c.starts_with(|c: char| c.is_ascii_lowercase()) => format!("org-{c}"),
        c => c.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs_are_derived_from_any_name() {
        assert_eq!(slugify("Acme Corp."), "acme-corp");
        assert_eq!(slugify("  Ünïcode & Co  "), "n-code-co");
        assert_eq!(slugify("42 Labs"), "org-42-labs");
        assert_eq!(slugify("!!!"), "org");
        assert_eq!(slugify("x"), "org-x");
        for name in [
            "Acme Corp.",
            "42 Labs",
            "!!!",
            "x",
            &"long name ".repeat(20),
        ] {
            assert!(
                types::Slug::parse(slugify(name)).is_ok(),
                "{name:?} → {}",
                slugify(name)
            );
        }
    }
}
