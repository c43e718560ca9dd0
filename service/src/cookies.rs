//! Reading one cookie out of `Cookie` request headers (the portals and the server's own routes
//! both need it; neither should parse cookies its own way).

/// The value of cookie `name` in the given `Cookie` header values, if present and not empty.
pub fn find<'a>(header_values: impl IntoIterator<Item = &'a str>, name: &str) -> Option<String> {
    header_values
        .into_iter()
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, value)| *key == name && !value.is_empty())
        .map(|(_, value)| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn finds_a_cookie_among_several_headers_and_pairs() {
        let headers = ["theme=dark; consign_session=abc", "other=1"];
        assert_eq!(find(headers, "consign_session").as_deref(), Some("abc"));
        assert_eq!(find(headers, "other").as_deref(), Some("1"));
        assert_eq!(find(headers, "missing"), None);
        assert_eq!(find(["consign_session="], "consign_session"), None);
        assert_eq!(find(["xconsign_session=abc"], "consign_session"), None);
    }
}
