// 在 Web Worker 里运行 Pyodide 与 micrograd_cn 本身: 页面永远不会因为计算而卡住.
// Runs Pyodide and micrograd_cn itself in a Web Worker, so the page never freezes.
// Everything is loaded from this site's own folder; nothing from any other host.
// Every request gets exactly one reply, errors included; a reply with fatal: true means Python
// in this worker can no longer run (e.g. the JavaScript stack overflowed) and the page starts a new worker.
import { loadPyodide } from "./pyodide/pyodide.mjs";

const here = (path) => new URL(path, import.meta.url).href;
let pyodide = null;
let session = null;

function progress(stage) {
  self.postMessage({ type: "progress", stage });
}

const ready = (async () => {
  const started = performance.now();
  progress("python");
  pyodide = await loadPyodide({ indexURL: here("./pyodide/") });
  self.pyodide = pyodide; // 在开发者工具里可用 (worker 的控制台). Reachable from the worker's devtools console.
  progress("package");
  const response = await fetch(here("./py/micrograd_cn.zip"));
  if (!response.ok) throw new Error(`py/micrograd_cn.zip: HTTP ${response.status}`);
  pyodide.unpackArchive(await response.arrayBuffer(), "zip", { extractDir: "/home/pyodide/site" });
  pyodide.runPython("import sys\nsys.path.insert(0, '/home/pyodide/site')");
  const browser = pyodide.pyimport("micrograd_cn.app.browser");
  session = browser.Session();
  const version = pyodide.runPython("import micrograd_cn\nmicrograd_cn.__version__");
  const python = pyodide.runPython("import sys\nsys.version.split()[0]");
  self.postMessage({ type: "ready", ms: Math.round(performance.now() - started), version, python,
                     pyodide: pyodide.version });
})();
ready.catch((error) => {
  self.postMessage({ type: "failed", error: String(error && error.message || error) });
});

/** Python 在这个 worker 里是否还能运行. Whether Python still runs in this worker. */
function alive() {
  try {
    return pyodide.runPython("1") === 1;
  } catch {
    return false;
  }
}

self.onmessage = async (event) => {
  const { id, request } = event.data;
  let reply;
  try {
    await ready;
    reply = session.handle_json(JSON.stringify(request));
    if (typeof reply !== "string") throw new Error(`no reply (${typeof reply})`);
  } catch (error) {
    const fatal = pyodide === null || !alive();
    reply = JSON.stringify({ ok: false, fatal, error: String(error && error.message || error) });
  }
  self.postMessage({ type: "reply", id, reply });
};
