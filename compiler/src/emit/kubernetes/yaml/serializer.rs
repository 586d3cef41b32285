//! The serde serializer behind [`super::to_string`]: block mappings and sequences
//! written into one string as the object is walked.
//!
//! Invariants: a mapping's entries are written in the order they come and, should their
//! keys not be sorted, moved into sorted order when the mapping ends (an object whose
//! fields are declared in sorted order costs nothing more); an entry whose value is
//! `None` is taken back out; the first line of a mapping or sequence that is a
//! sequence's item gets that item's dash when it ends. The buffers that hold the keys of
//! the open mappings are kept from one mapping to the next, one per depth, so that
//! writing an object allocates only its text.

use std::fmt::{self, Write as _};

use serde::ser::{self, Impossible, Serialize};

use super::scalar::{self, pad};

/// Why a value could not be written as YAML blocks.
#[derive(Debug)]
pub(super) struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Error(message.to_string())
    }
}

type Result<T> = std::result::Result<T, Error>;

fn unsupported(what: &str) -> Error {
    Error(format!("{what} has no YAML block form here"))
}

/// What a node turned out to be: nothing (`None`, whose key is left out) or a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Written {
    Nothing,
    Something,
}

/// The text being written, and the entries of the mappings open at each depth.
#[derive(Default)]
pub(super) struct Writer {
    out: String,
    frames: Vec<Frame>,
}

/// The entries of one open mapping.
#[derive(Default)]
struct Frame {
    /// Per entry: where it starts in the text, and where its key starts in `keys`.
    entries: Vec<(usize, usize)>,
    /// The keys, one after the other (a key ends where the next one starts).
    keys: String,
    /// Whether the keys came in sorted order so far.
    sorted: bool,
}

impl Frame {
    fn clear(&mut self) {
        self.entries.clear();
        self.keys.clear();
        self.sorted = true;
    }

    fn key(&self, entry: usize) -> &str {
        let end = self
            .entries
            .get(entry + 1)
            .map_or(self.keys.len(), |(_, key)| *key);
        &self.keys[self.entries[entry].1..end]
    }

    /// Records the entry that starts at `start` in the text, whose key is the end of
    /// `keys` from `key_start`.
    fn record(&mut self, start: usize, key_start: usize) {
        if let Some((_, previous)) = self.entries.last() {
            self.sorted &= self.keys[*previous..key_start] <= self.keys[key_start..];
        }
        self.entries.push((start, key_start));
    }

    /// Rewrites the text of the entries, from the first one to the end of `out`, in the
    /// order of their keys (the stable order for equal keys).
    fn sort(&self, out: &mut String) {
        let Some((start, _)) = self.entries.first() else {
            return;
        };
        let text = |entry: usize| {
            let end = self
                .entries
                .get(entry + 1)
                .map_or(out.len(), |(start, _)| *start);
            &out[self.entries[entry].0..end]
        };
        let mut order: Vec<usize> = (0..self.entries.len()).collect();
        order.sort_by(|a, b| self.key(*a).cmp(self.key(*b)));
        let mut sorted = String::with_capacity(out.len() - start);
        for entry in order {
            sorted.push_str(text(entry));
        }
        out.truncate(*start);
        out.push_str(&sorted);
    }
}

impl Writer {
    /// The node of the whole document.
    pub(super) fn document(&mut self) -> Node<'_> {
        Node {
            writer: self,
            place: Place::Top,
            depth: 0,
        }
    }

    pub(super) fn into_text(self) -> String {
        self.out
    }

    /// The frame of a mapping opened at `depth`, emptied.
    fn open_frame(&mut self, depth: usize) {
        if self.frames.len() <= depth {
            self.frames.resize_with(depth + 1, Frame::default);
        }
        self.frames[depth].clear();
    }

    /// Ends a mapping or sequence that started at `start` in `place`, with `count`
    /// entries or items: written `empty` (`{}` or `[]`) when it has none.
    fn close(&mut self, place: Place, start: usize, count: usize, empty: &str) {
        let out = &mut self.out;
        match (place, count) {
            (Place::Top, 0) => {
                out.push_str(empty);
                out.push('\n');
            }
            (Place::Value { .. }, 0) => {
                // Back over the `:\n` written when it opened.
                out.truncate(start - 2);
                out.push_str(": ");
                out.push_str(empty);
                out.push('\n');
            }
            (Place::Item { indent }, 0) => {
                pad(out, indent);
                out.push_str("- ");
                out.push_str(empty);
                out.push('\n');
            }
            // Its first line was padded to the column of its contents; the dash goes
            // into the last two columns of that padding.
            (Place::Item { indent }, _) => {
                out.replace_range(start + indent..start + indent + 2, "- ")
            }
            (Place::Top | Place::Value { .. }, _) => {}
        }
    }
}

/// Where a node is written.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// The whole document.
    Top,
    /// The value of a key written at `indent`, right after the key.
    Value { indent: usize },
    /// An item of a sequence whose dashes are at `indent`.
    Item { indent: usize },
}

/// One value to write, in its place.
pub(super) struct Node<'w> {
    writer: &'w mut Writer,
    place: Place,
    /// The depth of the mappings around it, which picks its frame.
    depth: usize,
}

impl<'w> Node<'w> {
    /// A scalar in its place; `write` writes its text given the column of its key or
    /// dash (under which a block scalar's lines are indented).
    fn scalar(self, write: impl FnOnce(&mut String, usize)) -> Result<Written> {
        let out = &mut self.writer.out;
        let indent = match self.place {
            Place::Top => 0,
            Place::Value { indent } => {
                out.push_str(": ");
                indent
            }
            Place::Item { indent } => {
                pad(out, indent);
                out.push_str("- ");
                indent
            }
        };
        write(out, indent);
        out.push('\n');
        Ok(Written::Something)
    }

    fn text(self, text: &str) -> Result<Written> {
        self.scalar(|out, indent| scalar::write_str(out, text, indent))
    }

    fn display(self, value: impl fmt::Display) -> Result<Written> {
        self.scalar(|out, _| {
            // Writing into a `String` does not fail.
            let _ = write!(out, "{value}");
        })
    }

    fn mapping(self) -> Mapping<'w> {
        let Node {
            writer,
            place,
            depth,
        } = self;
        let indent = match place {
            Place::Top => 0,
            Place::Value { indent } => {
                writer.out.push_str(":\n");
                indent + 2
            }
            Place::Item { indent } => indent + 2,
        };
        writer.open_frame(depth);
        Mapping {
            start: writer.out.len(),
            writer,
            place,
            depth,
            indent,
            pending_key: None,
        }
    }

    fn sequence(self) -> Sequence<'w> {
        let Node {
            writer,
            place,
            depth,
        } = self;
        let indent = match place {
            Place::Top => 0,
            // Items of a sequence in a mapping are at the column of its key.
            Place::Value { indent } => {
                writer.out.push_str(":\n");
                indent
            }
            Place::Item { indent } => indent + 2,
        };
        Sequence {
            start: writer.out.len(),
            writer,
            place,
            depth,
            indent,
            count: 0,
        }
    }
}

/// An open mapping (a struct, a map, or a variant with its value).
pub(super) struct Mapping<'w> {
    writer: &'w mut Writer,
    place: Place,
    depth: usize,
    /// The column of its keys.
    indent: usize,
    /// Where its first entry starts.
    start: usize,
    /// Where the key given by `serialize_key` starts in the frame's keys.
    pending_key: Option<usize>,
}

impl Mapping<'_> {
    /// Writes the entry whose key is the frame's keys from `key_start`, or takes it back
    /// when its value is `None`.
    fn entry<T: Serialize + ?Sized>(&mut self, key_start: usize, value: &T) -> Result<()> {
        let start = self.writer.out.len();
        {
            let Writer { out, frames } = &mut *self.writer;
            pad(out, self.indent);
            scalar::write_key(out, &frames[self.depth].keys[key_start..], self.indent);
        }
        let written = value.serialize(Node {
            writer: &mut *self.writer,
            place: Place::Value {
                indent: self.indent,
            },
            depth: self.depth + 1,
        })?;
        let Writer { out, frames } = &mut *self.writer;
        let frame = &mut frames[self.depth];
        match written {
            Written::Something => frame.record(start, key_start),
            Written::Nothing => {
                out.truncate(start);
                frame.keys.truncate(key_start);
            }
        }
        Ok(())
    }

    /// Writes an entry under a key known in advance.
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<()> {
        let keys = &mut self.writer.frames[self.depth].keys;
        let key_start = keys.len();
        keys.push_str(key);
        self.entry(key_start, value)
    }

    fn finish(self) -> Result<Written> {
        let Writer { out, frames } = &mut *self.writer;
        let frame = &frames[self.depth];
        if !frame.sorted {
            frame.sort(out);
        }
        let count = frame.entries.len();
        self.writer.close(self.place, self.start, count, "{}");
        Ok(Written::Something)
    }
}

impl ser::SerializeStruct for Mapping<'_> {
    type Ok = Written;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.field(key, value)
    }

    fn end(self) -> Result<Written> {
        self.finish()
    }
}

impl ser::SerializeMap for Mapping<'_> {
    type Ok = Written;
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        let keys = &mut self.writer.frames[self.depth].keys;
        self.pending_key = Some(keys.len());
        key.serialize(KeySerializer { keys })
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        match self.pending_key.take() {
            Some(key_start) => self.entry(key_start, value),
            None => Err(unsupported("a map value without its key")),
        }
    }

    fn end(self) -> Result<Written> {
        self.finish()
    }
}

/// An open sequence.
pub(super) struct Sequence<'w> {
    writer: &'w mut Writer,
    place: Place,
    depth: usize,
    /// The column of its dashes.
    indent: usize,
    start: usize,
    count: usize,
}

impl Sequence<'_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        value.serialize(Node {
            writer: &mut *self.writer,
            place: Place::Item {
                indent: self.indent,
            },
            depth: self.depth,
        })?;
        self.count += 1;
        Ok(())
    }

    fn finish(self) -> Result<Written> {
        self.writer.close(self.place, self.start, self.count, "[]");
        Ok(Written::Something)
    }
}

/// The ways serde hands over the items of a sequence.
macro_rules! sequence_of_items {
    ($($trait:ident::$method:ident),*) => {
        $(
            impl ser::$trait for Sequence<'_> {
                type Ok = Written;
                type Error = Error;

                fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
                    self.item(value)
                }

                fn end(self) -> Result<Written> {
                    self.finish()
                }
            }
        )*
    };
}

sequence_of_items!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

/// Serializer methods that write their value as it displays: numbers and booleans.
macro_rules! serialize_by_display {
    ($($method:ident: $type:ty,)*) => {
        $(
            fn $method(self, value: $type) -> Result<Written> {
                self.display(value)
            }
        )*
    };
}

impl<'w> ser::Serializer for Node<'w> {
    type Ok = Written;
    type Error = Error;
    type SerializeSeq = Sequence<'w>;
    type SerializeTuple = Sequence<'w>;
    type SerializeTupleStruct = Sequence<'w>;
    type SerializeTupleVariant = Impossible<Written, Error>;
    type SerializeMap = Mapping<'w>;
    type SerializeStruct = Mapping<'w>;
    type SerializeStructVariant = Impossible<Written, Error>;

    serialize_by_display! {
        serialize_bool: bool,
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_i128: i128,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_u128: u128,
    }

    fn serialize_f32(self, value: f32) -> Result<Written> {
        self.scalar(|out, _| scalar::write_other(out, &value))
    }

    fn serialize_f64(self, value: f64) -> Result<Written> {
        self.scalar(|out, _| scalar::write_other(out, &value))
    }

    fn serialize_char(self, value: char) -> Result<Written> {
        self.text(value.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, value: &str) -> Result<Written> {
        self.text(value)
    }

    fn serialize_bytes(self, value: &[u8]) -> Result<Written> {
        let mut sequence = self.sequence();
        for byte in value {
            sequence.item(byte)?;
        }
        sequence.finish()
    }

    /// `None` leaves its key out; in a sequence or alone, it is `null`.
    fn serialize_none(self) -> Result<Written> {
        match self.place {
            Place::Value { .. } => Ok(Written::Nothing),
            Place::Top | Place::Item { .. } => self.display("null"),
        }
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Written> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Written> {
        self.display("null")
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Written> {
        self.display("null")
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Written> {
        self.text(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Written> {
        value.serialize(self)
    }

    /// A variant with a value is the mapping of its name to the value.
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Written> {
        let mut mapping = self.mapping();
        mapping.field(variant, value)?;
        mapping.finish()
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Sequence<'w>> {
        Ok(self.sequence())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Sequence<'w>> {
        Ok(self.sequence())
    }

    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Sequence<'w>> {
        Ok(self.sequence())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(unsupported("an enum variant with several fields"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Mapping<'w>> {
        Ok(self.mapping())
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Mapping<'w>> {
        Ok(self.mapping())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(unsupported("an enum variant with named fields"))
    }
}

/// A key of a map: a string, appended to the keys of its mapping.
struct KeySerializer<'k> {
    keys: &'k mut String,
}

fn not_a_string_key() -> Error {
    unsupported("a key that is not a string")
}

/// Serializer methods that refuse their value as a key.
macro_rules! refuse_scalars {
    ($($method:ident: $type:ty,)*) => {
        $(
            fn $method(self, _value: $type) -> Result<()> {
                Err(not_a_string_key())
            }
        )*
    };
}

impl ser::Serializer for KeySerializer<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_str(self, value: &str) -> Result<()> {
        self.keys.push_str(value);
        Ok(())
    }

    fn serialize_char(self, value: char) -> Result<()> {
        self.keys.push(value);
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<()> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<()> {
        value.serialize(self)
    }

    refuse_scalars! {
        serialize_bool: bool,
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_f32: f32,
        serialize_f64: f64,
        serialize_bytes: &[u8],
    }

    fn serialize_none(self) -> Result<()> {
        Err(not_a_string_key())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<()> {
        Err(not_a_string_key())
    }

    fn serialize_unit(self) -> Result<()> {
        Err(not_a_string_key())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<()> {
        Err(not_a_string_key())
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<()> {
        Err(not_a_string_key())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(not_a_string_key())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(not_a_string_key())
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(not_a_string_key())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(not_a_string_key())
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(not_a_string_key())
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Err(not_a_string_key())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(not_a_string_key())
    }
}
