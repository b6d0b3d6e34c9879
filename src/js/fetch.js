// `fetch` with a deadline, for the `timeout` option: each request of a load or swap (index,
// manifest, blob), its body included, is aborted once `ms` milliseconds have passed since it
// started. The abort surfaces as FETCH_FAILED with the TimeoutError as cause.
export function withTimeout(fetchFn, ms) {
  const inner = fetchFn ?? ((url, init) => fetch(url, init));
  return (url, init) => {
    const deadline = AbortSignal.timeout(ms);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    return inner(url, { ...init, signal });
  };
}

// Whether this host refuses to compile any Wasm from bytes (Cloudflare workerd): the smallest
// module, compiled synchronously, is refused too.
// Asked only after a compilation failed, to tell that apart from a module the engine rejects.
export function compileForbidden() {
  try {
    new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    return false;
  } catch {
    return true;
  }
}

// Trusted public keys, imported once per page: base64 SPKI => Promise<CryptoKey>.
const trustedKeys = new Map();

// The index of the first of `keys` (base64 SPKI, ECDSA P-256) under which `signature` (r ‖ s,
// as WebCrypto takes it) verifies over `payload` with SHA-256, or -1. Throws where the context
// has no WebCrypto (an insecure context) or a key cannot be imported.
export async function verifySignature(keys, signature, payload) {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new Error("this context has no WebCrypto (crypto.subtle): serve the page over https or from localhost");
  }
  for (let i = 0; i < keys.length; i++) {
    let key = trustedKeys.get(keys[i]);
    if (!key) {
      const der = Uint8Array.from(atob(keys[i]), (c) => c.charCodeAt(0));
      key = subtle.importKey("spki", der, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
      trustedKeys.set(keys[i], key);
      key.catch(() => trustedKeys.delete(keys[i]));
    }
    if (await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, await key, signature, payload)) return i;
  }
  return -1;
}
