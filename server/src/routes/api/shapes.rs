//! The shapes of the strings the API accepts, as named schemas of the OpenAPI document, so a
//! client (or a schema-based fuzzer) learns from the document alone what the hub refuses.
//!
//! Each schema says exactly what the parser behind it accepts, or a little less where JSON
//! Schema cannot say more (a display name may be sent with surrounding spaces, which the hub
//! trims; the schema asks for none). It must never say more: every value valid by the schema
//! is accepted (`tests/schemathesis.rs` sends such values and fails on a refusal).
//!
//! The patterns are written with explicit character ranges instead of `\s` or `\p{…}`:
//! the hub trims with Rust's notion of white space, and ECMAScript's and Python's `\s` each
//! differ from it (U+FEFF, U+001C…U+001F), which would let a generator produce a value the
//! hub trims to nothing.

use std::borrow::Cow;

use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{KnownFormat, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// Control characters (Unicode `Cc`): what `char::is_control` refuses.
const CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";
/// Control characters and white space (Unicode `White_Space`): what `str::trim` removes, and
/// what no display name may start or end with.
const CONTROL_OR_SPACE: &str =
    r"\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

fn string(description: &str, min: Option<usize>, max: usize, pattern: String) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .min_length(min)
        .max_length(Some(max))
        .pattern(Some(pattern))
        .build()
}

/// A display name of 1 to `max` characters: no control characters, not blank, and (as the
/// schema asks) no white space at either end.
fn display_name_pattern() -> String {
    format!("^[^{CONTROL_OR_SPACE}]([^{CONTROL}]*[^{CONTROL_OR_SPACE}])?$")
}

/// Declares a named string schema from a description and its constraints.
macro_rules! shape {
    ($(#[$meta:meta])* $name:ident, $build:expr) => {
        $(#[$meta])*
        #[derive(Debug)]
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                let object: Object = $build;
                RefOr::T(Schema::Object(object))
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

shape!(
    /// The name of an organization, customer, application, deployment target, license or
    /// access token.
    DisplayName,
    string(
        "1 to 100 characters, no control characters, not only white space (the hub trims \
         white space at either end; this schema asks for none)",
        Some(1),
        100,
        display_name_pattern(),
    )
);

shape!(
    /// A version's name, such as `1.4.2`.
    VersionName,
    string(
        "1 to 64 characters without white space, control characters or `/` (it appears in \
         file names, tags and URLs), such as `1.4.2`",
        Some(1),
        64,
        format!("^[^/{CONTROL_OR_SPACE}]+$"),
    )
);

shape!(
    /// A release channel, such as `stable`.
    ChannelName,
    string(
        "1 to 32 lower-case letters, digits or hyphens, starting with a letter, such as `stable`",
        Some(1),
        32,
        "^[a-z][a-z0-9-]*$".into(),
    )
);

shape!(
    /// A secret's key, as `{{ secrets.KEY }}` names it in an env file.
    SecretKey,
    string(
        "1 to 100 letters, digits or `_`, not starting with a digit, such as `DB_PASSWORD`",
        Some(1),
        100,
        "^[A-Za-z_][A-Za-z0-9_]*$".into(),
    )
);

shape!(
    /// The key of a license entitlement, such as `seats`.
    EntitlementKey,
    string(
        "1 to 64 letters, digits, `_`, `-` or `.`, starting with a letter, such as `seats` or \
         `feature.sso`",
        Some(1),
        64,
        "^[A-Za-z][A-Za-z0-9_.-]*$".into(),
    )
);

shape!(
    /// An email address.
    EmailAddress,
    {
        let mut object = string(
            "An address of at most 254 characters with one `@`, a dotted domain and no white \
             space (the hub lower-cases it)",
            Some(3),
            254,
            format!(
                "^[^@{CONTROL_OR_SPACE}]+@[^@.{CONTROL_OR_SPACE}][^@{CONTROL_OR_SPACE}]*\\.\
                 [^@{CONTROL_OR_SPACE}]*[^@.{CONTROL_OR_SPACE}]$"
            ),
        );
        object.format = Some(SchemaFormat::KnownFormat(KnownFormat::Email));
        object
    }
);

shape!(
    /// A license's entitlements: named values the application reads from its license file.
    Entitlements,
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "At most 100 entries; keys of 1 to 64 letters, digits, `_`, `-` or `.` starting \
             with a letter, values of at most 1,000 characters",
        ))
        .property_names(Some(EntitlementKey::schema_object()))
        .additional_properties(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(1000)),
        ))
        .max_properties(Some(100))
        .build()
);

impl EntitlementKey {
    /// The key schema inline (JSON Schema's `propertyNames` takes a schema, not a reference).
    fn schema_object() -> Object {
        match <Self as PartialSchema>::schema() {
            RefOr::T(Schema::Object(object)) => object,
            _ => Object::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A shape's pattern and length limits, as a check of a candidate value.
    fn valid_by<T: PartialSchema>() -> impl Fn(&str) -> bool {
        let RefOr::T(Schema::Object(object)) = T::schema() else {
            panic!("a shape is an inline object schema");
        };
        let pattern = regex::Regex::new(object.pattern.as_deref().unwrap()).unwrap();
        let (min, max) = (object.min_length.unwrap_or(0), object.max_length.unwrap());
        move |value: &str| {
            let n = value.chars().count();
            (min..=max).contains(&n) && pattern.is_match(value)
        }
    }

    /// Values around every edge a parser has: each character of the first planes alone, as
    /// the first, middle and last of three, and long runs.
    fn candidates() -> Vec<String> {
        let mut all: Vec<String> = [
            "",
            "a",
            "Shop",
            "1.4.2",
            "ops@example.com",
            "a@b.c",
            "a@b.",
            "a@.b",
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        for c in (0u32..0x3100)
            .chain([0xfeff, 0xffff, 0x1f600])
            .filter_map(char::from_u32)
        {
            all.extend([
                c.to_string(),
                format!("{c}ab"),
                format!("a{c}b"),
                format!("ab{c}"),
                format!("x{c}@example.com"),
                format!("x@ex{c}ample.com"),
            ]);
        }
        for n in [31, 32, 33, 63, 64, 65, 99, 100, 101, 254, 255] {
            all.push("a".repeat(n));
            all.push(format!("{}@b.co", "a".repeat(n)));
        }
        all
    }

    /// Whatever a shape accepts, its parser accepts: the document never says more than the hub.
    fn never_says_more<T: PartialSchema>(name: &str, parser: impl Fn(&str) -> bool) {
        let valid = valid_by::<T>();
        let mut accepted = 0;
        for value in candidates() {
            if valid(&value) {
                accepted += 1;
                assert!(
                    parser(&value),
                    "{name} allows {value:?}, which the hub refuses"
                );
            }
        }
        assert!(accepted > 100, "{name} allows only {accepted} candidates");
    }

    #[test]
    fn every_value_a_shape_allows_is_accepted_by_its_parser() {
        never_says_more::<DisplayName>("DisplayName", |v| {
            types::OrganizationName::parse(v).is_ok()
                && types::ApplicationName::parse(v).is_ok()
                && service::access_tokens::validate_label(v.to_string()).is_ok()
        });
        never_says_more::<VersionName>("VersionName", |v| types::VersionName::parse(v).is_ok());
        never_says_more::<ChannelName>("ChannelName", |v| types::ChannelName::parse(v).is_ok());
        never_says_more::<SecretKey>("SecretKey", service::secrets::is_valid_key);
        never_says_more::<EntitlementKey>("EntitlementKey", |v| {
            types::EntitlementKey::parse(v).is_ok()
        });
        never_says_more::<EmailAddress>("EmailAddress", |v| types::Email::parse(v).is_ok());
    }

    #[test]
    fn shapes_allow_the_documented_examples_and_not_their_near_misses() {
        let name = valid_by::<DisplayName>();
        assert!(name("Acme Inc.") && name("Ünïcode ☃") && !name(" ") && !name(" Acme"));
        assert!(!name("a\u{85}b") && !name(&"x".repeat(101)));
        let email = valid_by::<EmailAddress>();
        assert!(email("grace@globex.example") && !email("grace@globex") && !email("a b@c.d"));
        let channel = valid_by::<ChannelName>();
        assert!(channel("stable") && channel("beta-2") && !channel("Beta") && !channel("2beta"));
    }
}
