//! What `sot why` is asked about: an item written as a student would write it
//! (`line_two_cmrt`, `line_two_cmrt(area: 6)`, `line_two_cmrt[area = 6]`,
//! `cmrt(level: T8)`, `category II`), parsed, and resolved against a lowered program.

use serde::Serialize;
use sot_ir::{Program, Value, ValueType};

/// The kinds of item `sot why` explains; names live in one namespace per kind
/// (LANGUAGE.md §3), so one name may be several of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A rule (with or without one of its bindings).
    Rule,
    /// An adjustment, or a call of it with some of its arguments.
    Adjustment,
    /// A category.
    Category,
    /// A red flag.
    RedFlag,
    /// A before/after check (with or without one of its bindings).
    Check,
}

impl Kind {
    /// Every kind, in the order answers are given.
    pub const ALL: [Kind; 5] = [
        Kind::RedFlag,
        Kind::Category,
        Kind::Rule,
        Kind::Adjustment,
        Kind::Check,
    ];

    /// The kind in words: `red flag`.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::RedFlag => "red flag",
            other => other.word(),
        }
    }

    /// The keyword the language writes before such an item.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Rule => "rule",
            Kind::Adjustment => "adjustment",
            Kind::Category => "category",
            Kind::RedFlag => "red_flag",
            Kind::Check => "check",
        }
    }
}

/// An item as asked: an optional kind word, a name, and arguments (a binding of a rule or
/// check, or arguments of an adjustment call), each `label: value`, `label = value` or a
/// bare value (in parameter order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// The kind word written before the name, if any.
    pub kind: Option<Kind>,
    /// The item's name.
    pub name: String,
    /// The arguments, each with its label when written.
    pub args: Vec<(Option<String>, String)>,
}

impl Query {
    /// Reads an item: `[KIND] NAME`, then arguments in `(…)` or `[…]` or as the words that
    /// follow (`line_two_cmrt area=6`), separated by commas or spaces.
    pub fn parse(text: &str) -> Result<Query, String> {
        let text = text.trim();
        let (kind, rest) = match text.split_once(char::is_whitespace) {
            Some((word, rest)) => match Kind::ALL.iter().find(|k| k.word() == word) {
                Some(k) => (Some(*k), rest.trim_start()),
                None if word == "red" && rest.trim_start().starts_with("flag ") => (
                    Some(Kind::RedFlag),
                    rest.trim_start().trim_start_matches("flag").trim_start(),
                ),
                None => (None, text),
            },
            None => (None, text),
        };
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (name, tail) = rest.split_at(end);
        if name.is_empty() {
            return Err(match kind {
                Some(k) => format!("`{}` needs a name after it", k.word()),
                None => "name an item: a rule, adjustment, category, red flag or check".into(),
            });
        }
        let tail = tail.trim();
        let inner = if let Some(inner) = tail.strip_prefix('(') {
            inner
                .strip_suffix(')')
                .ok_or_else(|| format!("`{tail}`: a `(` without its `)`"))?
        } else if let Some(inner) = tail.strip_prefix('[') {
            inner
                .strip_suffix(']')
                .ok_or_else(|| format!("`{tail}`: a `[` without its `]`"))?
        } else {
            tail
        };
        let args = arguments(inner)?;
        Ok(Query {
            kind,
            name: name.to_string(),
            args,
        })
    }
}

/// `a: 1, b = 2`, `a=1 b=2` or `1, 2` as labelled or bare values.
fn arguments(text: &str) -> Result<Vec<(Option<String>, String)>, String> {
    // `label: value` and `label = value` are read as `label=value`, so that spaces may
    // separate arguments as commas do.
    let mut joined = String::new();
    for c in text.chars() {
        match c {
            ':' | '=' => {
                while joined.ends_with(' ') {
                    joined.pop();
                }
                joined.push('=');
            }
            ' ' if joined.ends_with('=') => {}
            c => joined.push(c),
        }
    }
    joined
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|a| !a.is_empty())
        .map(|a| match a.split_once('=') {
            Some((label, value)) if !label.is_empty() && !value.is_empty() => {
                Ok((Some(label.to_string()), value.to_string()))
            }
            Some(_) => Err(format!("`{a}`: write an argument as `name: value`")),
            None => Ok((None, a.to_string())),
        })
        .collect()
}

/// A resolved item: what to explain, by index into the program.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// A rule and the instances asked for (every one when no binding was given).
    Rule(u32, Vec<u32>),
    /// An adjustment and, per parameter, the value asked for (`None`: any).
    Adjustment(u32, Vec<Option<Value>>),
    /// A category.
    Category(u32),
    /// A red flag.
    RedFlag(u32),
    /// A check and the instances asked for.
    Check(u32, Vec<u32>),
}

/// Why an item could not be resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolveError {
    /// No item of the kinds allowed has that name; `known` lists every name of those kinds,
    /// for a suggestion.
    Unknown {
        /// The name asked for.
        name: String,
        /// The kinds searched.
        kinds: Vec<Kind>,
        /// Every item of those kinds, by kind.
        known: Vec<(Kind, String)>,
    },
    /// The item exists but its arguments do not fit it.
    Arguments(String),
}

impl std::fmt::Display for ResolveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResolveError::Unknown { name, kinds, .. } => {
                // In the order a student thinks of them, not the order answers are given.
                let order = [
                    Kind::Rule,
                    Kind::Adjustment,
                    Kind::Category,
                    Kind::RedFlag,
                    Kind::Check,
                ];
                let words: Vec<&str> = order
                    .iter()
                    .filter(|k| kinds.contains(k))
                    .map(|k| k.noun())
                    .collect();
                let words = match words.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        format!("{} or {last}", rest.join(", "))
                    }
                    _ => words.join(""),
                };
                write!(f, "no {words} named `{name}`")
            }
            ResolveError::Arguments(message) => f.write_str(message),
        }
    }
}

/// Every item of `kind`'s namespace, by name.
fn names(program: &Program, kind: Kind) -> Vec<&str> {
    match kind {
        Kind::Rule => program.rules.iter().map(|r| r.name.as_str()).collect(),
        Kind::Adjustment => program
            .adjustments
            .iter()
            .map(|a| a.name.as_str())
            .collect(),
        Kind::Category => program.categories.iter().map(|c| c.name.as_str()).collect(),
        Kind::RedFlag => program.red_flags.iter().map(|r| r.name.as_str()).collect(),
        Kind::Check => program.checks.iter().map(|c| c.name.as_str()).collect(),
    }
}

/// The items a query names: one per kind that has the name (a name may be a rule and a
/// check, say), or the one of the kind written before it.
pub fn resolve(program: &Program, query: &Query) -> Result<Vec<Target>, ResolveError> {
    let kinds: Vec<Kind> = match query.kind {
        Some(k) => vec![k],
        None => Kind::ALL.to_vec(),
    };
    let mut targets = Vec::new();
    for &kind in &kinds {
        let Some(index) = names(program, kind)
            .iter()
            .position(|n| *n == query.name)
            .map(|i| i as u32)
        else {
            continue;
        };
        targets.push(target(program, kind, index, query)?);
    }
    if targets.is_empty() {
        let known = kinds
            .iter()
            .flat_map(|&k| {
                names(program, k)
                    .into_iter()
                    .map(move |n| (k, n.to_string()))
            })
            .collect();
        return Err(ResolveError::Unknown {
            name: query.name.clone(),
            kinds,
            known,
        });
    }
    Ok(targets)
}

fn target(
    program: &Program,
    kind: Kind,
    index: u32,
    query: &Query,
) -> Result<Target, ResolveError> {
    let no_arguments = |what: &str| {
        if query.args.is_empty() {
            Ok(())
        } else {
            Err(ResolveError::Arguments(format!(
                "{what} `{}` takes no arguments",
                query.name
            )))
        }
    };
    Ok(match kind {
        Kind::Category => {
            no_arguments("category")?;
            Target::Category(index)
        }
        Kind::RedFlag => {
            no_arguments("red flag")?;
            Target::RedFlag(index)
        }
        Kind::Rule => {
            let bindings: Vec<&[(String, String)]> = program
                .rules
                .get(index as usize)
                .map(|r| r.instances.iter().map(|i| i.binding.as_slice()).collect())
                .unwrap_or_default();
            Target::Rule(
                index,
                instances(&query.name, "rule", &bindings, &query.args)?,
            )
        }
        Kind::Check => {
            let bindings: Vec<&[(String, String)]> = program
                .checks
                .get(index as usize)
                .map(|c| c.instances.iter().map(|i| i.binding.as_slice()).collect())
                .unwrap_or_default();
            Target::Check(
                index,
                instances(&query.name, "check", &bindings, &query.args)?,
            )
        }
        Kind::Adjustment => {
            let params = program
                .adjustments
                .get(index as usize)
                .map(|a| a.params.as_slice())
                .unwrap_or_default();
            Target::Adjustment(index, call_values(&query.name, params, &query.args)?)
        }
    })
}

/// The instances whose binding matches `args` (labels are `for` variables; bare values
/// follow their order; values compare without regard to case).
fn instances(
    name: &str,
    what: &str,
    bindings: &[&[(String, String)]],
    args: &[(Option<String>, String)],
) -> Result<Vec<u32>, ResolveError> {
    let variables: Vec<&str> = bindings
        .first()
        .map(|b| b.iter().map(|(v, _)| v.as_str()).collect())
        .unwrap_or_default();
    if !args.is_empty() && variables.is_empty() {
        return Err(ResolveError::Arguments(format!(
            "{what} `{name}` has no `for` binding to choose"
        )));
    }
    if args.len() > variables.len() {
        return Err(ResolveError::Arguments(format!(
            "{what} `{name}` binds {} ({}), not {} values",
            variables.len(),
            variables.join(", "),
            args.len()
        )));
    }
    let mut wanted: Vec<(usize, &str)> = Vec::new();
    for (i, (label, value)) in args.iter().enumerate() {
        let position = match label {
            Some(label) => variables.iter().position(|v| v == label).ok_or_else(|| {
                ResolveError::Arguments(format!(
                    "{what} `{name}` has no `for` variable `{label}`; its variables: {}",
                    variables.join(", ")
                ))
            })?,
            None => i,
        };
        let taken: Vec<&str> = bindings
            .iter()
            .filter_map(|b| b.get(position).map(|(_, v)| v.as_str()))
            .fold(Vec::new(), |mut seen, v| {
                if !seen.contains(&v) {
                    seen.push(v);
                }
                seen
            });
        if !taken.iter().any(|v| v.eq_ignore_ascii_case(value)) {
            return Err(ResolveError::Arguments(format!(
                "{what} `{name}` has no binding {} = {value}; {} takes {}",
                variables.get(position).unwrap_or(&"?"),
                variables.get(position).unwrap_or(&"?"),
                taken.join(", ")
            )));
        }
        wanted.push((position, value));
    }
    Ok(bindings
        .iter()
        .enumerate()
        .filter(|(_, b)| {
            wanted.iter().all(|(p, value)| {
                b.get(*p)
                    .is_some_and(|(_, v)| v.eq_ignore_ascii_case(value))
            })
        })
        .map(|(i, _)| i as u32)
        .collect())
}

/// The value asked for each parameter of an adjustment (`None`: any).
fn call_values(
    name: &str,
    params: &[(String, ValueType)],
    args: &[(Option<String>, String)],
) -> Result<Vec<Option<Value>>, ResolveError> {
    let mut values = vec![None; params.len()];
    let list = || {
        params
            .iter()
            .map(|(p, _)| p.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if args.len() > params.len() {
        return Err(ResolveError::Arguments(if params.is_empty() {
            format!("adjustment `{name}` takes no arguments")
        } else {
            format!("adjustment `{name}` takes {} ({})", params.len(), list())
        }));
    }
    for (i, (label, text)) in args.iter().enumerate() {
        let position = match label {
            Some(label) => params.iter().position(|(p, _)| p == label).ok_or_else(|| {
                ResolveError::Arguments(format!(
                    "adjustment `{name}` has no parameter `{label}`; its parameters: {}",
                    list()
                ))
            })?,
            None => i,
        };
        let Some((param, ty)) = params.get(position) else {
            continue;
        };
        let value = parse_value(ty, text).ok_or_else(|| {
            ResolveError::Arguments(format!("`{text}` is not a value of `{param}` of `{name}`"))
        })?;
        if let Some(slot) = values.get_mut(position) {
            *slot = Some(value);
        }
    }
    Ok(values)
}

/// A value written as a case writes it, read in its type.
pub(crate) fn parse_value(ty: &ValueType, text: &str) -> Option<Value> {
    match ty {
        ValueType::Bool => match text {
            "yes" => Some(Value::Num(1.0)),
            "no" => Some(Value::Num(0.0)),
            _ => None,
        },
        ValueType::Int => text.parse::<i64>().ok().map(|n| Value::Num(n as f64)),
        ValueType::Measure { .. } => None,
        ValueType::Symbols { values, .. } => values
            .iter()
            .position(|v| v.eq_ignore_ascii_case(text))
            .map(|i| Value::Num(i as f64)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Query {
        Query::parse(text).expect("parses")
    }

    #[test]
    fn the_forms_a_student_writes_read_alike() {
        let want = Query {
            kind: None,
            name: "line_two_cmrt".into(),
            args: vec![(Some("area".into()), "6".into())],
        };
        for text in [
            "line_two_cmrt(area: 6)",
            "line_two_cmrt[area = 6]",
            "line_two_cmrt area=6",
            "line_two_cmrt area = 6",
            " line_two_cmrt (area:6) ",
        ] {
            assert_eq!(parsed(text), want, "{text}");
        }
        let call = parsed("cmrt(level: T8, reflex: liver)");
        assert_eq!(call.args.len(), 2);
        assert_eq!(parsed("adjust(T3)").args, vec![(None, "T3".to_string())]);
    }

    #[test]
    fn a_kind_word_picks_the_namespace() {
        assert_eq!(parsed("category II").kind, Some(Kind::Category));
        assert_eq!(parsed("category II").name, "II");
        assert_eq!(parsed("red_flag cauda_equina").kind, Some(Kind::RedFlag));
        assert_eq!(parsed("red flag cauda_equina").name, "cauda_equina");
        assert_eq!(parsed("check fibers(area: 2)").kind, Some(Kind::Check));
        assert_eq!(parsed("II").kind, None);
    }

    #[test]
    fn malformed_items_are_refused_with_words() {
        assert!(Query::parse("").is_err());
        assert!(Query::parse("rule").is_ok_and(|q| q.name == "rule"));
        assert!(Query::parse("rule ").is_ok());
        assert!(Query::parse("category (").is_err());
        assert!(Query::parse("cmrt(level: T8").is_err());
        assert!(Query::parse("cmrt(: T8)").is_err());
    }
}
