//! Grouping in the mini-notation: `[ ]` and `< >` brackets, `,` layers
//! and `|` random choice between them, and `.` groups.
//!
//! Control thread only, pure. Nesting is capped and every error names a
//! column.

use std::sync::Arc;

use super::super::frac::Frac;
use super::super::model::Node;
use super::{error, sequence_node, Parser, PatternError, Step, MAX_NESTING};

impl Parser {
    /// `a . b c` is `[a] [b c]`: each group between dots becomes one step.
    pub(super) fn finish_groups(
        mut groups: Vec<(Vec<Step>, usize)>,
        steps: Vec<Step>,
        column: usize,
    ) -> Result<Vec<Step>, PatternError> {
        if groups.is_empty() {
            return Ok(steps);
        }
        if steps.is_empty() {
            return Err(error(
                column,
                "\".\" groups the steps on each side of it, but there is none after it",
            ));
        }
        groups.push((steps, column));
        Ok(groups
            .into_iter()
            .map(|(group, column)| {
                let (node, _, depth) = sequence_node(group);
                Step::new(node, column, depth)
            })
            .collect())
    }

    /// Stack (`,`) or random choice (`|`) of already-parsed layers.
    pub(super) fn combine(
        &mut self,
        layers: Vec<Vec<Step>>,
        sep: char,
    ) -> (Arc<Node>, Frac, usize) {
        let mut nodes = Vec::with_capacity(layers.len());
        let mut steps = Frac::ZERO;
        let mut depth = 0;
        for layer in layers {
            let (node, total, d) = sequence_node(layer);
            steps = steps.max(total);
            depth = depth.max(d);
            nodes.push(node);
        }
        (self.combine_nodes(nodes, sep), steps, depth + 1)
    }

    pub(super) fn combine_nodes(&mut self, mut nodes: Vec<Arc<Node>>, sep: char) -> Arc<Node> {
        if nodes.len() == 1 {
            if let Some(node) = nodes.pop() {
                return node;
            }
        }
        if sep == '|' {
            let seed = self.next_seed();
            Arc::new(Node::Choose {
                options: nodes,
                seed,
            })
        } else {
            Arc::new(Node::Stack(nodes))
        }
    }

    /// `[...]` or `<...>` starting at the cursor.
    pub(super) fn bracket(
        &mut self,
        opener: char,
        column: usize,
    ) -> Result<(Arc<Node>, usize), PatternError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(error(
                column,
                format!("brackets are nested too deeply (the limit is {MAX_NESTING})"),
            ));
        }
        let closer = if opener == '[' { ']' } else { '>' };
        self.pos += 1;
        let (layers, sep) = self.layers(Some((closer, opener, column)))?;
        // `layers` returns only at the closer; anything else was an error.
        self.pos += 1;
        self.nesting -= 1;
        if layers.iter().all(|l| l.is_empty()) {
            return Err(error(
                column,
                format!("empty \"{opener}{closer}\": put at least one note or ~ inside"),
            ));
        }
        if opener == '[' {
            let (node, _, depth) = self.combine(layers, sep);
            return Ok((node, depth));
        }
        let mut alts = Vec::with_capacity(layers.len());
        let mut depth = 0;
        for layer in layers {
            let mut items = Vec::with_capacity(layer.len());
            let mut total: i64 = 0;
            for step in layer {
                if step.weight.denom() != 1 {
                    return Err(error(
                        step.column,
                        format!(
                            "inside \"< >\" a length (@ or _) counts whole cycles, found {}",
                            step.weight
                        ),
                    ));
                }
                let cycles = step.weight.numer();
                total = total.saturating_add(cycles);
                depth = depth.max(step.depth);
                items.push((step.node, cycles));
            }
            alts.push(Arc::new(Node::Alt { items, total }));
        }
        let n = alts.len();
        let node = self.combine_nodes(alts, sep);
        Ok((node, depth + if n == 1 { 1 } else { 2 }))
    }
}
