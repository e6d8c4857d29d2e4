import { mount } from "svelte";
import App from "./App.svelte";
import "./app.css";
import { installBenchmarkHook } from "./lib/perf";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
// The filter/sort benchmark the end-to-end test runs in this webview (see lib/perf.ts).
installBenchmarkHook();
export default mount(App, { target });
