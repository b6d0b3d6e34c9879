// The wasm-hotswap demo: a notes list (a wasm-bindgen guest, strings in and out) upgraded in
// place from v1 to v2 with its notes kept. No inline script and no eval of its own, and the
// DOM is written with textContent only, so it runs under a strict CSP with Trusted Types.
import { HotModule, HotSwapError } from "../dist/index.js";

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const ui = {
  form: /** @type {HTMLFormElement} */ ($("add-form")),
  note: /** @type {HTMLInputElement} */ ($("note")),
  add: /** @type {HTMLButtonElement} */ ($("add")),
  count: $("count"),
  noun: $("noun"),
  notes: $("notes"),
  empty: $("empty"),
  upgrade: /** @type {HTMLButtonElement} */ ($("upgrade")),
  prepare: /** @type {HTMLButtonElement} */ ($("prepare")),
  apply: /** @type {HTMLButtonElement} */ ($("apply")),
  rollback: /** @type {HTMLButtonElement} */ ($("rollback")),
  faulty: /** @type {HTMLButtonElement} */ ($("faulty")),
  corrupt: /** @type {HTMLButtonElement} */ ($("corrupt")),
  clear: /** @type {HTMLButtonElement} */ ($("clear")),
  status: $("status"),
  version: $("version"),
  digest: $("digest"),
  report: /** @type {HTMLTableElement} */ ($("report")),
};

/** A manifest entry as load/swap options: its module and glue, made absolute. */
function source(entry) {
  const abs = (url) => new URL(url, document.baseURI).href;
  return { url: abs(entry.url), digest: entry.digest, glue: { url: abs(entry.glue.url), digest: entry.glue.digest } };
}

const sentence = (text) => text.replace(/\.?$/, ".");

/** Shows `text` in the status line; a HotSwapError's code goes first, in its own element. */
function setStatus(text, kind, error) {
  const parts = [];
  if (error instanceof HotSwapError) {
    const code = document.createElement("strong");
    code.className = "code";
    code.textContent = error.code;
    parts.push(code, ` ${sentence(error.message)} `);
  } else if (error !== undefined) {
    parts.push(`${sentence(error instanceof Error ? error.message : String(error))} `);
  }
  ui.status.replaceChildren(...parts, text);
  ui.status.dataset.kind = kind;
}

const notesNoun = (n) => (n === 1 ? "note" : "notes");
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

function button(text, label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.setAttribute("aria-label", label);
  b.addEventListener("click", onClick);
  return b;
}

async function main() {
  const response = await fetch("build/manifest.json");
  if (!response.ok) throw new Error(`build/manifest.json: HTTP ${response.status} (run npm run build)`);
  const manifest = await response.json();

  // The notes survive a reload: a snapshot in IndexedDB, restored by the next load.
  const m = await HotModule.load({ ...source(manifest.v1), persist: { key: "wasm-hotswap-demo-notes" } });
  m.persistence?.addEventListener("restorefailed", (event) => {
    setStatus(`Started with no notes: the saved ones could not be restored (${event.detail.reason})`, "error");
  });
  // Captured once: the same function keeps working after every swap.
  const add = m.exports.add;
  let busy = false;
  /** The update `Prepare` staged, until it is applied. */
  let staged = null;
  /** Versions swapped away from, which `Roll back` can return to (the runtime keeps one). */
  let kept = 0;

  // A rollback the runtime made by itself (a trap during probation) or was asked for.
  m.addEventListener("rolledback", (event) => {
    const { from, to, reason } = event.detail;
    kept = 0;
    renderReport(event.detail.report);
    const count = m.exports.count();
    const why = reason === "trap" ? `${from} trapped on its first call` : `Rolled back from ${from}`;
    setStatus(`${why}: back on ${to}, ${count} ${notesNoun(count)} kept`, reason === "trap" ? "error" : "ok");
    refresh();
  });

  /** The notes as the serving version lists them, with v2's pins once it serves. */
  function renderNotes() {
    const notes = m.exports.list();
    const pins = typeof m.exports.is_pinned === "function";
    const items = notes.map((text, i) => {
      const li = document.createElement("li");
      const span = document.createElement("span");
      span.className = "text";
      span.textContent = text;
      li.append(span);
      if (pins) {
        const pinned = m.exports.is_pinned(i);
        li.classList.toggle("pinned", pinned);
        const pin = button(pinned ? "Unpin" : "Pin", `${pinned ? "Unpin" : "Pin"} “${text}”`, () => {
          m.exports.pin(i, !pinned);
          refresh();
        });
        pin.className = "pin";
        pin.setAttribute("aria-pressed", String(pinned));
        li.append(pin);
      }
      li.append(
        button("Remove", `Remove “${text}”`, () => {
          m.exports.remove(i);
          refresh();
        }),
      );
      return li;
    });
    ui.notes.replaceChildren(...items);
    const count = m.exports.count();
    ui.count.textContent = String(count);
    ui.noun.textContent = notesNoun(count);
    ui.empty.hidden = notes.length > 0;
  }

  function refresh() {
    try {
      renderNotes();
    } catch (error) {
      // A trap in the version serving: on probation, the runtime has already rolled back (and
      // the listener above re-rendered); anything else is a bug.
      if (!(error instanceof WebAssembly.RuntimeError)) throw error;
    }
    ui.version.textContent = m.version ?? "(none)";
    ui.digest.textContent = m.digest;
    const hasClear = typeof m.exports.clear === "function";
    ui.clear.hidden = !hasClear;
    ui.clear.disabled = busy || !hasClear;
    ui.note.disabled = false;
    ui.add.disabled = false;
    ui.upgrade.disabled = busy || m.digest === manifest.v2.digest;
    ui.prepare.disabled = busy || staged !== null || m.digest === manifest.v2.digest;
    ui.apply.hidden = staged === null;
    ui.apply.disabled = busy || staged === null;
    ui.rollback.disabled = busy || kept === 0;
    ui.faulty.disabled = busy || m.digest === manifest.v3.digest;
    ui.corrupt.disabled = busy;
  }

  /** Runs `step` with the buttons disabled; a HotSwapError is shown, the old version serving. */
  async function attempt(busyText, step) {
    const before = m.version ?? m.digest;
    busy = true;
    refresh();
    setStatus(busyText, "busy");
    try {
      await step();
    } catch (error) {
      setStatus(`Rejected; still serving ${m.version ?? before}.`, "error", error);
      if (!(error instanceof HotSwapError)) console.error(error);
    } finally {
      busy = false;
      refresh();
    }
  }

  function swapped(report, verb) {
    renderReport(report);
    kept = 1;
    const count = m.exports.count();
    setStatus(`${verb} ${report.toVersion ?? report.to} in ${ms(report.total)}, ${count} ${notesNoun(count)} kept`, "ok");
  }

  const swapTo = (entry, options = {}) =>
    attempt(`Swapping to ${entry.version}…`, async () => swapped(await m.swap({ ...source(entry), ...options }), "Upgraded to"));

  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = ui.note.value.trim();
    if (text === "") return;
    add(text);
    ui.note.value = "";
    refresh();
    ui.note.focus();
  });
  ui.clear.addEventListener("click", () => {
    m.exports.clear();
    refresh();
  });
  ui.upgrade.addEventListener("click", () => swapTo(manifest.v2));
  ui.prepare.addEventListener("click", () =>
    attempt(`Preparing ${manifest.v2.version}…`, async () => {
      staged = await m.prepare(source(manifest.v2));
      ui.apply.textContent = `Apply ${staged.version}`;
      setStatus(`${staged.version} is fetched, verified, gated and instantiated; ${m.version} serves until you apply it`, "ok");
    }),
  );
  ui.apply.addEventListener("click", () =>
    attempt("Applying…", async () => {
      const update = staged;
      staged = null;
      swapped(update.commit(), "Applied");
    }),
  );
  // The current notes go back with the older version when it can read them; when it refuses
  // (v1 cannot read v2's newer state), it comes back with the notes it had when it was swapped
  // out, and the report says what was lost.
  let lostNote = "";
  ui.rollback.addEventListener("click", () =>
    attempt("Rolling back…", async () => {
      lostNote = "";
      try {
        await m.rollback();
      } catch (error) {
        if (!(error instanceof HotSwapError && error.code === "STATE_LOAD_FAILED")) throw error;
        const report = await m.rollback({ restore: "snapshot" });
        lostNote = ` (it cannot read the newer state: restored its own from the swap; lost: ${report.rollback.lost.join(", ")})`;
        ui.status.append(lostNote);
      }
    }),
  );
  // v3 goes in on probation: for 30 s a trap in it rolls back to the version before.
  ui.faulty.addEventListener("click", () => swapTo(manifest.v3, { policy: { probation: { ms: 30_000 } } }));
  ui.corrupt.addEventListener("click", () => swapTo(manifest.corrupt));

  refresh();
  setStatus(`Loaded ${m.version ?? "module"}`, "ok");
  window.hotswapDemo = { module: m, manifest, ready: true };
}

main().catch((error) => {
  // A refusal (a HotSwapError: e.g. INVALID_GUEST when the page's CSP forbids running the
  // glue) is shown, not thrown; anything else is a bug and stays uncaught.
  setStatus("The demo could not start.", "error", error);
  window.hotswapDemo = { ready: false, error };
  if (!(error instanceof HotSwapError)) throw error;
});
