//! A streaming XML reader for the XML formats: elements with their attributes and
//! text, the element path of each (`annotations/track[3]/box[7]`) for messages, and
//! errors with line and column. Attribute values are borrowed from the file where
//! they need no unescaping: a million boxes cost no allocation each.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};

use super::{FormatError, Input, line_of};

/// What the reader met next.
pub enum Node<'a> {
    /// An element opens (a `<box .../>` closes at once after): its name and
    /// attributes are in `start`.
    Open {
        start: BytesStart<'a>,
    },
    /// An element closes (its name is [`Reader::name`] of `name`), with the text
    /// directly inside it.
    Close {
        name: usize,
        text: String,
    },
    End,
}

pub struct Reader<'a> {
    input: &'a Input,
    inner: quick_xml::Reader<&'a [u8]>,
    /// The element names met, so the open ones are kept as numbers.
    names: Vec<String>,
    /// Open elements: name, index among same-named siblings, text so far, and the
    /// counts of their children by name.
    open: Vec<Open>,
    /// A `<x/>` whose close is still to be given.
    pending_close: bool,
    /// The last node given was an opening.
    opened: bool,
}

struct Open {
    name: usize,
    index: usize,
    text: String,
    children: Vec<(usize, usize)>,
}

impl<'a> Reader<'a> {
    pub fn new(input: &'a Input) -> Self {
        let mut inner = quick_xml::Reader::from_reader(input.bytes.as_slice());
        inner.config_mut().trim_text(true);
        Self { input, inner, names: Vec::new(), open: Vec::new(), pending_close: false, opened: false }
    }

    /// `annotations/track[3]/box[7]`: where the reader is.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for (i, o) in self.open.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            out.push_str(&self.names[o.name]);
            if i > 0 {
                out.push_str(&format!("[{}]", o.index));
            }
        }
        out
    }

    /// An element's name by its number in a [`Node::Close`].
    pub fn name(&self, id: usize) -> &str {
        &self.names[id]
    }

    /// The index of the element just opened among its same-named siblings.
    pub fn index(&self) -> usize {
        self.open.last().map_or(0, |o| o.index)
    }

    /// The name of the element the reader is in (after a close: the closed one's
    /// parent; after an open: the opened one's parent).
    pub fn parent(&self) -> &str {
        let depth = if self.opened { 2 } else { 1 };
        self.open.len().checked_sub(depth).map_or("", |i| self.names[self.open[i].name].as_str())
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

    pub fn next(&mut self) -> Result<Node<'a>, FormatError> {
        let node = self.step();
        self.opened = matches!(node, Ok(Node::Open { .. }));
        node
    }

    fn step(&mut self) -> Result<Node<'a>, FormatError> {
        if std::mem::take(&mut self.pending_close) {
            return Ok(self.close());
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
                Event::Start(e) => return Ok(self.open(e, false)),
                Event::Empty(e) => return Ok(self.open(e, true)),
                Event::End(_) if self.open.is_empty() => {
                    return Err(self.error("a closing tag without an opening one"));
                }
                Event::End(_) => return Ok(self.close()),
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
                    let inside = self.open.last().map_or("", |o| self.names[o.name].as_str());
                    return Err(self.error(format!("the file ends inside <{inside}>")));
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            }
        }
    }

    fn close(&mut self) -> Node<'a> {
        let o = self.open.pop().expect("an open element to close");
        Node::Close { name: o.name, text: o.text }
    }

    fn push_text(&mut self, text: &str) {
        if let Some(o) = self.open.last_mut() {
            o.text.push_str(text);
        }
    }

    fn open(&mut self, start: BytesStart<'a>, empty: bool) -> Node<'a> {
        let raw = start.name();
        let name = match self.names.iter().rposition(|n| n.as_bytes() == raw.as_ref()) {
            Some(i) => i,
            None => {
                self.names.push(String::from_utf8_lossy(raw.as_ref()).into_owned());
                self.names.len() - 1
            }
        };
        let index = match self.open.last_mut() {
            Some(parent) => match parent.children.iter_mut().find(|(n, _)| *n == name) {
                Some((_, count)) => {
                    *count += 1;
                    *count - 1
                }
                None => {
                    parent.children.push((name, 1));
                    0
                }
            },
            None => 0,
        };
        self.open.push(Open { name, index, text: String::new(), children: Vec::new() });
        self.pending_close = empty;
        Node::Open { start }
    }

    /// The attributes of an element opened, as the file has them.
    pub fn attrs<'s>(&self, start: &'s BytesStart<'_>) -> Result<Attrs<'s>, FormatError> {
        let mut out = Vec::with_capacity(10);
        // Duplicates are not looked for: the first of a name is the one read.
        for attr in start.attributes().with_checks(false) {
            let attr = attr.map_err(|err| self.error(format!("a broken attribute: {err}")))?;
            let key =
                std::str::from_utf8(attr.key.0).map_err(|_| self.error("an attribute name is not UTF-8"))?;
            let plain = !attr.value.iter().any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r'));
            let value = match &attr.value {
                // Most values need no unescaping: borrowed from the file as they are.
                Cow::Borrowed(raw) if plain => Cow::Borrowed(
                    std::str::from_utf8(raw)
                        .map_err(|_| self.error(format!("attribute {key} is not UTF-8")))?,
                ),
                _ => Cow::Owned(
                    attr.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|err| self.error(format!("attribute {key}: {err}")))?
                        .into_owned(),
                ),
            };
            out.push((key, value));
        }
        Ok(out)
    }
}

/// An element's attributes, in the file's order.
pub type Attrs<'s> = Vec<(&'s str, Cow<'s, str>)>;

/// The value of attribute `key`.
pub fn attr<'b>(attrs: &'b Attrs<'_>, key: &str) -> Option<&'b str> {
    attrs.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_ref())
}

/// `text` escaped for an attribute value or element text.
pub fn escape(text: &str) -> Cow<'_, str> {
    quick_xml::escape::escape(text)
}
