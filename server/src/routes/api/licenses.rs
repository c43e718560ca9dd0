//! `/api/v1/application-licenses` and `/api/v1/license-key`: licenses that grant a customer an
//! application, their signed license files, and the hub's public key that verifies those files.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use service::licenses::{self, License, LicenseUpdate, NewLicense};
use types::{
    ApplicationId, ApplicationVersionId, ChannelName, CustomerOrganizationId, LicenseId,
    LicenseStanding,
};
use utoipa::{IntoParams, ToSchema};

use super::error::ErrorBody;
use super::params::{ApiPath, ApiQuery};
use super::{ApiError, ApiJson, Bearer};
use crate::state::AppState;

/// A license: one customer, one application, every version or a chosen set, on the channels the
/// customer follows, until an optional expiry.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationLicense {
    /// Its id.
    #[schema(value_type = String, format = Uuid)]
    pub id: LicenseId,
    /// Its name, unique within the vendor.
    pub name: String,
    /// The customer it grants.
    #[schema(value_type = String, format = Uuid)]
    pub customer_organization_id: CustomerOrganizationId,
    /// The application it grants.
    #[schema(value_type = String, format = Uuid)]
    pub application_id: ApplicationId,
    /// The granted versions; `null` for every version, including future ones.
    #[schema(value_type = Option<Vec<String>>)]
    pub version_ids: Option<Vec<ApplicationVersionId>>,
    /// The release channels the customer follows.
    pub channels: Vec<String>,
    /// Entitlements (seats, feature flags…), passed to the deployed application.
    pub entitlements: BTreeMap<String, String>,
    /// When it was granted.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// When it ends; `null` for never.
    pub expires_at: Option<DateTime<Utc>>,
    /// When the vendor revoked it.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Where it stands now.
    pub status: LicenseStanding,
}

impl From<License> for ApplicationLicense {
    fn from(l: License) -> Self {
        let status = l.standing(Utc::now());
        Self {
            id: l.id,
            name: l.name,
            customer_organization_id: l.customer_organization_id,
            application_id: l.application_id,
            version_ids: l.versions,
            channels: l.channels.iter().map(ToString::to_string).collect(),
            entitlements: l
                .entitlements
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            created_at: l.created_at,
            updated_at: l.updated_at,
            expires_at: l.expires_at,
            revoked_at: l.revoked_at,
            status,
        }
    }
}

/// A license to grant.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateLicense {
    /// Its name, unique within the vendor; omitted, it is named after the customer and the
    /// application.
    #[serde(default)]
    #[schema(value_type = Option<super::shapes::DisplayName>)]
    pub name: Option<String>,
    /// The customer, one of the vendor's.
    #[schema(value_type = String, format = Uuid)]
    pub customer_organization_id: CustomerOrganizationId,
    /// The application, one of the vendor's.
    #[schema(value_type = String, format = Uuid)]
    pub application_id: ApplicationId,
    /// The granted versions (at least one, each a version of the application); omitted or
    /// `null` for every version, including future ones.
    #[serde(default)]
    #[schema(value_type = Option<Vec<uuid::Uuid>>, min_items = 1)]
    pub version_ids: Option<Vec<ApplicationVersionId>>,
    /// The channels the customer follows (at least one); `["stable"]` when omitted.
    #[serde(default)]
    #[schema(value_type = Option<Vec<super::shapes::ChannelName>>, min_items = 1)]
    pub channels: Option<Vec<String>>,
    /// When it ends (must be in the future); omitted or `null` for never.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    /// Entitlements: keys of letters, digits, `_`, `-` or `.`; values up to 1000 characters.
    #[serde(default)]
    #[schema(value_type = super::shapes::Entitlements)]
    pub entitlements: BTreeMap<String, String>,
}

/// The changes `PUT /application-licenses/{id}` makes; an omitted field stays as it is. The
/// customer and the application of a license never change.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateLicense {
    /// A new name.
    #[serde(default)]
    #[schema(value_type = Option<super::shapes::DisplayName>)]
    pub name: Option<String>,
    /// New granted versions (at least one, each a version of the application); `null` for
    /// every version.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<uuid::Uuid>>, min_items = 1)]
    pub version_ids: Option<Option<Vec<ApplicationVersionId>>>,
    /// New channels (at least one).
    #[serde(default)]
    #[schema(value_type = Option<Vec<super::shapes::ChannelName>>, min_items = 1)]
    pub channels: Option<Vec<String>>,
    /// A new expiry (in the future); `null` for never.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub expires_at: Option<Option<DateTime<Utc>>>,
    /// New entitlements, replacing the old ones.
    #[serde(default)]
    #[schema(value_type = Option<super::shapes::Entitlements>)]
    pub entitlements: Option<BTreeMap<String, String>>,
}

/// Tells a field sent as `null` (`Some(None)`) from one left out (`None`, by `default`).
fn present<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Which licenses to list.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LicenseFilter {
    /// Only the licenses of this application.
    #[param(value_type = Option<String>, format = Uuid)]
    pub application_id: Option<ApplicationId>,
    /// Only the licenses of this customer.
    #[param(value_type = Option<String>, format = Uuid)]
    pub customer_organization_id: Option<CustomerOrganizationId>,
}

/// The hub's public key for license files.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LicenseKey {
    /// Always `ed25519`.
    pub algorithm: &'static str,
    /// The key's id: the first 8 bytes of its SHA-256, in hex (license files name it as
    /// `keyId`).
    pub key_id: String,
    /// The 32-byte public key, base64.
    pub public_key: String,
}

/// A signed license file: JSON whose `payload` is the base64 of the claims and `signature` the
/// base64 ed25519 signature over exactly those bytes.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LicenseFileBody {
    /// The file format, `consign-license/1`.
    pub format: String,
    /// The id of the key that signed it (see `GET /api/v1/license-key`).
    pub key_id: String,
    /// The claims' JSON, base64.
    pub payload: String,
    /// The signature, base64.
    pub signature: String,
}

/// The service names the granted versions `versions`; the request calls them `versionIds`.
fn request_field(err: service::Error) -> ApiError {
    let mut api = ApiError::from(err);
    if api.field.as_deref() == Some("versions") {
        api.field = Some("versionIds".into());
    }
    api
}

/// Lists the licenses the caller may see.
#[utoipa::path(
    get,
    path = "/application-licenses",
    tag = "licenses",
    operation_id = "listApplicationLicenses",
    summary = "List licenses (vendor members: all; customer members: their own, whatever their status)",
    params(LicenseFilter),
    responses(
        (status = 200, description = "The licenses", body = [ApplicationLicense]),
        (status = 400, description = "A malformed or unknown query parameter", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiQuery(filter): ApiQuery<LicenseFilter>,
) -> Result<Json<Vec<ApplicationLicense>>, ApiError> {
    let all = service::licenses::list(&state.services, &actor).await?;
    Ok(Json(
        all.into_iter()
            .filter(|l| filter.application_id.is_none_or(|a| a == l.application_id))
            .filter(|l| {
                filter
                    .customer_organization_id
                    .is_none_or(|c| c == l.customer_organization_id)
            })
            .map(Into::into)
            .collect(),
    ))
}

/// Grants a license (vendor writers).
#[utoipa::path(
    post,
    path = "/application-licenses",
    tag = "licenses",
    operation_id = "createApplicationLicense",
    summary = "Grant a license (vendor writers)",
    request_body = CreateLicense,
    responses(
        (status = 201, description = "The new license", body = ApplicationLicense),
        (status = 400, description = "A malformed, unknown or unusable field, named in `field` (another vendor's customer or application, an expiry in the past, a version of another application…)", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not grant licenses", body = ErrorBody),
        (status = 409, description = "The name is taken (`field` = `name`)", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiJson(body): ApiJson<CreateLicense>,
) -> Result<(StatusCode, Json<ApplicationLicense>), ApiError> {
    let new = NewLicense {
        name: body.name,
        customer_organization_id: body.customer_organization_id,
        application_id: body.application_id,
        versions: body.version_ids,
        channels: match body.channels {
            Some(list) => licenses::channels(list)?,
            None => vec![ChannelName::stable()],
        },
        expires_at: body.expires_at,
        entitlements: licenses::entitlements(body.entitlements)?,
    };
    let created = service::licenses::create(&state.services, &actor, new, Utc::now())
        .await
        .map_err(request_field)?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// One license.
#[utoipa::path(
    get,
    path = "/application-licenses/{id}",
    tag = "licenses",
    operation_id = "getApplicationLicense",
    summary = "Get a license",
    params(("id" = String, Path, format = Uuid, description = "The license's id")),
    responses(
        (status = 200, description = "The license", body = ApplicationLicense),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 404, description = "No such license the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<LicenseId>,
) -> Result<Json<ApplicationLicense>, ApiError> {
    let found = service::licenses::get(&state.services, &actor, id).await?;
    Ok(Json(found.into()))
}

/// Changes a license (vendor writers); a revoked license cannot change.
#[utoipa::path(
    put,
    path = "/application-licenses/{id}",
    tag = "licenses",
    operation_id = "updateApplicationLicense",
    summary = "Change a license (vendor writers)",
    params(("id" = String, Path, format = Uuid, description = "The license's id")),
    request_body = UpdateLicense,
    responses(
        (status = 200, description = "The changed license", body = ApplicationLicense),
        (status = 400, description = "A malformed, unknown or unusable field, named in `field` (`customerOrganizationId` and `applicationId` cannot change; an expiry in the past; a revoked license)", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not change licenses", body = ErrorBody),
        (status = 404, description = "No such license of this vendor", body = ErrorBody),
        (status = 409, description = "The name is taken (`field` = `name`)", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<LicenseId>,
    ApiJson(body): ApiJson<UpdateLicense>,
) -> Result<Json<ApplicationLicense>, ApiError> {
    let change = LicenseUpdate {
        name: body.name,
        versions: body.version_ids,
        channels: body.channels.map(licenses::channels).transpose()?,
        expires_at: body.expires_at,
        entitlements: body.entitlements.map(licenses::entitlements).transpose()?,
    };
    let changed = service::licenses::update(&state.services, &actor, id, change, Utc::now())
        .await
        .map_err(request_field)?;
    Ok(Json(changed.into()))
}

/// Revokes a license (vendor writers): new deployments and updates stop at once; running
/// installations keep running. The license stays, with `revokedAt` set.
#[utoipa::path(
    delete,
    path = "/application-licenses/{id}",
    tag = "licenses",
    operation_id = "revokeApplicationLicense",
    summary = "Revoke a license (vendor writers)",
    params(("id" = String, Path, format = Uuid, description = "The license's id")),
    responses(
        (status = 200, description = "The revoked license (revoking twice keeps the first time)", body = ApplicationLicense),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not revoke licenses", body = ErrorBody),
        (status = 404, description = "No such license of this vendor", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn revoke(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<LicenseId>,
) -> Result<Json<ApplicationLicense>, ApiError> {
    let revoked = service::licenses::revoke(&state.services, &actor, id, Utc::now()).await?;
    Ok(Json(revoked.into()))
}

/// The signed license file of a license the caller may see (not of a revoked one).
#[utoipa::path(
    get,
    path = "/application-licenses/{id}/file",
    tag = "licenses",
    operation_id = "getApplicationLicenseFile",
    summary = "Download a license's signed license file",
    params(("id" = String, Path, format = Uuid, description = "The license's id")),
    responses(
        (status = 200, description = "The license file, as an attachment", body = LicenseFileBody),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The license was revoked, so it has no file (`not_licensed`)", body = ErrorBody),
        (status = 404, description = "No such license the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn file(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<LicenseId>,
) -> Result<impl IntoResponse, ApiError> {
    let services = &state.services;
    let file =
        service::licenses::signed_file(services, &services.signer, &actor, id, Utc::now()).await?;
    let body = LicenseFileBody {
        format: file.format,
        key_id: file.key_id,
        payload: file.payload,
        signature: file.signature,
    };
    Ok((
        [(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"license-{id}.json\""),
        )],
        Json(body),
    ))
}

/// The hub's public key, which verifies every license file the hub signs.
#[utoipa::path(
    get,
    path = "/license-key",
    tag = "licenses",
    operation_id = "getLicenseKey",
    summary = "The hub's public key for verifying license files",
    responses(
        (status = 200, description = "The key", body = LicenseKey),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn key(State(state): State<AppState>, _caller: Bearer) -> Json<LicenseKey> {
    let key = state.services.signer.public_key();
    Json(LicenseKey {
        algorithm: "ed25519",
        key_id: key.key_id(),
        public_key: key.to_base64(),
    })
}
