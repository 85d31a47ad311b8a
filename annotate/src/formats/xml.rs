//! A streaming XML reader for the XML formats: elements with their attributes and
//! text, the element path of each (`annotations/track[3]/box[7]`) for messages, and
//! errors with line and column.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};

use super::{FormatError, Input, line_of};

/// What the reader met next.
pub enum Node {
    /// An element opens (a `<box .../>` closes at once after).
    Open {
        name: String,
        attrs: Attrs,
    },
    /// An element closes, with the text directly inside it.
    Close {
        name: String,
        text: String,
    },
    End,
}

pub struct Reader<'a> {
    input: &'a Input,
    inner: quick_xml::Reader<&'a [u8]>,
    /// Open elements: name, index among same-named siblings, text so far, and the
    /// counts of their children by name.
    open: Vec<Open>,
    /// A `<x/>` whose close is still to be given.
    pending_close: Option<String>,
    /// The last node given was an opening.
    opened: bool,
}

struct Open {
    name: String,
    index: usize,
    text: String,
    children: Vec<(String, usize)>,
}

impl<'a> Reader<'a> {
    pub fn new(input: &'a Input) -> Self {
        let mut inner = quick_xml::Reader::from_reader(input.bytes.as_slice());
        inner.config_mut().trim_text(true);
        Self { input, inner, open: Vec::new(), pending_close: None, opened: false }
    }

    /// `annotations/track[3]/box[7]`: where the reader is.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for (i, o) in self.open.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            out.push_str(&o.name);
            if i > 0 {
                out.push_str(&format!("[{}]", o.index));
            }
        }
        out
    }

    /// The name of the element the reader is in (after a close: the closed one's
    /// parent; after an open: the opened one's parent).
    pub fn parent(&self) -> &str {
        let depth = if self.opened { 2 } else { 1 };
        self.open.len().checked_sub(depth).map_or("", |i| self.open[i].name.as_str())
    }

    /// An error at the reader's place.
    pub fn error(&self, message: impl Into<String>) -> FormatError {
        let (line, column) = line_of(&self.input.bytes, self.inner.buffer_position() as usize);
        FormatError::Syntax {
            file: self.input.name.clone(),
            line,
            column,
            at: self.path(),
            message: message.into(),
        }
    }

    pub fn next(&mut self) -> Result<Node, FormatError> {
        let node = self.step();
        self.opened = matches!(node, Ok(Node::Open { .. }));
        node
    }

    fn step(&mut self) -> Result<Node, FormatError> {
        if let Some(name) = self.pending_close.take() {
            let text = self.open.pop().map(|o| o.text).unwrap_or_default();
            return Ok(Node::Close { name, text });
        }
        loop {
            let event = self.inner.read_event().map_err(|e| {
                let (line, column) = line_of(&self.input.bytes, self.inner.error_position() as usize);
                FormatError::Syntax {
                    file: self.input.name.clone(),
                    line,
                    column,
                    at: self.path(),
                    message: format!("not well-formed XML: {e}"),
                }
            })?;
            match event {
                Event::Start(e) => return self.open(e, false),
                Event::Empty(e) => return self.open(e, true),
                Event::End(_) => {
                    let Some(o) = self.open.pop() else {
                        return Err(self.error("a closing tag without an opening one"));
                    };
                    return Ok(Node::Close { name: o.name, text: o.text });
                }
                Event::Text(t) => {
                    let text = t.decode().map_err(|e| self.error(format!("text is not UTF-8: {e}")))?;
                    self.push_text(&text);
                }
                Event::CData(t) => {
                    let text = t.decode().map_err(|e| self.error(format!("text is not UTF-8: {e}")))?;
                    self.push_text(&text);
                }
                Event::GeneralRef(r) => {
                    let resolved = if r.is_char_ref() {
                        r.resolve_char_ref().ok().flatten().map(String::from)
                    } else {
                        let name = r.decode().map_err(|e| self.error(format!("{e}")))?;
                        quick_xml::escape::resolve_predefined_entity(&name).map(str::to_owned)
                    };
                    let Some(text) = resolved else { return Err(self.error("an unknown entity reference")) };
                    self.push_text(&text);
                }
                Event::Eof if self.open.is_empty() => return Ok(Node::End),
                Event::Eof => {
                    return Err(self.error(format!(
                        "the file ends inside <{}>",
                        self.open.last().map_or("", |o| &o.name)
                    )));
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            }
        }
    }

    fn push_text(&mut self, text: &str) {
        if let Some(o) = self.open.last_mut() {
            o.text.push_str(text);
        }
    }

    fn open(&mut self, e: BytesStart<'_>, empty: bool) -> Result<Node, FormatError> {
        let name = String::from_utf8_lossy(e.name().0).into_owned();
        let index = match self.open.last_mut() {
            Some(parent) => match parent.children.iter_mut().find(|(n, _)| *n == name) {
                Some((_, count)) => {
                    *count += 1;
                    *count - 1
                }
                None => {
                    parent.children.push((name.clone(), 1));
                    0
                }
            },
            None => 0,
        };
        self.open.push(Open { name: name.clone(), index, text: String::new(), children: Vec::new() });
        let mut attrs = Vec::new();
        for attr in e.attributes() {
            let attr = attr.map_err(|err| self.error(format!("a broken attribute: {err}")))?;
            let key = String::from_utf8_lossy(attr.key.0).into_owned();
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| self.error(format!("attribute {key}: {err}")))?;
            attrs.push((key, value.into_owned()));
        }
        if empty {
            self.pending_close = Some(name.clone());
        }
        Ok(Node::Open { name, attrs })
    }
}

/// An element's attributes, in the file's order.
pub type Attrs = Vec<(String, String)>;

/// The value of attribute `key`.
pub fn attr<'b>(attrs: &'b Attrs, key: &str) -> Option<&'b str> {
    attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// `text` escaped for an attribute value or element text.
pub fn escape(text: &str) -> Cow<'_, str> {
    quick_xml::escape::escape(text)
}
