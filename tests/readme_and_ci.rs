//! The README promises that `.ci/run` runs exactly its test command; this keeps that true.

#[test]
fn readme_and_ci_agree() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let ci = std::fs::read_to_string(format!("{root}/.ci/run")).unwrap();
    let commands: Vec<&str> = readme
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("apt-get update"))
        .collect();
    assert_eq!(
        commands.len(),
        2,
        "the README has exactly two set-up commands"
    );
    assert!(commands[0].ends_with("cargo run --release --locked"));
    let test_command = commands[1];
    let ci_commands: Vec<&str> = ci
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter(|line| !line.starts_with("set ") && !line.starts_with("cd "))
        .collect();
    assert_eq!(ci_commands, vec![test_command]);
}
