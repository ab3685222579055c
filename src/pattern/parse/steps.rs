//! The drum step notation (`"x..x ..X."`): one character per step.
//!
//! Control thread only, pure. Every error names a 1-based column.

use std::sync::Arc;

use super::super::frac::Frac;
use super::super::model::{Hit, Node, Pattern};
use super::{
    error, sequence_node, PatternError, Step, ACCENT_VELOCITY, DEFAULT_VELOCITY, GHOST_VELOCITY,
    MAX_STEPS,
};

/// Parse a drum step string such as `"x..x ..X. | o_2."`.
///
/// One character per step: `x` hit (velocity 0.8), `X` accent (1.0),
/// `o` ghost (0.4), `1`–`9` velocity n/9, `.` `-` `~` rest, `_` hold the
/// previous step one step longer. Spaces and `|` are ignored. Hits have no
/// pitch (`note: None`). An empty string is a silent pattern of zero steps.
pub fn parse_steps(src: &str) -> Result<Pattern, PatternError> {
    if super::super::expr::has_functions(src) {
        return super::super::expr::parse(src, super::super::expr::Base::Steps);
    }
    parse_plain_steps(src)
}

/// The step notation alone (no `$`).
pub(crate) fn parse_plain_steps(src: &str) -> Result<Pattern, PatternError> {
    let mut steps: Vec<Step> = Vec::new();
    for (i, ch) in src.chars().enumerate() {
        let column = i + 1;
        let velocity = match ch {
            'x' => Some(DEFAULT_VELOCITY),
            'X' => Some(ACCENT_VELOCITY),
            'o' => Some(GHOST_VELOCITY),
            '1'..='9' => Some((ch as u32 - '0' as u32) as f32 / 9.0),
            '.' | '-' | '~' => None,
            '_' => {
                let Some(last) = steps.last_mut() else {
                    return Err(error(
                        column,
                        "\"_\" holds the previous step longer, but there is no step before it",
                    ));
                };
                last.weight = last.weight + Frac::ONE;
                continue;
            }
            '|' => continue,
            c if c.is_whitespace() => continue,
            '0' => {
                return Err(error(
                    column,
                    "\"0\" is not a step: velocities go from 1 (softest) to 9, use . for a rest",
                ))
            }
            other => {
                return Err(error(
                    column,
                    format!(
                        "expected a step (x X o or 1-9 for a hit, . - ~ for a rest, _ to hold), found \"{other}\""
                    ),
                ))
            }
        };
        if steps.len() >= MAX_STEPS {
            return Err(error(
                column,
                format!("too many steps (the limit is {MAX_STEPS})"),
            ));
        }
        let node = match velocity {
            Some(velocity) => Node::Atom(Hit::new(None, velocity)),
            None => Node::Silence,
        };
        steps.push(Step::new(Arc::new(node), column, 0));
    }
    if steps.is_empty() {
        return Ok(Pattern::silence());
    }
    let (node, total, _) = sequence_node(steps);
    Ok(Pattern::from_arc(node, total))
}
