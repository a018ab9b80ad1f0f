//! The e2e suite lives in `tests/`; this crate has no library code. The empty library is here
//! because Cargo needs a library or binary target in every package, and integration tests alone
//! are not one.
