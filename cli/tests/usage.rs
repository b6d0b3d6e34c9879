mod common;

use common::hotswap;

#[test]
fn help_documents_the_exit_codes() {
    let run = hotswap(&["--help"]);
    assert_eq!(run.code, 0);
    for line in [
        "Exit codes:",
        "  0   success",
        "  1   refused",
        "  2   invalid input",
        "  3   I/O error",
        "  64  usage error",
    ] {
        assert!(
            run.stdout.contains(line),
            "missing {line:?} in:\n{}",
            run.stdout
        );
    }
    let publish = hotswap(&["publish", "--help"]);
    assert!(publish.stdout.contains("Exit codes:"), "{}", publish.stdout);
}

#[test]
fn usage_errors_exit_64() {
    for args in [
        &["frobnicate"][..],
        &["inspect"],
        &["diff", "a.wasm"],
        &["inspect", "--nope", "m.wasm"],
        &[
            "publish",
            "m.wasm",
            "--name=x",
            "--registry=r",
            "--version=1.0",
        ],
        &[],
    ] {
        let run = hotswap(args);
        assert_eq!(run.code, 64, "{args:?}: {}", run.stderr);
    }
}

#[test]
fn usage_errors_in_json_mode_are_json() {
    let run = hotswap(&["inspect", "--json", "--nope", "m.wasm"]);
    assert_eq!(run.code, 64);
    let error = &run.json()["error"];
    assert_eq!(error["code"], "USAGE");
    assert!(
        error["message"].as_str().unwrap().contains("--nope"),
        "{error}"
    );
}

#[test]
fn a_malformed_version_argument_is_named() {
    let run = hotswap(&[
        "publish",
        "m.wasm",
        "--name=x",
        "--registry=r",
        "--version=v1.0.0",
    ]);
    assert_eq!(run.code, 64);
    assert!(
        run.stderr.contains("`v1.0.0` is not a semantic version"),
        "{}",
        run.stderr
    );
}
