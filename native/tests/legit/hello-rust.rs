// Well-behaved: static Rust (std, crt-static): String, Vec, HashMap, println.
// Built with: rustc --edition=2021 -C opt-level=2 -C target-feature=+crt-static
// (kept to Rust 1.63, Debian 12's rustc). Expected stdout, exactly:
//   brown 1
//   dog 1
//   end 1
//   fox 1
//   jumps 1
//   lazy 1
//   over 1
//   quick 1
//   the 3
//   sum of squares: 385
//   joined: 1-4-9
// exit 0; verdict Completed under compute.
use std::collections::HashMap;

fn main() {
    let text = String::from("the quick brown fox jumps over the lazy dog the end");
    let mut counts: HashMap<String, usize> = HashMap::new();
    for w in text.split_whitespace() {
        *counts.entry(w.to_string()).or_insert(0) += 1;
    }
    let mut keys: Vec<&String> = counts.keys().collect();
    keys.sort();
    for k in keys {
        println!("{} {}", k, counts[k]);
    }
    let squares: Vec<u64> = (1..=10u64).map(|x| x * x).collect();
    println!("sum of squares: {}", squares.iter().sum::<u64>());
    let joined: Vec<String> = squares.iter().take(3).map(|x| x.to_string()).collect();
    println!("joined: {}", joined.join("-"));
}
