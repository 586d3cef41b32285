//! Importing workloads written for other tools into plat.
//!
//! Invariant: an importer only reads the foreign file and writes `.plat` text; the
//! result is checked by the same compiler as any other file, never by a checker of its
//! own.

pub mod score;
