//! Semantic tokens, from the grammar's tokens of each item: keywords, comments, strings,
//! numbers, parameter names and argument labels (`parameter`), and names coloured by what
//! they declare.

use sot_compiler::{file_line_index, Database, Encoding, SourceFile};
use tower_lsp_server::ls_types::*;

use sot_grammar::TokenKind;

use crate::analysis::{self, definitions, DefKind};
use crate::{position, Snapshot};

/// The semantic token types, in legend order.
pub(crate) const TOKEN_TYPES: [SemanticTokenType; 9] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::COMMENT,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::TYPE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::PARAMETER,
];

/// The semantic tokens of a whole document.
pub(crate) fn semantic_tokens_full(
    s: &Snapshot,
    params: SemanticTokensParams,
) -> Option<SemanticTokensResult> {
    let file = s.file(&params.text_document.uri)?;
    Some(SemanticTokensResult::Tokens(SemanticTokens {
        result_id: None,
        data: semantic_tokens(&s.db, file, s.encoding),
    }))
}

fn semantic_tokens(db: &Database, file: SourceFile, encoding: Encoding) -> Vec<SemanticToken> {
    let text = file.text(db);
    let index = file_line_index(db, file);
    let defs = definitions(db, file);
    let names = analysis::by_name(&defs);
    let mut out = Vec::new();
    let (mut last_line, mut last_start) = (0u32, 0u32);
    for token in analysis::file_tokens(db, file) {
        let (start, end) = (token.span.start as usize, token.span.end as usize);
        let word = text.get(start..end).unwrap_or_default();
        let token_type = match token.kind {
            TokenKind::Keyword => 0,
            TokenKind::Comment => 1,
            TokenKind::String => 2,
            TokenKind::Number => 3,
            // Parameter names and argument labels, even when spelled like a keyword.
            TokenKind::Label => 8,
            TokenKind::Name if matches!(word, "Side" | "Vertebra" | "Category") => 4,
            TokenKind::Name => match names.get(word).map(|d| d.kind) {
                Some(DefKind::Indicator) => 6,
                Some(DefKind::EnumValue) => 7,
                Some(DefKind::Type) | Some(DefKind::Category) => 4,
                Some(_) => 5,
                None if word == "left" || word == "right" || sot_compiler::types_vertebra(word) => {
                    7
                }
                None => continue,
            },
        };
        let from = position(index, start, encoding);
        let to = position(index, end, encoding);
        let length = if to.line == from.line {
            to.character - from.character
        } else {
            continue;
        };
        let delta_line = from.line - last_line;
        let delta_start = if delta_line == 0 {
            from.character - last_start
        } else {
            from.character
        };
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type,
            token_modifiers_bitset: 0,
        });
        last_line = from.line;
        last_start = from.character;
    }
    out
}
