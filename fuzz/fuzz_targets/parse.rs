//! Lexing, parsing and formatting one file: never a panic, whatever the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parse = plat_compiler::syntax::parse(text);
    std::hint::black_box(&parse);
    let _ = plat_compiler::format::format_text(text);
});
