//! A real editor drives `plat lsp`: headless Neovim runs `tests/editor/neovim.lua`, which
//! starts the server with `vim.lsp.start_client`, opens a workload of `examples/shop`,
//! waits for diagnostics, and checks hover, definition, references and completion.
//!
//! Without `nvim` on `PATH` the test fails, saying so: it never passes without having
//! run (`.ci/run` installs Debian's neovim).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

fn read_all(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

#[test]
fn neovim_drives_the_language_server() {
    assert!(
        on_path("nvim"),
        "`nvim` is not on PATH: this test needs Debian's neovim (apt-get install neovim; \
         `.ci/run` installs it)"
    );
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let home = tempfile::tempdir().unwrap();
    let results = home.path().join("results.txt");
    let mut child = Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n"])
        .args(["-c", "luafile tests/editor/neovim.lua"])
        .current_dir(&root)
        .env("PLAT_BIN", env!("CARGO_BIN_EXE_plat"))
        .env("PLAT_EXAMPLE", root.join("examples/shop"))
        .env("PLAT_RESULTS", &results)
        // Keep Neovim's state (the LSP log, shada) out of the user's home.
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("TMPDIR", home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nvim");
    let stdout = read_all(child.stdout.take().unwrap());
    let stderr = read_all(child.stderr.take().unwrap());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = stdout.join().unwrap();
    let stderr = stderr.join().unwrap();
    let log = lsp_log(home.path());
    let report = format!(
        "--- nvim stdout\n{stdout}\n--- nvim stderr\n{stderr}\n--- results\n{}\n--- lsp.log\n{log}",
        std::fs::read_to_string(&results).unwrap_or_default()
    );
    match status {
        None => panic!("nvim did not finish within {TIMEOUT:?}\n{report}"),
        Some(status) => assert!(status.success(), "nvim exited with {status}\n{report}"),
    }
    let results = std::fs::read_to_string(&results).unwrap_or_default();
    assert!(
        results.lines().filter(|l| l.starts_with("ok ")).count() >= 20 && !results.contains("FAIL"),
        "{report}"
    );
}

/// Neovim's LSP log (errors and warnings from the client), if it wrote one.
fn lsp_log(home: &Path) -> String {
    ["cache/nvim/lsp.log", "state/nvim/lsp.log"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(home.join(p)).ok())
        .collect::<Vec<_>>()
        .join("\n")
}
