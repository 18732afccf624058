//! The discovery document, the service list and the service definitions.

use acikkapi_core::application::{ApplicationKind, EscortReason, Gender};
use acikkapi_core::taxonomy::{CategoryCode, Taxonomy};
use serde_json::{Value, json};

use crate::error::ApiError;

/// One attribute of a service definition: (code, datatype, required, description, values as
/// (key, name)).
type AttributeSpec = (
    &'static str,
    &'static str,
    bool,
    &'static str,
    Vec<(String, String)>,
);

/// The attributes of every service: the Açık Kapı form fields Open311 has no field of its own
/// for (name, surname and phone are Open311's `first_name`, `last_name`, `phone`).
pub(crate) fn attribute_specs() -> Vec<AttributeSpec> {
    let list = |items: Vec<(&str, &str)>| -> Vec<(String, String)> {
        items
            .into_iter()
            .map(|(k, n)| (k.to_owned(), n.to_owned()))
            .collect()
    };
    let yes_no = || list(vec![("evet", "Evet"), ("hayir", "Hayır")]);
    vec![
        (
            "tckn",
            "string",
            true,
            "T.C. Kimlik No (11 hane) veya Yabancı Kimlik No",
            vec![],
        ),
        (
            "mother_maiden_initials",
            "string",
            true,
            "Anne kızlık soyadının ilk ve son harfi (KA)",
            vec![],
        ),
        ("birth_year", "number", true, "Doğum yılı", vec![]),
        (
            "gender",
            "singlevaluelist",
            true,
            "Cinsiyet",
            Gender::ALL
                .iter()
                .map(|g| (g.code().to_owned(), g.name_tr().to_owned()))
                .collect(),
        ),
        (
            "kind",
            "singlevaluelist",
            true,
            "Başvuru türü",
            ApplicationKind::ALL
                .iter()
                .map(|k| (k.code().to_owned(), k.name_tr().to_owned()))
                .collect(),
        ),
        (
            "hide_identity",
            "singlevaluelist",
            false,
            "Kimliğim gizlensin",
            yes_no(),
        ),
        (
            "confidential",
            "singlevaluelist",
            false,
            "Gizli başvuru",
            yes_no(),
        ),
        (
            "escort",
            "singlevaluelist",
            false,
            "Mihmandarlık gerekçesi",
            EscortReason::ALL
                .iter()
                .map(|e| (e.code().to_owned(), e.name_tr().to_owned()))
                .collect(),
        ),
    ]
}

/// The discovery document.
pub(crate) fn discovery() -> Value {
    json!({
        "changeset": "2026-12-06T00:00:00+03:00",
        "contact": "Açık Kapı bürosu, il valiliği",
        "key_service": "API anahtarı il valiliğinin Açık Kapı bürosundan alınır (acikkapi key add)",
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": super::PREFIX,
            "changeset": "2026-12-06T00:00:00+03:00",
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    })
}

/// Every category as a service.
pub(crate) fn list() -> Value {
    let tax = Taxonomy::embedded();
    Value::Array(
        tax.categories()
            .iter()
            .map(|c| {
                let heading = tax
                    .heading(&c.heading)
                    .map(|h| h.name_tr.clone())
                    .unwrap_or_else(|| c.heading.as_str().to_owned());
                json!({
                    "service_code": c.code.as_str(),
                    "service_name": c.name_tr,
                    "description": c.name_en,
                    "metadata": true,
                    "type": "realtime",
                    "keywords": c.keywords.join(", "),
                    "group": heading,
                })
            })
            .collect(),
    )
}

/// Whether `code` is a category of the taxonomy.
pub(crate) fn exists(code: &str) -> bool {
    CategoryCode::parse(code)
        .ok()
        .is_some_and(|c| Taxonomy::embedded().category(&c).is_some())
}

/// The definition of one service, or 404.
pub(crate) fn definition(code: &str) -> Result<Value, ApiError> {
    if !exists(code) {
        return Err(ApiError::not_found(format!("böyle bir hizmet yok: {code}")));
    }
    let attributes: Vec<Value> = attribute_specs()
        .into_iter()
        .enumerate()
        .map(|(i, (code, datatype, required, description, values))| {
            let mut a = json!({
                "variable": true,
                "code": code,
                "datatype": datatype,
                "required": required,
                "datatype_description": Value::Null,
                "order": i + 1,
                "description": description,
            });
            if !values.is_empty() {
                a["values"] = Value::Array(
                    values
                        .into_iter()
                        .map(|(key, name)| json!({"key": key, "name": name}))
                        .collect(),
                );
            }
            a
        })
        .collect();
    Ok(json!({"service_code": code, "attributes": attributes}))
}
