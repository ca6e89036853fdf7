// 表达式页: 输入表达式, 每个变量一个滑块和数字框; 值、梯度、计算图与逐步堆放都来自 worker 里的 micrograd_cn.
// The expression playground: every number and graph comes from micrograd_cn in the worker.
// State (expression, values, step, quiz, language) lives in the URL, so a link reproduces the exercise.
// The page never waits: Python runs in one worker, Graphviz in another, and while one answer is on its way
// newer input only replaces the next request (latest wins), so a dragged slider never queues work.
import {
  Engine, addWords, formatNumber, graphSvg, lang, layoutDot, params, parseSvgInPieces, saveParams, setupLanguage, t,
  translate,
} from "./common.js";

addWords({
  expression: ["表达式", "Expression"],
  expr_hint: ["可用: 数字、变量、+ - * / **、exp log sqrt tanh sigmoid relu softplus sin cos abs leaky_relu",
              "Allowed: numbers, variables, + - * / **, exp log sqrt tanh sigmoid relu softplus sin cos abs leaky_relu"],
  results: ["值与梯度", "Value and gradients"],
  value: ["值", "value"],
  quiz: ["测验模式 (自己算梯度)", "Quiz mode (work out the gradients)"],
  share: ["复制链接", "Copy link"],
  copied: ["已复制", "Copied"],
  copy_by_hand: ["请复制下面选中的链接", "Copy the selected link below"],
  share_field: ["这个练习的链接", "Link to this exercise"],
  steps_title: ["反向传播, 逐步堆放", "Backward pass, one accumulation at a time"],
  steps_hidden: ["测验模式: 点图中的节点, 写出它的梯度; 全部揭晓后再看步骤。",
                 "Quiz mode: click a node in the graph and type its gradient; the steps show after revealing."],
  variable_label: ["变量 {name} 的值", "value of {name}"],
  no_steps: ["这个表达式没有运算, 没有堆放。", "This expression has no operation, so nothing is accumulated."],
  too_many: ["图太大, 不逐步播放; 步骤列在下面。", "The graph is too big to step through; the steps are listed below."],
  stale: ["输入有误: 下面变灰的是上一个能计算的表达式 {text} 的结果。",
          "The input has an error: the greyed results below belong to the last expression that worked, {text}."],
  at_char: ["第 {n} 个字符:", "character {n}:"],
  use_fix: ["改成 {fix}", "Change to {fix}"],
  laying_out: ["正在排版计算图…", "Laying out the graph…"],
  layout_failed: ["计算图排版失败: {e}", "The graph could not be laid out: {e}"],
});

const DEFAULT_TEXT = "(a+b)*(b+1)";
const DEFAULT_VALUES = { a: 2, b: 1 };
const PHONE_PX = 600; // 比这窄的屏幕从上往下排图 (rankdir=TB). Narrower screens lay the graph out top to bottom.

const ui = Object.fromEntries(["status", "expr", "out-name", "error", "error-where", "fix", "variables", "grads",
  "quiz", "share", "share-field", "graph", "graph-note", "steps", "steps-hidden", "player", "stale"]
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
let timer = null;

let saveTimer = null;

/** 页面状态写进网址; 拖动滑块时一秒要写很多次, 所以最多每 200 ms 写一次 (now: 立刻写).
 * Write the page's state into the URL; a dragged slider asks many times a second, so it is written at most
 * every 200 ms (``now``: at once), and a long expression's URL is not rewritten on every move. */
function save(now = false) {
  clearTimeout(saveTimer);
  saveTimer = null;
  const write = () => {
    saveTimer = null;
    const v = Object.entries(state.values).map(([k, x]) => `${k}:${x}`).join(",");
    saveParams({ e: state.text, v, step: state.step, quiz: state.quiz ? 1 : null });
  };
  if (now) write();
  else saveTimer = setTimeout(write, 200);
}
addEventListener("pagehide", () => { if (saveTimer !== null) save(true); });

/** 只做最新的一次: 正在做时, 新的请求替换排队的那一个. Latest wins: while one run is on, a newer call
 * replaces the one waiting, so at most one runs and one waits. */
function latestWins(run) {
  let running = false;
  let waiting = null;
  async function pump() {
    running = true;
    while (waiting) {
      const { arg } = waiting;
      waiting = null;
      try {
        await run(arg);
      } catch (error) {
        console.error(error);
      }
    }
    running = false;
  }
  return (arg) => {
    waiting = { arg };
    if (!running) pump();
  };
}

function schedule(delay = 80) {
  clearTimeout(timer);
  timer = setTimeout(() => compute(), delay);
}

function rankdir() {
  return window.innerWidth < PHONE_PX ? "TB" : "LR";
}

const compute = latestWins(async () => {
  save();
  await engine.ready;
  const request = { text: state.text, values: { ...state.values }, lang, quiz: state.quiz, rankdir: rankdir() };
  let result;
  try {
    result = await engine.request("expression", request);
  } catch (error) {
    result = { ok: false, error: String(error.message || error) };
  }
  if (!result.ok) {
    showError(result);
    return;
  }
  hideError();
  for (const [name, value] of Object.entries(result.variables)) {
    if (!(name in state.values)) state.values[name] = value;
  }
  const previous = state.result;
  // 新的表达式从第 0 步开始; 只改了数值时停在原来那一步. A new expression starts at step 0; new values keep the step.
  if (previous && previous.text !== result.text) state.step = 0;
  if (state.step !== null && state.step > result.steps.events.length) state.step = result.steps.events.length;
  result.rankdir = request.rankdir;
  state.result = result;
  save();
  render();
  document.body.dataset.result = "ok";
});

/** 出错: 说明 (有位置就标出, 有建议就给一键改正), 旧的结果变灰并注明. An error: the message, its position
 * and fix when the parser gives them; the previous results are greyed with a note, never shown as current. */
function showError(result) {
  ui.error.textContent = result.error;
  ui.error.hidden = false;
  const position = result.position;
  ui.errorWhere.hidden = !(Number.isInteger(position) && position >= 0 && position <= state.text.length);
  if (!ui.errorWhere.hidden) {
    const from = Math.max(0, position - 24), to = Math.min(state.text.length, position + 25);
    const mark = document.createElement("mark");
    mark.textContent = state.text.slice(position, position + 1) || " ";
    const label = document.createElement("span");
    label.className = "where-label";
    label.textContent = t("at_char", { n: position + 1 });
    const code = document.createElement("code");
    code.append((from > 0 ? "…" : "") + state.text.slice(from, position), mark,
      state.text.slice(position + 1, to) + (to < state.text.length ? "…" : ""));
    ui.errorWhere.replaceChildren(label, " ", code);
  }
  const fix = typeof result.suggestion === "string" && result.suggestion ? result.suggestion : null;
  ui.fix.hidden = fix === null;
  if (fix !== null) {
    ui.fix.dataset.fix = fix;
    ui.fix.textContent = t("use_fix", { fix: fix.length > 60 ? `${fix.slice(0, 57)}…` : fix });
  }
  document.body.dataset.result = "error";
  if (state.result) {
    ui.stale.textContent = t("stale", { text: state.result.text.length > 60 ? `${state.result.text.slice(0, 57)}…`
      : state.result.text });
    ui.stale.hidden = false;
  }
  for (const part of document.querySelectorAll(".pg-stale-able")) part.inert = true;
}

function hideError() {
  ui.error.hidden = true;
  ui.errorWhere.hidden = true;
  ui.fix.hidden = true;
  ui.stale.hidden = true;
  for (const part of document.querySelectorAll(".pg-stale-able")) part.inert = false;
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

const CHUNK_ROWS = 100;
const chunkRuns = {};

/** 长列表分几次加到页面上, 每次之间浏览器画一帧, 没有一次排版卡住页面; 同一个列表又开始加时, 旧的停下.
 * Add the items from..to of a long list a chunk at a time, the browser drawing a frame in between, so no
 * single layout blocks the page; when the same list starts again, the older run stops. */
async function inChunks(list, from, to, add) {
  const run = (chunkRuns[list] = (chunkRuns[list] || 0) + 1);
  for (let start = from; start < to; start += CHUNK_ROWS) {
    if (start > from) {
      await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
      if (chunkRuns[list] !== run) return;
    }
    for (let k = start; k < Math.min(to, start + CHUNK_ROWS); k++) add(k);
  }
}

function renderVariables(result) {
  const names = Object.keys(result.variables);
  const rows = ui.variables.children;
  let same = 0; // 前面相同的行留着 (正拖着的滑块也在其中). Rows that match stay, a slider being dragged among them.
  while (same < rows.length && same < names.length && rows[same].dataset.name === names[same]) same++;
  while (rows.length > same) rows[rows.length - 1].remove();
  for (let k = 0; k < same; k++) updateVariableRow(rows[k], result.variables[names[k]]);
  inChunks("variables", same, names.length, (k) => {
    const row = makeVariableRow(names[k]);
    ui.variables.append(row);
    updateVariableRow(row, state.result.variables[names[k]]);
  });
}

/** 一行变量: 只在数值或语言变了时才写 (拖一个滑块时其余几百行不动). One variable's row, written only when its
 * value or the language changed: a dragged slider leaves the hundreds of other rows alone. */
function updateVariableRow(row, value) {
  const label = t("variable_label", { name: row.dataset.name });
  if (row.mgcnValue === value && row.mgcnLabel === label) return;
  row.mgcnValue = value;
  row.mgcnLabel = label;
  const [slider, box] = row.querySelectorAll("input");
  const [low, high] = sliderRange(value);
  if (document.activeElement !== slider) {
    slider.min = Math.min(low, Number(slider.min)); slider.max = Math.max(high, Number(slider.max));
    slider.value = value;
  }
  if (document.activeElement !== box) box.value = formatNumber(value);
  slider.setAttribute("aria-label", label);
  box.setAttribute("aria-label", label);
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
    compute(); // 不等计时器: 正在算时只替换排队的请求. No timer: while computing, only the waiting request changes.
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

/** 第 step 步时每个变量已知的梯度 (还没收到的为 null, 显示 "?"), 与图中相同.
 * The gradients known at step ``step`` (null, shown "?", for a variable nothing reached yet), as in the graph. */
function gradsAt(result, step) {
  const events = result.steps.events;
  if (step === null || step >= events.length) return result.grads;
  const known = Object.fromEntries(Object.keys(result.variables).map((name) => [name, null]));
  for (const event of events.slice(0, step)) {
    if (event.to in known) known[event.to] = event.after;
  }
  return known;
}

/** 一张表的行 (表头一行, 再每个变量一行) 按需增删, 然后只写变了的文字. The rows of a table, added or removed
 * as needed, then only texts that changed are written: a slider move does not rebuild hundreds of rows. */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function renderGrads(result) {
  const names = Object.keys(result.variables);
  const rows = ui.grads.rows;
  while (rows.length > names.length + 1) ui.grads.deleteRow(-1);
  if (!rows.length) ui.grads.insertRow(-1).append(document.createElement("th"), document.createElement("td"));
  const head = rows[0];
  head.className = "value-row";
  setText(head.cells[0], `${result.out} (${t("value")})`);
  setText(head.cells[1], formatNumber(result.value));
  const grads = gradsAt(result, state.step);
  const write = (k) => {
    const name = names[k], row = rows[k + 1];
    row.dataset.var = name;
    setText(row.cells[0], `∂${result.out}/∂${name}`);
    // 测验中梯度隐藏, 学生在播放器里作答. In a quiz the gradients are hidden; students answer in the player.
    const grad = grads[name];
    setText(row.cells[1], state.quiz || grad === null || grad === undefined ? "?" : formatNumber(grad));
  };
  const had = rows.length - 1;
  for (let k = 0; k < had; k++) write(k);
  // 新的行分几次加; 表又画一次时, 旧的一轮就停下. New rows come in chunks; a newer drawing stops this one.
  inChunks("grads", had, names.length, (k) => {
    ui.grads.insertRow(-1).append(document.createElement("th"), document.createElement("td"));
    write(k);
  });
  ui.grads.dataset.step = state.step === null ? "end" : String(state.step);
}

function renderSteps(result) {
  const events = result.steps.events;
  ui.steps.hidden = state.quiz;
  ui.stepsHidden.hidden = !state.quiz;
  if (!events.length) {
    const li = document.createElement("li");
    li.className = "empty";
    li.textContent = t("no_steps");
    ui.steps.replaceChildren(li);
    return;
  }
  const items = ui.steps.children;  // 原有的项只改文字, 新的分几次加. Existing items get new text, new ones come in chunks.
  if (items.length && !items[0].dataset.step) ui.steps.replaceChildren();
  while (items.length > events.length) items[items.length - 1].remove();
  const write = (k) => {
    const event = state.result.steps.events[k];
    setText(items[k], lang === "zh" ? event.equation_zh : event.equation_en);
    items[k].classList.toggle("current", state.step === k + 1);
  };
  const had = items.length;
  for (let k = 0; k < had; k++) write(k);
  inChunks("steps", had, events.length, (k) => {
    const li = document.createElement("li");
    li.dataset.step = String(k + 1);
    ui.steps.append(li);
    write(k);
  });
}

ui.steps.addEventListener("click", (event) => {
  const li = event.target.closest("li[data-step]");
  if (li && player) player.show(Number(li.dataset.step), true);
});

let player = null;

/** 排版 (在排版 worker 里) 并显示; 同时只排一张, 排好时若已有更新的结果就先排新的.
 * Lay out (in the layout worker) and show; one layout at a time, and only the newest result is laid out. */
const renderGraph = latestWins(async (result) => {
  if (result !== state.result) return;
  let svgText;
  try {
    svgText = await layoutDot(result.player ? result.player.dot : result.dot);
  } catch (error) {
    ui.graphNote.textContent = t("layout_failed", { e: String(error.message || error) });
    ui.graphNote.hidden = false;
    return;
  }
  if (result !== state.result) return; // 已有更新的结果. A newer result is waiting.
  if (result.player && globalThis.MicrogradPlayer) await showPlayer(result, svgText);
  else showWhole(result, svgText);
});

/** 不逐步播放的大图: 整张图放进可滚动的框. A graph too big to step through: the whole picture in a scroll box. */
function showWhole(result, svgText) {
  const svg = graphSvg(svgText);
  player = null;
  ui.player.replaceChildren();
  ui.player.hidden = true;
  ui.graph.replaceChildren(svg);
  ui.graph.hidden = false;
  const notes = [...result.notes, ...(result.player ? [] : [t("too_many")])];
  ui.graphNote.hidden = notes.length === 0;
  ui.graphNote.textContent = notes.join(" ");
}

/** 视图能否沿用: 同一个表达式、同样的排版方式, 只是数值变了. Same expression and look, only new values. */
function sameGraph(a, b) {
  return a && b && a.text === b.text && a.lang === b.lang && a.quiz === b.quiz && a.rankdir === b.rankdir
    && a.nodes === b.nodes;
}

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** SVG 文本中每个 <text> 的文字 (按出现顺序), 不必把整张图解析成 DOM. The content of every <text> element
 * of SVG text, in order, read without parsing the whole picture into a DOM. */
function svgTexts(svgText) {
  return [...svgText.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].replace(/&(#x?[0-9a-f]+|\w+);/gi,
    (whole, code) => (code[0] === "#" ? String.fromCodePoint(code[1] === "x" || code[1] === "X"
      ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10)) : ENTITIES[code] ?? whole)));
}

/** 只是数值变了 (同一个表达式、同一张图): 在原来的图里换文字, 换上新的步骤数据, 不重新挂载.
 * Only the values changed: write the new texts into the picture on screen and give the player the new
 * steps, without mounting again, so the view, the selection and the step stay and the page never waits
 * for a whole new picture. Returns false when the pictures do not match (then the page mounts afresh). */
function updateValues(p, data, svgText) {
  const texts = svgTexts(svgText);
  const elements = p.views.all.texts();
  if (texts.length !== elements.length || p.quiz || p.views.neurons) return false;
  elements.forEach((element, i) => { if (element.textContent !== texts[i]) element.textContent = texts[i]; });
  const view = viewOf(p);
  p.data = Object.assign(data, { svg: null, start: p.step });
  p.show(p.step, false);
  if (p.selected !== null) p.select(p.selected, false); // 讲解用新的数. The explanation with the new numbers.
  // 视野不动 (之后视口变大小时也不重新适合). The view does not move, nor refit on a later resize.
  Object.assign(p.view, { scale: view.scale, x: view.x, y: view.y, chosen: view.chosen, mode: view.mode,
                          fitted: view.fitted });
  p.apply(false);
  return true;
}

/** 播放器 (micrograd_cn/viz/assets/player.js): 页面把 worker 排好的 SVG 放进 data.svg 再 mount.
 * The one player front-end: the page puts the SVG laid out in the worker into data.svg and mounts. */
async function showPlayer(result, svgText) {
  const n = result.steps.events.length;
  const data = { ...result.player.data, svg: svgText, start: state.step === null ? n : state.step };
  const shape = { text: result.text, lang, quiz: state.quiz, rankdir: result.rankdir, nodes: data.nodes.length };
  const same = player && sameGraph(player.shape, shape);
  if (same && updateValues(player, data, svgText)) return;
  // 大图分几次解析, 每次之间页面照常响应. A large picture is parsed a piece at a time; the page stays responsive.
  data.svg = await parseSvgInPieces(svgText);
  if (result !== state.result) return;
  const keep = same ? viewOf(player) : null;
  const root = document.createElement("div");
  root.className = "mgcn-player";
  root.tabIndex = 0;
  root.lang = lang === "zh" ? "zh-CN" : "en";
  const hadFocus = player && player.root.contains(document.activeElement);
  ui.graph.hidden = true;
  ui.graphNote.hidden = true;
  ui.player.hidden = false;
  // 窄时播放器收起累计表 (player.js 的 NARROW_PX); 先收起, 第一次排版就不必排上千行的表.
  // The player hides its totals when narrow (player.js's NARROW_PX); hidden from the start, the first
  // layout does not lay out a table of a thousand rows only to hide it.
  if (ui.player.clientWidth < 1000) root.classList.add("mgcn-no-side");
  ui.player.replaceChildren(root);
  player = globalThis.MicrogradPlayer.mount(root, data);
  player.shape = shape;
  if (keep) restoreView(player, keep);
  pinchZoom(player);
  if (hadFocus || document.activeElement === document.body) root.focus({ preventScroll: true });
  const revealAll = root.querySelector('[data-act="reveal-all"]');
  if (revealAll) {
    revealAll.addEventListener("click", () => { // 揭晓之后回到逐步播放. After revealing, back to stepping.
      state.quiz = false;
      ui.quiz.checked = false;
      state.step = n;
      save();
      renderGrads(state.result);
      renderSteps(state.result);
    });
  }
  root.addEventListener("mgcn-step", (event) => {
    const step = event.detail.step;
    if (step === state.step || (state.step === null && step === n)) return;
    state.step = step;
    save();
    markStep();
    renderGrads(state.result); // 左边的表跟着步骤走. The table follows the step.
  });
  markStep();
}

/** 播放器当前的缩放、平移、选中与跟随. The player's zoom, pan, selection and follow. */
function viewOf(p) {
  const v = p.view;
  // chosen/mode/fitted: 播放器以后调整大小时按这些决定是否重新适合. What the player refits by on a resize.
  return { scale: v.scale, x: v.x, y: v.y, chosen: v.chosen, mode: v.mode, fitted: v.fitted, selected: p.selected,
           follow: p.follow };
}

/** 新的播放器沿用旧的视图: 它第一次 "适合" 时改为恢复旧的缩放与平移. The new player keeps the old view:
 * its first fit (when the viewport is first measured) restores the old zoom and pan instead. */
function restoreView(p, keep) {
  const fit = p.fit, readable = p.readable;
  // 播放器第一次量到视口时调用 fit 或 readable; 那一次改为恢复. The first fit or readable restores instead.
  p.fit = p.readable = function restoreOnce() {
    p.fit = fit;
    p.readable = readable;
    Object.assign(p.view, { scale: keep.scale, x: keep.x, y: keep.y, chosen: keep.chosen, mode: keep.mode,
                            fitted: true });
    p.clampPan();
    p.apply(false);
  };
  if (p.follow !== keep.follow) p.act("follow");
  if (keep.selected !== null && keep.selected < p.data.nodes.length && !p.quiz) p.select(keep.selected, false);
}

/** 手机上两指捏合缩放 (一指仍是平移). Pinch to zoom on a phone; one finger still pans. */
function pinchZoom(p) {
  const vp = p.viewport, fingers = new Map();
  let pinch = null;
  vp.style.touchAction = "none";
  const spread = () => {
    const [a, b] = [...fingers.values()];
    return { d: Math.hypot(a.x - b.x, a.y - b.y), x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  };
  vp.addEventListener("pointerdown", (event) => {
    if (event.pointerType !== "touch") return;
    fingers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (fingers.size === 2) {
      pinch = { start: spread(), scale: p.view.scale };
      event.stopPropagation();
    }
  }, true);
  vp.addEventListener("pointermove", (event) => {
    if (!fingers.has(event.pointerId)) return;
    fingers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (!pinch || fingers.size < 2) return;
    event.stopPropagation(); // 两指时不平移. No panning with two fingers.
    const now = spread(), rect = vp.getBoundingClientRect();
    if (pinch.start.d > 0) p.zoomTo(pinch.scale * now.d / pinch.start.d, now.x - rect.left, now.y - rect.top, false);
  }, true);
  const lift = (event) => {
    fingers.delete(event.pointerId);
    if (fingers.size < 2) pinch = null;
  };
  vp.addEventListener("pointerup", lift, true);
  vp.addEventListener("pointercancel", lift, true);
}

// 不用先点一下: 焦点不在输入框时, 方向键等交给播放器 (用它自己的按键表).
// Keys without a click: when no field has the focus, keys go to the player, which uses its own key map.
document.addEventListener("keydown", (event) => {
  if (!player || player.root.contains(event.target) || event.defaultPrevented) return;
  if (event.target.closest && event.target.closest("input, textarea, select, button, a, [contenteditable]")) return;
  const copy = new KeyboardEvent("keydown", { key: event.key, code: event.code, shiftKey: event.shiftKey,
    ctrlKey: event.ctrlKey, metaKey: event.metaKey, altKey: event.altKey, cancelable: true });
  player.root.dispatchEvent(copy);
  if (copy.defaultPrevented) event.preventDefault();
});

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

// ---- 分享 sharing -----------------------------------------------------------------------------------

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);
let shareBase = null;

/** 在本机打开的页面: 服务器的 config.json 给出局域网地址时 ({"share": "http://192.168.1.5:8000/", ...}),
 * 分享的链接用它 (学生打不开 127.0.0.1); 否则用本页的地址.
 * On a page opened on this machine, share links use the LAN address the server's config.json names
 * (students cannot open 127.0.0.1); otherwise this page's own address. */
async function findShareBase() {
  if (!LOOPBACK.has(location.hostname) || shareBase !== null) return;
  shareBase = "";
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    if (!response.ok) return;
    const share = (await response.json()).share;
    if (typeof share === "string" && /^https?:\/\//.test(share) && !LOOPBACK.has(new URL(share).hostname)) {
      shareBase = share;
    }
  } catch { /* 没有局域网地址. No LAN address. */ }
}

async function shareUrl() {
  save(true);
  await findShareBase();
  if (!shareBase) return location.href;
  const page = location.pathname.split("/").pop() || "playground.html";
  return new URL(page + location.search, shareBase).href;
}

function flashShare(key) {
  ui.share.textContent = t(key);
  setTimeout(() => translate(ui.share.parentElement), 1500);
}

ui.share.addEventListener("click", async () => {
  const url = await shareUrl();
  ui.shareField.value = url;
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(url);
      ui.shareField.hidden = true;
      flashShare("copied");
      return;
    } catch { /* 没有权限: 用下面的办法. No permission: fall back below. */ }
  }
  // 不是安全上下文 (局域网的 http 地址): 选中一个文本框再复制, 复制不了就让人手动复制.
  // No secure context (a LAN http address): select a text field and copy; if that fails, it stays selected.
  ui.shareField.hidden = false;
  ui.shareField.focus();
  ui.shareField.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch { copied = false; }
  flashShare(copied ? "copied" : "copy_by_hand");
});

ui.fix.addEventListener("click", () => {
  state.text = ui.expr.value = ui.fix.dataset.fix;
  ui.expr.focus();
  schedule(0);
});

ui.expr.value = state.text;
ui.expr.addEventListener("input", () => { state.text = ui.expr.value; schedule(150); });
ui.quiz.checked = state.quiz;
ui.quiz.addEventListener("change", () => { state.quiz = ui.quiz.checked; schedule(0); });
let lastRankdir = rankdir();
window.addEventListener("resize", () => {
  if (rankdir() !== lastRankdir) { lastRankdir = rankdir(); schedule(200); }
});

setupLanguage(() => {
  engine.refreshStatus();
  schedule(0); // 图、步骤与出错的说明都用新的语言重算. Graph, steps and any error note come back in the new language.
});

engine.ready.then(() => compute(), () => {});
