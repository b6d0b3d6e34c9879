// The consumer app that every bundler builds (tests/e2e/bundlers.test.mjs): the package
// imported by its bare name, the counter guest loaded, counted up, swapped to v2 with its state.
// No top-level await, so that the bundlers' default output formats can hold it.
import { HotModule, HotSwapError } from "wasm-hotswap";

const out = document.getElementById("result");

async function main() {
  // guests/ mirrors www/: the manifest's URLs are relative to it.
  const www = new URL("guests/", document.baseURI);
  const { counter } = await (await fetch(new URL("build/manifest.json", www))).json();
  const at = (v) => ({ url: new URL(counter[v].url, www).href, digest: counter[v].digest });

  const m = await HotModule.load(at("v1"));
  const increment = m.exports.increment; // kept across the swap
  increment(2);
  increment(3);
  const v1 = { version: m.version, digest: m.digest, count: m.exports.get() };
  const report = await m.swap(at("v2"));
  const v2 = { version: m.version, digest: m.digest, count: increment(1), clicks: m.exports.clicks() };
  let refused;
  try {
    await m.swap({ url: at("v1").url, digest: "sha256:XYZ" });
  } catch (e) {
    refused = { isHotSwapError: e instanceof HotSwapError, code: e?.code };
  }
  return { v1, v2, stateBytes: report.stateBytes, refused };
}

main().then(
  (result) => {
    out.textContent = JSON.stringify(result);
    window.appResult = result;
  },
  (error) => {
    out.textContent = `failed: ${error}`;
    window.appResult = { error: String(error?.stack ?? error), code: error?.code };
  },
);
