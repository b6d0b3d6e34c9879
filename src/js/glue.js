// Running a wasm-bindgen guest's glue: its verified text, rewritten as a function body by
// src/guest/glue.rs, becomes a function of its own each time, so each version runs its own
// copy in its own closure, which the garbage collector reclaims with the instance. (An ES
// module record would never be unloaded, and would keep the instance's memory alive.)
//
// `new Function` is an eval. Where the browser has Trusted Types, the body goes through a
// policy named `wasm-hotswap`, so that a page can allow exactly this eval with
// `script-src 'trusted-types-eval'`, `require-trusted-types-for 'script'` and
// `trusted-types wasm-hotswap`, rather than any eval with `'unsafe-eval'`.

let policy;

function trusted(body) {
  const tt = globalThis.trustedTypes;
  if (tt === undefined || typeof tt.createPolicy !== "function") return body;
  policy ??= tt.createPolicy("wasm-hotswap", { createScript: (text) => text });
  return policy.createScript(body);
}

// The glue as a function of `param` (standing for `import.meta.url`); throws a SyntaxError for
// a body that is not JS, an EvalError where the page's CSP forbids eval.
export function compileGlue(param, body) {
  return new Function(param, trusted(body));
}
