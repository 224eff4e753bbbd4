fn main() {
    println!("greet-cli: libgreet {}", greet_sys::version());
}
