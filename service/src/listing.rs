//! What every paged list shares: the query model of `types::list` and the SQL pieces that apply
//! it (a case-insensitive substring search over some columns, an order, a count and one page),
//! the same on SQLite and PostgreSQL.

pub use types::list::{
    ArtifactSort, CustomerSort, DeploymentSort, FleetSort, LicenseSort, ListQuery, PAGE_SIZE, Page,
    SortDir, SortKey, TargetSort, UserSort,
};

use sea_orm::Order;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, IntoColumnRef, LikeExpr};

/// The SQL order of a direction.
pub(crate) fn order(dir: SortDir) -> Order {
    match dir {
        SortDir::Asc => Order::Asc,
        SortDir::Desc => Order::Desc,
    }
}

/// `LOWER(col)`: names sort and match without regard to case, alike on both databases
/// (PostgreSQL's `LIKE` is case-sensitive, SQLite's is not; their default orders differ too).
pub(crate) fn lower(col: impl IntoColumnRef) -> Expr {
    Func::lower(Expr::col(col)).into()
}

/// `LOWER(COALESCE(col, ''))`, for an optional name (a vendor-managed target has no customer):
/// missing names sort first on both databases (their NULL orders differ).
pub(crate) fn lower_or_empty(col: impl IntoColumnRef) -> Expr {
    Func::lower(Func::coalesce([Expr::col(col), Expr::val("")])).into()
}

/// Whether any of `cols` (each lowercased) contains the query's search text; `None` without
/// search text.
pub(crate) fn search<S: SortKey>(
    query: &ListQuery<S>,
    cols: impl IntoIterator<Item = Expr>,
) -> Option<Condition> {
    let pattern = query.like_pattern()?;
    Some(cols.into_iter().fold(Condition::any(), |any, col| {
        any.add(col.like(LikeExpr::new(pattern.clone()).escape('\\')))
    }))
}

/// The page of `query` with its rows and total.
pub(crate) fn page<S: SortKey, T>(query: &ListQuery<S>, items: Vec<T>, total: u64) -> Page<T> {
    Page {
        items,
        total,
        page: query.page,
    }
}

/// `services` on a connection that counts every SQL statement it runs, and the counter (for
/// tests and benchmarks that check a page costs a fixed number of queries).
#[cfg(any(test, feature = "testing"))]
pub fn counting_queries(
    services: &crate::Services,
) -> (
    crate::Services,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let count = Arc::new(AtomicUsize::new(0));
    let mut counted = services.clone();
    let seen = Arc::clone(&count);
    counted.db.set_metric_callback(move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
    });
    (counted, count)
}
