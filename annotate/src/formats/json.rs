//! JSON formats read with the line, column and JSON path of the first element that
//! is not what the format says.

use serde::de::DeserializeOwned;

use super::{FormatError, Input, text};

pub fn read<T: DeserializeOwned>(input: &Input) -> Result<T, FormatError> {
    let mut deserializer = serde_json::Deserializer::from_str(text(input)?);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let at = e.path().to_string();
        let at = if at == "." { "$".to_owned() } else { format!("$.{at}") };
        let inner = e.into_inner();
        let mut message = inner.to_string();
        // serde_json appends the position, which the error carries on its own.
        if let Some(cut) = message.rfind(" at line ") {
            message.truncate(cut);
        }
        FormatError::Syntax {
            file: input.name.clone(),
            line: inner.line(),
            column: inner.column(),
            at,
            message,
        }
    })
}

/// Whether the text starts as a JSON object with all of `keys` among its first bytes.
pub fn object_with(input: &Input, keys: &[&str]) -> bool {
    let head = &input.bytes[..input.bytes.len().min(1 << 16)];
    let head = String::from_utf8_lossy(head);
    head.trim_start().starts_with('{') && keys.iter().all(|k| head.contains(&format!("\"{k}\"")))
}

/// Pretty JSON bytes with a final newline.
pub fn bytes<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value).unwrap_or_default();
    out.push(b'\n');
    out
}
