// 表达式页: 输入表达式, 每个变量一个滑块和数字框; 值、梯度、计算图与逐步堆放都来自 worker 里的 micrograd_cn.
// The expression playground: every number and graph comes from micrograd_cn in the worker.
// State (expression, values, step, quiz, language) lives in the URL, so a link reproduces the exercise.
import { Engine, addWords, dotToSvg, formatNumber, lang, params, saveParams, setupLanguage, t, translate }
  from "./common.js";

addWords({
  expression: ["表达式", "Expression"],
  expr_hint: ["可用: 数字、变量、+ - * / **、exp log sqrt tanh sigmoid relu softplus sin cos abs leaky_relu",
              "Allowed: numbers, variables, + - * / **, exp log sqrt tanh sigmoid relu softplus sin cos abs leaky_relu"],
  results: ["值与梯度", "Value and gradients"],
  value: ["值", "value"],
  quiz: ["测验模式 (自己算梯度)", "Quiz mode (work out the gradients)"],
  share: ["复制链接", "Copy link"],
  copied: ["已复制", "Copied"],
  steps_title: ["反向传播, 逐步堆放", "Backward pass, one accumulation at a time"],
  steps_hidden: ["测验模式: 点图中的节点, 写出它的梯度; 全部揭晓后再看步骤。",
                 "Quiz mode: click a node in the graph and type its gradient; the steps show after revealing."],
  variable_label: ["变量 {name} 的值", "value of {name}"],
  no_steps: ["这个表达式没有运算, 没有堆放。", "This expression has no operation, so nothing is accumulated."],
  too_many: ["图太大, 不逐步播放; 步骤列在下面。", "The graph is too big to step through; the steps are listed below."],
});

const DEFAULT_TEXT = "(a+b)*(b+1)";
const DEFAULT_VALUES = { a: 2, b: 1 };

const ui = Object.fromEntries(["status", "expr", "out-name", "error", "variables", "grads", "quiz", "share",
  "graph", "graph-note", "steps", "steps-hidden", "player"]
  .map((id) => [id.replace(/-(.)/g, (_, c) => c.toUpperCase()), document.getElementById(id)]));

function readValues(text) {
  const values = {};
  for (const item of (text || "").split(",")) {
    const [name, value] = item.split(":");
    if (name && value !== undefined && Number.isFinite(Number(value))) values[name.trim()] = Number(value);
  }
  return values;
}

const state = {
  text: params.get("e") ?? DEFAULT_TEXT,
  values: params.has("v") ? readValues(params.get("v")) : { ...DEFAULT_VALUES },
  step: params.has("step") ? Math.max(0, parseInt(params.get("step"), 10) || 0) : null,
  quiz: params.get("quiz") === "1",
  result: null,
};

const engine = new Engine(ui.status);
let requestNumber = 0;
let timer = null;

function save() {
  const v = Object.entries(state.values).map(([k, x]) => `${k}:${x}`).join(",");
  saveParams({ e: state.text, v, step: state.step, quiz: state.quiz ? 1 : null });
}

function schedule(delay = 80) {
  clearTimeout(timer);
  timer = setTimeout(compute, delay);
}

async function compute() {
  const number = ++requestNumber;
  save();
  await engine.ready;
  let result;
  try {
    result = await engine.request("expression", { text: state.text, values: state.values, lang, quiz: state.quiz });
  } catch (error) {
    result = { ok: false, error: String(error.message || error) };
  }
  if (number !== requestNumber) return; // 已有更新的请求. A newer request is on its way.
  if (!result.ok) {
    ui.error.textContent = result.error;
    ui.error.hidden = false;
    document.body.dataset.result = "error";
    return;
  }
  ui.error.hidden = true;
  for (const [name, value] of Object.entries(result.variables)) {
    if (!(name in state.values)) state.values[name] = value;
  }
  state.result = result;
  if (state.step !== null && state.step > result.steps.events.length) state.step = result.steps.events.length;
  save();
  render();
  document.body.dataset.result = "ok";
}

function render() {
  const result = state.result;
  if (!result) return;
  ui.outName.textContent = `${result.out} =`;
  renderVariables(result);
  renderGrads(result);
  renderSteps(result);
  renderGraph(result);
}

function sliderRange(value) {
  const span = Math.max(5, Math.ceil(Math.abs(value) * 2));
  return [-span, span];
}

function renderVariables(result) {
  const names = Object.keys(result.variables);
  const existing = [...ui.variables.children].map((row) => row.dataset.name);
  if (existing.join("\u0000") !== names.join("\u0000")) {
    ui.variables.replaceChildren(...names.map(makeVariableRow));
  }
  for (const row of ui.variables.children) {
    const value = result.variables[row.dataset.name];
    const [slider, box] = row.querySelectorAll("input");
    const [low, high] = sliderRange(value);
    if (document.activeElement !== slider) {
      slider.min = Math.min(low, Number(slider.min)); slider.max = Math.max(high, Number(slider.max));
      slider.value = value;
    }
    if (document.activeElement !== box) box.value = formatNumber(value);
    slider.setAttribute("aria-label", t("variable_label", { name: row.dataset.name }));
    box.setAttribute("aria-label", t("variable_label", { name: row.dataset.name }));
  }
}

function makeVariableRow(name) {
  const row = document.createElement("div");
  row.className = "variable";
  row.dataset.name = name;
  const label = document.createElement("label");
  label.textContent = name;
  const slider = document.createElement("input");
  slider.type = "range";
  slider.step = "0.1";
  const [low, high] = sliderRange(state.values[name] ?? 1);
  slider.min = low; slider.max = high;
  const box = document.createElement("input");
  box.type = "number";
  box.step = "any";
  box.className = "number";
  box.dataset.var = name;
  slider.addEventListener("input", () => {
    state.values[name] = Number(slider.value);
    box.value = slider.value;
    schedule(30);
  });
  box.addEventListener("input", () => {
    const value = Number(box.value);
    if (box.value.trim() === "" || !Number.isFinite(value)) return;
    state.values[name] = value;
    schedule();
  });
  label.htmlFor = box.id = `var-${name}`;
  row.append(label, slider, box);
  return row;
}

function renderGrads(result) {
  const rows = [];
  const head = document.createElement("tr");
  head.innerHTML = "<th></th><td></td>";
  head.querySelector("th").textContent = `${result.out} (${t("value")})`;
  head.querySelector("td").textContent = formatNumber(result.value);
  head.className = "value-row";
  rows.push(head);
  for (const name of Object.keys(result.variables)) {
    const row = document.createElement("tr");
    row.dataset.var = name;
    const th = document.createElement("th");
    th.textContent = `∂${result.out}/∂${name}`;
    const td = document.createElement("td");
    // 测验中梯度隐藏, 学生在播放器里作答. In a quiz the gradients are hidden; students answer in the player.
    td.textContent = state.quiz ? "?" : formatNumber(result.grads[name]);
    row.append(th, td);
    rows.push(row);
  }
  ui.grads.replaceChildren(...rows);
}

function renderSteps(result) {
  const events = result.steps.events;
  ui.steps.hidden = state.quiz;
  ui.stepsHidden.hidden = !state.quiz;
  const items = events.map((event, k) => {
    const li = document.createElement("li");
    li.dataset.step = String(k + 1);
    li.textContent = lang === "zh" ? event.equation_zh : event.equation_en;
    li.addEventListener("click", () => goTo(k + 1));
    if (state.step === k + 1) li.classList.add("current");
    return li;
  });
  if (!events.length) {
    const li = document.createElement("li");
    li.className = "empty";
    li.textContent = t("no_steps");
    items.push(li);
  }
  ui.steps.replaceChildren(...items);
}

let graphToken = 0;
let player = null;

/** 播放器 (micrograd_cn/viz/assets/player.js): 页面用 viz-js 排版 Python 给的 DOT, 放进 data.svg 再 mount.
 * The one player front-end: the page lays out the DOT from Python with viz-js, puts it in data.svg and mounts. */
async function renderGraph(result) {
  const token = ++graphToken;
  const usePlayer = result.player && globalThis.MicrogradPlayer;
  if (!usePlayer) {
    const svg = await dotToSvg(result.dot);
    if (token !== graphToken) return;
    player = null;
    ui.player.replaceChildren();
    ui.player.hidden = true;
    ui.graph.replaceChildren(svg);
    ui.graph.hidden = false;
    const notes = [...result.notes, ...(result.player ? [] : [t("too_many")])];
    ui.graphNote.hidden = notes.length === 0;
    ui.graphNote.textContent = notes.join(" ");
    return;
  }
  const svg = await dotToSvg(result.player.dot);
  if (token !== graphToken) return;
  svg.removeAttribute("style");
  const n = result.steps.events.length;
  const data = { ...result.player.data, svg: svg.outerHTML, start: state.step === null ? n : state.step };
  const root = document.createElement("div");
  root.className = "mgcn-player";
  root.tabIndex = 0;
  root.lang = lang === "zh" ? "zh-CN" : "en";
  ui.graph.hidden = true;
  ui.graphNote.hidden = true;
  ui.player.hidden = false;
  ui.player.replaceChildren(root);
  player = globalThis.MicrogradPlayer.mount(root, data);
  const revealAll = root.querySelector('[data-act="reveal-all"]');
  if (revealAll) {
    revealAll.addEventListener("click", () => { // 揭晓之后回到逐步播放. After revealing, back to stepping.
      state.quiz = false;
      ui.quiz.checked = false;
      state.step = n;
      save();
      renderGrads(result);
      renderSteps(result);
    });
  }
  new MutationObserver(() => {
    const step = Number(root.getAttribute("data-step"));
    if (step === state.step || (state.step === null && step === n)) return;
    state.step = step;
    save();
    markStep();
  }).observe(root, { attributes: true, attributeFilter: ["data-step"] });
  markStep();
}

function markStep() {
  for (const li of ui.steps.children) li.classList.toggle("current", Number(li.dataset.step) === state.step);
  const current = ui.steps.querySelector(".current");
  if (!current) return;
  // 只滚动步骤列表, 不滚动整页. Scroll the list only, never the page.
  const item = current.getBoundingClientRect(), list = ui.steps.getBoundingClientRect();
  if (item.top < list.top || item.bottom > list.bottom) {
    ui.steps.scrollTop += item.top - list.top - (list.height - item.height) / 2;
  }
}

function goTo(step) {
  if (player) player.show(step, true);
}

ui.expr.value = state.text;
ui.expr.addEventListener("input", () => { state.text = ui.expr.value; schedule(150); });
ui.quiz.checked = state.quiz;
ui.quiz.addEventListener("change", () => { state.quiz = ui.quiz.checked; schedule(0); });
ui.share.addEventListener("click", async () => {
  save();
  try {
    await navigator.clipboard.writeText(location.href);
    ui.share.textContent = t("copied");
  } catch {
    prompt(t("share"), location.href);
  }
  setTimeout(() => translate(ui.share.parentElement), 1500);
});

setupLanguage(() => schedule(0));
engine.ready.then(() => compute(), () => {});
