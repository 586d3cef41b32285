//! The plat language server (see the language-server issue).
