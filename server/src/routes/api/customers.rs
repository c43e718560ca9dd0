//! `/api/v1/customer-organizations`: the vendor's customers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use types::{CustomerOrganizationId, OrganizationName};
use utoipa::ToSchema;

use super::error::ErrorBody;
use super::params::ApiPath;
use super::{ApiError, ApiJson, Bearer};
use crate::state::AppState;

/// A customer organization of the vendor.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerOrganization {
    /// Its id.
    #[schema(value_type = String, format = Uuid)]
    pub id: CustomerOrganizationId,
    /// Its name, unique within the vendor.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<service::customers::Customer> for CustomerOrganization {
    fn from(c: service::customers::Customer) -> Self {
        Self {
            id: c.id,
            name: c.name,
            created_at: c.created_at,
        }
    }
}

/// A customer to create, or the changes to one.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerOrganizationRequest {
    /// Its name: 1 to 100 characters, no control characters, unique within the vendor.
    #[schema(example = "Globex", value_type = super::shapes::DisplayName)]
    pub name: String,
}

fn parse_name(name: String) -> Result<OrganizationName, ApiError> {
    Ok(OrganizationName::parse(name).map_err(service::Error::from)?)
}

/// Lists the customers the caller may see.
#[utoipa::path(
    get,
    path = "/customer-organizations",
    tag = "customers",
    operation_id = "listCustomerOrganizations",
    summary = "List customers (vendor members: all; customer members: their own)",
    responses(
        (status = 200, description = "The customers, by name", body = [CustomerOrganization]),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
) -> Result<Json<Vec<CustomerOrganization>>, ApiError> {
    let all = service::customers::list(&state.services, &actor).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// Creates a customer (vendor admins and read-write members).
#[utoipa::path(
    post,
    path = "/customer-organizations",
    tag = "customers",
    operation_id = "createCustomerOrganization",
    summary = "Create a customer (vendor writers)",
    request_body = CustomerOrganizationRequest,
    responses(
        (status = 201, description = "The new customer", body = CustomerOrganization),
        (status = 400, description = "A malformed or unknown field, named in `field`", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not create customers", body = ErrorBody),
        (status = 409, description = "The name is taken (`field` = `name`)", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiJson(body): ApiJson<CustomerOrganizationRequest>,
) -> Result<(StatusCode, Json<CustomerOrganization>), ApiError> {
    let name = parse_name(body.name)?;
    let created = service::customers::create(&state.services, &actor, name).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// One customer.
#[utoipa::path(
    get,
    path = "/customer-organizations/{id}",
    tag = "customers",
    operation_id = "getCustomerOrganization",
    summary = "Get a customer",
    params(("id" = String, Path, format = Uuid, description = "The customer's id")),
    responses(
        (status = 200, description = "The customer", body = CustomerOrganization),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 404, description = "No such customer the caller may see", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<CustomerOrganizationId>,
) -> Result<Json<CustomerOrganization>, ApiError> {
    let found = service::customers::get(&state.services, &actor, id).await?;
    Ok(Json(found.into()))
}

/// Renames a customer (vendor admins and read-write members).
#[utoipa::path(
    put,
    path = "/customer-organizations/{id}",
    tag = "customers",
    operation_id = "updateCustomerOrganization",
    summary = "Rename a customer (vendor writers)",
    params(("id" = String, Path, format = Uuid, description = "The customer's id")),
    request_body = CustomerOrganizationRequest,
    responses(
        (status = 200, description = "The renamed customer", body = CustomerOrganization),
        (status = 400, description = "A malformed or unknown field, named in `field`", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller may not change customers", body = ErrorBody),
        (status = 404, description = "No such customer of this vendor", body = ErrorBody),
        (status = 409, description = "The name is taken (`field` = `name`)", body = ErrorBody),
        (status = 415, description = "The body is not JSON", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<CustomerOrganizationId>,
    ApiJson(body): ApiJson<CustomerOrganizationRequest>,
) -> Result<Json<CustomerOrganization>, ApiError> {
    let name = parse_name(body.name)?;
    let renamed = service::customers::rename(&state.services, &actor, id, name).await?;
    Ok(Json(renamed.into()))
}

/// Deletes a customer with its users' memberships and its invitations (vendor admins).
#[utoipa::path(
    delete,
    path = "/customer-organizations/{id}",
    tag = "customers",
    operation_id = "deleteCustomerOrganization",
    summary = "Delete a customer (vendor admins)",
    params(("id" = String, Path, format = Uuid, description = "The customer's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is malformed", body = ErrorBody),
        (status = 401, description = "No, or an unusable, access token", body = ErrorBody),
        (status = 403, description = "The caller is not a vendor admin", body = ErrorBody),
        (status = 404, description = "No such customer of this vendor", body = ErrorBody),
    ),
    security(("accessToken" = []))
)]
pub async fn delete(
    State(state): State<AppState>,
    Bearer(actor): Bearer,
    ApiPath(id): ApiPath<CustomerOrganizationId>,
) -> Result<StatusCode, ApiError> {
    service::customers::delete(&state.services, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
