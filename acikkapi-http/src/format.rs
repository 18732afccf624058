//! Biçim: a response document once, written as JSON or as XML.
//!
//! Handlers build a [`serde_json::Value`]; [`to_xml`] writes the same document as XML with the
//! element names Open311 uses: an array is a list element holding one element per item, named by
//! [`item_name`] (`services` → `service`, `attributes` → `attribute`, …). Text is escaped; no
//! DTD, no entity other than the five predefined ones is ever written. The service parses no XML
//! at all (requests are form-encoded), so there is no parser to refuse DTDs in.

use serde_json::Value;

/// The format a client asked for, by the path's suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// `.json` (and the default for errors before a format is known).
    #[default]
    Json,
    /// `.xml`.
    Xml,
}

impl Format {
    /// The `Content-Type` of a response.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
        }
    }

    /// Splits `services.json` into (`services`, JSON); `None` when the segment has neither
    /// `.json` nor `.xml` at its end (axum cannot route `/{id}.json`, so the handlers capture the
    /// whole segment and split it here).
    pub fn split(segment: &str) -> Option<(&str, Format)> {
        if let Some(stem) = segment.strip_suffix(".json") {
            Some((stem, Format::Json))
        } else {
            segment.strip_suffix(".xml").map(|s| (s, Format::Xml))
        }
    }

    /// The document as text in this format.
    pub fn render(self, root: &str, doc: &Value) -> String {
        match self {
            Format::Json => doc.to_string(),
            Format::Xml => to_xml(root, doc),
        }
    }
}

/// The element name of one item of the list element `list`.
pub fn item_name(list: &str) -> &str {
    match list {
        "services" => "service",
        "attributes" => "attribute",
        "values" => "value",
        "endpoints" => "endpoint",
        "formats" => "format",
        "service_requests" => "request",
        "errors" => "error",
        other => other,
    }
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all are dropped (the JSON form keeps them).
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
}

fn element(out: &mut String, name: &str, value: &Value) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    match value {
        Value::Null => {}
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => escape_into(out, s),
        Value::Array(items) => {
            let item = item_name(name);
            for v in items {
                element(out, item, v);
            }
        }
        Value::Object(fields) => {
            for (k, v) in fields {
                element(out, k, v);
            }
        }
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// `doc` as an XML document whose root element is `root`.
pub fn to_xml(root: &str, doc: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    element(&mut out, root, doc);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_become_repeated_elements_and_text_is_escaped() {
        // Keys in sorted order, which is also serde_json's map order.
        let doc = json!([{"keywords": "<x>", "metadata": true, "service_code": "A&B"}]);
        assert_eq!(
            to_xml("services", &doc),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><services><service><keywords>&lt;x&gt;\
             </keywords><metadata>true</metadata><service_code>A&amp;B</service_code></service>\
             </services>"
        );
        assert_eq!(Format::split("AK-1.xml"), Some(("AK-1", Format::Xml)));
        assert_eq!(
            Format::split("YEREL.COP.json"),
            Some(("YEREL.COP", Format::Json))
        );
        assert_eq!(Format::split("YEREL.COP"), None);
    }
}
