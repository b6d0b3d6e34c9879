// `npm run bench -- --quick` end to end: every figure of the benchmark is produced, in
// Chromium, with few repetitions. What it checks is that each figure exists with finite numbers
// (bench/history.mjs `missingFigures`), not their values: timings are never asserted in tests.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { historyFigures, missingFigures } from "../../bench/history.mjs";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const EVERY = ["1", "3", "4", "5", "6", "7", "8", "8b", "9", "10", "11", "12"];

test("the figure check names every figure a run lacks", () => {
  assert.deepEqual(missingFigures({ figures: {} }).sort(), [...EVERY].sort());
  assert.deepEqual(missingFigures({ figures: {} }, new Set(["11"])), ["11"]);
  const nan = { stagedCommit: [{ ratio: { value: NaN } }, { ratio: { value: 1 } }] };
  assert.deepEqual(missingFigures({ figures: nan }, new Set(["11"])), ["11"], "a NaN ratio is not a figure");
});

test("bench --quick produces every figure and writes them to results.quick.json", { timeout: 300_000 }, () => {
  const run = spawnSync(process.execPath, ["bench/run.mjs", "--quick"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(run.status, 0, `bench --quick failed:\n${run.stderr.slice(-4000)}`);
  const results = JSON.parse(readFileSync(join(ROOT, "bench/results.quick.json"), "utf8"));
  assert.equal(results.quick, true);
  assert.equal(results.command, "node bench/run.mjs --quick");
  assert.deepEqual(missingFigures(results), [], "every figure is there");
  const line = historyFigures(results.figures);
  for (const key of ["1 4 MB x 16 MB", "4 1 MB", "5 4 MB", "7 default KB gz", "11 1 MB x 0", "12 1 MB visit 1"]) {
    assert.equal(typeof line[key], "number", `history has ${key}`);
  }
  assert.match(run.stdout, /\| 12 \| cold start, 1 MB module, first visit/, "the table has figure 12");
  console.log(`# bench --quick: ${results.seconds.toFixed(0)} s`);
});
