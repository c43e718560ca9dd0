//! Bounds on the YAML and JSON documents the hub parses for its users: compose files, Helm
//! values, OCI manifests. Parsers can be made to work hard by nesting alone: the YAML parser
//! under `serde_yaml` (libyaml) spends time proportional to the nesting depth on every token,
//! so a quarter-megabyte of `[[[[…` takes it tens of seconds. Each document is therefore
//! measured first by a pass linear in its length ([`yaml_depth`], [`json_depth`]), refused when
//! it nests deeper than [`MAX_DEPTH`], and only then parsed, away from the async workers
//! ([`parse_off_runtime`]).

use crate::{Error, Result};

/// The deepest nesting accepted in a YAML or JSON document: far beyond any real compose file,
/// values file or manifest (those nest a handful of levels), far below where parsing slows.
pub const MAX_DEPTH: usize = 64;

/// Refuses `text` for `field` when it is longer than `max_bytes` or nests deeper than
/// [`MAX_DEPTH`] as YAML; the message names the limit.
pub fn check_yaml(field: &'static str, what: &str, text: &str, max_bytes: usize) -> Result<()> {
    if text.len() > max_bytes {
        return Err(Error::invalid(
            field,
            format!("the {what} is larger than {} KiB", max_bytes / 1024),
        ));
    }
    if let Some(line) = yaml_depth(text, MAX_DEPTH) {
        return Err(too_deep(field, what, line));
    }
    Ok(())
}

fn too_deep(field: &'static str, what: &str, line: usize) -> Error {
    Error::invalid(
        field,
        format!("the {what} nests deeper than {MAX_DEPTH} levels (at line {line})"),
    )
}

/// Runs `parse` on the blocking pool, so a long parse never holds up the async workers that
/// answer every other request.
pub async fn parse_off_runtime<T, F>(parse: F) -> Result<T>
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(parse)
        .await
        .map_err(|e| Error::storage_caused("a document parse did not finish", e))?
}

/// The line (1-based) where JSON `bytes` first nests deeper than `max` arrays and objects, or
/// `None`. Exact, since JSON strings are the only place brackets are not structure.
pub fn json_depth(bytes: &[u8], max: usize) -> Option<usize> {
    let (mut depth, mut line) = (0usize, 1usize);
    let (mut in_string, mut escaped) = (false, false);
    for &b in bytes {
        if b == b'\n' {
            line += 1;
        }
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Some(line);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The line (1-based) where YAML `text` first nests deeper than `max` collections, block and
/// flow together, or `None`.
///
/// It follows libyaml's scanner just far enough to know where tokens start (and so which
/// quotes open quoted scalars, which `#` open comments, which lines belong to block scalars
/// and which continue a plain scalar), keeping the stack of block indentations as libyaml
/// does. Where it cannot tell, it errs towards counting a bracket as nesting: a document may
/// be refused that libyaml would have found shallower, never the other way round.
pub fn yaml_depth(text: &str, max: usize) -> Option<usize> {
    Scanner::new(text, max).run()
}

/// What the scanner is in the middle of.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between tokens.
    Between,
    /// A plain scalar.
    Plain,
    /// A single-quoted scalar.
    Single,
    /// A double-quoted scalar (`escaped`: the previous character was a backslash).
    Double { escaped: bool },
    /// A comment, to the end of the line.
    Comment,
    /// A tag, anchor or alias name, to the next blank (or flow indicator in flow context).
    Property,
}

struct Scanner<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    max: usize,
    line: usize,
    column: usize,
    /// Open flow collections.
    flow: usize,
    /// Block indentation columns, innermost last (libyaml's `indents` with `indent`).
    indents: Vec<usize>,
    state: State,
    /// The column where the token that may become a simple key (`key:`) started on this line.
    key_column: Option<usize>,
    /// Whether the previous character was a blank (or the line start).
    after_blank: bool,
}

fn is_blank(c: Option<char>) -> bool {
    matches!(c, None | Some(' ' | '\t' | '\r' | '\n'))
}

fn is_flow_indicator(c: char) -> bool {
    matches!(c, ',' | '[' | ']' | '{' | '}')
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str, max: usize) -> Self {
        Self {
            chars: text.chars().peekable(),
            max,
            line: 1,
            column: 0,
            flow: 0,
            indents: Vec::new(),
            state: State::Between,
            key_column: None,
            after_blank: true,
        }
    }

    fn too_deep(&self) -> bool {
        self.flow + self.indents.len() > self.max
    }

    /// libyaml's `unroll_indent`: leaving columns left of the current block.
    fn unroll(&mut self, column: usize) {
        if self.flow == 0 {
            while self.indents.last().is_some_and(|&i| i > column) {
                self.indents.pop();
            }
        }
    }

    /// libyaml's `roll_indent`: a block collection starting at `column`.
    fn roll(&mut self, column: usize) -> bool {
        if self.flow == 0 && self.indents.last().is_none_or(|&i| column > i) {
            self.indents.push(column);
        }
        self.too_deep()
    }

    /// The block indentation libyaml compares continuation lines with (`-1` at top level).
    fn indent(&self) -> Option<usize> {
        self.indents.last().copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 0;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn run(mut self) -> Option<usize> {
        while let Some(&c) = self.chars.peek() {
            let column = self.column;
            match self.state {
                State::Between => {
                    if self.between(c, column) {
                        return Some(self.line);
                    }
                    continue;
                }
                State::Plain => {
                    if self.plain(c) {
                        return Some(self.line);
                    }
                    continue;
                }
                State::Single => {
                    self.bump();
                    if c == '\'' {
                        // `''` is a quote inside the scalar.
                        if self.chars.peek() == Some(&'\'') {
                            self.bump();
                        } else {
                            self.end_token();
                        }
                    }
                }
                State::Double { escaped } => {
                    self.bump();
                    self.state = match (escaped, c) {
                        (true, _) => State::Double { escaped: false },
                        (false, '\\') => State::Double { escaped: true },
                        (false, '"') => {
                            self.end_token();
                            continue;
                        }
                        _ => State::Double { escaped: false },
                    };
                }
                State::Comment => {
                    if c == '\n' {
                        self.state = State::Between;
                    } else {
                        self.bump();
                    }
                }
                State::Property => {
                    if is_blank(Some(c)) || (self.flow > 0 && is_flow_indicator(c)) {
                        self.state = State::Between;
                    } else {
                        self.bump();
                    }
                }
            }
        }
        None
    }

    /// After a quoted scalar: back between tokens, where `:` may follow.
    fn end_token(&mut self) {
        self.state = State::Between;
        self.after_blank = false;
    }

    /// One character between tokens; returns whether the document is too deep.
    fn between(&mut self, c: char, column: usize) -> bool {
        match c {
            ' ' | '\t' | '\r' => {
                self.bump();
                self.after_blank = true;
                return false;
            }
            '\n' => {
                self.bump();
                self.after_blank = true;
                if self.flow == 0 {
                    self.key_column = None;
                }
                return false;
            }
            _ => {}
        }
        self.unroll(column);
        let next = {
            let mut ahead = self.chars.clone();
            ahead.next();
            ahead.next()
        };
        match c {
            '#' => {
                self.state = State::Comment;
                self.bump();
            }
            '[' | '{' => {
                self.key_column.get_or_insert(column);
                self.flow += 1;
                self.bump();
                self.after_blank = false;
                return self.too_deep();
            }
            ']' | '}' => {
                self.flow = self.flow.saturating_sub(1);
                self.bump();
                self.after_blank = false;
            }
            ',' => {
                self.bump();
                self.after_blank = true;
            }
            '-' if column == 0 && self.at_document_marker('-') => {
                self.document_marker();
            }
            '.' if column == 0 && self.at_document_marker('.') => {
                self.document_marker();
            }
            '%' if column == 0 => {
                self.state = State::Comment;
            }
            '-' | '?' if is_blank(next) => {
                self.bump();
                self.after_blank = true;
                self.key_column = None;
                return self.roll(column);
            }
            ':' if self.flow > 0 || is_blank(next) => {
                self.bump();
                self.after_blank = true;
                if let Some(key) = self.key_column.take() {
                    return self.roll(key);
                }
            }
            '\'' => {
                self.key_column.get_or_insert(column);
                self.state = State::Single;
                self.bump();
            }
            '"' => {
                self.key_column.get_or_insert(column);
                self.state = State::Double { escaped: false };
                self.bump();
            }
            '&' | '!' | '*' => {
                self.key_column.get_or_insert(column);
                self.state = State::Property;
                self.bump();
            }
            '|' | '>' if self.flow == 0 => {
                self.block_scalar();
            }
            _ => {
                self.key_column.get_or_insert(column);
                self.state = State::Plain;
                self.bump();
                self.after_blank = false;
            }
        }
        false
    }

    fn at_document_marker(&self, c: char) -> bool {
        let mut ahead = self.chars.clone();
        ahead.next() == Some(c)
            && ahead.next() == Some(c)
            && ahead.next() == Some(c)
            && is_blank(ahead.next())
    }

    /// `---` or `...`: a new document starts with no block open.
    fn document_marker(&mut self) {
        for _ in 0..3 {
            self.bump();
        }
        self.indents.clear();
        self.flow = 0;
        self.key_column = None;
    }

    /// One character of a plain scalar; returns whether the document is too deep.
    fn plain(&mut self, c: char) -> bool {
        let next = {
            let mut ahead = self.chars.clone();
            ahead.next();
            ahead.next()
        };
        match c {
            ':' if is_blank(next) || (self.flow > 0 && next.is_some_and(is_flow_indicator)) => {
                self.state = State::Between;
            }
            c if self.flow > 0 && is_flow_indicator(c) => self.state = State::Between,
            '#' if self.after_blank => self.state = State::Between,
            ' ' | '\t' | '\r' => {
                self.bump();
                self.after_blank = true;
            }
            '\n' => {
                self.bump();
                self.after_blank = true;
                if self.flow == 0 {
                    return self.block_plain_continues();
                }
            }
            _ => {
                self.bump();
                self.after_blank = false;
            }
        }
        false
    }

    /// After a line break inside a plain scalar in block context: libyaml continues the scalar
    /// on the next non-empty line when it is indented past the current block, does not start
    /// with `#` and is no document marker; otherwise the line starts with a new token.
    fn block_plain_continues(&mut self) -> bool {
        loop {
            match self.chars.peek() {
                Some(' ' | '\t' | '\r') => {
                    self.bump();
                }
                Some('\n') => {
                    self.bump();
                }
                _ => break,
            }
        }
        let column = self.column;
        let continues = match self.chars.peek() {
            None | Some('#') => false,
            Some(&c) => {
                self.indent().is_none_or(|i| column > i)
                    && !(column == 0 && matches!(c, '-' | '.') && self.at_document_marker(c))
            }
        };
        if !continues {
            self.state = State::Between;
            self.key_column = None;
        }
        false
    }

    /// A literal or folded block scalar: its header, then, as libyaml reads it, every line
    /// indented at least as far as its content and every empty line. The content's indentation
    /// is the indentation indicator's, or else the largest of the leading lines' indentation
    /// (empty ones included), one past the enclosing block, and 1.
    fn block_scalar(&mut self) {
        let parent = self.indent();
        self.bump();
        let mut explicit = None;
        while let Some(&c) = self.chars.peek() {
            match c {
                '+' | '-' => {}
                '1'..='9' if explicit.is_none() => {
                    explicit = c.to_digit(10).map(|d| d as usize);
                }
                _ => break,
            }
            self.bump();
        }
        // The rest of the header line: blanks and a comment.
        while let Some(&c) = self.chars.peek() {
            if c == '\n' {
                break;
            }
            self.bump();
        }
        let floor = parent.map_or(0, |i| i + 1).max(1);
        let mut content = explicit.map(|d| parent.map_or(d, |i| i + d));
        let mut leading = 0;
        while self.chars.peek().is_some() {
            // At a line break: measure the next line.
            let mut ahead = self.chars.clone();
            ahead.next();
            let mut indentation = 0;
            let mut first = None;
            for c in ahead {
                if c == ' ' {
                    indentation += 1;
                } else {
                    first = Some(c);
                    break;
                }
            }
            let empty = matches!(first, None | Some('\n' | '\r'));
            let inside = match content {
                Some(needed) => empty || indentation >= needed,
                None if empty => {
                    leading = leading.max(indentation);
                    true
                }
                None => {
                    let needed = leading.max(indentation).max(floor);
                    content = Some(needed);
                    indentation >= needed
                }
            };
            if !inside {
                break;
            }
            self.bump();
            while let Some(&c) = self.chars.peek() {
                if c == '\n' {
                    break;
                }
                self.bump();
            }
        }
        self.state = State::Between;
        self.key_column = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_of(text: &str) -> usize {
        (0..=MAX_DEPTH)
            .find(|&max| yaml_depth(text, max).is_none())
            .unwrap_or(usize::MAX)
    }

    #[test]
    fn block_and_flow_nesting_add_up() {
        assert_eq!(depth_of("a: 1\n"), 1);
        assert_eq!(depth_of("services:\n  web:\n    image: x\n"), 3);
        assert_eq!(depth_of("services:\n  web:\n    ports: [\"80:80\"]\n"), 4);
        assert_eq!(depth_of("- - - x\n"), 3);
        assert_eq!(depth_of("a: {b: [1, {c: d}]}\n"), 4);
        assert_eq!(depth_of("[[[[x]]]]\n"), 4);
        assert_eq!(depth_of("a:\n  b: 1\nc: 2\n"), 2);
    }

    #[test]
    fn brackets_in_scalars_and_comments_are_not_nesting() {
        for text in [
            "a: \"[[[[[[\"\n",
            "a: '[[[[''[[[['\n",
            "a: x[[[[[[\n",
            "a: 1 # [[[[[[\n",
            "# [[[[[[\na: 1\n",
            "a: |\n  [[[[[[\n  [[[[[[\nb: 1\n",
            "a: >2\n   [[[[[[\nb: 1\n",
            "a: |-  # 2 [[[[[[\n  [[[[[[\n\n  [[[[[[\nb: 1\n",
            "a: [\"]]]]\", '}}}}', x]\n",
            "a: it's [[[[[[\n",
            "a: plain\n  continued [[[[[[\n",
            "a: !tag[[[[[[ x\n",
        ] {
            assert!(depth_of(text) <= 3, "{text:?}: {}", depth_of(text));
        }
    }

    #[test]
    fn deep_documents_are_caught_whatever_hides_them() {
        let deep = "[".repeat(100);
        for text in [
            format!("services: {deep}"),
            format!("a: |\n  x\nb: {deep}"),
            format!("a: 'x'\nb: {deep}"),
            format!("a: [it's, {deep}"),
            format!("a: [x\n'y, {deep}"),
            format!("a: foo\n 'x\nb: {deep}"),
            format!("? 'a #' : {deep}"),
            format!("a: |\n      \n  'x\nb: ': {deep}"),
            "[']',".repeat(100),
            format!("a: \"\\\"\" {deep}"),
            "- ".repeat(100),
            (0..100).map(|i| format!("{}k:\n", " ".repeat(i))).collect(),
        ] {
            assert!(
                yaml_depth(&text, MAX_DEPTH).is_some(),
                "{:?}",
                &text[..text.len().min(60)]
            );
        }
    }

    #[test]
    fn json_depth_skips_strings() {
        assert_eq!(json_depth(br#"{"a": [1, {"b": "[[[["}]}"#, 3), None);
        assert_eq!(json_depth(br#"{"a": "\"[[", "b": [[[[1]]]]}"#, 4), Some(1));
        assert_eq!(json_depth(&[b'['; 65], MAX_DEPTH), Some(1));
    }
}
