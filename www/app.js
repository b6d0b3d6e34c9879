// The wasm-hotswap demo: a counter guest upgraded in place from v1 to v2.
import { HotModule, HotSwapError } from "../dist/index.js";

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const ui = {
  count: $("count"),
  clicks: $("clicks"),
  clicksRow: $("clicks-row"),
  increment: /** @type {HTMLButtonElement} */ ($("increment")),
  decrement: /** @type {HTMLButtonElement} */ ($("decrement")),
  upgrade: /** @type {HTMLButtonElement} */ ($("upgrade")),
  corrupt: /** @type {HTMLButtonElement} */ ($("corrupt")),
  status: $("status"),
  version: $("version"),
  digest: $("digest"),
  report: /** @type {HTMLTableElement} */ ($("report")),
};

/** Manifest entries point at files relative to this page; make them absolute. */
function source(entry) {
  return { url: new URL(entry.url, document.baseURI).href, digest: entry.digest };
}

function setStatus(text, kind) {
  ui.status.textContent = text;
  ui.status.dataset.kind = kind;
}

function describe(error) {
  if (error instanceof HotSwapError) return `${error.code} — ${error.message}`;
  return String(error instanceof Error ? error.message : error);
}

const ms = (value) => (value < 1 ? value.toFixed(3) : value.toFixed(2)) + " ms";
const short = (digest) => digest.replace(/^(sha256:[0-9a-f]{12}).*$/, "$1…");

const MARK = { additive: "+", breaking: "!", none: "~" };

function describeChanges(changes) {
  if (changes.length === 0) return "unchanged";
  return changes.map((c) => `${MARK[c.severity] ?? "?"} ${c.item}`).join(", ");
}

function renderReport(report) {
  const rows = [
    ["from", `${report.fromVersion ?? "?"}  ${short(report.from)}`],
    ["to", `${report.toVersion ?? "?"}  ${short(report.to)}`],
    ...(report.bump !== undefined ? [["version bump", report.bump ?? "(none declared)"]] : []),
    ...(Array.isArray(report.changes) ? [["interface", describeChanges(report.changes)]] : []),
    ["state carried", `${report.stateBytes} bytes`],
    ["fetch + verify", ms(report.stages.fetchVerify)],
    ["compile", ms(report.stages.compile)],
    ["inspect", ms(report.stages.inspect)],
    ["gate", ms(report.stages.gate)],
    ["instantiate", ms(report.stages.instantiate)],
    ["commit (synchronous)", ms(report.commit)],
    ["total", ms(report.total)],
  ];
  const body = document.createElement("tbody");
  for (const [name, value] of rows) {
    const tr = body.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = name;
    tr.append(th);
    tr.insertCell().textContent = value;
  }
  ui.report.tBodies[0].replaceWith(body);
}

async function main() {
  const response = await fetch("build/manifest.json");
  if (!response.ok) throw new Error(`build/manifest.json: HTTP ${response.status} (run npm run build)`);
  const manifest = await response.json();

  const m = await HotModule.load(source(manifest.v1));
  // Captured once: the same function keeps working after every swap.
  const inc = m.exports.increment;
  let busy = false;

  function refresh(count) {
    ui.count.textContent = String(count ?? m.exports.get());
    ui.version.textContent = m.version ?? "(none)";
    ui.digest.textContent = m.digest;
    const hasDecrement = typeof m.exports.decrement === "function";
    ui.decrement.hidden = !hasDecrement;
    ui.decrement.disabled = busy || !hasDecrement;
    const hasClicks = typeof m.exports.clicks === "function";
    ui.clicksRow.hidden = !hasClicks;
    if (hasClicks) ui.clicks.textContent = String(m.exports.clicks());
    ui.increment.disabled = busy;
    ui.upgrade.disabled = busy || m.digest === manifest.v2.digest;
    ui.corrupt.disabled = busy;
  }

  async function swapTo(entry) {
    const before = m.version ?? m.digest;
    busy = true;
    refresh();
    setStatus(`Swapping to ${entry.version}…`, "busy");
    try {
      const report = await m.swap(source(entry));
      renderReport(report);
      setStatus(`Upgraded to ${report.toVersion ?? report.to} in ${ms(report.total)}`, "ok");
    } catch (error) {
      setStatus(`Rejected: ${describe(error)}; still serving ${m.version ?? before}`, "error");
      if (!(error instanceof HotSwapError)) console.error(error);
    } finally {
      busy = false;
      refresh();
    }
  }

  ui.increment.addEventListener("click", () => refresh(inc(1)));
  ui.decrement.addEventListener("click", () => refresh(m.exports.decrement(1)));
  ui.upgrade.addEventListener("click", () => swapTo(manifest.v2));
  ui.corrupt.addEventListener("click", () => swapTo(manifest.corrupt));

  refresh();
  setStatus(`Loaded ${m.version ?? "module"}`, "ok");
  window.hotswapDemo = { module: m, manifest, ready: true };
}

main().catch((error) => {
  setStatus(`Failed to load: ${describe(error)}`, "error");
  window.hotswapDemo = { ready: false, error };
  throw error;
});
