//! The plat language server: `plat lsp` speaks the Language Server Protocol over stdio.
//!
//! Invariants: one salsa database, owned by [`workspace::Workspace`], holds every input;
//! handlers only set inputs on the message loop and answer requests on a clone of the
//! database in a blocking task ([`snapshot`]), so heavy work never blocks the loop and an
//! edit cancels work made stale by it. Nothing a client sends can make the server panic:
//! unknown documents answer "nothing", positions clamp ([`convert`]), and a panic inside
//! a query is caught and answered as an error. Every answer comes from the compiler's
//! queries; the server has no parser or checker of its own.
//!
//! Modules, one concept each: [`server`] (the protocol), [`workspace`] (inputs),
//! [`convert`] (positions), [`diagnostics`], [`hover`], [`completion`], [`navigation`]
//! (definition, type definition, references), [`rename`], [`symbols`],
//! [`semantic_tokens`], [`actions`] (quick fixes), [`inlay`] (hints), [`syntax`]
//! (walking the tree), [`transport`] (framing, and answering malformed input).

pub mod actions;
pub mod completion;
pub mod convert;
pub mod diagnostics;
pub mod hover;
pub mod inlay;
pub mod navigation;
pub mod rename;
pub mod semantic_tokens;
pub mod server;
pub mod snapshot;
pub mod stdlib_files;
pub mod symbols;
pub mod syntax;
pub mod transport;
pub mod workspace;

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The client asked the server to shut down, then to exit (or closed the input).
    ShutDown,
    /// The session ended without a `shutdown` request: `exit` alone, or the input
    /// closed. The protocol asks for exit status 1.
    Abandoned,
}

impl Ending {
    /// The exit status the protocol asks for.
    pub fn status(self) -> i32 {
        match self {
            Ending::ShutDown => 0,
            Ending::Abandoned => 1,
        }
    }
}

/// Serves the protocol on stdin/stdout until the client sends `exit` or closes stdin.
pub fn run_stdio() -> std::io::Result<Ending> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let ending = runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // The reader of stdin may still be blocked on a read the client never completes.
    runtime.shutdown_background();
    Ok(ending)
}

/// Serves one session: the client's messages from `input`, through [`transport`], to
/// the server; the server's messages and the transport's answers to malformed input
/// to `output`.
pub async fn serve<I, O>(input: I, output: O) -> Ending
where
    I: tokio::io::AsyncRead + Unpin + Send + 'static,
    O: tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (to_server, server_input) = tokio::io::duplex(1 << 20);
    let (server_output, from_server) = tokio::io::duplex(1 << 20);
    let (replies, replied) = tokio::sync::mpsc::unbounded_channel();
    let reading = tokio::spawn(transport::filter(input, to_server, replies));
    let writing = tokio::spawn(transport::write(from_server, replied, output));
    let ending = server::serve(server_input, server_output).await;
    let _ = writing.await;
    reading.abort();
    ending
}
