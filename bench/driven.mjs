// The page side of bench/driver.mjs: a page opened with `?driver=<id>` asks the bench server
// for its next call, runs it, and posts what it returned (or threw), until it is told to stop.
// Its uncaught errors and console errors are posted to the runner's log.
export async function drive(id) {
  const post = (what, body) => fetch(`/driver/${what}?id=${encodeURIComponent(id)}`, { method: "POST", body });
  const report = (text) => post("log", text).catch(() => {});
  addEventListener("error", (e) => report(`[page error] ${e.message}`));
  addEventListener("unhandledrejection", (e) => report(`[page error] ${e.reason?.stack ?? e.reason}`));
  const consoleError = console.error.bind(console);
  console.error = (...args) => {
    report(`[page console] ${args.map(String).join(" ")}`);
    consoleError(...args);
  };
  for (;;) {
    const command = await (await fetch(`/driver/next?id=${encodeURIComponent(id)}`, { cache: "no-store" })).json();
    if (command.close) return;
    let reply;
    try {
      // The runner's function, by its source (as Playwright's page.evaluate sends it).
      const fn = (0, eval)(`(${command.fn})`);
      reply = { seq: command.seq, ok: true, value: await fn(command.arg) };
    } catch (error) {
      reply = { seq: command.seq, ok: false, error: String(error?.stack ?? error) };
    }
    await post("done", JSON.stringify(reply));
  }
}
