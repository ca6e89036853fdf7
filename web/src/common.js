// 各页共用: 语言切换 (记在网址里)、与 worker 通信、用 viz-js 把 DOT 排成 SVG.
// Shared by every page: the language toggle (kept in the URL), the worker client,
// and laying out DOT text as SVG with viz-js (loaded from this site by a <script> tag).

const WORDS = {
  site: ["micrograd_cn 课堂", "micrograd_cn classroom"],
  nav_playground: ["表达式与反向传播", "Expression playground"],
  nav_train: ["训练神经网络", "Train a network"],
  nav_home: ["首页", "Home"],
  toggle: ["English", "中文"],
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

/** 与 worker 中的 micrograd_cn 通信. Talks to micrograd_cn in the worker. */
export class Engine {
  constructor(statusElement) {
    this.status = statusElement;
    this.pending = new Map();
    this.nextId = 1;
    this.state = "loading";
    this.readyInfo = null;
    this.ready = new Promise((resolve, reject) => { this.resolveReady = resolve; this.rejectReady = reject; });
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.worker.onmessage = (event) => this.receive(event.data);
    this.worker.onerror = (event) => this.fail(event.message || "worker error");
    this.show(t("loading_python"));
  }

  show(text, kind = "") {
    if (!this.status) return;
    this.status.textContent = text;
    this.status.dataset.kind = kind;
  }

  fail(error) {
    this.state = "failed";
    this.show(t("failed", { e: error }), "error");
    this.rejectReady(new Error(error));
  }

  refreshStatus() {
    if (this.state === "ready") {
      const info = this.readyInfo;
      this.show(t("ready", { v: info.version, py: info.python, ms: info.ms }), "ok");
    }
  }

  receive(message) {
    if (message.type === "progress") {
      this.show(t(message.stage === "python" ? "loading_python" : "loading_package"));
    } else if (message.type === "ready") {
      this.state = "ready";
      this.readyInfo = message;
      document.body.dataset.engine = "ready";
      this.refreshStatus();
      this.resolveReady(message);
    } else if (message.type === "failed") {
      this.fail(message.error);
    } else if (message.type === "reply") {
      const handlers = this.pending.get(message.id);
      this.pending.delete(message.id);
      const reply = JSON.parse(message.reply);
      if (reply.ok) handlers.resolve(reply.result);
      else handlers.reject(new Error(reply.error));
    }
  }

  /** 发一个请求, 得到 Promise. Send one request; returns a Promise of its result. */
  request(cmd, args = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, request: { cmd, ...args } });
    });
  }
}

let vizInstance = null;

/** 用 viz-js (Graphviz) 把 DOT 排成 SVG 元素. Lay out DOT text as an SVG element with viz-js. */
export async function dotToSvg(dot) {
  if (!vizInstance) vizInstance = globalThis.Viz.instance();
  const viz = await vizInstance;
  const svg = viz.renderSVGElement(dot);
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

export function formatNumber(x) {
  if (x === null || x === undefined) return "—";
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}
