//! Completion, from fixtures in the style of rust-analyzer's `ide-completion` tests: a
//! project whose text marks the cursor with `$0` (files separated by `//- PATH` lines),
//! and the items the server offers there, one a line: a short kind and the label.

use plat_lsp::snapshot::Snapshot;
use plat_lsp::workspace::Workspace;
use tower_lsp_server::ls_types::{CompletionItem, CompletionItemKind};

const CURSOR: &str = "$0";

/// The completion at `$0` in the project `fixture`.
fn completion(fixture: &str) -> Vec<CompletionItem> {
    let mut workspace = Workspace::default();
    let mut files: Vec<(String, String)> = Vec::new();
    for part in fixture.split("//- ") {
        if part.trim().is_empty() {
            continue;
        }
        let (path, text) = match part.split_once('\n') {
            Some((path, text)) if path.ends_with(".plat") => (path.trim().to_string(), text),
            _ => ("main.plat".to_string(), part),
        };
        files.push((path, text.to_string()));
    }
    let mut cursor = None;
    for (path, text) in files {
        match text.find(CURSOR) {
            Some(at) => {
                let file = workspace.set_text(&path, text.replace(CURSOR, ""));
                cursor = Some((file, at as u32));
            }
            None => {
                workspace.set_text(&path, text);
            }
        }
    }
    let (file, offset) = cursor.expect("the fixture marks the cursor with `$0`");
    plat_lsp::completion::complete(&Snapshot::of(&workspace), file, offset)
}

fn kind(item: &CompletionItem) -> &'static str {
    match item.kind {
        Some(CompletionItemKind::FIELD) => "fd",
        Some(CompletionItemKind::PROPERTY) => "pr",
        Some(CompletionItemKind::KEYWORD) => "kw",
        Some(CompletionItemKind::MODULE) => "md",
        Some(CompletionItemKind::VARIABLE) => "vr",
        Some(CompletionItemKind::INTERFACE) => "in",
        Some(CompletionItemKind::ENUM_MEMBER) => "ev",
        Some(CompletionItemKind::VALUE) => "vl",
        _ => "??",
    }
}

/// Asserts that completion at `$0` offers exactly `expected` (`kind label` lines).
#[track_caller]
fn check(fixture: &str, expected: &str) {
    let items = completion(fixture);
    let rendered: Vec<String> = items
        .iter()
        .map(|item| format!("{} {}", kind(item), item.label))
        .collect();
    let expected: Vec<&str> = expected
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    assert_eq!(rendered, expected, "at `$0` in:\n{fixture}");
}

const API: &str = r#"
//- api.plat
workload api {
  container main {
    image = "ghcr.io/acme/api:1.0.0"
    ports = { http = 8080 }
  }
}
"#;

#[test]
fn after_a_workloads_name_and_a_dot_its_outputs() {
    check(
        &format!(
            r#"{API}
//- web.plat
workload web {{
  calls = [api]
  container main {{
    image = "ghcr.io/acme/web:1.0.0"
    env = {{ API_URL = api.$0 }}
  }}
}}
"#
        ),
        "fd host
         fd port
         fd url",
    );
}

#[test]
fn after_a_resource_typed_on_a_new_line_above_an_entry_its_outputs() {
    // As a new entry's value, and as the name alone on its line: above the existing
    // entry either way.
    for line in ["REDIS_URL = cart.$0", "cart.$0"] {
        check(
            &format!(
                r#"
import std.redis

workload web {{
  container main {{
    image = "ghcr.io/acme/web:1.0.0"
    env = {{
      {line}
      MODE = "fast"
    }}
  }}

  cart: redis {{}}
}}
"#
            ),
            "fd host
             fd port
             fd tls
             fd url",
        );
    }
}

#[test]
fn at_the_start_of_a_value_the_names_in_scope() {
    check(
        r#"
import std.redis

workload web {
  container main {
    image = "ghcr.io/acme/web:1.0.0"
    env = { REDIS_URL = c$0 }
  }

  cart: redis {}
}
"#,
        "vr cart
         vr env
         vr self
         md web",
    );
    check(
        r#"
workload web {
  replicas = $0
  container main { image = "ghcr.io/acme/web:1.0.0" }
}
"#,
        "vr env
         vr self
         md web",
    );
}

#[test]
fn in_an_interpolation_the_outputs_and_the_names() {
    let fixture = |inside: &str| {
        format!(
            r#"
import std.postgres

workload web {{
  container main {{
    image = "ghcr.io/acme/web:1.0.0"
    env = {{ URL = "postgres://{inside}" }}
  }}

  db: postgres {{}}
}}
"#
        )
    };
    check(
        &fixture("${db.$0}"),
        "fd host
         fd port
         fd database
         fd username
         fd password
         fd tls
         fd url",
    );
    check(
        &fixture("${$0"),
        "vr db
         vr env
         vr self
         md web",
    );
    check(
        &fixture("${env.$0}"),
        "fd name
         fd namespace
         fd region
         fd domain",
    );
}

#[test]
fn after_a_colon_offerings_and_after_override_environments() {
    let offerings: Vec<String> = completion(
        r#"
workload web {
  cache: $0
}
"#,
    )
    .iter()
    .map(|item| item.label.clone())
    .collect();
    assert!(offerings.contains(&"redis".to_string()), "{offerings:?}");
    assert!(offerings.contains(&"postgres".to_string()), "{offerings:?}");
    check(
        r#"
environment staging { namespace = "s" }
workload web {
  override st$0
}
"#,
        "md staging",
    );
}

#[test]
fn at_the_start_of_a_member_the_fields_not_yet_set() {
    let items = completion(
        r#"
workload web {
  container main {
    image = "ghcr.io/acme/web:1.0.0"
    $0
  }
}
"#,
    );
    let labels: Vec<&str> = items.iter().map(|item| item.label.as_str()).collect();
    assert!(labels.contains(&"cpu"), "{labels:?}");
    assert!(!labels.contains(&"image"), "already set: {labels:?}");
    check(
        "$0",
        "kw import
         kw type
         kw offering
         kw environment
         kw workload
         kw policy",
    );
}

#[test]
fn in_a_string_the_values_of_its_field() {
    check(
        r#"
import std.redis

workload web {
  cart: redis { eviction = "$0" }
}
"#,
        "ev \"allkeys-lru\"
         ev \"volatile-lru\"
         ev \"noeviction\"",
    );
}

#[test]
fn nothing_in_comments_strings_and_after_a_complete_value() {
    for fixture in [
        "// a comment $0\nworkload web {}\n",
        "workload web {\n  labels = { team = \"ab$0c\" }\n}\n",
        "workload web {\n  container main {\n    image = \"a$0\"\n  }\n}\n",
        "workload web {\n  replicas = 2 $0\n}\n",
    ] {
        check(fixture, "");
    }
}
