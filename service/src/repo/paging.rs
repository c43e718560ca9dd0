//! The shared part of every paged list query: the search, the count of every match, and the
//! order, ending with the id so pages are stable.

use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ConnectionTrait, EntityTrait, FromQueryResult, Order, PaginatorTrait, QueryFilter, QueryOrder,
    Select,
};

use crate::Result;

/// `query` with `search` applied, counted, then ordered by `order` and finally by `id`; the
/// caller picks its columns and cuts the page.
pub async fn searched_and_ordered<E>(
    db: &impl ConnectionTrait,
    mut query: Select<E>,
    search: Option<Condition>,
    order: Vec<(Expr, Order)>,
    id: E::Column,
) -> Result<(Select<E>, u64)>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sync,
{
    if let Some(search) = search {
        query = query.filter(search);
    }
    let total = query.clone().count(db).await?;
    for (expr, dir) in order {
        query = query.order_by(expr, dir);
    }
    Ok((query.order_by_asc(id), total))
}
