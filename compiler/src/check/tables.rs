//! Checks of a table: its keys against the parameters, its values against its type, and that
//! it is total.
//!
//! Codes: E0201 (a key with the wrong number of values), E0402 (a duplicate key or a second
//! default entry), E0401 (a table without a default that misses keys), and E0301/E0302/E0303
//! for a key or value that is not of its type.

use foldhash::HashMap;

use sot_grammar::ast::{self, Span};

use super::values::canonical;
use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::types::Ty;

impl Checker<'_> {
    pub(super) fn table(&mut self, t: &ast::Table) {
        let params = self.params(&t.params);
        self.limit_combinations(&params, t.name.span, "table keys");
        let value_ty = self.ty(&t.ty);
        let mut seen: HashMap<Vec<String>, Span> = HashMap::default();
        let mut has_default = false;
        for entry in &t.entries {
            let key = match &entry.key {
                None => {
                    if has_default {
                        self.report(
                            Diagnostic::new(
                                Code::E0402,
                                entry.key_span,
                                "a second default entry `_`",
                            )
                            .help("keep one `_ =>` entry"),
                        );
                    }
                    has_default = true;
                    None
                }
                Some(values) if values.len() != params.len() => {
                    self.report(
                        Diagnostic::new(
                            Code::E0201,
                            entry.key_span,
                            format!(
                                "this key has {} value(s), but `{}` has {} parameter(s)",
                                values.len(),
                                t.name.text,
                                params.len()
                            ),
                        )
                        .help("write one value per parameter, as a tuple `(a, b)` when there are several"),
                    );
                    None
                }
                Some(values) => {
                    let mut ok = true;
                    for (value, (_, ty)) in values.iter().zip(&params) {
                        ok &= self.literal_in(value, ty, None);
                    }
                    ok.then(|| values.iter().map(canonical).collect::<Vec<_>>())
                }
            };
            if let Some(key) = key {
                if let Some(first) = seen.get(&key) {
                    let first = *first;
                    self.report(
                        Diagnostic::new(
                            Code::E0402,
                            entry.key_span,
                            format!(
                                "duplicate key {} in table `{}`",
                                key.join(", "),
                                t.name.text
                            ),
                        )
                        .label("this key again")
                        .with_secondary(first, "first entry for this key")
                        .help("remove one of the two entries"),
                    );
                } else {
                    seen.insert(key, entry.key_span);
                }
            }
            self.literal_in(&entry.value, &value_ty, None);
        }
        if !has_default {
            self.table_totality(t, &params, &seen);
        }
    }

    fn table_totality(
        &mut self,
        t: &ast::Table,
        params: &[(String, Ty)],
        seen: &HashMap<Vec<String>, Span>,
    ) {
        let domains: Option<Vec<Vec<String>>> = params
            .iter()
            .map(|(_, ty)| self.domain_values(ty))
            .collect();
        let Some(domains) = domains else { return };
        let total = domains
            .iter()
            .try_fold(1usize, |acc, d| acc.checked_mul(d.len()));
        if total.is_none_or(|n| n > 1_000_000) {
            return;
        }
        let mut missing = Vec::new();
        let mut missing_count = 0usize;
        let mut index = vec![0usize; domains.len()];
        if domains.iter().all(|d| !d.is_empty()) {
            loop {
                let key: Vec<String> = index
                    .iter()
                    .zip(&domains)
                    .map(|(i, d)| d[*i].clone())
                    .collect();
                if !seen.contains_key(&key) {
                    missing_count += 1;
                    if missing.len() < 8 {
                        missing.push(if key.len() == 1 {
                            key[0].clone()
                        } else {
                            format!("({})", key.join(", "))
                        });
                    }
                }
                // Next combination, odometer style.
                let mut pos = domains.len();
                loop {
                    if pos == 0 {
                        break;
                    }
                    pos -= 1;
                    index[pos] += 1;
                    if index[pos] < domains[pos].len() {
                        break;
                    }
                    index[pos] = 0;
                    if pos == 0 {
                        pos = usize::MAX;
                        break;
                    }
                }
                if pos == usize::MAX || domains.is_empty() {
                    break;
                }
            }
        }
        if missing_count > 0 {
            let more = if missing_count > missing.len() {
                format!(" and {} more", missing_count - missing.len())
            } else {
                String::new()
            };
            self.report(
                Diagnostic::new(
                    Code::E0401,
                    t.name.span,
                    format!(
                        "table `{}` has no entry for {}{more}",
                        t.name.text,
                        missing.join(", ")
                    ),
                )
                .label("not total")
                .help("add entries for the missing keys, or a default entry `_ => …`"),
            );
        }
    }
}
