//! Tests of the formatter: the repository's own `.plat` files, messy inputs and what
//! they become (snapshots), the rules for comments and blank lines, and random programs.

mod programs;

use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::*;
use crate::syntax::ast::{Item, Member};
use crate::syntax::{Tok, lexer, parse};

// ---------------------------------------------------------------- invariants

/// Formats `text` (which parses without errors) and checks every invariant of the
/// module on it; returns the output.
fn assert_formats(name: &str, text: &str) -> String {
    let output = format_text(text).unwrap_or_else(|error| panic!("{name}: {error}\n{text}"));
    assert_same_meaning(name, text, &output);
    let again = format_text(&output).unwrap_or_else(|error| panic!("{name}: {error}\n{output}"));
    assert_eq!(again, output, "{name}: formatting twice differs");
    assert_canonical_whitespace(name, &output);
    output
}

/// The output parses to the input's tree (ranges aside) and keeps its comments.
fn assert_same_meaning(name: &str, input: &str, output: &str) {
    let before = parse(input);
    let after = parse(output);
    assert!(
        after.errors.is_empty(),
        "{name}: {:?}\n{output}",
        after.errors
    );
    assert_eq!(
        without_ranges(&before.module),
        without_ranges(&after.module),
        "{name}: the tree changed\n{output}"
    );
    assert_eq!(
        comment_texts(input, &before.comments),
        comment_texts(output, &after.comments),
        "{name}: the comments changed\n{output}"
    );
}

fn comment_texts<'t>(text: &'t str, comments: &[Comment]) -> Vec<(CommentKind, &'t str)> {
    comments
        .iter()
        .map(|comment| (comment.kind, comment_text(text, comment)))
        .collect()
}

/// No trailing whitespace and no run of blank lines outside strings and comments, a
/// final newline, and indentation in steps of two spaces.
fn assert_canonical_whitespace(name: &str, output: &str) {
    if output.is_empty() {
        return;
    }
    assert!(
        output.ends_with('\n') && !output.ends_with("\n\n"),
        "{name}: ending"
    );
    let lexed = lexer::lex(output);
    let inside: Vec<std::ops::Range<usize>> = lexed
        .tokens
        .iter()
        .filter(|(_, tok, _)| matches!(tok, Tok::Str(_)))
        .map(|(start, _, end)| *start..*end)
        .chain(lexed.comments.iter().map(|c| c.range.as_range()))
        .collect();
    let is_inside = |at: usize| inside.iter().any(|r| r.start < at && at < r.end);
    let mut line_start = 0;
    for line in output.split_inclusive('\n') {
        let end = line_start + line.trim_end_matches('\n').len();
        let content = &output[line_start..end];
        if !is_inside(line_start) {
            let indent = content.len() - content.trim_start_matches(' ').len();
            assert!(
                indent.is_multiple_of(2),
                "{name}: odd indentation: {content:?}"
            );
            assert!(!content.starts_with('\t'), "{name}: tab: {content:?}");
        }
        // A doc comment's trailing spaces are part of the doc.
        let ends_a_doc = lexed
            .comments
            .iter()
            .any(|c| c.kind == CommentKind::Doc && c.range.end as usize == end);
        if !is_inside(end) && !ends_a_doc {
            assert_eq!(content.trim_end(), content, "{name}: trailing whitespace");
        }
        line_start += line.len();
    }
    assert!(
        !output.contains("\n\n\n") || inside.iter().any(|r| output[r.clone()].contains("\n\n\n")),
        "{name}: two blank lines in a row"
    );
}

// ---------------------------------------------------------------- the repository's files

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.plat` file under `directory`, sorted; files larger than 1 MiB (the test of
/// the size limit makes one) are left out.
fn plat_files(directory: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![directory.to_path_buf()];
    while let Some(directory) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&directory) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "plat")
                && entry.metadata().is_ok_and(|m| m.len() < 1024 * 1024)
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn the_standard_library_formats_idempotently_and_keeps_its_meaning() {
    for (path, text) in crate::stdlib::FILES {
        assert_formats(path, text);
    }
}

#[test]
fn the_examples_format_idempotently_and_keep_their_meaning() {
    let files = plat_files(&repository().join("examples"));
    assert!(files.len() >= 5, "examples/ has .plat files");
    for path in files {
        let text = std::fs::read_to_string(&path).expect("example is UTF-8");
        assert_formats(&path.display().to_string(), &text);
    }
}

#[test]
fn every_fixture_without_syntax_errors_formats_and_the_others_are_refused() {
    let files = plat_files(&repository().join("tests/fixtures"));
    let mut formatted = 0;
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // a fixture that is not UTF-8 on purpose
        };
        let name = path.display().to_string();
        if parse(&text).errors.is_empty() {
            assert_formats(&name, &text);
            formatted += 1;
        } else {
            match format_text(&text) {
                Err(FormatError::Syntax(errors)) => assert_eq!(errors, parse(&text).errors),
                other => panic!("{name}: {other:?}"),
            }
        }
    }
    assert!(formatted >= 20, "only {formatted} fixtures parse");
}

// ---------------------------------------------------------------- snapshots

/// The input, and what it formats to, for a snapshot.
fn before_and_after(input: &str) -> String {
    let output = assert_formats("snapshot", input);
    format!("{input}\n---------------------------------------- formatted\n{output}")
}

#[test]
fn a_messy_workload() {
    insta::assert_snapshot!(before_and_after(
        r#"import std.{postgres,redis}
workload   checkout-api{replicas=2,calls=[cart-api,payments-api]
labels={team="checkout",}


  container main{image="ghcr.io/acme/checkout:1.0.0" ports={http=8080}
env={DATABASE_URL="postgres://${db.host}:${db.port}/checkout",CART_URL=cart-api.url,PAYMENTS_URL=payments-api.url}
cpu=250m memory=512Mi}
db:postgres{database="checkout",size="small"}
  cache: redis {}
override production{replicas=4 container main{cpu=1}}}
environment production{namespace="shop" use postgres.rds{instance_class="db.r6g.large"} use redis.elasticache}"#
    ));
}

#[test]
fn a_workload_with_probes_jobs_and_sidecars() {
    insta::assert_snapshot!(before_and_after(
        r#"workload report{schedule={cron="30 2 * * *",time_zone="Europe/Amsterdam",concurrency="Forbid"}
job={backoff_limit=2,active_deadline=1h} termination_grace_period=60s
init_container migrate{image="ghcr.io/acme/report:1.0.0" args=["migrate"]}
  sidecar proxy{image="ghcr.io/acme/proxy:1.0.0" ports={admin=9901} startup={tcp=9901,failure_threshold=30}}
container main{image="ghcr.io/acme/report:1.0.0"
liveness={exec=["/app/check","--live"],initial_delay=5s,period=10s,timeout=3s}
readiness={path="/ready",port=8080,headers={"X-Probe"="kubelet"},scheme="HTTPS"}
pre_stop={sleep=5s}}
override production{autoscaling={min=2,max=10,cpu=70} sidecar proxy{cpu=50m}}}"#
    ));
}

#[test]
fn comments_stay_where_they_were() {
    insta::assert_snapshot!(before_and_after(
        r#"// The header of the file.

/// A workload.
workload api {   // trailing the opening line
  replicas = 2 // trailing a member
  // leading a member


  labels = { /* inside */ team = "checkout" }
  ports = {
    http = 8080 // the web port
    // before the metrics port
    metrics = 9090
  }
  args = [ "--a", // first
           "--b" ]
  cpu = /* before a value */ 250m
  image = "a" /* block after */ /* and another */
  // at the end of the body
}
// between declarations
policy p { require true else "m" }
/* at the end of the file */"#
    ));
}

#[test]
fn long_lines_break_records_lists_and_requires() {
    insta::assert_snapshot!(before_and_after(
        r#"workload api {
  short = { a = 1, b = [1, 2, 3] }
  env = { DATABASE_URL = "postgres://${db.host}:${db.port}/api", CACHE_URL = cache.url, QUEUE_URL = jobs.url }
  nested = { outer = { inner = "a value that is long enough to need a line of its own", other = [1, 2] } }
  files = { "/etc/config.yaml" = "two
lines" }
  db: postgres { database = "a_database_with_a_long_name", size = "medium", extra_setting = true, more = 1 }
  size = match params.size { "small" => 1, "medium" => 2, _ => 3 }
  empty = { }
  none = [ ]
}
policy rules {
  require workload.replicas >= 2 || workload.name in ["nightly-report", "search-indexer"] else "production workloads need at least two replicas"
  require   true   else   "short"
}"#
    ));
}

#[test]
fn types_and_expressions() {
    insta::assert_snapshot!(before_and_after(
        r#"type  size="small"|"medium"  |"large"
type probe = {path:string,port:port, period?: duration = 10s}
type deep = list< map<{ a : int in 1..10 , b: (int?) } > >
offering postgres{version="1.0.0"
param replicas:int in 0..1_000=1
param name : string matching "^[a-z]+$"
param tag: ( string in ..5 ) ?
output   password:secret
implementation rds:terraform{source="x" outputs={password=module.pw}}}
workload w {
  a = if  x==1 then "one"  else ( "other" )
  b = !( "latest" in workload.image_tags ) && (a || b)
  c = ((db)).host
  d = [1.5, -2, 0.5, 512Mi, true, "esc\"aped\n"]
}"#
    ));
}

// ---------------------------------------------------------------- rules

#[test]
fn the_canonical_text_of_an_empty_file_is_empty() {
    assert_eq!(format_text("").as_deref(), Ok(""));
    assert_eq!(format_text(" \n\n\t\r\n").as_deref(), Ok(""));
    assert_eq!(format_text("// only\n\n\n").as_deref(), Ok("// only\n"));
}

#[test]
fn top_level_declarations_are_one_blank_line_apart_and_imports_stay_together() {
    let input = "import std.a\nimport std.b\n\n\nimport std.c\nworkload a {}\n\n\n\nworkload b {}\ntype t = int";
    let expected = "import std.a\nimport std.b\n\nimport std.c\n\nworkload a {}\n\nworkload b {}\n\ntype t = int\n";
    assert_eq!(format_text(input).as_deref(), Ok(expected));
}

#[test]
fn blank_lines_in_bodies_are_kept_but_not_after_an_opening_or_before_a_closing_brace() {
    let input = "workload a {\n\n\n  x = 1\n\n\n\n  y = 2\n  z = 3\n\n}\n";
    let expected = "workload a {\n  x = 1\n\n  y = 2\n  z = 3\n}\n";
    assert_eq!(format_text(input).as_deref(), Ok(expected));
}

#[test]
fn crlf_line_ends_become_line_feeds() {
    let input = "workload a {\r\n  x = 1 // note\r\n  /// doc\r\n  y = 2\r\n}\r\n";
    let expected = "workload a {\n  x = 1 // note\n  /// doc\n  y = 2\n}\n";
    assert_eq!(assert_formats("crlf", input), expected);
}

#[test]
fn the_trailing_spaces_of_a_doc_comment_are_part_of_the_doc_and_are_kept() {
    for input in [
        "workload a {\n  /// doc  \n  x = 1\n}\n",
        "workload a {}\n/// doc \t",
    ] {
        let output = format_text(input).expect("formats");
        assert_same_meaning("doc spaces", input, &output);
        assert_eq!(format_text(&output).as_deref(), Ok(output.as_str()));
    }
}

#[test]
fn strings_and_numbers_are_copied_as_written() {
    let input = "workload a { x = \"\\u{41}\\$\\t\" y = 1_000 z = -0 w = 0.50 q = 1.5Gi }";
    let output = assert_formats("literals", input);
    for literal in ["\"\\u{41}\\$\\t\"", "1_000", "-0", "0.50", "1.5Gi"] {
        assert!(output.contains(literal), "{literal} in {output}");
    }
}

#[test]
fn parentheses_are_kept_where_they_were_written() {
    let input = "workload a { x = ((a)) y = !(b in c) z = (if a then b else c).d }";
    let output = assert_formats("parens", input);
    assert!(output.contains("x = ((a))"), "{output}");
    assert!(output.contains("y = !(b in c)"), "{output}");
    assert!(output.contains("z = (if a then b else c).d"), "{output}");
}

#[test]
fn a_comma_that_keeps_a_doc_comment_from_the_next_member_is_kept() {
    // The doc comment documents nothing: the comma stands between it and `b`.
    let input = "workload a {\n  x = 1 /// not a doc of y\n  , y = 2\n}\n";
    let output = assert_formats("comma", input);
    let parsed = parse(&output);
    let Item::Decl(decl) = &parsed.module.items[0] else {
        panic!("a declaration")
    };
    let Member::Attribute(y) = &decl.body.members[1] else {
        panic!("an attribute")
    };
    assert_eq!(y.doc, None, "{output}");
}

#[test]
fn a_file_with_syntax_errors_is_refused_with_its_errors() {
    let input = "workload a { replicas = = 2 }";
    let Err(FormatError::Syntax(errors)) = format_text(input) else {
        panic!("refused")
    };
    assert_eq!(errors, parse(input).errors);
    assert!(
        FormatError::Syntax(errors)
            .to_string()
            .contains("syntax error")
    );
}

#[test]
fn deep_nesting_formats_without_overflowing_the_stack() {
    let depth = 120;
    let list = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let parens = format!("{}a{}", "!(".repeat(depth), ")".repeat(depth));
    let record = format!("{}1{}", "{ a = ".repeat(depth), " }".repeat(depth));
    let chain = (0..200)
        .map(|i| format!("a{i}"))
        .collect::<Vec<_>>()
        .join(" || ");
    let input = format!("workload w {{ l = {list} p = {parens} r = {record} c = {chain} }}");
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || assert_formats("deep", &input).len())
        .expect("a thread");
    assert!(handle.join().expect("no panic") > 0);
}

#[test]
fn any_text_formats_or_is_refused_without_panicking() {
    let samples = [
        "workload",
        "{{{{",
        "workload a { x = \"unterminated }",
        "/* never closed",
        "workload a { x = 1 } }",
        "\u{FEFF}workload a {}",
        "workload a { x = 99999999999999999999 }",
        "import std.{}",
        "workload a { x = [,] }",
    ];
    for sample in samples {
        if let Ok(output) = format_text(sample) {
            assert_formats(sample, sample);
            assert!(output.ends_with('\n'));
        }
    }
}

// ---------------------------------------------------------------- random programs

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_programs_format_idempotently_to_the_same_tree(program in programs::program()) {
        let text = program.text();
        let parsed = parse(&text);
        prop_assert!(parsed.errors.is_empty(), "the generator wrote an invalid program:\n{}\n{:?}", text, parsed.errors);
        assert_formats("random program", &text);
    }
}
