// 排版 worker: 用 viz-js (Graphviz) 把 DOT 排成 SVG 文本, 不占用页面的主线程.
// The layout worker: viz-js (Graphviz) turns DOT into SVG text here, off the page's main thread,
// so laying out a big graph never freezes the page. A classic worker, because viz-global.js is a
// plain script (importScripts); it is loaded from this site's own folder.
/* global Viz */

let instance = null;

try {
  importScripts("viz/viz-global.js");
  instance = Viz.instance();
  instance.then(() => self.postMessage({ type: "ready" }),
    (error) => self.postMessage({ type: "failed", file: "viz/viz-global.js", error: String(error && error.message || error) }));
} catch (error) {
  self.postMessage({ type: "failed", file: "viz/viz-global.js", error: String(error && error.message || error) });
}

self.onmessage = async (event) => {
  const { id, dot } = event.data;
  try {
    if (!instance) throw new Error("viz/viz-global.js did not load");
    const viz = await instance;
    self.postMessage({ type: "reply", id, svg: viz.renderString(dot, { format: "svg" }) });
  } catch (error) {
    // Graphviz 出错后换一个新实例, 下一次排版照常. After a Graphviz failure, the next layout gets a new instance.
    instance = typeof Viz === "undefined" ? null : Viz.instance();
    self.postMessage({ type: "reply", id, error: String(error && error.message || error) });
  }
};
