//! The one way user text becomes HTML outside the Leptos views: every server-rendered page,
//! email and document that writes HTML by hand escapes interpolated text with [`escape`].

use std::borrow::Cow;

/// Escapes `&`, `<`, `>`, `"` and `'`, so that `text` is inert wherever it lands: element
/// text (including the raw-text content of a `<textarea>` or `<title>`) and quoted attribute
/// values.
pub fn escape(text: &str) -> Cow<'_, str> {
    html_escape::encode_quoted_attribute(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_in_user_text_can_close_an_element_or_an_attribute() {
        let escaped = escape("</textarea><script>x=1</script>\"' onerror=\"x\" &amp;");
        for dangerous in ["<", ">", "\"", "'"] {
            assert!(!escaped.contains(dangerous), "{escaped}");
        }
        assert!(escaped.contains("&amp;amp;"), "{escaped}");
        assert_eq!(escape("plain text"), "plain text");
    }
}
