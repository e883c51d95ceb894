//! The one diagnostic type of the compiler and the registry of codes (LANGUAGE.md §5).
//!
//! Diagnostics are plain values returned by queries (no salsa accumulators); the edges (the
//! terminal, JSON, the language server) convert them.

use sot_grammar::ast::Span;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Makes `sot check` fail.
    Error,
    /// Reported; fails only with `--deny warnings`.
    Warning,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($($code:ident $sev:ident $summary:literal,)*) => {
        /// A diagnostic code. Each has one place in the code that produces it and one entry
        /// in `docs/language.md`; each E and W code one fixture under `tests/fixtures/check/`.
        /// T codes are the language server's: a case's `expect` line judged as `sot test`
        /// judges it, shown where it is written.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $(#[doc = $summary] $code,)* }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            /// The code as written (`"E0301"`).
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$code => stringify!($code),)* }
            }

            /// Whether it is an error or a warning.
            pub fn severity(self) -> Severity {
                match self { $(Code::$code => Severity::$sev,)* }
            }

            /// One line on what the code means.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$code => $summary,)* }
            }
        }
    };
}

codes! {
    E0001 Error "syntax error",
    E0101 Error "unknown name",
    E0102 Error "duplicate name in one namespace",
    E0103 Error "`use` of a missing file, or an import cycle",
    E0201 Error "wrong argument names, count, or mixed positional and named arguments",
    E0301 Error "type mismatch in a comparison or argument",
    E0302 Error "value out of the declared range or not a member of the enum",
    E0303 Error "unit mismatch",
    E0304 Error "optional value used where a non-optional one is required",
    E0305 Error "`and` and `or` mixed without parentheses",
    E0306 Error "ordering comparison on an unordered type",
    E0307 Error "`before`/`after` used outside a check",
    E0401 Error "table not total",
    E0402 Error "duplicate table key",
    E0403 Error "precedence cycle",
    E0404 Error "categories on one `coexist` line are ordered by `precedence`",
    E0405 Error "a `coexist` line names fewer than two distinct categories",
    E0501 Error "bad case finding",
    E0502 Error "`expect` names something that does not exist",
    W0600 Warning "a static analysis could not decide a question (a guard against hostile input stopped it)",
    W0601 Warning "two categories can both be true with no precedence between them",
    W0602 Warning "a condition can never be true (dead rule, category, check, red flag or coexist line)",
    W0603 Warning "a rule's or red flag's `when` contradicts the category named by its `in category`",
    W0604 Warning "unused indicator, adjustment, table or type",
    W0605 Warning "a check's `after ADJ` names an adjustment that no rule recommends",
    W0606 Warning "an `unless` that can never be true, or that is always true when `when` is",
    W0607 Warning "a category that is never the visit's category: whenever it is true, one that outranks it is true too",
    W0608 Warning "a rule whose every recommendation another rule always makes too (redundant)",
    T0001 Warning "an `expect` line fails: the protocol computes something else",
}

/// A labelled span.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say there (may be empty).
    pub message: String,
}

/// A problem found in a file: a code, a message, a primary label, maybe secondary labels (in
/// the same file) and help.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// The code.
    pub code: Code,
    /// What is wrong.
    pub message: String,
    /// The exact place.
    pub primary: Label,
    /// Related places in the same file.
    pub secondary: Vec<Label>,
    /// What to write instead, when known.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with a primary span and no label text.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            primary: Label {
                span,
                message: String::new(),
            },
            secondary: Vec::new(),
            help: None,
        }
    }

    /// Sets the primary label's text.
    pub fn label(mut self, text: impl Into<String>) -> Self {
        self.primary.message = text.into();
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, span: Span, text: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: text.into(),
        });
        self
    }

    /// Sets the help text.
    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help = Some(text.into());
        self
    }

    /// Sets the help text if there is one.
    pub fn maybe_help(mut self, text: Option<String>) -> Self {
        if text.is_some() {
            self.help = text;
        }
        self
    }

    /// The severity of its code.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// The diagnostic with every span moved `by` bytes (item-relative to file-relative).
    pub fn shifted(mut self, by: usize) -> Self {
        self.primary.span = self.primary.span.shift(by);
        for label in &mut self.secondary {
            label.span = label.span.shift(by);
        }
        self
    }
}

/// "did you mean `x`?" for the candidate closest to `name`, if any is close enough.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let best = candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .min()?;
    let limit = (name.chars().count() / 3).max(1);
    let close = best.0 <= limit
        || name.to_lowercase() == best.1.to_lowercase()
        || (name.len() >= 4 && (best.1.contains(name) || name.contains(best.1)));
    close.then(|| format!("did you mean `{}`?", best.1))
}
