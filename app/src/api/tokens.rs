//! Personal access tokens: create, list, revoke.
