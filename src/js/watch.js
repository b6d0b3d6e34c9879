// The JS half of a watch (see src/watch.rs): only what must be JS. Timers, the Web Lock that
// makes one tab the poller, the BroadcastChannel the tabs share, the EventSource, and the
// events. Every decision (when to poll, what to swap to, how long to back off) is made in Rust,
// which this class tells what happened through `notify(kind, a, b)`. The kinds are the strings
// of the `Signal` enum in src/watch/browser.rs, which defines them and what `a` and `b` carry:
// "lead", "tick", "published", "message", "stop" (its TypeScript type in the runtime's .d.ts).

export class Watcher extends EventTarget {
  #notify = null;
  #timer = undefined;
  #channel = null;
  #source = null;
  #lock = null; // aborts a pending lock request, or releases a held lock
  #role = "follower";
  #last = null; // the last index this watch polled, for tabs that join later

  /** "leader" while this watch polls, "follower" while another one does, then "stopped". */
  get role() {
    return this.#role;
  }

  // Called once by Rust. `key` names the lock and the channel; `shared` false polls alone.
  connect(notify, key, shared, signal) {
    this.#notify = notify;
    if (signal) {
      if (signal.aborted) return this.stop();
      signal.addEventListener("abort", () => this.stop(), { once: true });
    }
    if (shared && typeof BroadcastChannel === "function") {
      this.#channel = new BroadcastChannel(key);
      this.#channel.onmessage = ({ data }) => {
        if (data?.hello) {
          // A tab joined: the poller shares only changes, so it hands the newcomer the last
          // index it saw, which the newcomer may not have swapped to yet.
          if (this.#role === "leader" && this.#last !== null) this.#channel.postMessage(this.#last);
          return;
        }
        this.#send("message", data?.text, data?.etag);
      };
      this.#channel.postMessage({ hello: true });
    }
    const locks = shared ? globalThis.navigator?.locks : undefined;
    if (!locks) {
      // No Web Locks (an insecure context, an old browser): this watch polls on its own.
      this.#role = "leader";
      queueMicrotask(() => this.#send("lead"));
      return;
    }
    const abort = new AbortController();
    this.#lock = () => abort.abort();
    locks
      .request(key, { signal: abort.signal }, () => {
        if (this.#notify === null) return undefined;
        this.#role = "leader";
        // Held until this watch stops or its page goes away; then the next tab in line gets it.
        return new Promise((release) => {
          this.#lock = release;
          this.#send("lead");
        });
      })
      .catch(() => {}); // aborted by stop(): nothing to report
  }

  // Runs `notify("tick")` after `ms` milliseconds, replacing any earlier timer.
  schedule(ms) {
    clearTimeout(this.#timer);
    if (this.#notify !== null) this.#timer = setTimeout(() => this.#send("tick"), ms);
  }

  // Listens to `published` events at `url` (EventSource reconnects by itself).
  subscribe(url) {
    if (this.#notify === null || this.#source !== null || typeof EventSource !== "function") return;
    this.#source = new EventSource(url);
    this.#source.addEventListener("published", (event) => this.#send("published", event.data));
  }

  // Shares an index with the other tabs.
  post(text, etag) {
    this.#last = { text, etag };
    this.#channel?.postMessage(this.#last);
  }

  // The events; see `WatchEventMap` in the runtime's types.
  available(version, digest) {
    this.#emit("available", { version, digest });
  }

  applied(version, digest, report) {
    this.#emit("applied", { version, digest, report });
  }

  prepared(version, digest, update) {
    this.#emit("prepared", { version, digest, update });
  }

  rejected(version, digest, error) {
    this.#emit("rejected", { version, digest, code: error.code, message: error.message, error });
  }

  failed(error, retryIn) {
    this.#emit("error", { code: error.code, message: error.message, retryIn, error });
  }

  #emit(type, detail) {
    if (this.#notify !== null) this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /** Stops for good: no timer, stream, channel or lock is left, and no event follows. */
  stop() {
    const notify = this.#notify;
    if (notify === null && this.#role === "stopped") return;
    this.#notify = null;
    this.#role = "stopped";
    clearTimeout(this.#timer);
    this.#source?.close();
    this.#channel?.close();
    this.#lock?.();
    this.#source = this.#channel = this.#lock = null;
    notify?.("stop");
  }

  #send(kind, a, b) {
    this.#notify?.(kind, a, b);
  }
}
