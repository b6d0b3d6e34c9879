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

// ECDSA P-256 / SHA-256 signatures of a Warg registry's records and checkpoint, verified with
// WebCrypto. `checks` is an array of [SEC1 key, message, r‖s signature] (Uint8Arrays); the
// promise resolves with the index of the first that does not verify, or -1 when all do, and
// rejects where the page has no WebCrypto (an insecure context). Warg writes compressed
// points, which WebCrypto's "raw" import need not accept: they are decompressed here
// (y = √(x³ − 3x + b) mod p, p ≡ 3 mod 4, so √a = a^((p+1)/4)); a point off the curve then
// fails the import, and so its check.
const P256_P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const P256_B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

function modPow(base, exponent, modulus) {
  let result = 1n;
  base %= modulus;
  for (; exponent > 0n; exponent >>= 1n) {
    if (exponent & 1n) result = (result * base) % modulus;
    base = (base * base) % modulus;
  }
  return result;
}

function uncompressedPoint(sec1) {
  if (sec1[0] === 4) return sec1;
  let x = 0n;
  for (let i = 1; i < 33; i++) x = (x << 8n) | BigInt(sec1[i]);
  const p = P256_P;
  const ySquared = (((((x * x) % p) * x - 3n * x + P256_B) % p) + p) % p;
  let y = modPow(ySquared, (p + 1n) / 4n, p);
  if ((y & 1n) !== BigInt(sec1[0] & 1)) y = p - y;
  const point = new Uint8Array(65);
  point[0] = 4;
  point.set(sec1.subarray(1, 33), 1);
  for (let i = 64; i > 32; i--, y >>= 8n) point[i] = Number(y & 0xffn);
  return point;
}

export async function verifyP256(checks) {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error("crypto.subtle is unavailable here (WebCrypto needs a secure context)");
  const keys = new Map();
  const importKey = (sec1) => {
    const id = sec1.join(",");
    if (!keys.has(id)) {
      const point = uncompressedPoint(sec1);
      keys.set(id, subtle.importKey("raw", point, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]));
    }
    return keys.get(id);
  };
  const verdicts = await Promise.all(
    checks.map(async ([sec1, message, signature]) => {
      try {
        const key = await importKey(sec1);
        return await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, signature, message);
      } catch {
        return false;
      }
    }),
  );
  return verdicts.indexOf(false);
}
