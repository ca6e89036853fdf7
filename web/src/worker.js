// 在 Web Worker 里运行 Pyodide 与 micrograd_cn 本身: 页面永远不会因为计算而卡住.
// Runs Pyodide and micrograd_cn itself in a Web Worker, so the page never freezes.
// Everything is loaded from this site's own folder; nothing from any other host.
import { loadPyodide } from "./pyodide/pyodide.mjs";

const here = (path) => new URL(path, import.meta.url).href;
let session = null;

function progress(stage) {
  self.postMessage({ type: "progress", stage });
}

const ready = (async () => {
  const started = performance.now();
  progress("python");
  const pyodide = await loadPyodide({ indexURL: here("./pyodide/") });
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
})().catch((error) => {
  self.postMessage({ type: "failed", error: String(error && error.message || error) });
  throw error;
});

self.onmessage = async (event) => {
  const { id, request } = event.data;
  let reply;
  try {
    await ready;
    reply = session.handle_json(JSON.stringify(request));
  } catch (error) {
    reply = JSON.stringify({ ok: false, error: String(error && error.message || error) });
  }
  self.postMessage({ type: "reply", id, reply });
};
