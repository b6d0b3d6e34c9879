// What a bench run must produce (`--quick` checks it; so does tests/e2e/bench-quick.test.mjs),
// and the history each full run appends to (bench/history/runs.jsonl).
import { execFileSync } from "node:child_process";
import { appendFile, mkdir } from "node:fs/promises";
import { join } from "node:path";

/** The figures a run (of `only`, or all) must have produced, each with finite numbers. */
export function missingFigures(results, only = null) {
  const f = results.figures ?? {};
  const finite = (x) => typeof x === "number" && Number.isFinite(x);
  const value = (x) => (x !== null && typeof x === "object" ? x.value ?? x.median : x);
  const ratios = (cells, key, count) => Array.isArray(cells) && cells.length === count && cells.every((c) => finite(value(c[key])));
  const checks = {
    1: () => ratios(f.swap, "ratio", 9),
    3: () => finite(value(f.calls?.after?.ratio)),
    4: () => ratios(f.load, "vsRaw", 3),
    5: () => ratios(f.load, "vsExtism", 3),
    6: () => finite(value(f.demo?.ratio)),
    7: () => (f.size?.builds ?? []).some((b) => b.build === "default" && finite(b.totalGz)),
    8: () => finite(f.memory?.msPerSwap) && f.memory.swaps > 0,
    "8b": () => finite(f.bindgenMemory?.msPerSwap),
    9: () => finite(value(f.bindgenSwap?.ratio)),
    10: () => finite(value(f.componentSwap?.ratio)),
    11: () => ratios(f.stagedCommit, "ratio", 2),
    12: () => Array.isArray(f.coldStart) && f.coldStart.length === 2 && f.coldStart.every((c) => c.visits.length === 3 && c.visits.every((v) => finite(value(v.ratio)))),
  };
  const wanted = (id) => only === null || only.has(id) || (id === "5" && only.has("4")) || (id === "4" && only.has("5"));
  return Object.entries(checks).filter(([id, ok]) => wanted(id) && !ok()).map(([id]) => id);
}

/**
 * Appends a full run's figures to bench/history/runs.jsonl, one line per run with the commit
 * and the machine, so that a regression shows as a diff of that file.
 */
export async function appendHistory(root, results) {
  const git = (...args) => {
    try {
      return execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
    } catch {
      return null;
    }
  };
  const line = {
    date: results.date,
    commit: git("rev-parse", "--short=12", "HEAD"),
    dirty: git("status", "--porcelain", "--untracked-files=no") !== "",
    machine: { cpu: results.machine.cpu, cores: results.machine.cores, chromium: results.machine.chromium, load: results.machine.loadAverage },
    seconds: Math.round(results.seconds),
    figures: historyFigures(results.figures),
  };
  await mkdir(join(root, "bench/history"), { recursive: true });
  await appendFile(join(root, "bench/history/runs.jsonl"), JSON.stringify(line) + "\n");
}

/** Each figure's headline numbers by cell: median ratios, sizes in KB, ms per swap. */
export function historyFigures(f) {
  const r = (x) => {
    const v = x !== null && typeof x === "object" ? x.value ?? x.median : x;
    return typeof v === "number" ? Math.round(v * 1000) / 1000 : null;
  };
  const out = {};
  for (const c of f.swap ?? []) out[`1 ${c.module} x ${c.state}`] = r(c.ratio);
  if (f.calls) out["3 after swaps"] = r(f.calls.after?.ratio);
  for (const c of f.load ?? []) {
    out[`4 ${c.module}`] = r(c.vsRaw);
    out[`5 ${c.module}`] = r(c.vsExtism);
  }
  if (f.demo) out["6"] = r(f.demo.ratio);
  for (const b of f.size?.builds ?? []) out[`7 ${b.build} KB gz`] = Math.round(b.totalGz / 102.4) / 10;
  if (f.memory) out["8 ms/swap"] = r(f.memory.msPerSwap);
  if (f.bindgenMemory) out["8b ms/swap"] = r(f.bindgenMemory.msPerSwap);
  if (f.bindgenSwap) out["9"] = r(f.bindgenSwap.ratio);
  if (f.componentSwap) out["10"] = r(f.componentSwap.ratio);
  for (const c of f.stagedCommit ?? []) out[`11 ${c.module} x ${c.state}`] = r(c.ratio);
  for (const c of f.coldStart ?? []) for (const v of c.visits) out[`12 ${c.module} visit ${v.visit}`] = r(v.ratio);
  return out;
}
