//! A vendor's branding of the customer portal and emails.

use sea_orm::entity::prelude::*;

/// A row of `branding`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "branding")]
pub struct Model {
    /// The vendor organization.
    #[sea_orm(primary_key, auto_increment = false)]
    pub organization_id: Uuid,
    /// The customer portal's title.
    pub title: String,
    /// `#rrggbb`.
    pub primary_color: String,
    /// The customer portal's home page, as markdown.
    pub home_markdown: String,
    /// The logo image.
    pub logo: Option<Vec<u8>>,
    /// The logo's media type.
    pub logo_content_type: Option<String>,
    /// A host name that serves this vendor's customer portal.
    #[sea_orm(unique)]
    pub custom_host: Option<String>,
    /// The token the vendor publishes in DNS to prove it controls `custom_host`.
    pub custom_host_token: Option<String>,
    /// When control of `custom_host` was proved; the host serves the portal only from then on.
    pub custom_host_verified_at: Option<DateTimeUtc>,
    /// When it was last changed.
    pub updated_at: DateTimeUtc,
}

/// Relations of `branding`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
