//! Limits a set of compiled templates must keep before anything renders, so
//! that a template from the repository cannot crash or hang the process:
//! no partial includes itself, directly or through others (Handlebars
//! refuses only the direct case and otherwise recurses until the stack
//! overflows, which aborts the process); blocks, partials and
//! subexpressions nest at most [`MAX_DEPTH`] deep (rendering recurses once
//! per level); partial names are written out, not computed, so the first
//! two can be checked; and partials expand to at most [`MAX_EXPANDED`]
//! elements (a partial that includes another twice, which includes another
//! twice, … doubles the work with every step). Pure: compiled templates in,
//! the first problem out.
//!
//! Every walk here uses an explicit stack: a template is exactly what may
//! be nested too deep to recurse over.

use std::collections::HashMap;

use handlebars::template::{
    DecoratorTemplate, HelperTemplate, Parameter, Template, TemplateElement,
};

/// How deep blocks, partials and subexpressions may nest, in total.
pub const MAX_DEPTH: usize = 64;

/// How many template elements the partials of one template may expand to.
pub const MAX_EXPANDED: u64 = 1_000_000;

/// A limit a template breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Partials that include each other in a circle: the names in order,
    /// the first again at the end.
    Cycle(Vec<String>),
    /// Nesting deeper than [`MAX_DEPTH`], starting in this template.
    TooDeep {
        /// The template or partial.
        name: String,
        /// 1-based line of the outermost element on the way down, when known.
        line: Option<usize>,
    },
    /// A partial whose name is computed (`{{> (lookup …)}}`) or an inline
    /// partial whose name is not a string literal.
    Dynamic {
        /// The template or partial it is in.
        name: String,
        /// 1-based line, when known.
        line: Option<usize>,
    },
    /// Partials that expand to more than [`MAX_EXPANDED`] elements.
    TooLarge {
        /// The template or partial.
        name: String,
    },
}

/// What one template (or inline partial) does: the partials it includes,
/// at which nesting level, and how deep it nests by itself.
#[derive(Debug, Default)]
struct Node {
    /// (partial name, nesting level at the call, line).
    calls: Vec<(String, usize, Option<usize>)>,
    /// The deepest nesting reached without partials, and its line.
    depth: usize,
    depth_line: Option<usize>,
    /// Elements, partials not counted.
    elements: u64,
}

/// Checks templates by name (the registry's templates and partials); a
/// problem comes with the name of the template it was found from.
pub fn check<'t>(
    templates: impl IntoIterator<Item = (&'t str, &'t Template)>,
) -> Result<(), (String, Problem)> {
    let mut nodes: HashMap<String, Node> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    for (name, template) in templates {
        scan(name, template, &mut nodes).map_err(|p| (name.to_owned(), p))?;
        names.push(name);
    }
    names.sort_unstable();
    let mut done: HashMap<&str, (usize, u64)> = HashMap::new();
    for name in names {
        cost(name, &nodes, &mut done).map_err(|p| (name.to_owned(), p))?;
    }
    Ok(())
}

/// Records what `template` (registered as `name`) does, and every inline
/// partial it defines, into `nodes`. Definitions of one name merge.
fn scan(name: &str, template: &Template, nodes: &mut HashMap<String, Node>) -> Result<(), Problem> {
    // (template, its nesting level, the node it belongs to)
    let mut stack: Vec<(&Template, usize, String)> = vec![(template, 0, name.to_owned())];
    while let Some((template, level, owner)) = stack.pop() {
        for (i, element) in template.elements.iter().enumerate() {
            let line = template.mapping.get(i).map(|m| m.0);
            let node_update = |nodes: &mut HashMap<String, Node>, depth: usize| {
                let node = nodes.entry(owner.clone()).or_default();
                node.elements += 1;
                if depth > node.depth {
                    node.depth = depth;
                    node.depth_line = line;
                }
            };
            match element {
                TemplateElement::RawString(_) | TemplateElement::Comment(_) => {
                    node_update(nodes, level);
                }
                TemplateElement::Expression(helper) | TemplateElement::HtmlExpression(helper) => {
                    node_update(nodes, level + helper_depth(helper));
                }
                TemplateElement::HelperBlock(helper) => {
                    node_update(nodes, level + 1 + helper_depth(helper));
                    for inner in [&helper.template, &helper.inverse].into_iter().flatten() {
                        stack.push((inner, level + 1, owner.clone()));
                    }
                }
                TemplateElement::DecoratorExpression(decorator)
                | TemplateElement::DecoratorBlock(decorator) => {
                    node_update(nodes, level + 1 + decorator_depth(decorator));
                    if decorator.name.as_name() == Some("inline") {
                        let inline = match decorator.params.first() {
                            Some(Parameter::Literal(serde_json::Value::String(s))) => s.clone(),
                            _ => {
                                return Err(Problem::Dynamic {
                                    name: owner.clone(),
                                    line,
                                });
                            }
                        };
                        if let Some(body) = &decorator.template {
                            nodes.entry(inline.clone()).or_default();
                            stack.push((body, 0, inline));
                        }
                    } else if let Some(body) = &decorator.template {
                        stack.push((body, level + 1, owner.clone()));
                    }
                }
                TemplateElement::PartialExpression(partial)
                | TemplateElement::PartialBlock(partial) => {
                    let target = match &partial.name {
                        Parameter::Name(_) | Parameter::Path(_) => {
                            partial.name.as_name().unwrap_or_default().to_owned()
                        }
                        Parameter::Literal(serde_json::Value::String(s)) => s.clone(),
                        Parameter::Literal(other) => other.to_string(),
                        // Computed, or a kind this version does not know.
                        _ => {
                            return Err(Problem::Dynamic {
                                name: owner.clone(),
                                line,
                            });
                        }
                    };
                    let depth = level + 1 + decorator_depth(partial);
                    node_update(nodes, depth);
                    if target != "@partial-block" {
                        nodes
                            .entry(owner.clone())
                            .or_default()
                            .calls
                            .push((target, depth, line));
                    }
                    if let Some(body) = &partial.template {
                        stack.push((body, level + 1, owner.clone()));
                    }
                }
                // An element a later Handlebars may add: counted, not followed.
                _ => node_update(nodes, level + 1),
            }
        }
    }
    Ok(())
}

/// How deep the subexpressions in a helper call's parameters nest.
fn helper_depth(helper: &HelperTemplate) -> usize {
    parameters_depth(helper.params.iter().chain(helper.hash.values()))
}

/// How deep the subexpressions in a decorator's or partial's parameters nest.
fn decorator_depth(decorator: &DecoratorTemplate) -> usize {
    parameters_depth(decorator.params.iter().chain(decorator.hash.values()))
}

fn parameters_depth<'p>(parameters: impl Iterator<Item = &'p Parameter>) -> usize {
    let mut deepest = 0;
    let mut stack: Vec<(&Parameter, usize)> = parameters.map(|p| (p, 0)).collect();
    while let Some((parameter, level)) = stack.pop() {
        if let Parameter::Subexpression(sub) = parameter {
            deepest = deepest.max(level + 1);
            let inner = sub
                .params()
                .into_iter()
                .flatten()
                .chain(sub.hash().into_iter().flat_map(|h| h.values()));
            stack.extend(inner.map(|p| (p, level + 1)));
        }
    }
    deepest
}

/// The deepest nesting and the expanded size of `name` with its partials,
/// memoized in `done`; a partial met again on the way down is a cycle.
fn cost<'n>(
    name: &'n str,
    nodes: &'n HashMap<String, Node>,
    done: &mut HashMap<&'n str, (usize, u64)>,
) -> Result<(usize, u64), Problem> {
    if let Some(found) = done.get(name) {
        return Ok(*found);
    }
    // Depth-first with an explicit stack: (name, index of the next call).
    let mut path: Vec<(&'n str, usize)> = vec![(name, 0)];
    while let Some((current, next)) = path.last().copied() {
        let Some(node) = nodes.get(current) else {
            // An unknown partial: Handlebars reports it when rendering.
            done.insert(current, (0, 0));
            path.pop();
            continue;
        };
        if let Some((callee, _, _)) = node.calls.get(next) {
            if let Some(last) = path.last_mut() {
                last.1 += 1;
            }
            if done.contains_key(callee.as_str()) {
                continue;
            }
            if let Some(start) = path.iter().position(|(n, _)| *n == callee.as_str()) {
                let mut cycle: Vec<String> =
                    path[start..].iter().map(|(n, _)| (*n).to_owned()).collect();
                cycle.push(callee.clone());
                return Err(Problem::Cycle(cycle));
            }
            path.push((callee.as_str(), 0));
            continue;
        }
        // Every callee is done: this node's cost.
        let mut depth = node.depth;
        let mut line = node.depth_line;
        let mut size = node.elements;
        for (callee, level, call_line) in &node.calls {
            let (callee_depth, callee_size) = done.get(callee.as_str()).copied().unwrap_or((0, 0));
            if level + callee_depth > depth {
                depth = level + callee_depth;
                line = *call_line;
            }
            size = size.saturating_add(callee_size);
        }
        if depth > MAX_DEPTH {
            return Err(Problem::TooDeep {
                name: current.to_owned(),
                line,
            });
        }
        if size > MAX_EXPANDED {
            return Err(Problem::TooLarge {
                name: current.to_owned(),
            });
        }
        done.insert(current, (depth, size));
        path.pop();
    }
    Ok(done.get(name).copied().unwrap_or((0, 0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(templates: &[(&str, &str)]) -> Result<(), Problem> {
        let compiled: Vec<(&str, Template)> = templates
            .iter()
            .map(|(name, text)| (*name, Template::compile(text).unwrap()))
            .collect();
        check(compiled.iter().map(|(n, t)| (*n, t))).map_err(|(_, p)| p)
    }

    #[test]
    fn ordinary_templates_pass() {
        run(&[
            (
                "notes",
                "{{#each sections}}{{> commit}}{{else}}none{{/each}}{{> footer}}",
            ),
            ("commit", "* {{description}} {{> link}}\n"),
            ("link", "({{short id}})"),
            (
                "footer",
                "{{#*inline \"x\"}}y{{/inline}}{{> x}}{{#> layout}}b{{/layout}}",
            ),
        ])
        .unwrap();
        // Unknown partials are left to Handlebars.
        run(&[("notes", "{{> missing}}")]).unwrap();
    }

    #[test]
    fn partials_that_include_each_other_are_refused() {
        for (templates, cycle) in [
            (
                &[
                    ("notes", "{{> a}}"),
                    ("a", "{{#if x}}{{> b}}{{/if}}"),
                    ("b", "{{> a}}"),
                ][..],
                vec!["a", "b", "a"],
            ),
            (
                &[("notes", "{{#*inline \"x\"}}{{> x}}{{/inline}}{{> x}}")][..],
                vec!["x", "x"],
            ),
            (
                &[
                    ("changelog.md.hbs", "{{> release-notes.md.hbs}}"),
                    ("release-notes.md.hbs", "{{> changelog.md.hbs}}"),
                ][..],
                vec![
                    "changelog.md.hbs",
                    "release-notes.md.hbs",
                    "changelog.md.hbs",
                ],
            ),
        ] {
            assert_eq!(
                run(templates),
                Err(Problem::Cycle(
                    cycle.iter().map(|s| (*s).to_owned()).collect()
                ))
            );
        }
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = "{{#if a}}".repeat(MAX_DEPTH + 1) + &"{{/if}}".repeat(MAX_DEPTH + 1);
        assert!(matches!(run(&[("t", &deep)]), Err(Problem::TooDeep { .. })));
        let ok = "{{#if a}}".repeat(MAX_DEPTH - 1) + &"{{/if}}".repeat(MAX_DEPTH - 1);
        run(&[("t", &ok)]).unwrap();
        // Through a chain of partials, each nesting a little.
        let mut chain: Vec<(String, String)> = (0..MAX_DEPTH)
            .map(|i| {
                (
                    format!("p{i}"),
                    format!("{{{{#if a}}}}{{{{> p{}}}}}{{{{/if}}}}", i + 1),
                )
            })
            .collect();
        chain.push(("t".to_owned(), "{{> p0}}".to_owned()));
        let refs: Vec<(&str, &str)> = chain
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        assert!(matches!(run(&refs), Err(Problem::TooDeep { .. })));
        // Subexpressions count too.
        let sub = format!(
            "{{{{x {}y{}}}}}",
            "(f ".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        assert!(matches!(run(&[("t", &sub)]), Err(Problem::TooDeep { .. })));
    }

    #[test]
    fn computed_partial_names_are_refused() {
        for text in ["{{> (lookup this \"x\")}}", "{{#*inline name}}x{{/inline}}"] {
            assert!(
                matches!(run(&[("t", text)]), Err(Problem::Dynamic { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn partials_that_multiply_are_refused() {
        let mut templates: Vec<(String, String)> = (0..40)
            .map(|i| {
                (
                    format!("p{i}"),
                    format!("{{{{> p{0}}}}}{{{{> p{0}}}}}", i + 1),
                )
            })
            .collect();
        templates.push(("p40".to_owned(), "x".to_owned()));
        let refs: Vec<(&str, &str)> = templates
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        assert!(matches!(run(&refs), Err(Problem::TooLarge { .. })));
    }
}
