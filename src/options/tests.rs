use super::*;

/// Plain stand-ins for the JS values options carry.
#[derive(Default)]
struct Test;

impl Host for Test {
    type Bytes = Vec<u8>;
    type Imports = &'static str;
    type Function = &'static str;
}

const DIGEST: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

fn fields() -> Fields<Test> {
    Fields::default()
}

fn check(fields: Fields<Test>) -> Result<Options<Test>> {
    Options::check(fields, &Defaults::default())
}

fn refused_option(result: Result<Options<Test>>) -> &'static str {
    match result {
        Err(Error::InvalidOptions { option, .. }) => option,
        Err(other) => panic!("expected INVALID_OPTIONS, got {other}"),
        Ok(_) => panic!("expected INVALID_OPTIONS, got options"),
    }
}

fn loaded_from(registry: &str, name: &str, range: &str) -> Defaults<Test> {
    let options = check(Fields {
        registry: Some(registry.into()),
        name: Some(name.into()),
        range: Some(range.into()),
        ..fields()
    })
    .unwrap();
    let Origin::Registry(registry) = options.origin else {
        panic!("expected a registry origin");
    };
    Defaults {
        registry: Some(registry),
        ..Defaults::default()
    }
}

#[test]
fn url_with_digest_is_a_fixed_origin() {
    let options = check(Fields {
        url: Some("/m.wasm".into()),
        digest: Some(DIGEST.into()),
        ..fields()
    })
    .unwrap();
    let Origin::Fixed { url, digest, bytes } = options.origin else {
        panic!("expected a fixed origin");
    };
    assert_eq!(url.as_deref(), Some("/m.wasm"));
    assert_eq!(digest.to_string(), DIGEST);
    assert!(bytes.is_none());
}

#[test]
fn bytes_with_digest_are_a_fixed_origin_holding_them() {
    let options = check(Fields {
        bytes: Some(vec![0, 97, 115, 109]),
        digest: Some(DIGEST.into()),
        ..fields()
    })
    .unwrap();
    assert_eq!(options.bytes(), Some(&vec![0, 97, 115, 109]));
}

#[test]
fn a_fixed_origin_needs_a_digest_and_exactly_one_of_url_and_bytes() {
    let no_digest = Fields {
        url: Some("/m.wasm".into()),
        ..fields()
    };
    assert_eq!(refused_option(check(no_digest)), "digest");
    let both = Fields {
        url: Some("/m.wasm".into()),
        bytes: Some(vec![]),
        digest: Some(DIGEST.into()),
        ..fields()
    };
    assert_eq!(refused_option(check(both)), "url");
    let neither = Fields {
        digest: Some(DIGEST.into()),
        ..fields()
    };
    assert_eq!(refused_option(check(neither)), "url");
    let empty = check(fields());
    assert_eq!(refused_option(empty), "digest");
}

#[test]
fn a_malformed_digest_is_invalid_digest() {
    let result = check(Fields {
        url: Some("/m.wasm".into()),
        digest: Some("sha256:ABC".into()),
        ..fields()
    });
    assert!(matches!(result, Err(Error::InvalidDigest { .. })));
}

#[test]
fn a_url_and_a_registry_package_together_are_refused() {
    let result = check(Fields {
        url: Some("/m.wasm".into()),
        digest: Some(DIGEST.into()),
        name: Some("counter".into()),
        ..fields()
    });
    assert_eq!(refused_option(result), "registry");
}

#[test]
fn a_registry_root_gets_a_trailing_slash_and_the_range_defaults_to_any() {
    let defaults = loaded_from("/registry", "acme/counter", "^1.2");
    let registry = defaults.registry.unwrap();
    assert_eq!(registry.base, "/registry/");
    assert_eq!(registry.url("packages/x"), "/registry/packages/x");
    assert_eq!(registry.wanted.to_string(), "^1.2");

    let any = check(Fields {
        registry: Some("/r/".into()),
        name: Some("counter".into()),
        ..fields()
    })
    .unwrap();
    let Origin::Registry(any) = any.origin else {
        panic!("expected a registry origin");
    };
    assert_eq!(any.base, "/r/");
    assert_eq!(any.wanted.to_string(), "*");
}

#[test]
fn a_registry_package_needs_a_registry_and_a_name_on_load() {
    let no_registry = Fields {
        name: Some("counter".into()),
        ..fields()
    };
    assert_eq!(refused_option(check(no_registry)), "registry");
    let no_name = Fields {
        registry: Some("/r".into()),
        ..fields()
    };
    assert_eq!(refused_option(check(no_name)), "name");
}

#[test]
fn range_and_version_together_are_refused() {
    let result = check(Fields {
        registry: Some("/r".into()),
        name: Some("counter".into()),
        range: Some("^1".into()),
        version: Some("1.0.0".into()),
        ..fields()
    });
    assert_eq!(refused_option(result), "version");
}

#[test]
fn swap_takes_loads_registry_name_and_range_when_it_names_none() {
    let defaults = loaded_from("/registry", "counter", "^1.2");
    let version_only = Fields {
        version: Some("1.3.0".into()),
        ..fields()
    };
    let options = Options::check(version_only, &defaults).unwrap();
    let Origin::Registry(registry) = &options.origin else {
        panic!("expected a registry origin");
    };
    assert_eq!(registry.base, "/registry/");
    assert_eq!(
        registry.package,
        Package::Static("counter".parse().unwrap())
    );
    assert_eq!(registry.wanted.to_string(), "=1.3.0");

    let nothing = Options::check(fields(), &defaults).unwrap();
    let Origin::Registry(registry) = &nothing.origin else {
        panic!("expected a registry origin");
    };
    assert_eq!(registry.wanted.to_string(), "^1.2");
}

#[test]
fn a_name_under_an_oci_registry_is_a_repository() {
    let options = check(Fields {
        registry: Some("oci+http://127.0.0.1:5000".into()),
        name: Some("acme/counter".into()),
        ..fields()
    })
    .unwrap();
    let Origin::Registry(registry) = &options.origin else {
        panic!("expected a registry origin");
    };
    assert_eq!(registry.package, Package::Oci("acme/counter".into()));
    let bad = check(Fields {
        registry: Some("oci+http://127.0.0.1:5000".into()),
        name: Some("Acme/Counter".into()),
        ..fields()
    });
    assert_eq!(refused_option(bad), "name");
}

#[test]
fn a_name_under_a_warg_registry_is_a_namespaced_package() {
    let options = check(Fields {
        registry: Some("warg+http://127.0.0.1:8090".into()),
        name: Some("example:counter".into()),
        ..fields()
    })
    .unwrap();
    let Origin::Registry(registry) = &options.origin else {
        panic!("expected a registry origin");
    };
    assert_eq!(registry.package, Package::Warg("example:counter".into()));
    for name in [
        "counter",
        "Example:counter",
        "example:2counter",
        "a:b:c",
        "example:counter-",
    ] {
        let bad = check(Fields {
            registry: Some("warg+http://127.0.0.1:8090".into()),
            name: Some(name.into()),
            ..fields()
        });
        assert_eq!(refused_option(bad), "name", "{name}");
    }
}

#[test]
fn timeout_must_be_a_positive_finite_number_of_milliseconds() {
    for ms in [0.0, -1.0, f64::INFINITY, f64::NAN] {
        let result = check(Fields {
            timeout: Some(ms),
            url: Some("/m.wasm".into()),
            digest: Some(DIGEST.into()),
            ..fields()
        });
        assert_eq!(refused_option(result), "timeout", "{ms}");
    }
    let ok = check(Fields {
        timeout: Some(250.0),
        url: Some("/m.wasm".into()),
        digest: Some(DIGEST.into()),
        ..fields()
    })
    .unwrap();
    assert_eq!(ok.timeout, Some(250.0));
}

#[test]
fn drain_timeout_is_zero_or_more_milliseconds_and_swap_keeps_loads() {
    let fixed = |ms| Fields {
        drain_timeout: ms,
        url: Some("/m.wasm".into()),
        digest: Some(DIGEST.into()),
        ..fields()
    };
    for ms in [-1.0, f64::INFINITY, f64::NAN] {
        assert_eq!(
            refused_option(check(fixed(Some(ms)))),
            "drainTimeout",
            "{ms}"
        );
    }
    assert_eq!(
        check(fixed(None)).unwrap().drain_timeout,
        DEFAULT_DRAIN_TIMEOUT
    );
    assert_eq!(check(fixed(Some(0.0))).unwrap().drain_timeout, 0.0);
    let loaded = Defaults {
        drain_timeout: Some(250.0),
        ..Defaults::default()
    };
    let kept = Options::check(fixed(None), &loaded).unwrap();
    assert_eq!(kept.drain_timeout, 250.0);
    let own = Options::check(fixed(Some(40.0)), &loaded).unwrap();
    assert_eq!(own.drain_timeout, 40.0);
}

#[test]
fn swap_keeps_loads_fetch_expect_and_policy_unless_it_gives_its_own() {
    let policy = UpdatePolicy {
        rules: Policy {
            allow_downgrade: true,
            require_version: false,
        },
        allow_major: AllowMajor::Ask("consent"),
        probation: None,
        health_check: None,
        trust: None,
    };
    let defaults = Defaults::<Test> {
        fetch: Some("load's fetch"),
        policy: Rc::new(policy.clone()),
        ..Defaults::default()
    };
    let fixed = || Fields {
        url: Some("/m.wasm".into()),
        digest: Some(DIGEST.into()),
        ..fields()
    };
    let kept = Options::check(fixed(), &defaults).unwrap();
    assert_eq!(kept.fetch, Some("load's fetch"));
    assert_eq!(*kept.policy, policy);
    assert!(kept.policy.allow_major.possible());

    let own = Options::check(
        Fields {
            fetch: Some("swap's fetch"),
            policy: Some(UpdatePolicy::default()),
            expect: Some(ExpectFields {
                exports: vec![("get".into(), "() -> i32".into())],
                ..ExpectFields::default()
            }),
            ..fixed()
        },
        &defaults,
    )
    .unwrap();
    assert_eq!(own.fetch, Some("swap's fetch"));
    assert!(!own.policy.allow_major.possible());
    assert_eq!(own.expect.exports.len(), 1);
}

#[test]
fn an_expected_export_type_that_does_not_parse_is_refused() {
    let result = check(Fields {
        url: Some("/m.wasm".into()),
        digest: Some(DIGEST.into()),
        expect: Some(ExpectFields {
            exports: vec![("get".into(), "(i33) -> i32".into())],
            ..ExpectFields::default()
        }),
        ..fields()
    });
    assert!(result.is_err());
}

#[test]
fn expect_wit_needs_the_wit_build() {
    let expect = ExpectFields {
        wit: Some("package a:b; world w {}".into()),
        ..ExpectFields::default()
    };
    let result = expect.expectation();
    if cfg!(feature = "wit") {
        assert!(result.unwrap().wit.is_some());
    } else {
        assert!(matches!(
            result,
            Err(Error::InvalidOptions {
                option: "expect.wit",
                ..
            })
        ));
    }
}

#[test]
fn glue_needs_a_digest_and_exactly_one_of_url_and_bytes() {
    let with = |glue: GlueFields<Vec<u8>>| {
        check(Fields {
            url: Some("/notes_bg.wasm".into()),
            digest: Some(DIGEST.into()),
            glue: Some(glue),
            ..fields()
        })
    };
    let ok = with(GlueFields {
        url: Some("/notes.js".into()),
        digest: Some(DIGEST.into()),
        ..GlueFields::default()
    })
    .unwrap();
    let glue = ok.glue.unwrap();
    assert_eq!(glue.url.as_deref(), Some("/notes.js"));
    assert_eq!(glue.digest.to_string(), DIGEST);
    assert_eq!(glue.kind, GlueKind::WasmBindgen);
    let no_digest = with(GlueFields {
        url: Some("/notes.js".into()),
        ..GlueFields::default()
    });
    assert_eq!(refused_option(no_digest), "glue.digest");
    let neither = with(GlueFields {
        digest: Some(DIGEST.into()),
        ..GlueFields::default()
    });
    assert_eq!(refused_option(neither), "glue.url");
}

#[test]
fn glue_with_a_registry_package_is_refused() {
    let result = check(Fields {
        registry: Some("/r".into()),
        name: Some("notes".into()),
        glue: Some(GlueFields {
            url: Some("/notes.js".into()),
            digest: Some(DIGEST.into()),
            ..GlueFields::default()
        }),
        ..fields()
    });
    assert_eq!(refused_option(result), "glue");
}

#[test]
fn probation_needs_a_limit_and_positive_numbers() {
    assert_eq!(
        Probation::new(Some(5000.0), None).unwrap(),
        Probation {
            ms: Some(5000.0),
            calls: None
        }
    );
    assert_eq!(Probation::new(None, Some(3.0)).unwrap().calls, Some(3));
    for (ms, calls) in [
        (None, None),
        (Some(0.0), None),
        (Some(f64::INFINITY), None),
        (None, Some(0.5)),
        (None, Some(-1.0)),
    ] {
        let err = Probation::new(ms, calls).unwrap_err();
        assert_eq!(err.code(), "INVALID_OPTIONS");
        assert!(err.to_string().contains("policy.probation"), "{err}");
    }
}

#[test]
fn retain_defaults_to_two_and_takes_whole_numbers_from_one() {
    assert_eq!(crate::options::retain(None).unwrap(), 2);
    assert_eq!(crate::options::retain(Some(1.0)).unwrap(), 1);
    assert_eq!(crate::options::retain(Some(5.0)).unwrap(), 5);
    for bad in [0.0, 1.5, -2.0, f64::NAN, 1000.0] {
        assert_eq!(
            crate::options::retain(Some(bad)).unwrap_err().code(),
            "INVALID_OPTIONS"
        );
    }
}

#[test]
fn glue_kind_names_assemblyscript_and_refuses_jco_and_unknown_kinds() {
    let with = |kind: &str| {
        check(Fields {
            url: Some("/tally.wasm".into()),
            digest: Some(DIGEST.into()),
            glue: Some(GlueFields {
                url: Some("/tally.js".into()),
                digest: Some(DIGEST.into()),
                kind: Some(kind.into()),
                ..GlueFields::default()
            }),
            ..fields()
        })
    };
    let glue = with("assemblyscript").unwrap().glue.unwrap();
    assert_eq!(glue.kind, GlueKind::AssemblyScript);
    let glue = with("wasm-bindgen").unwrap().glue.unwrap();
    assert_eq!(glue.kind, GlueKind::WasmBindgen);
    assert_eq!(refused_option(with("jco")), "glue.kind");
    assert_eq!(refused_option(with("emscripten")), "glue.kind");
}

#[test]
fn a_swaps_policy_without_trust_keeps_loads_trust_and_one_with_trust_replaces_it() {
    let trust = |key: &str| {
        Rc::new(crate::signature::Trust {
            keys: vec![key.into()],
        })
    };
    let defaults = Defaults::<Test> {
        policy: Rc::new(UpdatePolicy {
            trust: Some(trust("load's key")),
            ..UpdatePolicy::default()
        }),
        ..Defaults::default()
    };
    let with = |policy: Option<UpdatePolicy<&'static str>>| {
        let fields = Fields {
            url: Some("/m.wasm".into()),
            digest: Some(DIGEST.into()),
            policy,
            ..fields()
        };
        Options::check(fields, &defaults).unwrap().policy
    };
    assert_eq!(with(None).trust, Some(trust("load's key")));
    let loosened = with(Some(UpdatePolicy {
        allow_major: AllowMajor::Yes,
        ..UpdatePolicy::default()
    }));
    assert!(loosened.allow_major.possible());
    assert_eq!(loosened.trust, Some(trust("load's key")));
    let replaced = with(Some(UpdatePolicy {
        trust: Some(trust("swap's key")),
        ..UpdatePolicy::default()
    }));
    assert_eq!(replaced.trust, Some(trust("swap's key")));
}
