//! The command-line interface: commands, flags and the help that teaches them.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  plat check                       Check the project in the current directory
  plat check examples/shop         Check the project in another directory
  plat check --format json .       Diagnostics as JSON, for scripts
  plat check --format sarif . > plat.sarif
                                   Diagnostics as SARIF, for code scanning in CI
  plat build                       Write Kubernetes manifests and Terraform per environment
  plat graph --env production --format dot
                                   The resource graph of an environment
  plat diff --against origin/main --format markdown
                                   What a change does to each environment, for a review
  plat init shop                   Scaffold a new platform that checks and builds
  plat doc --out catalog           The catalogue of the offerings, as HTML and Markdown
  plat import score score.yaml --out workloads
                                   Turn a Score workload into a .plat workload
  plat fetch                       Fetch the dependencies plat.lock records
  plat semver v1.2.0               What changed since a release, and the version it needs
  plat fmt                         Rewrite every .plat file in the canonical style
  plat fmt --check                 List the files that are not, for CI
  plat explain E0204               What a diagnostic code means, and the fix
  plat completions bash > /etc/bash_completion.d/plat
                                   Install shell completions

Exit status: 0 no errors, 1 the project has errors, 2 usage or I/O problem, 3 internal error,
4 plat diff blocks the change (it destroys data, orphans state or touches a protected resource).
Documentation: docs/language.md";

/// plat — a platform orchestrator you can compile.
///
/// plat reads `.plat` files that describe what a platform offers, the environments
/// workloads run in and the workloads themselves, and checks that they fit.
#[derive(Debug, Parser)]
#[command(name = "plat", version, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    /// When to use colour: `auto` uses it on a terminal unless NO_COLOR is set.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a project: syntax, names, types, secrets and phases.
    ///
    /// Reads every `.plat` file under PATH (a directory, read recursively, or a single
    /// file) and reports every problem it finds.
    #[command(after_help = "\
Examples:
  plat check                       Check the project in the current directory
  plat check examples/minimal      Check another project
  plat check --format json .       One JSON object per diagnostic
  plat check --format sarif .      A SARIF 2.1.0 log for code scanning")]
    Check {
        /// The project directory or `.plat` file.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Build a project: write each environment's Kubernetes manifests and Terraform.
    ///
    /// Checks the project first and writes nothing if it has errors. Writes, per
    /// environment, `<env>/kubernetes/`, `<env>/terraform/`, `<env>/graph.json` and
    /// `<env>/manifest.json` under OUT, replacing OUT as a whole and atomically: a failed
    /// build leaves the previous output as it was.
    #[command(after_help = "\
Examples:
  plat build                       Build every environment into the project's out/
  plat build examples/shop --out /tmp/shop
                                   Build another project into another directory
  plat build --env staging --env production
                                   Build only some environments
  kubectl apply -k out/staging/kubernetes
                                   Apply what was built (then the Terraform, shared first)")]
    Build {
        /// The project directory or `.plat` file.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Build only this environment (repeat for more); every one by default.
        #[arg(long = "env", value_name = "ENV")]
        environments: Vec<String>,
        /// The output directory, replaced as a whole by each build; `out` in the
        /// project's directory by default.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Print the resource graph of an environment: workloads, resource instances and
    /// the edges between them.
    ///
    /// Checks the project first and prints nothing if it has errors. The graph holds
    /// names only, never values, so no secret can appear in it.
    #[command(after_help = "\
Examples:
  plat graph examples/shop --env production
                                   The graph as JSON (the shape is in docs/graph.md)
  plat graph --env staging --format dot | dot -Tsvg > staging.svg
                                   Draw it with Graphviz
  plat graph --env production --format mermaid
                                   A Mermaid flowchart, for Markdown")]
    Graph {
        /// The project directory or `.plat` file.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The environment to draw; may be left out when the project has only one.
        #[arg(long = "env", value_name = "ENV")]
        environment: Option<String>,
        /// How to print the graph.
        #[arg(long, value_enum, default_value_t = GraphFormat::Json)]
        format: GraphFormat,
    },
    /// Show what a change does to each environment, before it is applied.
    ///
    /// Builds the sources in memory and compares the result with a git revision of the
    /// project (built in memory the same way) or with a build directory: Kubernetes
    /// objects and Terraform root modules and blocks added, removed and changed, with the
    /// paths of the fields that changed; instances whose offering's version or
    /// implementation changed; and what destroys or replaces data, or leaves Terraform
    /// state with nothing to destroy what it holds. Checks the sources first.
    #[command(after_help = "\
Examples:
  plat diff                        What the sources change, compared with HEAD
  plat diff --against origin/main  Compared with another revision (a CI on a pull request)
  plat diff --against-build out    Compared with what a build directory holds
  plat diff --format markdown > comment.md
                                   A pull-request comment
  plat diff --format json | jq .blocked
                                   For scripts

Exit status: 0 nothing destructive (or allowed), 1 the sources have errors, 2 a usage or I/O
problem (an unknown revision, an unreadable build), 4 the change destroys or replaces data
(allowed with --allow-destroy), orphans Terraform state or touches a protected resource
(never allowed).")]
    Diff {
        /// The project directory or `.plat` file.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The git revision to compare with; HEAD by default.
        #[arg(long, value_name = "REV", conflicts_with = "against_build")]
        against: Option<String>,
        /// A build directory to compare with, instead of a revision.
        #[arg(long, value_name = "DIR")]
        against_build: Option<PathBuf>,
        /// Compare only this environment (repeat for more); every one by default.
        #[arg(long = "env", value_name = "ENV")]
        environments: Vec<String>,
        /// How to print the diff.
        #[arg(long, value_enum, default_value_t = DiffFormat::Terminal)]
        format: DiffFormat,
        /// Let a change that destroys or replaces data through (exit status 0). A change
        /// that orphans Terraform state or touches a protected resource still blocks.
        #[arg(long)]
        allow_destroy: bool,
    },
    /// Scaffold a new platform: an environment, a workload and a README, ready to check
    /// and build.
    ///
    /// Writes `plat.toml`, `platform/environments.plat` (a `development` environment
    /// where everything runs in the cluster), `workloads/hello.plat` (a container and the
    /// PostgreSQL database it needs), `README.md` and `.gitignore` into DIR, created if
    /// missing. Never overwrites a file: if any of them exists, nothing is written.
    #[command(after_help = "\
Examples:
  plat init shop                   A new platform in ./shop, named `shop`
  plat init                        A new platform in the current directory
  plat init infra --name payments  Choose the project name (a DNS label)
  plat init shop && plat build shop --out shop/out
                                   Scaffold, check and build in one go

Exit status: 0 created, 2 a file exists already, or a usage or I/O problem.")]
    Init {
        /// The directory of the new platform; created if missing.
        #[arg(default_value = ".")]
        directory: PathBuf,
        /// The project's name, a DNS label; the directory's name by default.
        #[arg(long)]
        name: Option<String>,
    },
    /// Write the catalogue of a platform's offerings, as static HTML and Markdown.
    ///
    /// For every offering the project declares, imports or binds: its documentation,
    /// version, params (types, defaults, whether required), outputs (which are secret),
    /// implementations (their own params and the environments that select each one),
    /// and, per environment, the workloads that use it. Writes `index.html`, `index.md`
    /// and `<offering>.html`, `<offering>.md` under OUT, replacing OUT as a whole and
    /// atomically. Checks the project first and writes nothing if it has errors.
    #[command(after_help = "\
Examples:
  plat doc --out catalog           The catalogue of the project here, into ./catalog
  plat doc examples/shop --out /tmp/shop-catalog
                                   The catalogue of another project
  open catalog/index.html          Read it: self-contained pages, no scripts")]
    Doc {
        /// The project directory or `.plat` file.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The output directory; replaced as a whole by each run.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Import workloads written for other tools as `.plat` files.
    Import {
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human, global = true)]
        format: Format,
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Format `.plat` files in the one canonical style.
    ///
    /// Rewrites every `.plat` file under each PATH (a directory, read recursively like
    /// `plat check` reads a project, or a single file) that is not in the canonical style.
    /// Formatting changes only layout: comments are kept and the meaning never changes. A
    /// file with syntax errors is left as it is and its errors are reported.
    #[command(after_help = "\
Examples:
  plat fmt                         Format every .plat file in the current directory
  plat fmt examples/shop stdlib    Format other directories or single files
  plat fmt --check .               List the files that would change; exit 1 if any
  plat fmt - < api.plat            Format standard input to standard output, for editors

Exit status: 0 nothing to change (or all written), 1 files would change (--check) or have
syntax errors, 2 usage or I/O problem.")]
    Fmt {
        /// Directories or `.plat` files; `-` alone reads standard input.
        #[arg(default_value = ".")]
        paths: Vec<PathBuf>,
        /// Write nothing: list the files that would change, one per line, and exit with 1
        /// if there are any.
        #[arg(long)]
        check: bool,
    },
    /// Explain a diagnostic code: what it means, an example, and the fix.
    #[command(after_help = "\
Examples:
  plat explain E0204               Explain the code E0204
  plat explain --list              List every code with its title")]
    Explain {
        /// The code, as printed in a diagnostic: `E0204`.
        #[arg(required_unless_present = "list")]
        code: Option<String>,
        /// List every code with its title.
        #[arg(long, conflicts_with = "code")]
        list: bool,
    },
    /// Record the interfaces of the registry and git modules a project calls.
    Modules {
        #[command(subcommand)]
        what: ModulesCommand,
    },
    /// Fetch the project's dependencies and write `plat.lock`.
    ///
    /// Resolves the packages `[dependencies]` in `plat.toml` names, and theirs: a
    /// directory is read where it is; a git repository is fetched with `git` at the
    /// revision `plat.lock` records, or, for a dependency the lock does not record yet,
    /// at the tag, branch or commit `plat.toml` names. Fetched packages are kept under
    /// `.plat/packages/` in the project; `plat check` and `plat build` read them from
    /// there, offline, only as the lock records them. Writes `plat.lock` when it
    /// changes. On any error nothing is written. See docs/packages.md.
    #[command(after_help = "\
Examples:
  plat fetch                       Fetch what plat.lock names, and lock what it lacks
  plat fetch apps/storefront       The dependencies of another project

Exit status: 0 fetched (or nothing to do), 1 a dependency cannot be fetched or resolved,
2 a usage or I/O problem.")]
    Fetch {
        /// The project's root directory, where `plat.toml` is.
        #[arg(default_value = ".")]
        project: PathBuf,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Fetch git dependencies anew at the tag, branch or commit `plat.toml` names, and
    /// write `plat.lock`.
    ///
    /// Like `plat fetch`, but the revisions the lock records are not kept: a branch is
    /// fetched at its newest commit, a tag at the commit it names now. With NAMEs, only
    /// those dependencies are; the others keep their locked revisions.
    #[command(after_help = "\
Examples:
  plat update                      Every git dependency anew
  plat update shop_platform        Only one; the others as locked

Exit status: 0 updated (or nothing to change), 1 a dependency cannot be fetched or
resolved, 2 a usage or I/O problem.")]
    Update {
        /// The dependencies to update, by name; every one by default.
        names: Vec<String>,
        /// The project's root directory, where `plat.toml` is.
        #[arg(long, default_value = ".")]
        project: PathBuf,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Add a dependency to `plat.toml`, fetch it and write `plat.lock`.
    ///
    /// NAME is the package's name, as its own `plat.toml` declares it and as imports
    /// name it (`import NAME.offering`). Give either `--path` or `--git` (with at most
    /// one of `--tag`, `--branch` and `--rev`). Without `--version`, the version
    /// fetched is required with a caret (`^1.2.0`). Nothing is written unless the
    /// dependency and all of its own resolve.
    #[command(
        after_help = "\
Examples:
  plat add shop_platform --git https://git.example.com/acme/platform.git --tag v1.2.0
                                   A platform, at a release
  plat add payments --path ../payments
                                   Another application, from a directory beside this one
  plat add shop_platform --git ../platform --branch main --version '^1.2'
                                   A local repository's branch, with a requirement

Exit status: 0 added, 1 the dependency cannot be fetched or resolved, 2 a usage or I/O
problem.",
        disable_version_flag = true
    )]
    Add {
        /// The package's name.
        name: String,
        /// The project's root directory, where `plat.toml` is.
        #[arg(long, default_value = ".")]
        project: PathBuf,
        /// A directory holding the package, relative to the project's root.
        #[arg(long, conflicts_with = "git", required_unless_present = "git")]
        path: Option<String>,
        /// A git repository: a URL, or the path of a local repository.
        #[arg(long)]
        git: Option<String>,
        /// The tag to fetch.
        #[arg(long, requires = "git", conflicts_with_all = ["branch", "rev"])]
        tag: Option<String>,
        /// The branch to fetch.
        #[arg(long, requires = "git", conflicts_with = "rev")]
        branch: Option<String>,
        /// The commit to fetch.
        #[arg(long, requires = "git")]
        rev: Option<String>,
        /// The versions of the package that may be used: `^1.2`, `~1.2.3`, `>=1, <3`.
        #[arg(long)]
        version: Option<String>,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Compare two versions of a package: what changed in what it offers, what the
    /// changes break, and whether the versions say so.
    ///
    /// OLD and NEW are each a directory, or a revision (a tag, a branch, a commit) of
    /// the git repository at `--repository`, read from a copy that leaves the
    /// repository untouched; NEW is the current directory by default. For each
    /// offering: the params and outputs removed, added or changed (in type, in
    /// sensitivity, in phase), the implementations removed or added, and the
    /// environments and shared resources; which changes are breaking, the workloads and
    /// environments they break (of the package and of each `--application`), and the
    /// version they need. A breaking change without a major version, of an offering or
    /// of the package (`plat.toml`), is an error (E1007). See docs/packages.md.
    #[command(after_help = "\
Examples:
  plat semver v1.0.0               The working tree against the tag v1.0.0
  plat semver v1.0.0 v1.1.0        Two tags of the repository here
  plat semver v1.2.0 --application ../storefront --application ../payments
                                   Name what the changes break in two applications
  plat semver ../platform-1.0 ../platform-1.1
                                   Two directories

Exit status: 0 the versions say what changed (warnings aside), 1 a breaking change
without a major version, 2 a usage or I/O problem.")]
    Semver {
        /// The old version: a directory, or a git revision.
        old: String,
        /// The new version: a directory, or a git revision.
        #[arg(default_value = ".")]
        new: String,
        /// The git repository OLD and NEW are revisions of.
        #[arg(long, value_name = "DIR", default_value = ".")]
        repository: PathBuf,
        /// A project that depends on the package, whose workloads and environments
        /// the changes may break (repeat for more).
        #[arg(long = "application", value_name = "DIR")]
        applications: Vec<PathBuf>,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Run the language server, speaking LSP over standard input and output.
    ///
    /// Editors start it themselves; see docs/editors.md for VS Code, Neovim, Helix and
    /// Emacs. The workspace's `.plat` files are loaded from the root the editor sends.
    #[command(after_help = "\
Examples:
  plat lsp                         Started by an editor; talks JSON-RPC on stdio")]
    Lsp,
    /// Print a completion script for a shell.
    #[command(after_help = "\
Examples:
  plat completions bash > ~/.local/share/bash-completion/completions/plat
  plat completions zsh > \"${fpath[1]}/_plat\"
  plat completions fish > ~/.config/fish/completions/plat.fish")]
    Completions {
        /// The shell to write completions for.
        shell: clap_complete::Shell,
    },
}

/// What `plat modules` does.
#[derive(Debug, Subcommand)]
pub enum ModulesCommand {
    /// Record module interfaces in the project's `plat.modules.lock.json`.
    ///
    /// Reads modules already on disk, never the network: those that `terraform init`
    /// downloaded (`--from DIR`: a root module directory, or its `.terraform/modules`,
    /// whose `modules.json` lists them), or one module's directory (`--module DIR
    /// --source SOURCE --version VERSION`, for a vendored copy). Records each module's
    /// variables (type, default, sensitive, nullable), outputs and required providers,
    /// keyed by its source and version, keeps what the lock holds for other modules,
    /// and writes the lock in its canonical form. `plat check` then checks every
    /// implementation that calls one of them. Commit the lock.
    #[command(
        disable_version_flag = true,
        after_help = "\
Examples:
  plat modules lock                Record what ./.terraform/modules holds
  plat modules lock . --from /tmp/scratch
                                   Record what `terraform init` downloaded in /tmp/scratch
  plat modules lock . --module vendor/valkey --source acme/valkey/aws --version 2.1.0
                                   Record a vendored copy of a registry module

Exit status: 0 recorded (or nothing to change), 2 a usage or I/O problem (a module or
the lock cannot be read)."
    )]
    Lock {
        /// The project's root directory, where `plat.modules.lock.json` lives.
        #[arg(default_value = ".")]
        project: PathBuf,
        /// A root module directory after `terraform init`, or its `.terraform/modules`
        /// (repeat for more); PROJECT/.terraform/modules by default.
        #[arg(long, value_name = "DIR")]
        from: Vec<PathBuf>,
        /// One module's directory, recorded as `--source` at `--version`.
        #[arg(long, value_name = "DIR", requires = "source")]
        module: Option<PathBuf>,
        /// The source the implementations write for `--module`: a registry address
        /// (`terraform-aws-modules/rds/aws`, with `//modules/NAME` for a submodule) or a
        /// git source.
        #[arg(long, requires = "module")]
        source: Option<String>,
        /// The exact release of a registry module given with `--module`.
        #[arg(long, requires = "module")]
        version: Option<String>,
    },
}

/// What `plat import` reads.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Turn Score workload files (score.dev, `apiVersion: score.dev/v1b1`) into `.plat`
    /// workloads.
    ///
    /// Validates each FILE against the Score v1b1 schema, maps its containers, service
    /// ports and resources onto a plat workload (resource types onto the standard
    /// library's offerings, `${...}` placeholders onto references) and writes
    /// `<metadata.name>.plat`, formatted, into the `--out` directory. Writes nothing if
    /// any file has errors, and never overwrites a file. The mapping is in docs/score.md.
    #[command(after_help = "\
Examples:
  plat import score score.yaml     Write ./<name>.plat
  plat import score a.yaml b.yaml --out workloads
                                   Import several workloads into a project's workloads/
  plat import score score.yaml --out -
                                   Print the .plat text instead of writing it
  plat import score score.yaml --format json
                                   Diagnostics as JSON

Exit status: 0 imported (warnings aside), 1 a Score file has errors, 2 a file exists
already, or a usage or I/O problem.")]
    Score {
        /// Score files (YAML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The directory to write `<name>.plat` into, created if missing; `-` prints
        /// the files to standard output instead.
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Rendered for people, with the source and labels.
    Human,
    /// A JSON array, one object per diagnostic.
    Json,
    /// A SARIF 2.1.0 log.
    Sarif,
}

/// How `plat diff` prints the diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Plain text, for a terminal.
    Terminal,
    /// Markdown, for a pull-request comment.
    Markdown,
    /// JSON, for scripts: the verdict, the counts and every change.
    Json,
}

/// How `plat graph` prints the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// JSON: `environment`, `nodes` and `edges`, for tools.
    Json,
    /// Graphviz DOT, for `dot -Tsvg`.
    Dot,
    /// A Mermaid flowchart, for Markdown.
    Mermaid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour output written to standard error.
    pub fn for_stderr(self) -> bool {
        use std::io::IsTerminal;
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
                    && std::io::stderr().is_terminal()
            }
        }
    }
}
