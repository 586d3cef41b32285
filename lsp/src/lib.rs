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
//! (definition, type definition, references, rename), [`symbols`],
//! [`semantic_tokens`], [`actions`] (quick fixes), [`inlay`] (hints), [`syntax`]
//! (walking the tree), [`transport`] (dropping malformed input).

pub mod actions;
pub mod completion;
pub mod convert;
pub mod diagnostics;
pub mod hover;
pub mod inlay;
pub mod navigation;
pub mod semantic_tokens;
pub mod server;
pub mod snapshot;
pub mod stdlib_files;
pub mod symbols;
pub mod syntax;
pub mod transport;
pub mod workspace;

/// Serves the protocol on stdin/stdout until the client sends `exit` or closes stdin.
pub fn run_stdio() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (writer, reader) = tokio::io::duplex(1 << 20);
        tokio::spawn(transport::filter(tokio::io::stdin(), writer));
        server::serve(reader, tokio::io::stdout()).await;
    });
    // The reader of stdin may still be blocked on a read the client never completes.
    runtime.shutdown_background();
    Ok(())
}
