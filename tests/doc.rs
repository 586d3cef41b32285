//! `plat doc` end to end: the shop's catalogue lists every offering it uses, each page
//! documents the offering's params, outputs and implementations, user text is escaped,
//! two runs give the same bytes, and a project with errors gets no catalogue.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use support::{args, run_plat};

/// The offerings the shop imports and binds.
const SHOP_OFFERINGS: &[&str] = &[
    "bucket",
    "dns",
    "external_secret",
    "mysql",
    "postgres",
    "queue",
    "redis",
    "route",
    "volume",
    "workload_identity",
];

/// Every file under `dir` (but the output marker), by relative path.
fn files(dir: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for entry in fs::read_dir(dir).expect("list").filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        found.insert(name, fs::read_to_string(entry.path()).expect("read"));
    }
    found
}

fn doc(project: &str, out: &Path) -> support::Run {
    run_plat(&args(&["doc", project, "--out", &out.to_string_lossy()]))
}

#[test]
fn the_shop_catalogue_documents_every_offering() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("catalog");
    let run = doc("examples/shop", &out);
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    let pages = files(&out);
    for index in ["index.md", "index.html"] {
        let text = &pages[index];
        for offering in SHOP_OFFERINGS {
            let extension = index.rsplit('.').next().unwrap_or_default();
            assert!(
                text.contains(&format!("{offering}.{extension}")),
                "{index} links {offering}"
            );
        }
    }
    for offering in SHOP_OFFERINGS {
        for extension in ["md", "html"] {
            let page = &pages[&format!("{offering}.{extension}")];
            assert!(page.contains("Params"), "{offering}.{extension}");
            assert!(page.contains("Outputs"), "{offering}.{extension}");
            assert!(page.contains("Implementations"), "{offering}.{extension}");
            assert!(page.contains("Used by"), "{offering}.{extension}");
            let versioned = page.match_indices("version ").any(|(at, word)| {
                page[at + word.len()..].starts_with(|c: char| c.is_ascii_digit())
            });
            assert!(versioned, "{offering}.{extension} shows its version");
        }
    }
}

#[test]
fn a_page_shows_params_with_types_defaults_and_docs() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("catalog");
    let run = doc("examples/shop", &out);
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    let markdown = fs::read_to_string(out.join("postgres.md")).expect("postgres.md");
    for expected in [
        "| `size` | `\"small\" \\| \"medium\" \\| \"large\"` | `\"small\"` | no | How big the database is",
        "| `database` | `string matching",
        "| yes | The name of the database to create. |",
        "| `password` | `secret` | yes | The role's password. |",
        "### `aws` (terraform)",
        "Terraform module `terraform-aws-modules/rds/aws`, version `6.10.0`.",
        "Selected by: `production`, `staging`.",
        "| `backup_retention_days` | `int in 0..35` | `7` | no |",
        "| `payments-api` | `db` | `payments-api.db` | no |",
        "| `checkout-api` | `db` | `shared_db` | yes |",
    ] {
        assert!(
            markdown.contains(expected),
            "postgres.md lacks {expected:?}:\n{markdown}"
        );
    }
    let html = fs::read_to_string(out.join("postgres.html")).expect("postgres.html");
    for expected in [
        "<td><code>size</code></td><td><code>&quot;small&quot; | &quot;medium&quot; | &quot;large&quot;</code></td><td><code>&quot;small&quot;</code></td>",
        "The name of the database to create.",
        "<code>terraform-aws-modules/rds/aws</code>",
    ] {
        assert!(html.contains(expected), "postgres.html lacks {expected:?}");
    }
}

#[test]
fn html_is_self_contained() {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("catalog");
    assert_eq!(doc("examples/shop", &out).status, Some(0));
    for (name, page) in files(&out) {
        if !name.ends_with(".html") {
            continue;
        }
        assert!(page.starts_with("<!DOCTYPE html>"), "{name}");
        assert!(page.contains("<style>"), "{name}");
        for forbidden in ["<script", "<link", "src=", "http://", "https://", "@import"] {
            assert!(!page.contains(forbidden), "{name} contains {forbidden}");
        }
    }
}

#[test]
fn two_runs_write_the_same_bytes() {
    let temp = tempfile::tempdir().expect("temp dir");
    let first = temp.path().join("first");
    let second = temp.path().join("second");
    assert_eq!(doc("examples/shop", &first).status, Some(0));
    assert_eq!(doc("examples/shop", &second).status, Some(0));
    assert_eq!(files(&first), files(&second));
    // A second run into the same directory replaces it.
    assert_eq!(doc("examples/shop", &first).status, Some(0));
    assert_eq!(files(&first), files(&second));
}

const HOSTILE: &str = r#"/// A cache. <script>alert("x")</script> & `<b>code</b>` | pipe
offering cache {
  version = "1.0.0"

  /// The size <img src=x onerror=alert(1)>.
  param size: "s" | "m" = "s"

  /// The host: [docs](javascript:alert(1)), ![x](javascript:alert(2)), [ref][r],
  /// <javascript:alert(4)>.
  ///
  /// [r]: javascript:alert(3)
  output host: string

  /// In the cluster.
  implementation local: existing {
    outputs = { host = "cache.local" }
  }
}

environment development {
  namespace = "dev"
  use cache.local
}

workload api {
  container main {
    image = "ghcr.io/acme/api:1.0.0"
    env = { CACHE = c.host }
  }

  c: cache {}
}
"#;

#[test]
fn user_text_is_escaped() {
    let temp = tempfile::tempdir().expect("temp dir");
    let project = temp.path().join("project");
    fs::create_dir_all(&project).expect("mkdir");
    fs::write(project.join("main.plat"), HOSTILE).expect("write");
    let out = temp.path().join("catalog");
    let run = doc(&project.to_string_lossy(), &out);
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    for name in ["cache.html", "index.html", "cache.md", "index.md"] {
        let page = fs::read_to_string(out.join(name)).expect(name);
        assert!(!page.contains("<script"), "{name}:\n{page}");
        assert!(!page.contains("<img"), "{name}:\n{page}");
        if name.ends_with(".html") {
            assert!(!page.contains("<b>"), "{name}:\n{page}");
            // Links only to sibling pages: the doc comment's links stay text.
            for link in page.split("href=\"").skip(1) {
                let target = link.split('"').next().unwrap_or_default();
                assert!(
                    target.ends_with(".html") && !target.contains(':'),
                    "{name}: a link to `{target}`"
                );
            }
            assert!(!page.contains("<a href=\"javascript"), "{name}:\n{page}");
        }
        assert!(page.contains("&lt;script&gt;"), "{name}:\n{page}");
    }
    for name in ["cache.md", "index.md"] {
        let page = fs::read_to_string(out.join(name)).expect(name);
        assert_only_sibling_links_and_no_html(name, &page);
    }
    let markdown = fs::read_to_string(out.join("cache.md")).expect("cache.md");
    assert!(
        markdown.contains("`<b>code</b>`"),
        "code spans are kept:\n{markdown}"
    );
    assert!(
        markdown.contains("| `api` | `c` | `api.c` | no |"),
        "{markdown}"
    );
}

/// Reads `page` as a CommonMark (GitHub) renderer does: every link and image is to a
/// sibling page, and the only HTML is the `<br>` between paragraphs of a table cell.
fn assert_only_sibling_links_and_no_html(name: &str, page: &str) {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    for event in Parser::new_ext(page, Options::all()) {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => assert!(
                dest_url.ends_with(".md") && !dest_url.contains(':') && !dest_url.contains('/'),
                "{name}: a link to `{dest_url}`:\n{page}"
            ),
            Event::Start(Tag::Image { dest_url, .. }) => {
                panic!("{name}: an image of `{dest_url}`:\n{page}")
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                assert_eq!(&*html, "<br>", "{name}: raw HTML:\n{page}")
            }
            _ => {}
        }
    }
}

#[test]
fn a_project_with_errors_gets_no_catalogue() {
    let temp = tempfile::tempdir().expect("temp dir");
    let project = temp.path().join("project");
    fs::create_dir_all(&project).expect("mkdir");
    fs::write(
        project.join("main.plat"),
        HOSTILE.replace("c: cache {}", "c: cache { sise = \"m\" }"),
    )
    .expect("write");
    let out = temp.path().join("catalog");
    let run = doc(&project.to_string_lossy(), &out);
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert!(run.stderr.contains("E0"), "{}", run.stderr);
    assert!(run.stderr.contains("no catalogue"), "{}", run.stderr);
    assert!(!out.exists());
}
