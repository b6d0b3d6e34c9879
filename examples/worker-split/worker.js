// The worker entry of an app using the split, as a bundler (Vite, webpack…) builds it:
//   new Worker(new URL("./worker.js", import.meta.url), { type: "module" })
// and in the page: `const counter = connect(worker); await counter.load({ registry, name });`.
import { HotModule } from "wasm-hotswap/updates";
import { serve } from "./hotswap-worker.js";

serve(HotModule, self);
