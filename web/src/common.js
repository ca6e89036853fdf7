// 各页共用: 语言切换 (记在网址里)、与 worker 通信 (检查文件、出错后重启)、在排版 worker 里用 viz-js 把 DOT 排成 SVG.
// Shared by every page: the language toggle (kept in the URL), the Python worker client (with file checks
// and restarts), and laying out DOT text as SVG with viz-js in a second worker, off the main thread.

const WORDS = {
  site: ["micrograd_cn 课堂", "micrograd_cn classroom"],
  nav_playground: ["表达式与反向传播", "Expression playground"],
  nav_train: ["训练神经网络", "Train a network"],
  nav_home: ["首页", "Home"],
  toggle: ["English", "中文"],
  toggle_label: ["切换到英文 (English)", "Switch to Chinese"],
  loading_python: ["正在加载 Python (Pyodide)…", "Loading Python (Pyodide)…"],
  loading_package: ["正在安装 micrograd_cn…", "Installing micrograd_cn…"],
  ready: ["就绪: micrograd_cn {v} 在浏览器中运行 (Python {py}, {ms} ms)",
          "Ready: micrograd_cn {v} running in the browser (Python {py}, {ms} ms)"],
  failed: ["加载失败: {e}", "Failed to load: {e}"],
  busy: ["计算中…", "Computing…"],
};

export const params = new URLSearchParams(location.search);
export let lang = params.get("lang") === "en" ? "en" : "zh";

/** 按当前语言取词; 页面可以加自己的词. A word in the current language; pages add their own. */
export function t(key, values = {}) {
  const entry = WORDS[key];
  let text = entry ? entry[lang === "zh" ? 0 : 1] : key;
  for (const [name, value] of Object.entries(values)) text = text.split(`{${name}}`).join(String(value));
  return text;
}

export function addWords(words) {
  Object.assign(WORDS, words);
}

/** 把页面状态写回网址 (不新增历史记录). Write page state into the URL without adding history. */
export function saveParams(values) {
  for (const [key, value] of Object.entries(values)) {
    if (value === null || value === undefined || value === "") params.delete(key);
    else params.set(key, String(value));
  }
  if (lang === "en") params.set("lang", "en");
  else params.delete("lang");
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
  document.querySelectorAll("a[data-keep-lang]").forEach((a) => {
    const url = new URL(a.getAttribute("href"), location.href);
    if (lang === "en") url.searchParams.set("lang", "en");
    else url.searchParams.delete("lang");
    a.href = url.pathname.split("/").pop() + url.search;
  });
}

/** 填写所有带 data-i18n 的元素. Fill every element that has data-i18n. */
export function translate(root = document) {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll("[data-i18n-title]").forEach((el) => { el.title = t(el.dataset.i18nTitle); });
  root.querySelectorAll("[data-i18n-placeholder]").forEach((el) => {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  });
  root.querySelectorAll("[data-i18n-label]").forEach((el) => {
    el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  });
}

/** 语言按钮: 切换后调用 onChange. The language button; calls onChange after switching. */
export function setupLanguage(onChange) {
  const button = document.getElementById("lang-toggle");
  translate();
  saveParams({});
  button.addEventListener("click", () => {
    lang = lang === "zh" ? "en" : "zh";
    translate();
    saveParams({});
    onChange();
  });
}

/** 一个 worker 的请求与回复: 每个请求一个 id, 每个回复找回它的 Promise. Requests and replies of one worker. */
class Channel {
  constructor(worker) {
    this.worker = worker;
    this.pending = new Map();
    this.nextId = 1;
  }

  send(message) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...message });
    });
  }

  answer(id, settle) {
    const handlers = this.pending.get(id);
    this.pending.delete(id);
    if (handlers) settle(handlers);
  }

  /** worker 不在了: 所有未回复的请求都得到这个错误. The worker is gone: every open request gets this error. */
  close(error) {
    for (const handlers of this.pending.values()) handlers.reject(error);
    this.pending.clear();
    this.worker.terminate();
  }
}

const FIX = ["请重新构建站点 (python web/build.py) 或重新安装 micrograd_cn[web] (pip install --force-reinstall), 然后刷新页面",
             "rebuild the site (python web/build.py) or reinstall micrograd_cn[web] (pip install --force-reinstall), then reload the page"];
addWords({
  missing_file: [`加载失败: 缺少文件 {file} (HTTP {status})。${FIX[0]}。`, `Failed to load: the file {file} is missing (HTTP {status}). To fix: ${FIX[1]}.`],
  truncated_file: [`加载失败: 文件 {file} 不完整 (只有 {got} 字节, 应为 {want} 字节)。${FIX[0]}。`,
                   `Failed to load: the file {file} is incomplete ({got} of {want} bytes). To fix: ${FIX[1]}.`],
  broken_file: [`加载失败: {file} 无法运行 ({e})。${FIX[0]}。`, `Failed to load: {file} does not run ({e}). To fix: ${FIX[1]}.`],
  still_loading: ["仍在加载 Python (Pyodide)… 已 {s} 秒, 文件都在, 网络或电脑较慢", "Still loading Python (Pyodide)… {s} s so far; every file is there, the network or computer is slow"],
  restarting: ["浏览器里的 Python 出错停止了, 正在重新启动…", "Python in the browser stopped after an error; restarting…"],
  restarted: ["就绪 (Python 已重新启动): micrograd_cn {v}", "Ready (Python restarted): micrograd_cn {v}"],
  crashed: ["这个请求让浏览器里的 Python 停止了 ({e}); 已重新启动, 请换一个小一些的输入。",
            "This request stopped Python in the browser ({e}); it has been restarted, try a smaller input."],
});

/** 站点必需的文件 (build.json 没有清单时用). The site's required files, when build.json has no list. */
const REQUIRED = ["worker.js", "layout.js", "pyodide/pyodide.mjs", "pyodide/pyodide.asm.mjs",
  "pyodide/pyodide.asm.wasm", "pyodide/python_stdlib.zip", "pyodide/pyodide-lock.json", "py/micrograd_cn.zip",
  "viz/viz-global.js"];
const SLOW_CHECK_MS = 10_000;

async function manifest() {
  try {
    const response = await fetch(new URL("./build.json", import.meta.url), { cache: "no-store" });
    const files = response.ok ? (await response.json()).files : null;
    if (files && typeof files === "object") return files;
  } catch { /* 没有清单: 只查文件在不在. No list: check presence only. */ }
  return Object.fromEntries(REQUIRED.map((name) => [name, null]));
}

/** 核对站点文件: 缺少或不完整的第一个文件 ({file, status} 或 {file, got, want}), 全部完好时为 null.
 * Check the site's files; the first missing or incomplete one, or null. With ``whole``, read every
 * body (sizes after any Content-Encoding is undone); otherwise ask HEAD and trust an uncompressed Content-Length. */
export async function checkFiles(whole = false) {
  const files = await manifest();
  for (const [file, want] of Object.entries(files)) {
    let response;
    try {
      response = await fetch(new URL(`./${file}`, import.meta.url), whole ? {} : { method: "HEAD", cache: "no-store" });
    } catch (error) {
      return { file, status: String(error.message || error) };
    }
    if (!response.ok) return { file, status: response.status };
    if (want === null || want === undefined) continue;
    let got = null;
    if (whole) got = (await response.arrayBuffer()).byteLength;
    else if (!response.headers.get("Content-Encoding") && response.headers.get("Content-Length") !== null) {
      got = Number(response.headers.get("Content-Length"));
    }
    if (got !== null && got !== want) return { file, got, want };
  }
  return null;
}

let layoutChannel = null;
let layoutReady = null;

/** 排版 worker (layout.js, 里面是 viz-js); 整个页面只有一个. The one layout worker of the page. */
function layoutWorker() {
  if (layoutChannel) return layoutReady;
  const worker = new Worker(new URL("./layout.js", import.meta.url));
  layoutChannel = new Channel(worker);
  layoutReady = new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => {
      if (data.type === "ready") resolve();
      else if (data.type === "failed") reject(Object.assign(new Error(data.error), { file: data.file }));
      else layoutChannel.answer(data.id, (h) => (data.error ? h.reject(new Error(data.error)) : h.resolve(data.svg)));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      reject(Object.assign(new Error(event.message || "layout.js"), { file: "layout.js" }));
    };
  });
  layoutReady.catch(() => {});
  return layoutReady;
}

/** 用 Graphviz 把 DOT 排成 SVG 文本 (在排版 worker 里). Lay out DOT as SVG text, in the layout worker. */
export async function layoutDot(dot) {
  await layoutWorker();
  return layoutChannel.send({ dot });
}

/** 与 worker 中的 micrograd_cn 通信; 加载失败时说出是哪个文件、怎样修好; Python 停止后重新启动 worker.
 * Talks to micrograd_cn in the worker. A loading failure names the file and the fix (never "ready" while a
 * part is missing); a request that stops Python gets an error reply and a fresh worker takes over. */
export class Engine {
  constructor(statusElement) {
    this.status = statusElement;
    this.state = "loading";
    this.readyInfo = null;
    this.restarts = 0;
    this.message = ["loading_python", {}, ""];
    this.started = performance.now();
    this.start();
    const layout = layoutWorker().catch((error) => this.loadingFailed(error, error.file || "viz/viz-global.js"));
    // 就绪 = Python 已加载、排版 worker 已加载、文件都在. Ready = Python and layout loaded, every file present.
    this.ready = Promise.all([this.pythonReady, layout, this.checked(false)]).then(([info]) => {
      if (this.state === "failed") throw new Error(this.status ? this.status.textContent : "failed");
      this.becomeReady(info);
      return info;
    });
    this.ready.catch(() => {});
    this.watchdog = setInterval(() => this.watch(), 1000);
  }

  /** 启动 (或重新启动) Python worker. Start, or restart, the Python worker. */
  start() {
    this.pythonReady = new Promise((resolve, reject) => { this.resolvePython = resolve; this.rejectPython = reject; });
    this.pythonReady.catch(() => {});
    const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.channel = new Channel(worker);
    worker.onmessage = (event) => this.receive(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      if (this.state === "ready") this.restart();
      else this.loadingFailed(event.message || "worker.js", "worker.js");
    };
  }

  restart() {
    this.restarts += 1;
    this.state = "restarting";
    document.body.dataset.engine = "restarting";
    this.channel.close(Object.assign(new Error(t("restarting")), { fatal: true }));
    this.say("restarting", {}, "error");
    this.start();
    this.pythonReady.then((info) => { this.state = "ready"; this.readyInfo = info; this.becomeReady(info); },
      (error) => this.loadingFailed(error));
  }

  /** 检查文件; 有缺失时报告. Check the files and report a missing or incomplete one. */
  async checked(whole) {
    const bad = await checkFiles(whole);
    if (bad) this.fail(bad.file, bad);
    return bad;
  }

  /** 10 秒还没就绪: 读一遍每个文件, 找出不完整的. Not ready after 10 s: read every file for a truncated one. */
  watch() {
    if (this.state !== "loading") { clearInterval(this.watchdog); return; }
    const seconds = Math.round((performance.now() - this.started) / 1000);
    if (seconds * 1000 >= SLOW_CHECK_MS && !this.deepCheck) {
      this.deepCheck = this.checked(true).then((bad) => { this.filesOk = !bad; });
    }
    if (this.filesOk) this.say("still_loading", { s: seconds });
  }

  /** 加载出错: 先找缺少或不完整的文件 (先问 HEAD, 再读全文), 找不到才报告原来的错误.
   * Loading failed: name a missing or incomplete file if there is one, else report the error itself. */
  async loadingFailed(error, file = null) {
    const bad = await checkFiles(false) || await checkFiles(true);
    if (bad) this.fail(bad.file, bad);
    else this.fail(file, error instanceof Error ? error : new Error(error));
  }

  /** 状态行显示一段现成的文字. Show ready-made text in the status line. */
  show(text, kind = "") {
    this.say(text, {}, kind);
  }

  /** 状态行显示一个词 (切换语言时重新翻译). Show a word in the status line (translated again on toggle). */
  say(key, values = {}, kind = "") {
    this.message = [key, values, kind];
    if (!this.status) return;
    this.status.textContent = t(key, values);
    this.status.dataset.kind = kind;
  }

  fail(file, problem) {
    if (this.state === "failed") return;
    this.state = "failed";
    clearInterval(this.watchdog);
    document.body.dataset.engine = "failed";
    if (file && problem.want !== undefined) this.say("truncated_file", { file, got: problem.got, want: problem.want }, "error");
    else if (file && problem.status !== undefined) this.say("missing_file", { file, status: problem.status }, "error");
    else if (file) this.say("broken_file", { file, e: problem.message || problem }, "error");
    else this.say("failed", { e: problem.message || problem }, "error");
    this.rejectPython(new Error(this.status ? this.status.textContent : "failed"));
    this.channel.close(new Error("failed"));
  }

  becomeReady(info) {
    if (this.state === "failed") return;
    this.state = "ready";
    this.readyInfo = info;
    document.body.dataset.engine = "ready";
    this.refreshStatus();
  }

  /** 按当前语言重写状态行. Rewrite the status line in the current language. */
  refreshStatus() {
    if (this.state === "ready") {
      const info = this.readyInfo;
      if (this.restarts) this.say("restarted", { v: info.version }, "ok");
      else this.say("ready", { v: info.version, py: info.python, ms: info.ms }, "ok");
    } else {
      this.say(...this.message);
    }
  }

  receive(message) {
    if (message.type === "progress") {
      if (this.state === "loading") this.say(message.stage === "python" ? "loading_python" : "loading_package");
    } else if (message.type === "ready") {
      this.resolvePython(message);
    } else if (message.type === "failed") {
      if (this.state === "loading") this.loadingFailed(message.error);
      else this.rejectPython(new Error(message.error));
    } else if (message.type === "reply") {
      let reply;
      try {
        reply = JSON.parse(message.reply);
      } catch (error) {
        reply = { ok: false, error: String(error.message || error) };
      }
      this.channel.answer(message.id, (h) => (reply.ok ? h.resolve(reply.result)
        : h.reject(Object.assign(new Error(reply.fatal ? t("crashed", { e: reply.error }) : reply.error),
          { detail: reply }))));
      if (reply.fatal && this.state === "ready") this.restart();
    }
  }

  /** 发一个请求, 得到 Promise; 每个请求都会得到回复或错误. Send one request; it always settles. */
  async request(cmd, args = {}) {
    await this.ready;
    while (this.state === "restarting") await this.pythonReady;
    return this.channel.send({ request: { cmd, ...args } });
  }
}

/** 用 viz-js (Graphviz, 在排版 worker 里) 把 DOT 排成 SVG 元素. Lay out DOT text as an SVG element, off the main thread. */
export async function dotToSvg(dot) {
  return graphSvg(await layoutDot(dot));
}

/** 排好的 SVG 文本 → 按 Graphviz 原大小显示的 SVG 元素. Laid-out SVG text as an element at Graphviz's own size. */
export function graphSvg(svgText) {
  const svg = parseSvg(svgText);
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.classList.add("graph-svg");
  const box = svg.viewBox.baseVal;
  if (box && box.width) {
    // 按 Graphviz 的原大小显示 (1 pt = 4/3 px, 14 pt 的字约 19 px), 放不下时容器滚动.
    // Shown at Graphviz's own size (1 pt = 4/3 px): text is never shrunk; the box scrolls instead.
    svg.style.width = `${box.width * 4 / 3}px`;
    svg.style.maxWidth = "none";
  }
  return svg;
}

/** SVG 文本变成可放进页面的元素. SVG text as an element for the page. */
export function parseSvg(text) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  return document.importNode(doc.documentElement, true);
}

/** 分几次解析一张很大的 SVG (每次约 chunk 个字符, 之间让出主线程), 切口在顶层部件 (节点、边、框) 之间;
 * 解析好的 <svg> 元素可作为播放器的 data.svg: 上兆字节的图也不会让页面卡住.
 * Parse a very large SVG a piece at a time (about ``chunk`` characters each, giving the main thread back in
 * between), cut between top-level parts (nodes, edges, clusters); the element can be the player's data.svg,
 * so a picture of megabytes never blocks the page. Resolves to the <svg> element, or to the text itself when
 * it is small enough to parse at once (the player parses it). */
export async function parseSvgInPieces(text, chunk = 250000) {
  const head = /<g id="[^"]*" class="graph"[^>]*>/.exec(text);
  const close = text.lastIndexOf("</g>");
  if (!head || close < head.index || text.length <= chunk) return text;
  const bodyStart = head.index + head[0].length;
  const parse = (markup) => { // 与整张一起解析时一样 (HTML 解析器). As parsing it whole would (the HTML parser).
    const holder = document.createElement("div");
    holder.innerHTML = markup;
    return holder.firstElementChild;
  };
  const svg = parse(text.slice(0, bodyStart) + text.slice(close));
  const graph = svg.querySelector("g.graph");
  const cuts = [bodyStart];
  const part = /<g id="[^"]*" class="(?:node|edge|cluster)"/g;
  part.lastIndex = bodyStart;
  for (let match; (match = part.exec(text)) && match.index < close;) {
    if (match.index - cuts[cuts.length - 1] >= chunk) cuts.push(match.index);
  }
  cuts.push(close);
  const open = text.slice(0, text.lastIndexOf(">", head.index) + 1); // 根元素的标签. The root's tag.
  for (let k = 1; k < cuts.length; k++) {
    await new Promise((done) => setTimeout(done, 0));
    graph.append(...parse(`${open}${text.slice(cuts[k - 1], cuts[k])}</svg>`).childNodes);
  }
  return svg;
}

export function formatNumber(x) {
  if (x === null || x === undefined) return "—";
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}
