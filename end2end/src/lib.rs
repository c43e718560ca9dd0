//! Support for whole-system tests: a real hub served on 127.0.0.1:0 with the real site bundle,
//! and a real headless chromium driven through chromedriver.
//!
//! The site must have been built (`cargo xtask build-site`; `cargo xtask test` does it) and
//! `CONSIGN_SITE_ROOT` must name it.

pub mod browser;
pub mod hub;
pub mod smtp;
