//! The `$filter` subset the directory supports: `eq`, `ne`, `ge`, `le`, `in`,
//! `not`, `and`, `or`, `startswith`, `endswith`, `eq null` and the
//! `collection/any(x:x eq 'v')` lambda, over string, date, boolean and
//! string-collection properties. Which property allows which operator is the
//! resource's table; `ne`, `not` and `endswith` need the advanced-query
//! parameters (REFERENCE §5).

use super::query::{needs_advanced, no_property};
use super::GraphError;
use chrono::{DateTime, NaiveDate, Utc};

/// A property value as the filter sees it.
pub enum Field<'a> {
    Str(Option<&'a str>),
    Date(DateTime<Utc>),
    Bool(bool),
    List(Vec<&'a str>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Str(String),
    Date(DateTime<Utc>),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Eq,
    Ne,
    Ge,
    Le,
    Gt,
    Lt,
}

#[derive(Debug, Clone)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp(String, Op, Lit),
    In(String, Vec<Lit>),
    StartsWith(String, String),
    EndsWith(String, String),
    Any(String, Lit),
}

/// A filterable property: canonical name and allowed operators
/// (`eq ne ge le in startswith endswith null any`).
pub type FilterSpec = (&'static str, &'static [&'static str]);

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Comma,
    Str(String),
    Word(String),
}

fn syntax(detail: impl std::fmt::Display) -> GraphError {
    GraphError::bad_request("BadRequest", format!("Invalid filter clause: {detail}"))
}

fn lex(input: &str) -> Result<Vec<Tok>, GraphError> {
    let mut out = Vec::new();
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            c if c.is_whitespace() => i += 1,
            '(' => { out.push(Tok::Open); i += 1 }
            ')' => { out.push(Tok::Close); i += 1 }
            ',' => { out.push(Tok::Comma); i += 1 }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(syntax(format!("There is an unterminated string literal at position {i} in '{input}'."))),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => { s.push('\''); i += 2 }
                        Some('\'') => { i += 1; break }
                        Some(c) => { s.push(*c); i += 1 }
                    }
                }
                out.push(Tok::Str(s));
            }
            _ => {
                let start = i;
                while i < chars.len() && !chars[i].is_whitespace() && !matches!(chars[i], '(' | ')' | ',' | '\'') {
                    i += 1;
                }
                out.push(Tok::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    input: &'a str,
}

impl Parser<'_> {
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn expect(&mut self, t: Tok) -> Result<(), GraphError> {
        match self.next() {
            Some(x) if x == t => Ok(()),
            _ => Err(syntax(format!("Syntax error at position {} in '{}'.", self.pos, self.input))),
        }
    }
    fn or(&mut self) -> Result<Expr, GraphError> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.pos += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }
    fn and(&mut self) -> Result<Expr, GraphError> {
        let mut left = self.unary()?;
        while self.peek_word("and") {
            self.pos += 1;
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }
    fn unary(&mut self) -> Result<Expr, GraphError> {
        if self.peek_word("not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }
    fn primary(&mut self) -> Result<Expr, GraphError> {
        let err = |p: &Self| syntax(format!("Syntax error at position {} in '{}'.", p.pos, p.input));
        match self.next() {
            Some(Tok::Open) => {
                let e = self.or()?;
                self.expect(Tok::Close)?;
                Ok(e)
            }
            Some(Tok::Word(w)) if matches!(w.to_ascii_lowercase().as_str(), "startswith" | "endswith") => {
                self.expect(Tok::Open)?;
                let Some(Tok::Word(prop)) = self.next() else { return Err(err(self)) };
                self.expect(Tok::Comma)?;
                let Some(Tok::Str(value)) = self.next() else { return Err(err(self)) };
                self.expect(Tok::Close)?;
                Ok(if w.eq_ignore_ascii_case("startswith") { Expr::StartsWith(prop, value) } else { Expr::EndsWith(prop, value) })
            }
            Some(Tok::Word(w)) if w.to_ascii_lowercase().ends_with("/any") => {
                self.expect(Tok::Open)?;
                // `x:x eq 'v'` (the range variable is not checked further).
                while !self.peek_word("eq") {
                    match self.next() {
                        Some(Tok::Word(_)) => {}
                        _ => return Err(err(self)),
                    }
                }
                self.pos += 1;
                let value = self.literal()?;
                self.expect(Tok::Close)?;
                Ok(Expr::Any(w[..w.len() - 4].to_string(), value))
            }
            Some(Tok::Word(prop)) => {
                let Some(Tok::Word(op)) = self.next() else { return Err(err(self)) };
                let op = match op.to_ascii_lowercase().as_str() {
                    "eq" => Op::Eq,
                    "ne" => Op::Ne,
                    "ge" => Op::Ge,
                    "le" => Op::Le,
                    "gt" => Op::Gt,
                    "lt" => Op::Lt,
                    "in" => {
                        self.expect(Tok::Open)?;
                        let mut values = vec![self.literal()?];
                        while self.toks.get(self.pos) == Some(&Tok::Comma) {
                            self.pos += 1;
                            values.push(self.literal()?);
                        }
                        self.expect(Tok::Close)?;
                        return Ok(Expr::In(prop, values));
                    }
                    _ => return Err(err(self)),
                };
                Ok(Expr::Cmp(prop, op, self.literal()?))
            }
            _ => Err(err(self)),
        }
    }
    fn literal(&mut self) -> Result<Lit, GraphError> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(Lit::Str(s)),
            Some(Tok::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "null" => Ok(Lit::Null),
                "true" => Ok(Lit::Bool(true)),
                "false" => Ok(Lit::Bool(false)),
                _ => {
                    if let Ok(d) = DateTime::parse_from_rfc3339(&w) {
                        Ok(Lit::Date(d.with_timezone(&Utc)))
                    } else if let Ok(d) = NaiveDate::parse_from_str(&w, "%Y-%m-%d") {
                        Ok(Lit::Date(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()))
                    } else if uuid::Uuid::parse_str(&w).is_ok() {
                        Ok(Lit::Str(w))
                    } else {
                        Err(syntax(format!("'{w}' is not a valid literal in '{}'.", self.input)))
                    }
                }
            },
            _ => Err(syntax(format!("Syntax error at position {} in '{}'.", self.pos, self.input))),
        }
    }
}

pub fn parse(input: &str) -> Result<Expr, GraphError> {
    let mut p = Parser { toks: lex(input)?, pos: 0, input };
    let e = p.or()?;
    if p.pos != p.toks.len() {
        return Err(syntax(format!("Syntax error at position {} in '{input}'.", p.pos)));
    }
    Ok(e)
}

/// Checks properties and operators against the resource's table and the
/// advanced-query rules; rewrites property names to their canonical form.
pub fn check(e: &mut Expr, specs: &[FilterSpec], resource: &str, odata_type: &str, advanced: bool) -> Result<(), GraphError> {
    let unsupported = |p: &str| {
        GraphError::bad_request("Request_UnsupportedQuery", format!("Unsupported or invalid query filter clause specified for property '{p}' of resource '{resource}'."))
    };
    let allow = |prop: &mut String, op: &str| -> Result<(), GraphError> {
        let (name, ops) = specs.iter().find(|(n, _)| n.eq_ignore_ascii_case(prop)).ok_or_else(|| no_property(prop, odata_type))?;
        if matches!(op, "ne" | "endswith") && !advanced {
            return Err(needs_advanced(if op == "endswith" { "endsWith" } else { op }));
        }
        if !ops.contains(&op) {
            return Err(unsupported(name));
        }
        *prop = name.to_string();
        Ok(())
    };
    match e {
        Expr::And(a, b) | Expr::Or(a, b) => {
            check(a, specs, resource, odata_type, advanced)?;
            check(b, specs, resource, odata_type, advanced)
        }
        Expr::Not(a) => {
            if !advanced {
                return Err(needs_advanced("not"));
            }
            check(a, specs, resource, odata_type, advanced)
        }
        Expr::Cmp(p, op, lit) => {
            let name = match (op, lit) {
                (Op::Eq, Lit::Null) => "null",
                (Op::Eq, _) => "eq",
                (Op::Ne, _) => "ne",
                (Op::Ge, _) => "ge",
                (Op::Le, _) => "le",
                _ => return Err(unsupported(p)),
            };
            allow(p, name)
        }
        Expr::In(p, _) => allow(p, "in"),
        Expr::StartsWith(p, _) => allow(p, "startswith"),
        Expr::EndsWith(p, _) => allow(p, "endswith"),
        Expr::Any(p, _) => allow(p, "any"),
    }
}

fn cmp_str(a: &str, b: &str) -> std::cmp::Ordering {
    a.to_lowercase().cmp(&b.to_lowercase())
}

fn compare(field: &Field<'_>, op: Op, lit: &Lit) -> bool {
    use std::cmp::Ordering::*;
    let ord = match (field, lit) {
        (Field::Str(v), Lit::Null) => return (v.is_none() == (op == Op::Eq)) && matches!(op, Op::Eq | Op::Ne),
        (Field::Str(Some(v)), Lit::Str(s)) => cmp_str(v, s),
        (Field::Str(None), _) => return op == Op::Ne,
        (Field::Date(d), Lit::Date(l)) => d.cmp(l),
        (Field::Date(d), Lit::Str(s)) => match DateTime::parse_from_rfc3339(s) {
            Ok(l) => d.cmp(&l.with_timezone(&Utc)),
            Err(_) => return false,
        },
        (Field::Bool(b), Lit::Bool(l)) => b.cmp(l),
        _ => return false,
    };
    match op {
        Op::Eq => ord == Equal,
        Op::Ne => ord != Equal,
        Op::Ge => ord != Less,
        Op::Le => ord != Greater,
        Op::Gt => ord == Greater,
        Op::Lt => ord == Less,
    }
}

/// Evaluates a checked expression; `get` returns a property's value.
pub fn eval<'a>(e: &Expr, get: &dyn Fn(&str) -> Field<'a>) -> bool {
    match e {
        Expr::And(a, b) => eval(a, get) && eval(b, get),
        Expr::Or(a, b) => eval(a, get) || eval(b, get),
        Expr::Not(a) => !eval(a, get),
        Expr::Cmp(p, op, lit) => compare(&get(p), *op, lit),
        Expr::In(p, lits) => {
            let f = get(p);
            lits.iter().any(|l| compare(&f, Op::Eq, l))
        }
        Expr::StartsWith(p, s) => matches!(get(p), Field::Str(Some(v)) if v.to_lowercase().starts_with(&s.to_lowercase())),
        Expr::EndsWith(p, s) => matches!(get(p), Field::Str(Some(v)) if v.to_lowercase().ends_with(&s.to_lowercase())),
        Expr::Any(p, lit) => match (get(p), lit) {
            (Field::List(items), Lit::Str(s)) => items.iter().any(|i| i.eq_ignore_ascii_case(s)),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_supported_subset() {
        let specs: &[FilterSpec] = &[("displayName", &["eq", "ne", "startswith", "in", "null"]), ("tags", &["any"])];
        let mut e = parse("startswith(displayName,'Fin') and not (displayName eq 'x') or tags/any(t:t eq 'HideApp')").unwrap();
        assert!(check(&mut e, specs, "Application", "microsoft.graph.application", false).is_err());
        assert!(check(&mut e, specs, "Application", "microsoft.graph.application", true).is_ok());
        let get = |p: &str| if p == "displayName" { Field::Str(Some("Finance Web")) } else { Field::List(vec![]) };
        assert!(eval(&e, &get));
        let mut e = parse("DISPLAYNAME in ('a', 'finance web')").unwrap();
        check(&mut e, specs, "Application", "microsoft.graph.application", false).unwrap();
        assert!(eval(&e, &get));
        assert!(parse("displayName eq").is_err());
        assert!(parse("displayName eq 'x").is_err());
        let mut e = parse("appId eq 'x'").unwrap();
        assert_eq!(check(&mut e, specs, "Application", "t", false).unwrap_err().code, "BadRequest");
    }
}
