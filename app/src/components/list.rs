//! What every paged list shares: the query read from the URL (`?q=…&sort=…&dir=…&page=N`), a
//! search box that is a plain GET form, sortable column headers and a pager that are plain
//! links, and the empty state. Without JavaScript every piece still works (the server renders
//! the page the URL asks for); hydrated, links navigate client-side and the list refetches.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
pub use types::list::{ListQuery, Page, SortDir, SortKey};

/// The list query in the URL, parsed once (unknown keys fall back, see [`ListQuery::parse`]).
pub fn use_list_query<S: SortKey>() -> Memo<ListQuery<S>> {
    let params = use_query_map();
    Memo::new(move |_| {
        params.with(|p| {
            ListQuery::parse(
                p.get_str("q"),
                p.get_str("sort"),
                p.get_str("dir"),
                p.get_str("page"),
            )
        })
    })
}

/// A search box: a GET form to `path` carrying the sort along, back to page 1.
#[component]
pub fn SearchBox<S: SortKey>(
    query: Memo<ListQuery<S>>,
    /// The list's path (`/targets`).
    #[prop(into)]
    path: String,
    /// What the box searches, as its placeholder ("Search by target or customer").
    #[prop(into)]
    placeholder: String,
) -> AnyView {
    let clear = path.clone();
    view! {
        <form method="get" action=path role="search" class="flex flex-wrap items-center gap-2" data-list-search="true">
            <input type="search" name="q" value=move || query.get().q aria-label=placeholder.clone() placeholder=placeholder.clone()
                class="w-72 rounded-md border border-slate-300 px-3 py-1.5 text-sm focus:border-slate-600 focus:outline-none" />
            {move || {
                let current = query.get();
                let keep_sort = current.sort != S::default() || current.dir != current.sort.first_dir();
                keep_sort.then(|| view! {
                    <input type="hidden" name="sort" value=current.sort.as_str() />
                    <input type="hidden" name="dir" value=current.dir.as_str() />
                })
            }}
            <button type="submit" class="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">"Search"</button>
            {move || (!query.get().q.is_empty()).then(|| view! {
                <a href=clear.clone() class="text-sm text-accent" data-clear-search="true">"Clear"</a>
            })}
        </form>
    }
    .into_any()
}

/// A column header that sorts the list by `key` (again: the other way round).
#[component]
pub fn SortHeader<S: SortKey>(
    query: Memo<ListQuery<S>>,
    /// The list's path.
    #[prop(into)]
    path: String,
    /// The column.
    key: S,
    /// Its label.
    label: &'static str,
) -> AnyView {
    let href = {
        let path = path.clone();
        move || query.get().sorted_by(key).href(&path)
    };
    let aria = move || {
        let q = query.get();
        (q.sort == key).then_some(match q.dir {
            SortDir::Asc => "ascending",
            SortDir::Desc => "descending",
        })
    };
    let arrow = move || {
        let q = query.get();
        match (q.sort == key, q.dir) {
            (false, _) => "",
            (true, SortDir::Asc) => " ↑",
            (true, SortDir::Desc) => " ↓",
        }
    };
    view! {
        <th scope="col" class="py-2 pr-3 font-medium" aria-sort=aria>
            <a href=href class="hover:text-accent" data-sort=key.as_str()>{label}{arrow}</a>
        </th>
    }
    .into_any()
}

/// Links to sort by each of `keys` (for lists that are not tables).
#[component]
pub fn SortLinks<S: SortKey>(
    query: Memo<ListQuery<S>>,
    /// The list's path.
    #[prop(into)]
    path: String,
    /// The columns with their labels.
    keys: &'static [(S, &'static str)],
) -> AnyView {
    view! {
        <p class="flex flex-wrap items-center gap-3 text-sm text-slate-500" data-sort-links="true">
            "Sort by"
            {keys.iter().map(|&(key, label)| {
                let path = path.clone();
                let href = move || query.get().sorted_by(key).href(&path);
                let arrow = move || {
                    let q = query.get();
                    match (q.sort == key, q.dir) {
                        (false, _) => "",
                        (true, SortDir::Asc) => " ↑",
                        (true, SortDir::Desc) => " ↓",
                    }
                };
                let current = move || (query.get().sort == key).then_some("true");
                view! {
                    <a href=href aria-current=current data-sort=key.as_str()
                        class="text-accent aria-[current]:font-semibold">{label}{arrow}</a>
                }
            }).collect_view()}
        </p>
    }
    .into_any()
}

/// "1–50 of 812" with links to the previous and next pages; `shown` rows are on this page.
#[component]
pub fn Pager<S: SortKey>(
    query: ListQuery<S>,
    /// Rows over every page.
    total: u64,
    /// Rows on this page.
    shown: usize,
    /// The list's path.
    #[prop(into)]
    path: String,
) -> AnyView {
    let page = Page {
        items: vec![(); shown],
        total,
        page: query.page,
    };
    let link = "rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50";
    let off = "rounded-md border border-slate-200 px-3 py-1 text-slate-300";
    let previous = (page.page > 1).then(|| query.on_page(page.page - 1).href(&path));
    let next = (page.page < page.pages()).then(|| query.on_page(page.page + 1).href(&path));
    view! {
        <nav class="mt-4 flex flex-wrap items-center justify-between gap-2 text-sm text-slate-600" aria-label="Pages" data-pager="true">
            <span data-range="true">{page.range_label()}</span>
            <span class="flex items-center gap-2">
                <span class="text-slate-500">{format!("Page {} of {}", page.page, page.pages())}</span>
                {match previous {
                    Some(href) => view! { <a href=href rel="prev" class=link data-page="prev">"← Previous"</a> }.into_any(),
                    None => view! { <span class=off aria-disabled="true">"← Previous"</span> }.into_any(),
                }}
                {match next {
                    Some(href) => view! { <a href=href rel="next" class=link data-page="next">"Next →"</a> }.into_any(),
                    None => view! { <span class=off aria-disabled="true">"Next →"</span> }.into_any(),
                }}
            </span>
        </nav>
    }
    .into_any()
}

/// What an empty list says: with a search, that nothing matches and how to clear it; without,
/// `nothing_yet` (what to do next).
#[component]
pub fn EmptyList(
    /// The search text.
    #[prop(into)]
    q: String,
    /// The rows' name, plural ("targets").
    noun: &'static str,
    /// What to say when there is nothing at all ("No targets yet. Add one above…").
    #[prop(into)]
    nothing_yet: String,
    /// The list's path (the search is cleared by going there).
    #[prop(into)]
    path: String,
    /// The paragraph's id.
    #[prop(optional)]
    id: &'static str,
) -> AnyView {
    let id = (!id.is_empty()).then_some(id);
    if q.is_empty() {
        view! { <p class="mt-2 text-slate-500" id=id data-empty="true">{nothing_yet}</p> }
            .into_any()
    } else {
        view! {
            <p class="mt-2 text-slate-500" id=id data-empty="true">
                {format!("No {noun} match “{q}”. ")}
                <a href=path class="text-accent" data-clear-search="true">"Clear the search"</a>
            </p>
        }
        .into_any()
    }
}
