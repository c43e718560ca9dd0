//! Consign's two portals — the vendor portal and the white-labelled customer portal — as Leptos
//! components, rendered on the server (`ssr`) and hydrated in the browser (`hydrate`).
//!
//! Server functions live in [`api`] and stay thin: take the [`service::Services`] from context,
//! check who is asking, call one service function, map its error through [`error::AppError`].
//! This crate never talks to the database itself. `session` (on the server only) turns the session
//! cookie into the signed-in person, for server functions and the hub's own routes alike.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
#[cfg(feature = "ssr")]
pub mod cookies;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod session;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

/// The name of the generated bundle before hashing. `cargo xtask build-site` publishes it as
/// `/pkg/consign.<hash>.js`, `/pkg/consign.<hash>_bg.wasm` and `/pkg/consign.<hash>.css`; the
/// hub passes that name to [`shell`] as `options.output_name`.
pub const OUTPUT_NAME: &str = "consign";

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                // The bundle's stylesheet, under the same hashed name as its script and wasm.
                <link rel="stylesheet" href=format!("/{}/{}.css", options.site_pkg_dir, options.output_name) />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
}

/// The application: both portals and their routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    components::live::provide_live_events();
    view! {
        <Title text="Consign" />
        <Router>
            <Routes fallback=pages::not_found::NotFound>
                <Route ssr=SsrMode::InOrder path=StaticSegment("") view=pages::vendor::VendorPortal />
                <Route ssr=SsrMode::InOrder path=StaticSegment("portal") view=pages::customer::CustomerPortal />
                <Route ssr=SsrMode::InOrder path=StaticSegment("signup") view=pages::signup::SignUpPage />
                <Route ssr=SsrMode::InOrder path=StaticSegment("customers") view=pages::customers::CustomersPage />
                <Route ssr=SsrMode::InOrder                     path=(StaticSegment("customers"), ParamSegment("id"))
                    view=pages::customer_detail::CustomerDetailPage
                />
                <Route ssr=SsrMode::InOrder path=StaticSegment("users") view=pages::users::UsersPage />
                <Route ssr=SsrMode::InOrder path=StaticSegment("applications") view=pages::applications::ApplicationsPage />
                <Route ssr=SsrMode::InOrder                     path=(StaticSegment("applications"), ParamSegment("id"))
                    view=pages::application::ApplicationPage
                />
                <Route ssr=SsrMode::InOrder path=StaticSegment("licenses") view=pages::licenses::LicensesPageView />
                <Route ssr=SsrMode::InOrder path=StaticSegment("targets") view=pages::targets::VendorTargetsPage />
                <Route ssr=SsrMode::InOrder path=(StaticSegment("targets"), ParamSegment("id")) view=pages::deploy::VendorDeployPage />
                <Route ssr=SsrMode::InOrder path=(StaticSegment("deployments"), ParamSegment("id")) view=pages::deployment::VendorDeploymentPage />
                <Route ssr=SsrMode::InOrder path=StaticSegment("fleet") view=pages::fleet::FleetPage />
                <Route ssr=SsrMode::InOrder path=StaticSegment("deployments") view=pages::deployments::VendorDeploymentsPage />
                <Route ssr=SsrMode::InOrder path=(StaticSegment("portal"), StaticSegment("deployments")) view=pages::deployments::CustomerDeploymentsPage />
                <Route ssr=SsrMode::InOrder path=(StaticSegment("portal"), StaticSegment("targets")) view=pages::targets::CustomerTargetsPage />
                <Route ssr=SsrMode::InOrder path=(StaticSegment("portal"), StaticSegment("targets"), ParamSegment("id"))
                    view=pages::deploy::CustomerDeployPage
                />
                <Route ssr=SsrMode::InOrder path=(StaticSegment("portal"), StaticSegment("deployments"), ParamSegment("id"))
                    view=pages::deployment::CustomerDeploymentPage
                />
                <Route ssr=SsrMode::InOrder path=StaticSegment("account") view=pages::account::AccountPage />
                <Route ssr=SsrMode::InOrder path=StaticSegment("forgot") view=pages::email_links::ForgotPage />
                <Route ssr=SsrMode::InOrder path=(StaticSegment("reset"), ParamSegment("token")) view=pages::email_links::ResetPage />
                <Route ssr=SsrMode::InOrder path=(StaticSegment("verify"), ParamSegment("token")) view=pages::email_links::VerifyPage />
                <Route ssr=SsrMode::InOrder                     path=(StaticSegment("change-email"), ParamSegment("token"))
                    view=pages::email_links::ChangeEmailPage
                />
                <Route ssr=SsrMode::InOrder path=StaticSegment("tokens") view=pages::tokens::TokensPage />
                <Route ssr=SsrMode::InOrder path=StaticSegment("artifacts") view=pages::artifacts::ArtifactsPage />
                <Route ssr=SsrMode::InOrder path=StaticSegment("branding") view=pages::branding::BrandingPage />
                <Route ssr=SsrMode::InOrder path=(StaticSegment("invite"), ParamSegment("token")) view=pages::invite::InvitePage />
            </Routes>
        </Router>
    }
}
