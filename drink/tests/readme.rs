//! The README's table of main's messages cannot drift from the contract: for every row, the
//! errors it lists are exactly those the message's doc comment names under `# Errors`, read from
//! main's built bundle (its metadata carries the doc comments), and every message that changes
//! state has a row.

use std::collections::{BTreeMap, BTreeSet};

use market_drink::Bundles;

/// The backticked names in `text` that look like error variants (`CamelCase`), plus those of
/// each message it refers to with "those of `message`".
fn error_names(text: &str) -> (BTreeSet<String>, Vec<String>) {
    let mut names = BTreeSet::new();
    let mut refers = Vec::new();
    for (n, piece) in text.split('`').enumerate() {
        if n % 2 == 0 {
            continue;
        }
        let before = text.split('`').nth(n - 1).unwrap_or("");
        if before.trim_end().ends_with("those of") {
            refers.push(piece.to_string());
        } else if piece.chars().next().is_some_and(char::is_uppercase)
            && piece.chars().all(char::is_alphanumeric)
        {
            names.insert(piece.to_string());
        }
    }
    (names, refers)
}

/// Expands "those of `other`" references against `direct`.
fn expanded(
    direct: &BTreeMap<String, (BTreeSet<String>, Vec<String>)>,
    name: &str,
) -> BTreeSet<String> {
    let Some((names, refers)) = direct.get(name) else {
        return BTreeSet::new();
    };
    let mut all = names.clone();
    for other in refers {
        assert_ne!(other, name, "{name} refers to itself");
        all.extend(expanded(direct, other));
    }
    all
}

#[test]
fn the_readme_lists_every_message_with_the_errors_its_docs_name() {
    let bundles = Bundles::load(&Bundles::default_dir()).expect("load the bundles");
    let metadata = bundles.main.transcoder.metadata();
    let spec = metadata.spec();
    let mut documented = BTreeMap::new();
    let mut mutating = BTreeSet::new();
    let docs_of = |docs: &[String]| {
        let text = docs.join("\n");
        let section = text
            .split("# Errors")
            .nth(1)
            .map(|rest| rest.split("\n #").next().unwrap_or(rest).to_string())
            .unwrap_or_default();
        error_names(&section)
    };
    for constructor in spec.constructors() {
        documented.insert(constructor.label().to_string(), docs_of(constructor.docs()));
        mutating.insert(constructor.label().to_string());
    }
    for message in spec.messages() {
        documented.insert(message.label().to_string(), docs_of(message.docs()));
        if message.mutates() {
            mutating.insert(message.label().to_string());
        }
    }

    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("read the README");
    let mut listed = BTreeMap::new();
    for row in readme.lines().filter(|line| line.starts_with("| `")) {
        let cells: Vec<&str> = row.split(" | ").collect();
        let Some(name) = cells[0].trim_start_matches("| `").split('(').next() else {
            continue;
        };
        if !documented.contains_key(name) {
            continue;
        }
        let errors = cells.last().expect("an errors column");
        listed.insert(name.to_string(), error_names(errors));
    }

    let mut drift = Vec::new();
    for name in &mutating {
        if !listed.contains_key(name) {
            drift.push(format!(
                "{name}: changes state but has no row in the README"
            ));
        }
    }
    for name in listed.keys() {
        let (readme, docs) = (expanded(&listed, name), expanded(&documented, name));
        if readme != docs {
            drift.push(format!(
                "{name}: the README lists {readme:?}, its doc comment {docs:?}"
            ));
        }
    }
    assert!(
        drift.is_empty(),
        "README table drifted:\n{}",
        drift.join("\n")
    );
    assert!(listed.len() >= 15, "only {} rows found", listed.len());
}
