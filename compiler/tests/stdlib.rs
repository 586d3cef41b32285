//! Acceptance of the standard library's APIs: for every offering of `stdlib/`, one valid
//! use checks clean and one invalid use gives the code that its API promises.

use plat_compiler::check::check_project;
use plat_compiler::diagnostic::Code;
use plat_compiler::project::from_texts;
use plat_compiler::source::{Database, Origin};

/// `(offering, a valid body, an invalid body, the code of the invalid one)`.
const CASES: &[(&str, &str, &str, Code)] = &[
    (
        "bucket",
        "{ versioned = true }",
        "{ versioned = \"yes\" }",
        Code::TypeMismatch,
    ),
    (
        "dns",
        "{ domain = \"shop.example.com\" }",
        "{ domain = \"Shop Example\" }",
        Code::PatternMismatch,
    ),
    (
        "dns_record",
        "{ zone = \"shop.example.com\", name = \"api.shop.example.com\", target = \"lb.example.com\", target_zone_id = \"Z32O12XQLNTSW2\" }",
        "{ zone = \"shop.example.com\", name = \"api.shop.example.com\" }",
        Code::MissingField,
    ),
    (
        "external_secret",
        "{ name = \"shop/payments/psp-api-key\" }",
        "{ name = \"psp api key\" }",
        Code::PatternMismatch,
    ),
    (
        "mysql",
        "{ database = \"shop\" }",
        "{ database = \"shop\", engine_version = \"5.7\" }",
        Code::NotInEnum,
    ),
    (
        "postgres",
        "{ database = \"shop\", engine_version = \"17\" }",
        "{}",
        Code::MissingField,
    ),
    (
        "queue",
        "{ fifo = true }",
        "{ visibility_timeout_seconds = 50000 }",
        Code::OutOfRange,
    ),
    (
        "redis",
        "{ size = \"medium\" }",
        "{ eviction = \"lru\" }",
        Code::NotInEnum,
    ),
    (
        "route",
        "{ host = \"shop.example.com\", port = 8080 }",
        "{ host = \"shop.example.com\" }",
        Code::MissingField,
    ),
    (
        "volume",
        "{ size = 20Gi }",
        "{ performance = \"fast\" }",
        Code::NotInEnum,
    ),
    (
        "workload_identity",
        "{ service_account = \"payments-api\", policy_arns = { s3 = \"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess\" } }",
        "{ policy_arns = { s3 = \"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess\" } }",
        Code::MissingField,
    ),
];

/// The codes of checking a workload that uses `offering` with `body`.
fn codes(offering: &str, body: &str) -> Vec<Code> {
    let text = format!(
        "import std.{offering}\n\nworkload app {{\n  container main {{ image = \"ghcr.io/acme/app:1.0.0\" }}\n  r: {offering} {body}\n}}\n"
    );
    let db = Database::default();
    let project = from_texts(&db, &[("main.plat".to_string(), text)]);
    check_project(&db, project)
        .iter()
        .map(|diagnostic| diagnostic.code)
        .collect()
}

#[test]
fn every_stdlib_offering_accepts_a_valid_use_and_rejects_an_invalid_one() {
    for (offering, valid, invalid, code) in CASES {
        assert_eq!(codes(offering, valid), vec![], "valid use of `{offering}`");
        assert_eq!(
            codes(offering, invalid),
            vec![*code],
            "invalid use of `{offering}`"
        );
    }
}

#[test]
fn the_table_covers_every_stdlib_offering() {
    let mut declared: Vec<&str> = plat_compiler::stdlib::FILES
        .iter()
        .flat_map(|(_, text)| text.lines())
        .filter_map(|line| line.strip_prefix("offering "))
        .filter_map(|rest| rest.split_whitespace().next())
        .collect();
    declared.sort();
    let covered: Vec<&str> = CASES.iter().map(|case| case.0).collect();
    assert_eq!(covered, declared);
}

/// Every Terraform module the standard library calls is checked against the interface
/// of the version it pins (the lock `stdlib/plat.modules.lock.json` it embeds): each
/// registry module has a recorded interface, every input is a variable, every required
/// variable is set and every output it maps exists. A version bump in `stdlib/*.plat`
/// is checked here at once.
#[test]
fn every_module_the_standard_library_calls_fits_the_interface_of_its_pinned_version() {
    let db = Database::default();
    let project = from_texts(&db, &[]);
    let problems: Vec<String> = check_project(&db, project)
        .iter()
        .filter(|diagnostic| {
            diagnostic
                .primary
                .as_ref()
                .is_some_and(|label| label.file.origin(&db) == Origin::Std)
        })
        .map(|diagnostic| {
            let label = diagnostic.primary.as_ref().expect("filtered on it");
            format!(
                "{} {}: {} ({})",
                diagnostic.code,
                label.file.path(&db),
                diagnostic.message,
                label.message.clone().unwrap_or_default()
            )
        })
        .collect();
    assert!(
        problems.is_empty(),
        "the standard library does not check:\n{}",
        problems.join("\n")
    );
}

/// The version each standard-library offering declares, by name.
fn offering_versions() -> std::collections::BTreeMap<String, semver::Version> {
    plat_compiler::stdlib::FILES
        .iter()
        .filter_map(|(path, text)| {
            let name = plat_compiler::stdlib::module_name(path)?;
            let version = text
                .lines()
                .find_map(|line| line.trim().strip_prefix("version = \""))?
                .strip_suffix('"')?;
            Some((name.to_string(), semver::Version::parse(version).ok()?))
        })
        .collect()
}

#[test]
fn the_standard_library_is_versioned_at_least_as_its_offerings_and_documents_them() {
    let version = semver::Version::parse(plat_compiler::stdlib::VERSION).expect("a version");
    let offerings = offering_versions();
    assert!(!offerings.is_empty());
    for (offering, offered) in &offerings {
        assert!(
            offered.major <= version.major,
            "`{offering}` {offered} has a major version past the standard library's {version}"
        );
    }
    let changes = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/stdlib.md"),
    )
    .expect("docs/stdlib.md");
    let section = changes
        .split(&format!("**{version}.**"))
        .nth(1)
        .expect("docs/stdlib.md lists the changes of the standard library's version");
    for (offering, offered) in &offerings {
        assert!(
            section.contains(&format!("| `{offering}` | {offered} |")),
            "docs/stdlib.md's table of {version} gives `{offering}` its version {offered}"
        );
    }
}
