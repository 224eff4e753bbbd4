// Find libgreet with pkg-config as the pkg-config crate would, without any crates.io
// dependency: run the program and turn its flags into cargo directives.
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    let out = Command::new("pkg-config")
        .args(["--libs", "greet"])
        .output()
        .expect("cannot run pkg-config");
    assert!(out.status.success(), "pkg-config --libs greet failed");
    for flag in String::from_utf8(out.stdout).unwrap().split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={dir}");
        } else if let Some(lib) = flag.strip_prefix("-l") {
            println!("cargo:rustc-link-lib=dylib={lib}");
        }
    }
}
