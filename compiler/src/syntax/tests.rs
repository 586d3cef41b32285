//! Tests of the syntax layer: every construct of the grammar, error recovery, the
//! bounds on hostile input, strings, comments and docs.

use super::ast::*;
use super::*;
use crate::diagnostic::Code;

fn parse_ok(text: &str) -> Module {
    let parsed = parse(text);
    assert!(
        parsed.errors.is_empty(),
        "unexpected errors: {:#?}",
        parsed.errors
    );
    parsed.module
}

fn codes(text: &str) -> Vec<Code> {
    parse(text).errors.iter().map(|e| e.code).collect()
}

fn decl(module: &Module, index: usize) -> &Declaration {
    match &module.items[index] {
        Item::Decl(d) => d,
        other => panic!("item {index} is not a declaration: {other:?}"),
    }
}

/// The value of the first attribute of the first declaration.
fn value_of(expr_text: &str) -> Expr {
    let module = parse_ok(&format!("workload w {{ x = {expr_text} }}"));
    match &decl(&module, 0).body.members[0] {
        Member::Attribute(a) => a.value.clone(),
        other => panic!("not an attribute: {other:?}"),
    }
}

fn type_of(type_text: &str) -> TypeExpr {
    let module = parse_ok(&format!("type t = {type_text}"));
    match &module.items[0] {
        Item::Type(t) => t.ty.clone(),
        other => panic!("not a type: {other:?}"),
    }
}

fn text_at(text: &str, range: crate::span::TextRange) -> &str {
    &text[range.as_range()]
}

fn fixture(path: &str) -> String {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

// ---------------------------------------------------------------- items

#[test]
fn imports_in_all_three_forms() {
    let module =
        parse_ok("import std.postgres\nimport std.{postgres, redis,}\nimport std.postgres as pg");
    let [Item::Import(a), Item::Import(b), Item::Import(c)] = &module.items[..] else {
        panic!("{module:?}")
    };
    assert_eq!(a.path.text(), "std.postgres");
    assert!(a.names.is_none() && a.alias.is_none());
    assert_eq!(b.path.text(), "std");
    let names: Vec<&str> = b
        .names
        .as_ref()
        .unwrap()
        .iter()
        .map(|n| n.name.as_str())
        .collect();
    assert_eq!(names, ["postgres", "redis"]);
    assert_eq!(c.alias.as_ref().unwrap().name, "pg");
    assert_eq!(c.range, crate::span::TextRange::new(50, 75));
}

#[test]
fn all_declaration_kinds() {
    let module = parse_ok("offering a {} environment b {} workload c {} policy d {}");
    let kinds: Vec<DeclKind> = (0..4).map(|i| decl(&module, i).kind).collect();
    assert_eq!(
        kinds,
        [
            DeclKind::Offering,
            DeclKind::Environment,
            DeclKind::Workload,
            DeclKind::Policy
        ]
    );
    assert_eq!(decl(&module, 3).name.name, "d");
}

#[test]
fn identifiers_may_contain_hyphens() {
    let module = parse_ok("workload checkout-api { x = payments-v2.host }");
    assert_eq!(decl(&module, 0).name.name, "checkout-api");
}

// ---------------------------------------------------------------- members

#[test]
fn every_member_shape() {
    let text = r#"offering postgres {
        version = "1.2.0",
        param size: "small" | "large" = "small"
        output host: string
        network: vpc.main { cidr = "10.0.0.0/16" }
        implementation rds: terraform { source = "x" }
        container main { image = "y" }
        defaults { a = 1 }
        use postgres.rds { instance_class = "db" }
        use redis.elasticache
        require true else "always"
        require false
    }"#;
    let module = parse_ok(text);
    let members = &decl(&module, 0).body.members;
    assert_eq!(members.len(), 11);
    assert!(matches!(&members[0], Member::Attribute(a) if a.name.name == "version"));
    assert!(matches!(&members[1], Member::Param(p) if p.default.is_some()));
    assert!(
        matches!(&members[2], Member::Output(o) if o.name.name == "host" && o.default.is_none())
    );
    assert!(matches!(&members[3], Member::Instance(i) if i.offering.text() == "vpc.main"));
    let Member::Block(imp) = &members[4] else {
        panic!()
    };
    assert_eq!(imp.kind.name, "implementation");
    assert_eq!(imp.label.as_ref().unwrap().name, "rds");
    assert_eq!(imp.provisioner.as_ref().unwrap().text(), "terraform");
    assert!(
        matches!(&members[5], Member::Block(b) if b.label.is_some() && b.provisioner.is_none())
    );
    assert!(matches!(&members[6], Member::Block(b) if b.label.is_none()));
    assert!(
        matches!(&members[7], Member::Use(u) if u.body.is_some() && u.target.text() == "postgres.rds")
    );
    assert!(matches!(&members[8], Member::Use(u) if u.body.is_none()));
    assert!(
        matches!(&members[9], Member::Require(r) if r.message.as_ref().unwrap().value == "always")
    );
    assert!(matches!(&members[10], Member::Require(r) if r.message.is_none()));
    assert_eq!(text_at(text, members[0].range()), r#"version = "1.2.0""#);
}

// ---------------------------------------------------------------- types

#[test]
fn named_and_generic_types() {
    let TypeExpr::Named { path, args, .. } = type_of("map<list<string>>") else {
        panic!()
    };
    assert_eq!(path.text(), "map");
    assert!(
        matches!(&args[0], TypeExpr::Named { path, args, .. } if path.text() == "list" && args.len() == 1)
    );
}

#[test]
fn enum_types() {
    let TypeExpr::Enum { variants, .. } = type_of(r#""small" | "medium" | "large""#) else {
        panic!()
    };
    let names: Vec<&str> = variants.iter().map(|v| v.value.as_str()).collect();
    assert_eq!(names, ["small", "medium", "large"]);
    assert!(matches!(type_of(r#""only""#), TypeExpr::Enum { variants, .. } if variants.len() == 1));
}

#[test]
fn constrained_and_optional_types() {
    let TypeExpr::Optional { inner, .. } = type_of("int in -5..10?") else {
        panic!()
    };
    let TypeExpr::Constrained { constraint, .. } = *inner else {
        panic!()
    };
    assert!(matches!(
        constraint,
        Constraint::Range {
            min: Some(-5),
            max: Some(10),
            ..
        }
    ));
    let TypeExpr::Constrained { constraint, .. } = type_of("int in 1..") else {
        panic!()
    };
    assert!(matches!(
        constraint,
        Constraint::Range {
            min: Some(1),
            max: None,
            ..
        }
    ));
    let TypeExpr::Constrained { constraint, .. } = type_of("int in ..100") else {
        panic!()
    };
    assert!(matches!(
        constraint,
        Constraint::Range {
            min: None,
            max: Some(100),
            ..
        }
    ));
    let TypeExpr::Constrained { constraint, .. } = type_of(r#"string matching "^[a-z]+$""#) else {
        panic!()
    };
    assert!(matches!(constraint, Constraint::Pattern(p) if p.value == "^[a-z]+$"));
    assert!(matches!(type_of("(port)?"), TypeExpr::Optional { .. }));
}

#[test]
fn record_types() {
    let TypeExpr::Record { fields, .. } =
        type_of("{ path: string, port: port = 8080 period?: duration }")
    else {
        panic!()
    };
    assert_eq!(fields.len(), 3);
    assert!(fields[1].default.is_some() && !fields[1].optional);
    assert!(fields[2].optional);
}

// ---------------------------------------------------------------- expressions

#[test]
fn literals() {
    assert!(matches!(value_of("42"), Expr::Int { value: 42, .. }));
    assert!(matches!(value_of("-1_000"), Expr::Int { value: -1000, .. }));
    assert!(matches!(value_of("0.5"), Expr::Float { text, .. } if text == "0.5"));
    for quantity in ["250m", "512Mi", "10Gi", "30s", "100ms", "1h", "1.5Gi"] {
        assert!(
            matches!(value_of(quantity), Expr::Quantity { text, .. } if text == quantity),
            "{quantity}"
        );
    }
    assert!(matches!(value_of("true"), Expr::Bool { value: true, .. }));
    assert!(matches!(value_of("false"), Expr::Bool { value: false, .. }));
    assert!(matches!(value_of("db"), Expr::Name(n) if n.name == "db"));
}

#[test]
fn strings_with_interpolation() {
    let Expr::String { parts, .. } = value_of(r#""postgres://${db.user}:${ db.password }@host\n""#)
    else {
        panic!()
    };
    assert_eq!(parts.len(), 5);
    assert!(matches!(&parts[0], StringPart::Text(t) if t == "postgres://"));
    assert!(matches!(&parts[1], StringPart::Interpolation(p) if p.text() == "db.user"));
    assert!(matches!(&parts[3], StringPart::Interpolation(p) if p.text() == "db.password"));
    assert!(matches!(&parts[4], StringPart::Text(t) if t == "@host\n"));
}

#[test]
fn field_access_lists_and_records() {
    let value = value_of("a.b.type");
    let path: Vec<&str> = value
        .as_path()
        .unwrap()
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(path, ["a", "b", "type"]);
    assert!(matches!(value_of("[1, 2 3,]"), Expr::List { items, .. } if items.len() == 3));
    let Expr::Record { entries, .. } = value_of(r#"{ a = 1, "/etc/x.yaml" = "y" c = [] }"#) else {
        panic!()
    };
    let keys: Vec<&str> = entries.iter().map(|e| e.key.text()).collect();
    assert_eq!(keys, ["a", "/etc/x.yaml", "c"]);
}

#[test]
fn operators_and_precedence() {
    let Expr::Binary {
        op: BinaryOp::Or,
        rhs,
        ..
    } = value_of("a || b && !c == d")
    else {
        panic!()
    };
    let Expr::Binary {
        op: BinaryOp::And,
        rhs,
        ..
    } = *rhs
    else {
        panic!()
    };
    let Expr::Binary {
        op: BinaryOp::Eq,
        lhs,
        ..
    } = *rhs
    else {
        panic!()
    };
    assert!(matches!(*lhs, Expr::Not { .. }));
    for (text, op) in [
        ("a != b", BinaryOp::NotEq),
        ("a < b", BinaryOp::Less),
        ("a <= b", BinaryOp::LessEq),
        ("a > b", BinaryOp::Greater),
        ("a >= b", BinaryOp::GreaterEq),
        (r#""x" in a"#, BinaryOp::In),
    ] {
        assert!(
            matches!(value_of(text), Expr::Binary { op: o, .. } if o == op),
            "{text}"
        );
    }
    assert!(matches!(
        value_of("(a || b) && c"),
        Expr::Binary {
            op: BinaryOp::And,
            ..
        }
    ));
    assert_eq!(
        codes("workload w { x = a == b == c }"),
        [Code::UnexpectedToken]
    );
}

#[test]
fn if_and_match() {
    assert!(matches!(
        value_of("if a then 1 else if b then 2 else 3"),
        Expr::If { .. }
    ));
    let Expr::Match { arms, .. } =
        value_of(r#"match size { "small" => 1, 2 => 2 true => 3, false => 4, _ => 5 }"#)
    else {
        panic!()
    };
    assert_eq!(arms.len(), 5);
    assert!(matches!(&arms[4].pattern, Pattern::Wildcard(_)));
    assert!(matches!(
        &arms[1].pattern,
        Pattern::Literal(Expr::Int { value: 2, .. })
    ));
}

#[test]
fn policies_refer_to_workload() {
    let module = parse_ok(
        r#"policy p { require !("latest" in workload.image_tags) else "pin image tags" }"#,
    );
    let Member::Require(require) = &decl(&module, 0).body.members[0] else {
        panic!()
    };
    assert!(matches!(&require.condition, Expr::Not { .. }));
}

#[test]
fn the_spec_examples_parse() {
    let module = parse_ok(&fixture("syntax/spec-examples.plat"));
    assert_eq!(module.items.len(), 6);
}

// ---------------------------------------------------------------- errors and recovery

#[test]
fn five_independent_errors_are_five_errors() {
    let text = fixture("syntax/five-errors.plat");
    let parsed = parse(&text);
    let lines: Vec<usize> = parsed
        .errors
        .iter()
        .map(|e| text[..e.range.start as usize].lines().count())
        .collect();
    assert_eq!(parsed.errors.len(), 5, "{:#?}", parsed.errors);
    assert!(
        parsed
            .errors
            .iter()
            .all(|e| e.code == Code::UnexpectedToken)
    );
    assert_eq!(lines, [11, 12, 15, 21, 27]);
    // The rest of the tree survives.
    assert_eq!(parsed.module.items.len(), 6);
    let workload = decl(&parsed.module, 2);
    assert_eq!(workload.name.name, "api");
    assert!(
        workload
            .body
            .members
            .iter()
            .any(|m| matches!(m, Member::Instance(i) if i.name.name == "db"))
    );
    let cache = decl(&parsed.module, 3);
    assert!(
        cache
            .body
            .members
            .iter()
            .any(|m| matches!(m, Member::Output(o) if o.name.name == "port"))
    );
    let env = decl(&parsed.module, 5);
    assert!(matches!(&env.body.members[1], Member::Use(_)));
}

#[test]
fn expected_tokens_are_listed_as_users_write_them() {
    let parsed = parse("workload w { replicas }");
    let error = &parsed.errors[0];
    assert_eq!(
        error.message,
        "expected one of `{`, `:`, `=`, a name, found `}`"
    );
    let parsed = parse("workload w { replicas = }");
    assert_eq!(
        parsed.errors[0].message,
        "expected an expression, found `}`"
    );
    assert_eq!(
        parsed.errors[0].label.as_deref(),
        Some("expected an expression")
    );
    let parsed = parse("{ }");
    assert!(
        parsed.errors[0]
            .message
            .starts_with("expected a declaration, found `{`")
    );
}

#[test]
fn keywords_as_names_get_a_hint() {
    let parsed = parse("workload type {}");
    assert!(
        parsed.errors[0]
            .help
            .as_deref()
            .unwrap()
            .contains("reserved keyword")
    );
}

#[test]
fn an_unclosed_body_keeps_its_members() {
    let parsed = parse("workload w {\n  replicas = 2\n  container main { image = \"x\"\n");
    assert_eq!(codes("workload w {"), [Code::UnexpectedToken]);
    assert_eq!(parsed.errors.len(), 1, "{:#?}", parsed.errors);
    assert!(
        parsed.errors[0]
            .message
            .contains("expected `}`, found end of file")
    );
    let workload = decl(&parsed.module, 0);
    assert_eq!(workload.body.members.len(), 2);
}

#[test]
fn invalid_characters_are_reported_once_per_run() {
    let parsed = parse("workload w { x = 1 @@@ y = 2 }");
    assert_eq!(parsed.errors.len(), 1);
    assert_eq!(parsed.errors[0].code, Code::InvalidCharacter);
    assert_eq!(parsed.errors[0].range, crate::span::TextRange::new(19, 22));
    let members = &decl(&parsed.module, 0).body.members;
    assert!(matches!(
        &members[..],
        [Member::Attribute(_), Member::Error(_), Member::Attribute(_)]
    ));
}

#[test]
fn integers_out_of_range() {
    assert_eq!(codes("workload w { x = 9223372036854775807 }"), []);
    assert_eq!(codes("workload w { x = -9223372036854775808 }"), []);
    assert_eq!(
        codes("workload w { x = 9223372036854775808 }"),
        [Code::IntegerTooLarge]
    );
}

#[test]
fn each_diagnostic_fixture_reports_exactly_its_code() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/diagnostics");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !(name.starts_with("E01") && name.ends_with(".plat")) {
            continue;
        }
        let expected = Code::parse(&name[..5]).unwrap();
        let text = fixture(&format!("diagnostics/{name}"));
        assert_eq!(
            codes(&text),
            [expected],
            "{name}: {:#?}",
            parse(&text).errors
        );
        seen += 1;
    }
    assert!(seen >= 8);
}

// ---------------------------------------------------------------- strings

#[test]
fn escapes() {
    let Expr::String { parts, .. } = value_of(r#""a\"b\\c\td\re\$f\u{1F600}g""#) else {
        panic!()
    };
    assert_eq!(
        parts,
        [StringPart::Text("a\"b\\c\td\re$f\u{1F600}g".into())]
    );
    assert!(
        matches!(value_of(r#""\${not.interpolated}""#), Expr::String { parts, .. }
        if parts == [StringPart::Text("${not.interpolated}".into())])
    );
}

#[test]
fn invalid_escapes_point_inside_the_string() {
    let text = r#"workload w { x = "ab\qc\u{110000}\u{}" }"#;
    let parsed = parse(text);
    let found: Vec<(Code, &str)> = parsed
        .errors
        .iter()
        .map(|e| (e.code, text_at(text, e.range)))
        .collect();
    assert_eq!(
        found,
        [
            (Code::InvalidEscape, r"\q"),
            (Code::InvalidEscape, r"\u{110000}"),
            (Code::InvalidEscape, r"\u{}")
        ]
    );
}

#[test]
fn interpolations_hold_only_dotted_references() {
    for bad in ["${}", "${a + 1}", "${a.}", "${ a b }", "${1}", "${a"] {
        let text = format!("workload w {{ x = \"pre {bad} post\" }}");
        let parsed = parse(&text);
        assert_eq!(parsed.errors.len(), 1, "{bad}: {:#?}", parsed.errors);
        assert_eq!(parsed.errors[0].code, Code::InvalidInterpolation);
        let range = parsed.errors[0].range;
        assert!(
            range.start >= 18 && range.end as usize <= text.len() - 3,
            "{bad}: {range:?}"
        );
    }
    let text = r#"workload w { x = "${ db.host }" }"#;
    let Expr::String { parts, .. } = value_of(r#""${ db.host }""#) else {
        panic!()
    };
    let StringPart::Interpolation(path) = &parts[0] else {
        panic!()
    };
    assert_eq!(path.text(), "db.host");
    assert_eq!(text_at(text, path.segments[1].range), "host");
}

#[test]
fn interpolation_is_refused_in_literal_strings() {
    assert_eq!(codes(r#"type t = "a${b}""#), [Code::InvalidInterpolation]);
}

#[test]
fn strings_may_span_lines() {
    assert!(
        matches!(value_of("\"a\nb\""), Expr::String { parts, .. } if parts == [StringPart::Text("a\nb".into())])
    );
}

#[test]
fn an_unterminated_string_ends_at_its_line() {
    let parsed = parse("workload w {\n  x = \"abc\n  y = 2\n}\n");
    assert_eq!(parsed.errors.len(), 1, "{:#?}", parsed.errors);
    assert_eq!(parsed.errors[0].code, Code::UnterminatedString);
    assert_eq!(parsed.errors[0].range, crate::span::TextRange::new(19, 20));
    assert_eq!(decl(&parsed.module, 0).body.members.len(), 2);
}

#[test]
fn a_two_megabyte_string() {
    let body = "x".repeat(2 * 1024 * 1024);
    let Expr::String { parts, .. } = value_of(&format!("\"{body}\"")) else {
        panic!()
    };
    assert!(matches!(&parts[..], [StringPart::Text(t)] if t.len() == body.len()));
}

// ---------------------------------------------------------------- comments and docs

#[test]
fn comments_go_to_the_side_table() {
    let text = "// line\n/// doc\n//// not doc\n/* block\n */ workload w {}";
    let parsed = parse(text);
    assert!(parsed.errors.is_empty());
    let kinds: Vec<CommentKind> = parsed.comments.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [
            CommentKind::Line,
            CommentKind::Doc,
            CommentKind::Line,
            CommentKind::Block
        ]
    );
    assert_eq!(text_at(text, parsed.comments[3].range), "/* block\n */");
}

#[test]
fn docs_attach_to_items_members_and_fields() {
    let text = "/// A database.\n///   Indented.\noffering db {\n  /// The name.\n\n  param name: string\n  // plain\n  output host: string\n  param opts: {\n    /// Opt a.\n    a: int\n  }\n}\n";
    let module = parse_ok(text);
    let offering = decl(&module, 0);
    let doc = offering.doc.as_ref().unwrap();
    assert_eq!(doc.text, "A database.\n  Indented.");
    assert_eq!(text_at(text, doc.range), "/// A database.\n///   Indented.");
    let members = &offering.body.members;
    assert!(matches!(&members[0], Member::Param(p) if p.doc.as_ref().unwrap().text == "The name."));
    assert!(matches!(&members[1], Member::Output(o) if o.doc.is_none()));
    let Member::Param(opts) = &members[2] else {
        panic!()
    };
    let TypeExpr::Record { fields, .. } = &opts.ty else {
        panic!()
    };
    assert_eq!(fields[0].doc.as_ref().unwrap().text, "Opt a.");
}

#[test]
fn a_doc_separated_by_code_does_not_attach() {
    let module = parse_ok("/// Orphan.\ntype a = int\ntype b = int");
    let [Item::Type(a), Item::Type(b)] = &module.items[..] else {
        panic!()
    };
    assert!(a.doc.is_some());
    assert!(b.doc.is_none());
}

// ---------------------------------------------------------------- bounds

#[test]
fn twenty_thousand_open_braces() {
    let start = std::time::Instant::now();
    let parsed = parse(&"{".repeat(20_000));
    assert!(
        start.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    let deep: Vec<&SyntaxError> = parsed
        .errors
        .iter()
        .filter(|e| e.code == Code::NestingTooDeep)
        .collect();
    assert_eq!(deep.len(), 1, "{:#?}", parsed.errors);
}

#[test]
fn deep_nesting_is_cut_at_128() {
    let ok = format!(
        "workload w {{ x = {}1{} }}",
        "[".repeat(127),
        "]".repeat(127)
    );
    assert_eq!(codes(&ok), []);
    let deep = format!(
        "workload w {{ x = {}1{} y = 2 }}",
        "[".repeat(128),
        "]".repeat(128)
    );
    let parsed = parse(&deep);
    assert_eq!(codes(&deep), [Code::NestingTooDeep]);
    assert_eq!(decl(&parsed.module, 0).body.members.len(), 2);
}

#[test]
fn long_chains_are_bounded_too() {
    for text in [
        format!("workload w {{ x = {}a }}", "!".repeat(100_000)),
        format!("workload w {{ x = a{} }}", ".b".repeat(100_000)),
        format!("workload w {{ x = a{} }}", " || a".repeat(100_000)),
        format!(
            "workload w {{ x = {}1{} }}",
            "if a then ".repeat(5_000),
            " else 2".repeat(5_000)
        ),
        format!(
            "type t = {}int{}",
            "list<".repeat(50_000),
            ">".repeat(50_000)
        ),
    ] {
        let parsed = parse(&text);
        let deep = parsed
            .errors
            .iter()
            .filter(|e| e.code == Code::NestingTooDeep)
            .count();
        assert_eq!(deep, 1, "{:#?}", parsed.errors);
        // Cloning, comparing and dropping the tree recurse over it: they must not overflow.
        let copy = parsed.module.clone();
        assert_eq!(copy, parsed.module);
    }
}

#[test]
fn deep_nesting_followed_by_junk_stops_in_time() {
    let text = format!(
        "workload a {{ x = {}{}",
        "[".repeat(126),
        "= ".repeat(300_000)
    );
    let start = std::time::Instant::now();
    let parsed = parse(&text);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    assert!(!parsed.errors.is_empty());
}

/// A small deterministic generator, so that failures can be replayed.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn assert_sane(text: &str) {
    let parsed = parse(text);
    let mut last = 0;
    for error in &parsed.errors {
        assert!(error.range.start <= error.range.end && error.range.end as usize <= text.len());
        assert!(text.is_char_boundary(error.range.start as usize));
        assert!(text.is_char_boundary(error.range.end as usize));
        assert!(error.range.start >= last, "errors are sorted");
        last = error.range.start;
    }
    for item in &parsed.module.items {
        assert!(item.range().end as usize <= text.len());
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut state = 0x9E37_79B9_7F4A_7C15;
    for round in 0..200 {
        let len = (xorshift(&mut state) % 4096) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| xorshift(&mut state) as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        let _ = round;
        assert_sane(&text);
    }
}

#[test]
fn random_tokens_never_panic() {
    const PIECES: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        ",",
        ".",
        ":",
        "=",
        "?",
        "|",
        "..",
        "=>",
        "==",
        "<",
        ">",
        "&&",
        "||",
        "!",
        "_",
        "a",
        "b-c",
        "\"s${x.y}\"",
        "\"",
        "1",
        "-2",
        "0.5",
        "5Mi",
        "workload",
        "type",
        "param",
        "output",
        "use",
        "require",
        "else",
        "if",
        "then",
        "match",
        "in",
        "matching",
        "every",
        "some",
        "?",
        ":",
        "import",
        "as",
        "/*",
        "*/",
        "//",
        "///",
        "\n",
        " ",
        "é",
        "\\",
        "${",
        "@",
    ];
    let mut state = 0x2545_F491_4F6C_DD1D;
    for _ in 0..500 {
        let len = (xorshift(&mut state) % 300) as usize;
        let text: String = (0..len)
            .map(|_| PIECES[(xorshift(&mut state) % PIECES.len() as u64) as usize])
            .collect::<Vec<_>>()
            .join(" ");
        assert_sane(&text);
    }
}

#[test]
fn every_prefix_of_a_real_file_parses() {
    let text = fixture("syntax/spec-examples.plat");
    for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
        assert_sane(&text[..end]);
    }
}

// ---------------------------------------------------------------- the query

#[test]
fn the_query_attaches_errors_to_the_file() {
    use crate::source::{Database, Origin, SourceFile};
    let db = Database::default();
    let file = SourceFile::new(
        &db,
        "a.plat".to_string(),
        "workload w { x = }".to_string(),
        Origin::Project,
    );
    let parsed = parse_file(&db, file);
    assert_eq!(parsed.module.items.len(), 1);
    assert_eq!(parsed.diagnostics.len(), 1);
    let diagnostic = &parsed.diagnostics[0];
    assert_eq!(diagnostic.code, Code::UnexpectedToken);
    assert_eq!(diagnostic.primary.as_ref().unwrap().file, file);
}

#[test]
fn a_byte_order_mark_and_crlf_are_whitespace() {
    let module = parse_ok("\u{FEFF}/// Doc.\r\nworkload w {\r\n  x = 1\r\n}\r\n");
    assert_eq!(decl(&module, 0).doc.as_ref().unwrap().text, "Doc.");
}
