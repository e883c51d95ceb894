//! Reading protocol files from disk, for the edges (the command line and the language server;
//! the compiler does no IO): only regular files (a FIFO or `/dev/zero` named `*.sot` is never
//! opened for reading), at most the compiler's limit ([`MAX_FILE_BYTES`], checked from the
//! metadata before reading and never reading more than one byte past it), in UTF-8, and
//! checked to be protocol text (byte order mark dropped, NUL bytes and CR-only line ends
//! refused); the project root that `use` paths are confined to; and `load`: named files and
//! folders, with what they `use`, into the compiler's database.
//!
//! Architecture invariant: file reading only; depends on the compiler for its limits, never
//! on the runtime, the renderers, the server or the binary.

use std::io::Read;
use std::path::Path;

use sot_compiler::MAX_FILE_BYTES;

pub mod load;
mod project;
pub use project::Project;

/// Why a file could not be loaded.
pub enum ReadError {
    /// A problem with what the file holds (E0001, exit status 1): the text after "is".
    Content(String),
    /// An I/O error or not a regular file (exit status 2): the whole message.
    Io(String),
}

/// Reads the text of the protocol file at `path` ([`read_text`]) and checks that it is
/// protocol text: a UTF-8 byte order mark at the start is dropped (the text and its spans
/// start after it), a NUL byte or a carriage return that ends a line alone (CR-only line
/// ends would make the whole file one comment line) is E0001.
pub fn read_source(path: &Path) -> Result<String, ReadError> {
    read_source_marked(path).map(|(text, _)| text)
}

/// As [`read_source`], also saying whether a byte order mark was dropped.
pub fn read_source_marked(path: &Path) -> Result<(String, bool), ReadError> {
    protocol_text(read_text(path)?)
}

/// Reads protocol text from standard input (`sot check -`): at most [`MAX_FILE_BYTES`]
/// (never reading more than one byte past the limit), in UTF-8, with the checks of
/// [`read_source`]; also says whether a byte order mark was dropped.
pub fn read_stdin() -> Result<(String, bool), ReadError> {
    let io = |e: std::io::Error| ReadError::Io(format!("cannot read standard input: {e}"));
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    protocol_bytes(bytes)
}

/// Protocol text read from elsewhere (standard input, `git show`): at most
/// [`MAX_FILE_BYTES`], in UTF-8, with the checks of [`read_source`]; also says whether a
/// byte order mark was dropped.
pub fn protocol_bytes(bytes: Vec<u8>) -> Result<(String, bool), ReadError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReadError::Content(format!(
            "too large: more than the {MAX_FILE_BYTES} bytes `sot` reads; split the protocol \
             into files joined with `use`"
        )));
    }
    protocol_text(utf8(bytes)?)
}

/// The checks of [`read_source`] on text already read: the byte order mark dropped (and
/// whether there was one), NUL bytes and CR-only line ends refused.
fn protocol_text(mut text: String) -> Result<(String, bool), ReadError> {
    let marked = text.starts_with('\u{feff}');
    if marked {
        text.drain(..'\u{feff}'.len_utf8());
    }
    let line_of = |at: usize| text[..at].bytes().filter(|b| *b == b'\n').count() + 1;
    if let Some(at) = text.find('\0') {
        return Err(ReadError::Content(format!(
            "not protocol text: a NUL byte at line {} (byte {at})",
            line_of(at)
        )));
    }
    let bytes = text.as_bytes();
    if let Some(at) =
        (0..bytes.len()).find(|&i| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
    {
        return Err(ReadError::Content(format!(
            "saved with CR-only line ends (a carriage return without a line feed at line {}); \
             save it with LF or CRLF line ends",
            line_of(at)
        )));
    }
    Ok((text, marked))
}

/// Reads the text of the file at `path`: only a regular file (symbolic links followed), of
/// at most [`MAX_FILE_BYTES`] (from its metadata, and never reading more than one byte past
/// the limit), in UTF-8.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let io = |e: std::io::Error| ReadError::Io(format!("cannot read `{}`: {e}", path.display()));
    let not_regular = || ReadError::Io(format!("`{}`: not a regular file", path.display()));
    let too_large = |n: u64| {
        ReadError::Content(format!(
            "too large: {n} bytes, more than the {MAX_FILE_BYTES} bytes `sot` reads; split \
             the protocol into files joined with `use`"
        ))
    };
    // Before opening: opening a FIFO would wait for a writer.
    let metadata = std::fs::metadata(path).map_err(io)?;
    if !metadata.is_file() {
        return Err(not_regular());
    }
    if metadata.len() > MAX_FILE_BYTES as u64 {
        return Err(too_large(metadata.len()));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    // The file opened may not be the one looked at (it can be replaced in between).
    if !file.metadata().map_err(io)?.is_file() {
        return Err(not_regular());
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    utf8(bytes)
}

/// The bytes as text, or E0001 saying where they stop being UTF-8.
fn utf8(bytes: Vec<u8>) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        ReadError::Content(format!(
            "not valid UTF-8 (byte {at}); save the file as UTF-8"
        ))
    })
}
