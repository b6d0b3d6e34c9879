mod common;

use common::{counter, hotswap, module};
use std::path::Path;

fn pair(dir: &Path, old: &str, new: &str) -> (String, String) {
    let a = module(dir, "old.wasm", old);
    let b = module(dir, "new.wasm", new);
    (a.display().to_string(), b.display().to_string())
}

#[test]
fn diff_groups_each_named_change_under_its_severity() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = pair(
        dir.path(),
        &counter(r#"(func (export "get") (result i32) (i32.const 0)) (@custom "version" "1.0.0")"#),
        &counter(r#"(func (export "reset")) (@custom "version" "2.0.0")"#),
    );
    let run = hotswap(&["diff", &old, &new]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.stdout;
    for expected in [
        "breaking (1)\n  export `get`  (function () -> i32) was removed\n",
        "additive (1)\n  export `reset`  (function () -> ()) was added\n",
        "severity  breaking\n",
        "required  major bump\n",
        "declared  1.0.0 => 2.0.0: major bump, ok\n",
        "smallest  2.0.0 (the smallest version after 1.0.0 this change allows)\n",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
}

#[test]
fn diff_json_reports_severity_bump_and_smallest_allowed_version() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = pair(
        dir.path(),
        &counter(r#"(@custom "version" "0.4.2")"#),
        &counter(r#"(func (export "reset")) (@custom "version" "0.4.3")"#),
    );
    let json = hotswap(&["diff", "--json", &old, &new]).json();
    assert_eq!(json["severity"], "additive");
    assert_eq!(json["required"], "minor");
    assert_eq!(
        json["bump"]["declared"], "minor",
        "0.4.2 => 0.4.3 is minor below 1.0"
    );
    assert_eq!(json["bump"]["ok"], true);
    assert_eq!(json["smallest_allowed"], "0.4.3");
    assert_eq!(json["changes"]["additive"][0]["item"], "export `reset`");
    assert_eq!(json["changes"]["breaking"], serde_json::json!([]));
    assert_eq!(json["old"]["version"], "0.4.2");
    assert_eq!(json["check"], serde_json::Value::Null);
}

#[test]
fn diff_of_identical_interfaces_is_none_and_any_upgrade_passes_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = pair(
        dir.path(),
        &counter(r#"(@custom "version" "1.0.0")"#),
        &counter(r#"(@custom "version" "1.0.1")"#),
    );
    let run = hotswap(&["diff", "--check", &old, &new]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("no interface changes\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("smallest  1.0.1"), "{}", run.stdout);
}

#[test]
fn diff_check_exits_1_on_a_bump_too_small_for_the_change() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = pair(
        dir.path(),
        &counter(r#"(@custom "version" "1.2.3")"#),
        &counter(r#"(func (export "reset")) (@custom "version" "1.2.4")"#),
    );
    let without = hotswap(&["diff", &old, &new]);
    assert_eq!(
        without.code, 0,
        "without --check a violation is only reported"
    );
    assert!(
        without
            .stdout
            .contains("1.2.3 => 1.2.4: patch bump, VIOLATION: needs minor"),
        "{}",
        without.stdout
    );

    let run = hotswap(&["diff", "--check", &old, &new]);
    assert_eq!(run.code, 1);
    assert!(run
        .stdout
        .contains("check failed: 1.2.3 => 1.2.4 declares patch"));

    let json = hotswap(&["diff", "--check", "--json", &old, &new]);
    assert_eq!(json.code, 1);
    assert_eq!(json.json()["check"]["passed"], false);
    assert_eq!(json.json()["bump"]["ok"], false);
    assert_eq!(json.json()["smallest_allowed"], "1.3.0");
}

#[test]
fn diff_check_exits_1_on_a_downgrade_or_a_missing_version() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = pair(
        dir.path(),
        &counter(r#"(@custom "version" "1.2.3")"#),
        &counter(r#"(@custom "version" "1.2.0")"#),
    );
    let run = hotswap(&["diff", "--check", "--json", &old, &new]);
    assert_eq!(
        run.code, 0,
        "a change of none passes even a downgrade: {}",
        run.stdout
    );

    let (old, new) = pair(
        dir.path(),
        &counter(r#"(@custom "version" "1.2.3")"#),
        &counter(r#"(func (export "x")) (@custom "version" "1.2.0")"#),
    );
    let run = hotswap(&["diff", "--check", "--json", &old, &new]);
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["bump"]["declared"], serde_json::Value::Null);

    let (old, new) = pair(
        dir.path(),
        &counter(""),
        &counter(r#"(@custom "version" "1.0.0")"#),
    );
    let run = hotswap(&["diff", "--check", &old, &new]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("has no `version` section"),
        "{}",
        run.stdout
    );
    let plain = hotswap(&["diff", "--json", &old, &new]);
    assert_eq!(plain.code, 0);
    assert_eq!(plain.json()["bump"], serde_json::Value::Null);
    assert_eq!(plain.json()["smallest_allowed"], serde_json::Value::Null);
}

#[test]
fn diff_names_a_new_import_as_breaking_and_a_dropped_one_as_none() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = pair(
        dir.path(),
        r#"(module (import "env" "a" (func)) (func (export "f")))"#,
        r#"(module (import "env" "b" (func)) (func (export "f")))"#,
    );
    let json = hotswap(&["diff", "--json", &old, &new]).json();
    assert_eq!(json["changes"]["breaking"][0]["item"], "import `env.b`");
    assert_eq!(json["changes"]["none"][0]["item"], "import `env.a`");
    assert_eq!(json["severity"], "breaking");
}

#[test]
fn diff_of_an_invalid_module_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = module(dir.path(), "good.wasm", "(module)");
    let bad = common::write(dir.path(), "bad.wasm", b"<html>");
    let run = hotswap(&["diff".as_ref(), good.as_os_str(), bad.as_os_str()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("bad.wasm: invalid module"),
        "{}",
        run.stderr
    );
}

#[test]
fn diff_of_a_version_at_the_numeric_limit_has_no_smallest_version_and_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    // No interface change needs a patch bump, and there is no patch after u64::MAX.
    let (old, new) = pair(
        dir.path(),
        &counter(r#"(@custom "version" "1.2.18446744073709551615")"#),
        &counter(r#"(@custom "version" "1.3.0")"#),
    );
    let run = hotswap(&["diff", "--json", &old, &new]);
    assert_eq!(run.code, 0);
    assert_eq!(run.json()["smallest_allowed"], serde_json::Value::Null);
    assert_eq!(run.json()["bump"]["ok"], true);

    // An addition needs a minor bump, which still exists.
    let (old, new) = pair(
        dir.path(),
        &counter(r#"(@custom "version" "1.2.18446744073709551615")"#),
        &counter(r#"(func (export "x")) (@custom "version" "1.3.0")"#),
    );
    let run = hotswap(&["diff", "--json", &old, &new]);
    assert_eq!(run.code, 0);
    assert_eq!(run.json()["smallest_allowed"], "1.3.0");
}
