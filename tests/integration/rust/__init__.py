"""Each cargo flow of examples/cargo-config.toml with a real offline cargo build, `ldwrap rustup
wrap|unwrap|status` with a crash at every step, and `ldwrap doctor` on Rust toolchains."""
