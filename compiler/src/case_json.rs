//! Case studies as JSON data (LANGUAGE.md §6): read into the same syntax tree as a `case`
//! item, with spans into the JSON text, then checked and lowered like one. Every bad value
//! gets the diagnostic a `.sot` case would get, pointing into the JSON file; nothing unknown
//! is ignored.
//!
//! The shape (see docs/language.md, "Case studies as JSON"):
//! `{"cases": [{"name", "title"?, "history"?: {…}, "visits": [{"visit", "label"?,
//! "findings": {…}, "given"?: ["call", …], "after"?: {…}, "expect"?: ["category II", …]}]}]}`;
//! a finding is `"indicator": value` or, for a parametric indicator, `"indicator": [{"line": 2,
//! "area": "_", "value": 0}, …]`. A value is a JSON string in the language's own syntax
//! (`"left"`, `"6 mm"`, `"none"`), a number, `true`/`false`, or `null` (for `none`); an
//! untestable finding is `"untestable"` or `{"untestable": "reason"}`. `"history"` has the
//! shape of `"findings"`.

use jsonc_parser::ast::{Object, ObjectPropName, Value as Json};
use jsonc_parser::{CollectOptions, ParseOptions};
use sot_grammar::ast::{
    self, Finding, FindingArg, FindingValue, Literal, LiteralKind, Name, Shift, Span,
};

use crate::check::{check_case, syntax_diagnostic};
use crate::db::SourceFile;
use crate::diagnostic::{Code, Diagnostic};
use crate::ir;
use crate::lower::lower_cases;
use crate::resolve::file_scope;

/// The cases of a JSON text, lowered against the protocol `file`, or every problem found
/// (spans into the JSON text).
pub fn json_cases(
    db: &dyn salsa::Database,
    file: SourceFile,
    json: &str,
) -> Result<Vec<ir::Case>, Vec<Diagnostic>> {
    let mut reader = Reader {
        diagnostics: Vec::new(),
    };
    let cases = reader.document(json);
    // Every problem at once: the shape problems, and those of the cases as far as they read.
    let scope = file_scope(db, file);
    let mut diagnostics = reader.diagnostics;
    diagnostics.extend(cases.iter().flat_map(|c| check_case(scope, c)));
    if !diagnostics.is_empty() {
        diagnostics.sort_by_key(|d| d.primary.span.start);
        return Err(diagnostics);
    }
    let cases: Vec<(&ast::Case, usize)> = cases.iter().map(|c| (c, 0)).collect();
    lower_cases(db, file, &cases, json).ok_or_else(|| {
        vec![Diagnostic::new(
            Code::E0501,
            Span::new(0, 0),
            "the protocol has errors; check it with `sot check` first",
        )]
    })
}

struct Reader {
    diagnostics: Vec<Diagnostic>,
}

fn span(range: jsonc_parser::common::Range) -> Span {
    Span::new(range.start, range.end)
}

fn value_span(value: &Json) -> Span {
    use jsonc_parser::common::Ranged;
    span(value.range())
}

fn prop_name(name: &ObjectPropName) -> (String, Span) {
    match name {
        ObjectPropName::String(s) => (s.value.to_string(), span(s.range)),
        ObjectPropName::Word(w) => (w.value.to_string(), span(w.range)),
    }
}

fn kind_of(value: &Json) -> &'static str {
    match value {
        Json::StringLit(_) => "a string",
        Json::NumberLit(_) => "a number",
        Json::BooleanLit(_) => "true or false",
        Json::Object(_) => "an object",
        Json::Array(_) => "an array",
        Json::NullKeyword(_) => "null",
    }
}

impl Reader {
    fn error(&mut self, at: Span, message: impl Into<String>, help: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::new(Code::E0501, at, message).help(help));
    }

    /// E0501 at each string longer than [`sot_grammar::MAX_STRING`] bytes (as in a `.sot`
    /// file), found in one pass over the text before it is parsed; `true` if there was one.
    fn long_strings(&mut self, json: &str) -> bool {
        let bytes = json.as_bytes();
        let mut found = false;
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b'"' {
                i += 1;
                continue;
            }
            let start = i;
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            let end = i.min(bytes.len());
            i += 1;
            if end - start - 1 > sot_grammar::MAX_STRING {
                found = true;
                self.error(
                    Span::new(start, start + 1),
                    format!(
                        "a string longer than {} bytes ({} bytes)",
                        sot_grammar::MAX_STRING,
                        end - start - 1
                    ),
                    "case data strings are names and values; shorten it",
                );
            }
        }
        found
    }

    /// E0501 at the second of two properties with the same key: nothing is dropped silently.
    fn no_duplicates(&mut self, object: &Object, what: &str) {
        let mut seen = std::collections::HashSet::new();
        for prop in &object.properties {
            let (name, at) = prop_name(&prop.name);
            if !seen.insert(name.clone()) {
                self.error(
                    at,
                    format!("the key `{name}` appears twice in {what}"),
                    "keep one of them",
                );
            }
        }
    }

    fn document(&mut self, json: &str) -> Vec<ast::Case> {
        if self.long_strings(json) {
            return Vec::new();
        }
        let options = ParseOptions {
            allow_comments: false,
            allow_loose_object_property_names: false,
            allow_trailing_commas: false,
            allow_missing_commas: false,
            allow_single_quoted_strings: false,
            allow_hexadecimal_numbers: false,
            allow_unary_plus_numbers: false,
            allow_bare_decimal_point_numbers: false,
            allow_non_finite_numbers: false,
            allow_extended_string_escapes: false,
        };
        let parsed = match jsonc_parser::parse_to_ast(json, &CollectOptions::default(), &options) {
            Ok(parsed) => parsed,
            Err(e) => {
                let r = e.range();
                self.error(
                    Span::new(r.start, r.end.max(r.start)),
                    format!("invalid JSON: {}", e.kind()),
                    "case data must be strict JSON",
                );
                return Vec::new();
            }
        };
        let Some(Json::Object(top)) = parsed.value else {
            self.error(
                Span::new(0, json.len()),
                "expected a JSON object with `cases`, or one case",
                r#"write {"cases": [{"name": "…", "visits": […]}]}"#,
            );
            return Vec::new();
        };
        if top.get("visits").is_some() {
            return self.case(&top).into_iter().collect();
        }
        self.only_keys(&top, &["cases"], "the document");
        match top.get("cases").map(|p| &p.value) {
            Some(Json::Array(cases)) => cases
                .elements
                .iter()
                .filter_map(|c| match c {
                    Json::Object(o) => self.case(o),
                    other => {
                        self.error(
                            value_span(other),
                            format!("expected a case object, found {}", kind_of(other)),
                            r#"write {"name": "…", "visits": […]}"#,
                        );
                        None
                    }
                })
                .collect(),
            _ => {
                self.error(
                    span(top.range),
                    "expected `cases`: an array of cases",
                    r#"write {"cases": [ … ]}"#,
                );
                Vec::new()
            }
        }
    }

    /// E0501 for every key not in `known`: nothing is ignored silently.
    fn only_keys(&mut self, object: &Object, known: &[&str], what: &str) {
        self.no_duplicates(object, what);
        for prop in &object.properties {
            let (name, at) = prop_name(&prop.name);
            if !known.contains(&name.as_str()) {
                self.error(
                    at,
                    format!("unknown key `{name}` in {what}"),
                    format!(
                        "the keys of {what} are {}",
                        known
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
    }

    fn string(&mut self, value: Option<&Json>, what: &str) -> Option<(String, Span)> {
        match value {
            Some(Json::StringLit(s)) => Some((s.value.to_string(), span(s.range))),
            Some(other) => {
                self.error(
                    value_span(other),
                    format!("{what} must be a string, not {}", kind_of(other)),
                    format!("write {what} in quotes"),
                );
                None
            }
            None => None,
        }
    }

    fn case(&mut self, object: &Object) -> Option<ast::Case> {
        self.only_keys(object, &["name", "title", "history", "visits"], "a case");
        let Some((name, name_span)) = self.string(object.get("name").map(|p| &p.value), "`name`")
        else {
            self.error(
                span(object.range),
                "a case needs a `name`",
                r#"add "name": "maria""#,
            );
            return None;
        };
        let title = self
            .string(object.get("title").map(|p| &p.value), "`title`")
            .map(|(value, at)| ast::StringLit { value, span: at });
        let history = match object.get("history").map(|p| &p.value) {
            Some(Json::Object(f)) => Some(self.findings(f)),
            Some(other) => {
                self.error(
                    value_span(other),
                    "`history` must be an object of findings",
                    r#"write "history": {"osteoporosis": "no"}"#,
                );
                None
            }
            None => None,
        };
        let visits = match object.get("visits").map(|p| &p.value) {
            Some(Json::Array(visits)) => visits
                .elements
                .iter()
                .filter_map(|v| match v {
                    Json::Object(o) => self.visit(o),
                    other => {
                        self.error(
                            value_span(other),
                            format!("expected a visit object, found {}", kind_of(other)),
                            r#"write {"visit": 1, "findings": {…}}"#,
                        );
                        None
                    }
                })
                .collect(),
            _ => {
                self.error(
                    name_span,
                    format!("case `{name}` needs `visits`: an array"),
                    r#"add "visits": [{"visit": 1, "findings": {…}}]"#,
                );
                Vec::new()
            }
        };
        Some(ast::Case {
            name: Name {
                text: name,
                span: name_span,
            },
            title,
            history,
            visits,
        })
    }

    fn visit(&mut self, object: &Object) -> Option<ast::Visit> {
        self.only_keys(
            object,
            &["visit", "label", "findings", "given", "after", "expect"],
            "a visit",
        );
        let (number, number_span) = match object.get("visit").map(|p| &p.value) {
            Some(Json::NumberLit(n)) => match n.value.parse::<i64>() {
                Ok(v) => (v, span(n.range)),
                Err(_) => {
                    self.error(
                        span(n.range),
                        format!("visit number `{}` is not a whole number", n.value),
                        "number visits 1, 2, 3, …",
                    );
                    return None;
                }
            },
            _ => {
                self.error(
                    span(object.range),
                    "a visit needs `visit`: its number",
                    r#"add "visit": 1"#,
                );
                return None;
            }
        };
        let label = self
            .string(object.get("label").map(|p| &p.value), "`label`")
            .map(|(value, at)| ast::StringLit { value, span: at });
        let findings = match object.get("findings").map(|p| &p.value) {
            Some(Json::Object(f)) => self.findings(f),
            _ => {
                self.error(
                    number_span,
                    format!("visit {number} needs `findings`: an object"),
                    r#"add "findings": {"arm_fossa": "left"}"#,
                );
                Vec::new()
            }
        };
        let after = match object.get("after").map(|p| &p.value) {
            Some(Json::Object(f)) => Some(self.findings(f)),
            Some(other) => {
                self.error(
                    value_span(other),
                    "`after` must be an object of findings",
                    r#"write "after": {"arm_fossa": "none"}"#,
                );
                None
            }
            None => None,
        };
        let given = object.get("given").map(|p| {
            self.strings(&p.value, "given")
                .into_iter()
                .filter_map(|(text, start)| match sot_grammar::parse_call(&text) {
                    Ok(mut call) => {
                        call.shift(start);
                        Some(call)
                    }
                    Err(e) => {
                        self.diagnostics.push(syntax_diagnostic(&e).shifted(start));
                        None
                    }
                })
                .collect()
        });
        let expects = object
            .get("expect")
            .map(|p| self.strings(&p.value, "expect"))
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(text, start)| {
                // Parsed as `expect …`: the keyword is added, then its length taken off.
                let line = format!("expect {text}");
                match sot_grammar::parse_expect(&line) {
                    Ok(mut expect) => {
                        expect.shift(start.saturating_sub(7));
                        Some(expect)
                    }
                    Err(e) => {
                        self.diagnostics
                            .push(syntax_diagnostic(&e).shifted(start.saturating_sub(7)));
                        None
                    }
                }
            })
            .collect();
        Some(ast::Visit {
            number,
            number_span,
            label,
            findings,
            given,
            after,
            expects,
        })
    }

    /// An array of strings: each with the offset of its first character.
    fn strings(&mut self, value: &Json, key: &str) -> Vec<(String, usize)> {
        let Json::Array(items) = value else {
            self.error(
                value_span(value),
                format!("`{key}` must be an array of strings"),
                format!(r#"write "{key}": ["…"]"#),
            );
            return Vec::new();
        };
        items
            .elements
            .iter()
            .filter_map(|item| match item {
                Json::StringLit(s) => Some((s.value.to_string(), s.range.start + 1)),
                other => {
                    self.error(
                        value_span(other),
                        format!("`{key}` holds strings, not {}", kind_of(other)),
                        format!(r#"write "{key}": ["…"]"#),
                    );
                    None
                }
            })
            .collect()
    }

    fn findings(&mut self, object: &Object) -> Vec<Finding> {
        let mut out = Vec::new();
        for prop in &object.properties {
            let (name, name_span) = prop_name(&prop.name);
            let indicator = Name {
                text: name,
                span: name_span,
            };
            match &prop.value {
                Json::Array(items) => {
                    for item in &items.elements {
                        let Json::Object(pattern) = item else {
                            self.error(
                                value_span(item),
                                format!("a finding of `{}` must be an object", indicator.text),
                                r#"write {"line": 2, "area": "_", "value": 0}"#,
                            );
                            continue;
                        };
                        if let Some(f) = self.pattern(&indicator, pattern) {
                            out.push(f);
                        }
                    }
                }
                value => {
                    if let Some(v) = self.finding_value(value) {
                        out.push(Finding {
                            indicator: indicator.clone(),
                            args: Vec::new(),
                            value: v,
                            span: name_span.to(value_span(value)),
                        });
                    }
                }
            }
        }
        out
    }

    /// `{"line": 2, "area": "_", "value": 0}`: one finding of a parametric indicator.
    fn pattern(&mut self, indicator: &Name, object: &Object) -> Option<Finding> {
        self.no_duplicates(object, &format!("a finding of `{}`", indicator.text));
        let mut args = Vec::new();
        let mut value = None;
        for prop in &object.properties {
            let (key, key_span) = prop_name(&prop.name);
            if key == "value" {
                value = self.finding_value(&prop.value);
                continue;
            }
            let arg = match &prop.value {
                Json::StringLit(s) if s.value == "_" => None,
                other => Some(self.literal(other)?),
            };
            args.push(FindingArg {
                label: Some(Name {
                    text: key,
                    span: key_span,
                }),
                value: arg,
                span: key_span.to(value_span(&prop.value)),
            });
        }
        let Some(value) = value else {
            self.error(
                span(object.range),
                format!("this finding of `{}` has no `value`", indicator.text),
                r#"add "value": …"#,
            );
            return None;
        };
        if args.is_empty() {
            self.error(
                span(object.range),
                format!("this finding of `{}` names no parameter", indicator.text),
                r#"name each parameter, or "_" for every value"#,
            );
            return None;
        }
        Some(Finding {
            indicator: indicator.clone(),
            args,
            value,
            span: span(object.range),
        })
    }

    /// What a finding records: `"untestable"`, `{"untestable": "reason"}` (LANGUAGE.md §7.6),
    /// or a value.
    fn finding_value(&mut self, value: &Json) -> Option<FindingValue> {
        match value {
            Json::StringLit(s) if s.value == "untestable" => Some(FindingValue::Untestable {
                reason: None,
                span: value_span(value),
            }),
            Json::Object(o) if o.get("untestable").is_some() => {
                self.only_keys(o, &["untestable"], "an untestable finding");
                let reason = self
                    .string(o.get("untestable").map(|p| &p.value), "the reason")
                    .map(|(value, at)| ast::StringLit { value, span: at });
                Some(FindingValue::Untestable {
                    reason,
                    span: value_span(value),
                })
            }
            other => self.literal(other).map(FindingValue::Found),
        }
    }

    /// A JSON value as a literal of the language.
    fn literal(&mut self, value: &Json) -> Option<Literal> {
        let at = value_span(value);
        let kind = match value {
            Json::StringLit(s) => match sot_grammar::parse_literal(&s.value) {
                Ok(lit) => lit.kind,
                Err(_) => {
                    self.error(at, format!("`{}` is not a value", s.value), r#"write a value as in a .sot case: "left", "6 mm", "yes", "none", or a number"#);
                    return None;
                }
            },
            Json::NumberLit(n) => match n.value.parse::<f64>() {
                Ok(v) => LiteralKind::Number {
                    value: v,
                    integer: !n.value.contains(['.', 'e', 'E']),
                    unit: None,
                },
                Err(_) => {
                    self.error(
                        at,
                        format!("`{}` is not a number", n.value),
                        "write a number",
                    );
                    return None;
                }
            },
            Json::BooleanLit(b) => LiteralKind::Bool(b.value),
            Json::NullKeyword(_) => LiteralKind::None,
            other => {
                self.error(
                    at,
                    format!("expected a value, found {}", kind_of(other)),
                    r#"write a value: "left", "6 mm", 2, true, null"#,
                );
                return None;
            }
        };
        Some(Literal { kind, span: at })
    }
}
