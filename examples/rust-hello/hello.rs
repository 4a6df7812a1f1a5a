// A Rust program of real size: std's collections, formatting and a panic caught.
// Static (crt-static) it is a few MiB, more than one ConfigMap holds, so it is
// delivered to the launcher in parts (--program-part) with its SHA-256.
// Build: rustc --edition=2021 -C opt-level=2 -C target-feature=+crt-static -o rust-hello hello.rs
// (kept to what Debian 12's rustc 1.63 compiles)
use std::collections::BTreeMap;

fn main() {
    let mut count: BTreeMap<&str, u32> = BTreeMap::new();
    for w in "the quick brown fox jumps over the lazy dog the end".split_whitespace() {
        *count.entry(w).or_insert(0) += 1;
    }
    println!("Hello from Rust (std, static)");
    for (w, n) in &count {
        println!("{} {}", w, n);
    }
    let parsed: Result<i32, _> = "forty-two".parse::<i32>();
    match parsed {
        Ok(v) => println!("parsed {}", v),
        Err(e) => println!("error: {}", e),
    }
    let squares: Vec<u64> = (1..=10).map(|x| x * x).collect();
    println!("sum of squares: {}", squares.iter().sum::<u64>());
}
