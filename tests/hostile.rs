//! Hostile input: `plat check` answers with diagnostics and exit 1 or 2, never a panic,
//! a stack overflow or a hang (every run has a time limit).

mod support;

use std::path::Path;

use support::{args, run_plat};

fn check_dir(dir: &Path) -> support::Run {
    run_plat(&args(&["check", &dir.to_string_lossy()]))
}

fn project_with(name: &str, bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join(name), bytes).expect("writable");
    dir
}

#[test]
fn binary_garbage() {
    let mut bytes = Vec::with_capacity(64 * 1024);
    let mut state: u32 = 0x1234_5678;
    for _ in 0..64 * 1024 {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        bytes.push(state as u8);
    }
    let dir = project_with("garbage.plat", &bytes);
    let run = check_dir(dir.path());
    run.assert_no_crash("binary garbage");
    assert_eq!(run.status, Some(1));
}

#[test]
fn garbage_that_is_valid_utf8() {
    let text: String = (0..50_000u32)
        .map(|i| char::from_u32((i * 7919) % 0x2FFF + 0x20).unwrap_or('?'))
        .collect();
    let dir = project_with("garbage.plat", text.as_bytes());
    let run = check_dir(dir.path());
    run.assert_no_crash("valid UTF-8 garbage");
    assert_eq!(run.status, Some(1));
}

#[test]
fn twenty_thousand_nested_braces() {
    let text = format!("workload w {}", "{".repeat(20_000));
    let dir = project_with("deep.plat", text.as_bytes());
    let run = check_dir(dir.path());
    run.assert_no_crash("20,000 nested braces");
    assert_eq!(run.status, Some(1));
    assert!(run.stderr.contains("E0104"), "{}", run.stderr);
}

#[test]
fn deeply_nested_expressions() {
    let text = format!(
        "workload w {{ replicas = {}1{} }}",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    let dir = project_with("deep.plat", text.as_bytes());
    let run = check_dir(dir.path());
    run.assert_no_crash("20,000 nested lists");
    assert_eq!(run.status, Some(1));
}

#[test]
fn a_two_megabyte_string() {
    let text = format!(
        "workload w {{\n  labels = {{ big = \"{}\" }}\n}}\n",
        "x".repeat(2 * 1024 * 1024)
    );
    let dir = project_with("big.plat", text.as_bytes());
    let run = check_dir(dir.path());
    run.assert_no_crash("a 2 MB string");
}

#[test]
fn an_unterminated_two_megabyte_string() {
    let text = format!(
        "workload w {{ labels = {{ big = \"{}",
        "x".repeat(2 * 1024 * 1024)
    );
    let dir = project_with("big.plat", text.as_bytes());
    let run = check_dir(dir.path());
    run.assert_no_crash("an unterminated 2 MB string");
    assert_eq!(run.status, Some(1));
}

#[test]
fn invalid_utf8() {
    let dir = project_with("latin1.plat", b"workload caf\xe9 {}\n");
    let run = check_dir(dir.path());
    run.assert_no_crash("invalid UTF-8");
    assert_eq!(run.status, Some(1));
    assert!(run.stderr.contains("E0502"), "{}", run.stderr);
}

#[test]
fn an_empty_directory() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let run = check_dir(dir.path());
    run.assert_no_crash("an empty directory");
    assert_eq!(run.status, Some(1));
    assert!(run.stderr.contains("E0504"), "{}", run.stderr);
}

#[test]
fn an_empty_file() {
    let dir = project_with("empty.plat", b"");
    let run = check_dir(dir.path());
    run.assert_no_crash("an empty file");
}

#[test]
fn a_path_that_does_not_exist() {
    let run = run_plat(&args(&["check", "/no/such/plat/project"]));
    run.assert_no_crash("a missing path");
    assert_eq!(run.status, Some(2));
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_loop() {
    let dir = project_with(
        "main.plat",
        b"environment development { namespace = \"dev\" }\n",
    );
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).expect("symlink");
    let run = check_dir(dir.path());
    run.assert_no_crash("a symbolic link loop");
    assert_eq!(run.status, Some(0), "{}", run.transcript());
}

/// `plat import score` on `text`, written to a temporary Score file.
fn import_score(text: &str) -> support::Run {
    let dir = project_with("score.yaml", text.as_bytes());
    let file = dir.path().join("score.yaml");
    run_plat(&args(&[
        "import",
        "score",
        &file.to_string_lossy(),
        "--out",
        "-",
    ]))
}

#[test]
fn score_files_that_nest_deeply_or_expand_aliases_are_refused() {
    let header = "apiVersion: score.dev/v1b1\nmetadata:\n  name: x\ncontainers:\n  main:\n    image: nginx:1.27\n";
    let deep = format!(
        "{header}    args: {}{}\n",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    let mut bomb = format!("{header}x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..12 {
        let previous = format!("*a{}", level - 1);
        let items = [previous.as_str(); 9].join(", ");
        bomb.push_str(&format!("x{level}: &a{level} [{items}]\n"));
    }
    for (what, text) in [("deep", deep), ("alias bomb", bomb)] {
        let run = import_score(&text);
        run.assert_no_crash(what);
        assert_eq!(run.status, Some(1), "{what}\n{}", run.transcript());
        assert!(run.stderr.contains("E0801"), "{what}\n{}", run.stderr);
    }
}

/// A project of one `main.plat` file with `text`.
fn project_of(text: &str) -> tempfile::TempDir {
    project_with("main.plat", text.as_bytes())
}

/// Checks `text` as a project: no crash, exit 1, and the diagnostic `code`.
fn assert_reported(what: &str, text: &str, code: &str) {
    let dir = project_of(text);
    let run = check_dir(dir.path());
    run.assert_no_crash(what);
    assert_eq!(run.status, Some(1), "{what}: {}", run.transcript());
    assert!(
        run.stderr.contains(code),
        "{what}: no {code}\n{}",
        run.stderr
    );
}

#[test]
fn deep_nesting_of_every_construct() {
    const N: usize = 20_000;
    let workload = |expr: String| format!("workload w {{\n  replicas = {expr}\n}}\n");
    let cases = [
        (
            "parentheses",
            workload(format!("{}1{}", "(".repeat(N), ")".repeat(N))),
        ),
        (
            "records",
            workload(format!("{}1{}", "{ a = ".repeat(N), " }".repeat(N))),
        ),
        ("negations", workload(format!("{}true", "!".repeat(N)))),
        (
            "a chain of `||`",
            workload(format!("true{}", " || true".repeat(N))),
        ),
        (
            "a chain of `==`",
            workload(format!("1{}", " == 1".repeat(N))),
        ),
        ("field accesses", workload(format!("w{}", ".x".repeat(N)))),
        (
            "ifs",
            workload(format!(
                "{}1{}",
                "if true then ".repeat(N),
                " else 2".repeat(N)
            )),
        ),
        (
            "matches",
            workload(format!(
                "{}1{}",
                "match env.name { \"a\" => ".repeat(N),
                " }".repeat(N)
            )),
        ),
        (
            "interpolations",
            workload(format!(
                "{}x{}",
                "\"${".repeat(N / 10),
                "}\"".repeat(N / 10)
            )),
        ),
        (
            "calls",
            workload(format!("{}1{}", "f(".repeat(N), ")".repeat(N))),
        ),
        (
            "type arguments",
            format!("type t = {}string{}\n", "list<".repeat(N), ">".repeat(N)),
        ),
        (
            "record types",
            format!("type t = {}string{}\n", "{ a: ".repeat(N), " }".repeat(N)),
        ),
        (
            "blocks",
            format!("workload w {{ {} }}\n", "container c { ".repeat(N)),
        ),
        (
            "comments",
            format!("{}\nworkload w {{}}\n", "/* ".repeat(N)),
        ),
    ];
    for (what, text) in cases {
        let dir = project_of(&text);
        let run = check_dir(dir.path());
        run.assert_no_crash(what);
        assert_eq!(run.status, Some(1), "{what}: {}", run.transcript());
    }
}

#[test]
fn score_garbage_and_non_utf8_are_refused() {
    let run = import_score("\u{0}\u{1}: [}{");
    run.assert_no_crash("garbage");
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    let dir = project_with("score.yaml", b"name: caf\xe9\n");
    let file = dir.path().join("score.yaml");
    let run = run_plat(&args(&["import", "score", &file.to_string_lossy()]));
    run.assert_no_crash("latin-1");
    assert_eq!(run.status, Some(2), "{}", run.transcript());
}

#[test]
fn a_hundred_thousand_variants_and_lines() {
    let variants: Vec<String> = (0..100_000).map(|i| format!("\"v{i}\"")).collect();
    let text = format!(
        "type t = {}\n{}workload w {{ replicas = \"x\" }}\n",
        variants.join(" | "),
        "\n".repeat(100_000)
    );
    let dir = project_of(&text);
    let run = check_dir(dir.path());
    run.assert_no_crash("a union of 100,000 variants");
}

#[test]
fn a_label_on_a_line_too_long_to_draw_gives_its_place() {
    let text = format!(
        "workload w {{\n  replicas = {}\n}}\n",
        "true || ".repeat(20_000) + "true"
    );
    let dir = project_of(&text);
    let run = check_dir(dir.path());
    run.assert_no_crash("a 160,000-character line");
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert!(
        run.stderr
            .contains("main.plat:2:14 (the source is not shown"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_hundred_megabyte_file() {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("main.plat"), "workload w {}\n").expect("writable");
    let huge = std::fs::File::create(dir.path().join("huge.plat")).expect("writable");
    // Sparse: the size is what counts, and the loader never reads past it.
    huge.set_len(100 * 1024 * 1024).expect("set_len");
    let run = check_dir(dir.path());
    run.assert_no_crash("a 100 MB file");
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert!(run.stderr.contains("E0503"), "{}", run.stderr);
    assert!(run.stderr.contains("104857600 bytes"), "{}", run.stderr);
}

#[test]
fn a_hundred_thousand_files() {
    // In memory where the system has a tmpfs: 100,000 files on a busy disk take minutes.
    let builder = tempfile::Builder::new();
    let dir = if Path::new("/dev/shm").is_dir() {
        builder.tempdir_in("/dev/shm")
    } else {
        builder.tempdir()
    }
    .expect("temporary directory");
    // Links to one empty file: directory entries are what the loader counts.
    let seed = dir.path().join("seed.plat");
    std::fs::File::create(&seed).expect("create");
    for group in 0..100 {
        let sub = dir.path().join(format!("g{group:03}"));
        std::fs::create_dir(&sub).expect("mkdir");
        for file in 0..1_000 {
            std::fs::hard_link(&seed, sub.join(format!("f{file:04}.plat"))).expect("link");
        }
    }
    let run = check_dir(dir.path());
    run.assert_no_crash("100,000 files");
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert!(
        run.stderr
            .contains("more than 50000 `.plat` files; the rest are not read"),
        "{}",
        run.stderr
    );
}

#[cfg(target_os = "linux")]
#[test]
fn devices_and_pipes_are_not_read() {
    let dir = project_of("workload w {\n  container main { image = \"nginx:1.27\" }\n}\n");
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.plat")).expect("symlink");
    let run = check_dir(dir.path());
    run.assert_no_crash("a link to /dev/zero");
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert!(run.stderr.contains("E0506"), "{}", run.stderr);
    // A pipe inside the project, which would block a reader that opened it.
    std::fs::remove_file(dir.path().join("zero.plat")).expect("rm");
    let fifo = std::ffi::CString::new(dir.path().join("pipe.plat").to_string_lossy().as_bytes())
        .expect("a path without NUL");
    // SAFETY: `fifo` is a valid NUL-terminated path for the duration of the call.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0, "mkfifo");
    let run = check_dir(dir.path());
    run.assert_no_crash("a pipe");
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
}

#[test]
fn imports_and_module_sources_cannot_leave_the_project() {
    assert_reported("a path import", "import \"../secrets.plat\"\n", "E0101");
    assert_reported("a relative import", "import ../secrets\n", "E0101");
    assert_reported(
        "an import from outside `std`",
        "import etc.passwd\n",
        "E0205",
    );
    // A module source that climbs out of the project, next to a real module there.
    let temp = tempfile::tempdir().expect("temporary directory");
    let outside = temp.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(outside.join("variables.tf"), "variable \"x\" {}\n").expect("writable");
    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).expect("mkdir");
    for source in [
        "../outside",
        "./../outside",
        "./a/../../outside",
        "../../../../../etc",
    ] {
        let text = format!(
            "offering o {{\n  version = \"1.0.0\"\n  output id: string\n  \
             implementation aws: terraform {{\n    source = \"{source}\"\n    \
             outputs = {{ id = module.id }}\n  }}\n}}\n"
        );
        std::fs::write(project.join("main.plat"), text).expect("writable");
        let run = check_dir(&project);
        run.assert_no_crash(source);
        assert_eq!(run.status, Some(1), "{source}: {}", run.transcript());
        assert!(
            run.stderr.contains("E0705") && run.stderr.contains("is outside the project"),
            "{source}: {}",
            run.stderr
        );
    }
}

#[test]
fn a_catastrophic_pattern_is_matched_in_linear_time() {
    // `(a+)+$` backtracks exponentially in a backtracking engine on `aaa...!`.
    let text = format!(
        "offering o {{\n  version = \"1.0.0\"\n  param name: string matching \"^(a+)+$\"\n  \
         output id: string\n  implementation k: kubernetes {{\n    image = \"redis:7\"\n    \
         outputs = {{ id = self.name }}\n  }}\n}}\n\n\
         workload w {{\n  container main {{ image = \"nginx:1.27\" }}\n  r: o {{ name = \"{}!\" }}\n}}\n",
        "a".repeat(100_000)
    );
    assert_reported("a catastrophic pattern", &text, "E0305");
    // A pattern whose compiled form would be huge is refused, not compiled.
    let text = "offering o {\n  version = \"1.0.0\"\n  param name: string matching \"(a{1000}){1000}\"\n}\n";
    assert_reported("a huge pattern", text, "E0308");
}

/// A project of `levels` offerings `o0`, `o1`, ..., each with one Terraform
/// implementation `k` whose body adds `needs(level)` (its needs of the next level), an
/// environment that uses them all, and a workload with the resource `r: o0 { BODY }`.
fn chain_of_offerings(
    levels: usize,
    param: &str,
    needs: impl Fn(usize) -> String,
    body: &str,
) -> String {
    let mut text = String::new();
    for level in 0..levels {
        let needs = if level + 1 < levels {
            needs(level + 1)
        } else {
            String::new()
        };
        text.push_str(&format!(
            "offering o{level} {{\n  version = \"1.0.0\"\n{param}  output id: string\n  \
             implementation k: terraform {{\n    source = \"acme/o{level}/aws\"\n    \
             version = \"1.0.0\"\n{needs}    outputs = {{ id = module.id }}\n  }}\n}}\n\n"
        ));
    }
    text.push_str("environment production {\n  namespace = \"shop\"\n");
    for level in 0..levels {
        text.push_str(&format!("  use o{level}.k\n"));
    }
    text.push_str(&format!(
        "}}\n\nworkload api {{\n  container main {{ image = \"nginx:1.27\" }}\n  r: o0 {{ {body} }}\n}}\n"
    ));
    text
}

/// A project of `main.plat` with `text`, and the lock of module interfaces that
/// records the `levels` modules of [`chain_of_offerings`], so that it is resolved.
fn chain_project(levels: usize, text: &str) -> tempfile::TempDir {
    let dir = project_of(text);
    let modules: Vec<String> = (0..levels)
        .map(|level| {
            format!(
                "{{ \"source\": \"acme/o{level}/aws\", \"version\": \"1.0.0\", \"outputs\": {{ \"id\": {{}} }} }}"
            )
        })
        .collect();
    let lock = format!(
        "{{ \"format\": 1, \"modules\": [{}] }}\n",
        modules.join(", ")
    );
    std::fs::write(dir.path().join("plat.modules.lock.json"), lock).expect("writable");
    dir
}

#[test]
fn implementation_needs_that_fan_out_are_bounded() {
    // Thirty levels, each needing two of the next: 2^30 instances, unbounded.
    let needs = |next: usize| format!("    a: o{next} {{}}\n    b: o{next} {{}}\n");
    let text = chain_of_offerings(30, "", needs, "");
    let dir = chain_project(30, &text);
    let run = check_dir(dir.path());
    run.assert_no_crash("exponential needs");
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert!(run.stderr.contains("E0607"), "{}", run.stderr);
}

#[test]
fn strings_that_double_at_every_level_are_bounded() {
    // Sixty levels, each passing its param twice to the next: 2^60 bytes, unbounded.
    let needs =
        |next: usize| format!("    next: o{next} {{ p = \"${{params.p}}${{params.p}}\" }}\n");
    let text = chain_of_offerings(60, "  param p: string\n", needs, "p = \"ab\"");
    let dir = chain_project(60, &text);
    let run = check_dir(dir.path());
    run.assert_no_crash("strings that double");
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert!(
        run.stderr.contains("E0603") && run.stderr.contains("builds a text longer than 64 KiB"),
        "{}",
        run.stderr
    );
}

/// A file outside the project with a secret in it, and the directory to make a
/// project in, beside it.
#[cfg(unix)]
struct Outside {
    temp: tempfile::TempDir,
}

#[cfg(unix)]
const SECRET: &str = "SECRET-TOKEN-5f1e2d";

#[cfg(unix)]
impl Outside {
    fn new(secret_file: &str) -> Outside {
        let temp = tempfile::tempdir().expect("temporary directory");
        std::fs::create_dir_all(temp.path().join("project")).expect("mkdir");
        std::fs::write(temp.path().join(secret_file), secret_file_text()).expect("writable");
        Outside { temp }
    }

    fn project(&self) -> std::path::PathBuf {
        self.temp.path().join("project")
    }

    fn secret(&self, name: &str) -> std::path::PathBuf {
        self.temp.path().join(name)
    }
}

/// Text that is valid `.plat` and valid Terraform, and carries the secret, so that a
/// loader that reads it has every reason to show or copy it.
#[cfg(unix)]
fn secret_file_text() -> String {
    format!(
        "// token = \"{SECRET}\"\nworkload leaked {{\n  labels = {{ token = \"{SECRET}\" }}\n  oops = 1\n}}\n"
    )
}

/// Every file under `dir`, as text (lossy), joined.
#[cfg(unix)]
fn everything_under(dir: &Path) -> String {
    let mut text = String::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return text;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            text.push_str(&everything_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    text
}

#[cfg(unix)]
#[test]
fn a_plat_file_that_links_outside_the_project_is_not_read_or_echoed() {
    let outside = Outside::new("credentials");
    let project = outside.project();
    std::fs::write(
        project.join("main.plat"),
        "environment development { namespace = \"dev\" }\n",
    )
    .expect("writable");
    std::os::unix::fs::symlink(outside.secret("credentials"), project.join("creds.plat"))
        .expect("symlink");
    std::os::unix::fs::symlink("/proc/self/environ", project.join("environ.plat"))
        .expect("symlink");
    for format in ["human", "json", "sarif"] {
        let run = run_plat(&args(&[
            "check",
            "--format",
            format,
            &project.to_string_lossy(),
        ]));
        run.assert_no_crash(format);
        assert_eq!(run.status, Some(1), "{format}: {}", run.transcript());
        let all = run.transcript();
        assert!(all.contains("E0506"), "{format}: {all}");
        assert!(
            !all.contains(SECRET) && !all.contains("leaked"),
            "{format}: {all}"
        );
    }
    // The single file, named on the command line, is refused too.
    let run = run_plat(&args(&[
        "check",
        &project.join("creds.plat").to_string_lossy(),
    ]));
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert!(run.stderr.contains("E0506"), "{}", run.stderr);
    assert!(!run.transcript().contains(SECRET), "{}", run.transcript());
    // A `plat.toml` that is such a link is not read either.
    std::fs::remove_file(project.join("creds.plat")).expect("rm");
    std::fs::remove_file(project.join("environ.plat")).expect("rm");
    std::os::unix::fs::symlink(outside.secret("credentials"), project.join("plat.toml"))
        .expect("symlink");
    let run = check_dir(&project);
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert!(run.stderr.contains("E0506"), "{}", run.stderr);
    assert!(!run.transcript().contains(SECRET), "{}", run.transcript());
}

#[cfg(unix)]
#[test]
fn a_terraform_file_that_links_outside_the_project_is_not_read_or_copied() {
    let outside = Outside::new("terraformrc");
    let project = outside.project();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/own-module");
    for file in [
        "catalog.plat",
        "environments.plat",
        "search.plat",
        "plat.toml",
    ] {
        std::fs::copy(example.join(file), project.join(file)).expect("copy");
    }
    let module = project.join("modules/search_cluster");
    std::fs::create_dir_all(&module).expect("mkdir");
    for file in ["main.tf", "variables.tf"] {
        std::fs::copy(
            example.join("modules/search_cluster").join(file),
            module.join(file),
        )
        .expect("copy");
    }
    // The module's outputs, with a token in a comment, outside the project.
    let outputs = std::fs::read_to_string(example.join("modules/search_cluster/outputs.tf"))
        .expect("readable");
    std::fs::write(
        outside.secret("terraformrc"),
        format!("# token = \"{SECRET}\"\n{outputs}"),
    )
    .expect("writable");
    std::os::unix::fs::symlink(outside.secret("terraformrc"), module.join("outputs.tf"))
        .expect("symlink");
    let run = check_dir(&project);
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert!(run.stderr.contains("E0506"), "{}", run.stderr);
    assert!(!run.transcript().contains(SECRET), "{}", run.transcript());
    let out = outside.temp.path().join("out");
    let run = run_plat(&args(&[
        "build",
        &project.to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
    ]));
    assert_eq!(run.status, Some(1), "{}", run.transcript());
    assert!(!everything_under(&out).contains(SECRET));
}

#[cfg(unix)]
#[test]
fn score_sources_outside_the_score_files_directory_are_not_read_or_copied() {
    let outside = Outside::new("dotenv");
    let project = outside.project();
    std::os::unix::fs::symlink(outside.secret("dotenv"), project.join("linked.conf"))
        .expect("symlink");
    std::fs::write(project.join("inside.conf"), "listen 80;\n").expect("writable");
    std::fs::create_dir_all(project.join("sub")).expect("mkdir");
    let absolute = outside.secret("dotenv").to_string_lossy().into_owned();
    let import = |source: &str| {
        let score = format!(
            "apiVersion: score.dev/v1b1\nmetadata:\n  name: web\ncontainers:\n  main:\n    \
             image: nginx:1.27\n    files:\n      /etc/app.conf:\n        source: {source}\n"
        );
        std::fs::write(project.join("score.yaml"), score).expect("writable");
        run_plat(&args(&[
            "import",
            "score",
            &project.join("score.yaml").to_string_lossy(),
            "--out",
            "-",
        ]))
    };
    for source in [
        "../dotenv",
        absolute.as_str(),
        "/proc/self/environ",
        "linked.conf",
        "./sub/../../dotenv",
    ] {
        let run = import(source);
        run.assert_no_crash(source);
        assert_eq!(run.status, Some(1), "{source}: {}", run.transcript());
        assert!(run.stderr.contains("E0506"), "{source}: {}", run.stderr);
        assert!(
            !run.transcript().contains(SECRET),
            "{source}: {}",
            run.transcript()
        );
    }
    // A file inside the Score file's directory is read as before.
    let run = import("inside.conf");
    assert_eq!(run.status, Some(0), "{}", run.transcript());
    assert!(run.stdout.contains("listen 80;"), "{}", run.stdout);
}

#[test]
fn control_characters_from_a_project_never_reach_the_terminal_raw() {
    // A title change, a bell, a screen clear, an 8-bit CSI and a right-to-left override
    // in strings, in a value quoted by a message, and in the name of a file.
    let hostile = "\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}31m\u{202e}";
    let text = format!(
        "workload w {{\n  labels = {{ team = \"{hostile}\" }}\n  container main {{\n    \
         image = \"{hostile}\"\n  }}\n  oops = \"{hostile}\"\n}}\n"
    );
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("main.plat"), &text).expect("writable");
    std::fs::write(dir.path().join(format!("x{hostile}.plat")), "workload {\n").expect("writable");
    let path = dir.path().to_string_lossy().into_owned();
    let raw = |output: &str| {
        output.contains('\u{7}')
            || output.contains("\u{1b}]0;owned")
            || output.contains("\u{1b}[2J")
            || output.contains('\u{9b}')
            || output.contains('\u{202e}')
    };
    for flags in [
        vec!["check", &path],
        vec!["--color", "always", "check", &path],
        vec!["check", "--format", "json", &path],
        vec!["check", "--format", "sarif", &path],
        vec!["fmt", "--check", &path],
    ] {
        let run = run_plat(&args(&flags));
        run.assert_no_crash(&flags.join(" "));
        assert_ne!(run.status, Some(0), "{flags:?}");
        assert!(!raw(&run.stdout), "{flags:?} stdout: {:?}", run.stdout);
        assert!(!raw(&run.stderr), "{flags:?} stderr: {:?}", run.stderr);
        if !flags.contains(&"always") {
            assert!(
                !run.stderr.contains('\u{1b}'),
                "{flags:?}: {:?}",
                run.stderr
            );
        }
    }
    // What the characters were is still shown, as symbols.
    let run = run_plat(&args(&["check", &path]));
    assert!(
        run.stderr.contains("\u{241b}]0;owned\u{2407}"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("<U+202E>"), "{}", run.stderr);
}
