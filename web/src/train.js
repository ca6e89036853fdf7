// 训练页 (像 TensorFlow Playground): 数据、网络、训练设置; 每个数 (损失、准确率、每个神经元的热图、局部图)
// 都由 worker 里真正的 micrograd_cn 算出 (micrograd_cn/app/trainer.py). 设置记在网址里.
// The training page, TensorFlow-Playground style; every number comes from micrograd_cn in the worker.
import { Engine, addWords, dotToSvg, formatNumber, lang, params, saveParams, setupLanguage, t } from "./common.js";

addWords({
  play: ["▶ 训练", "▶ Train"],
  pause: ["⏸ 暂停", "⏸ Pause"],
  one_step: ["一步", "One step"],
  reset: ["重新初始化", "Re-initialise"],
  steps: ["步数", "Steps"],
  epochs: ["轮数", "Epochs"],
  train_loss: ["训练损失", "Training loss"],
  test_loss: ["测试损失", "Test loss"],
  accuracy: ["测试准确率", "Test accuracy"],
  data: ["数据", "Data"],
  dataset: ["数据集", "Dataset"],
  moons: ["双月 moons", "moons"],
  circles: ["同心圆 circles", "circles"],
  xor: ["异或 xor", "xor"],
  spiral: ["螺旋 spiral", "spiral"],
  noise: ["噪声", "Noise"],
  test_share: ["测试集 %", "Test data %"],
  click_mode: ["点击画布", "Clicking the plane"],
  add0: ["加类别 0", "adds class 0"],
  add1: ["加类别 1", "adds class 1"],
  erase: ["删除点", "removes a point"],
  model: ["网络", "Network"],
  layers: ["隐藏层数", "Hidden layers"],
  width: ["每层神经元", "Neurons per layer"],
  activation: ["激活函数", "Activation"],
  training: ["训练", "Training"],
  loss_fn: ["损失函数", "Loss"],
  hinge: ["hinge (最大间隔)", "hinge (max margin)"],
  bce: ["交叉熵 (logits)", "cross-entropy (logits)"],
  mse: ["均方误差", "squared error"],
  optimizer: ["优化器", "Optimizer"],
  momentum: ["SGD + 动量 0.9", "SGD + momentum 0.9"],
  lr: ["学习率", "Learning rate"],
  batch: ["批大小", "Batch size"],
  l2: ["L2 正则 α", "L2 penalty α"],
  network: ["网络 (点一个神经元看它的局部计算图)", "Network (click a neuron to see its local graph)"],
  layer_in: ["输入", "in"],
  layer_hidden: ["第 {l} 层", "layer {l}"],
  layer_out: ["输出", "out"],
  sample: ["样本", "Sample"],
  sample_hint: ["空着: 用当前损失最大的训练点", "Empty: the training point with the largest loss now"],
  sample_range: ["样本编号必须是 0 到 {last} 之间的整数, 收到 {v}", "The sample number must be an integer from 0 to {last}, got {v}"],
  boundary: ["网络的输出", "The network's output"],
  legend_colour: ["颜色: 神经元的输出 (网络输出大于 0 判为类别 1)",
    "Colour: a neuron's output (a network output above 0 means class 1)"],
  class0: ["类别 0", "class 0"],
  class1: ["类别 1", "class 1"],
  test_points: ["黑边: 测试点", "dark ring: test point"],
  loss_curve: ["损失曲线", "Loss curve"],
  axis_steps: ["步数", "steps"],
  neuron_title: ["第 {l} 层 第 {j} 个神经元", "Layer {l}, neuron {j}"],
  output_title: ["输出神经元", "Output neuron"],
  input_title: ["输入 {name}", "Input {name}"],
  bad_integer: ["「{label}」必须是 {min} 到 {max} 之间的整数, 收到 {v}", "“{label}” must be an integer from {min} to {max}, got {v}"],
  bad_number: ["「{label}」必须是 {min} 到 {max} 之间的数, 收到 {v}", "“{label}” must be a number from {min} to {max}, got {v}"],
  bad_choice: ["「{label}」没有 {v} 这个选项", "“{label}” has no option {v}"],
});

// 网址里的名字 → 控件与默认值. URL key → control and default.
const SETTINGS = {
  ds: ["dataset", "moons"], noise: ["noise", 0.1], test: ["test-share", 50], layers: ["layers", 2],
  width: ["width", 8], act: ["activation", "relu"], loss: ["loss-fn", "hinge"], opt: ["optimizer", "sgd"],
  lr: ["lr", 0.1], batch: ["batch", 10], l2: ["l2", 0],
};
const DATA_KEYS = ["ds", "noise", "test"]; // 改它们就换一份数据. Changing these makes new points.
// 秒: 播放时 worker 每隔这么久 (连同画面) 回答一次; 比 0.1 略短, 加上往返也有每秒 10 次以上的画面.
// Seconds of work per reply while playing, a little under 0.1 so that with the round trip a class still
// sees at least 10 views a second.
const VIEW_PERIOD = 0.09;

const ids = ["status", "settings-error", "play", "step", "reset", "steps-count", "epochs-count", "train-loss",
  "test-loss", "accuracy", "network", "neuron", "neuron-title", "sample", "sample-error", "neuron-caption",
  "neuron-graph", "plane", "curve"];
const ui = Object.fromEntries(ids.map((id) => [id.replace(/-(.)/g, (_, c) => c.toUpperCase()),
  document.getElementById(id)]));

const engine = new Engine(ui.status);
const settings = {};
let view = null; // 最近显示的画面. The view on screen.
let points = []; // 页面上的点 [x1, x2, 类别, 是否测试], 与 worker 的顺序相同. The points, in the worker's order.
let history = []; // 损失记录 [步数, 训练损失, 测试损失]. Loss history entries.
let playing = false;
let looping = false;
let selected = null; // 选中的神经元 [layer, index]. The selected neuron.
let views = 0; // 显示过的画面数 (基准测试读它). Views drawn so far (read by the benchmark).

// ---- 设置 settings ---------------------------------------------------------------------------

function control(key) {
  return document.getElementById(SETTINGS[key][0]);
}

function labelOf(element) {
  return element.closest("label").querySelector("span").textContent.trim();
}

/** 按控件自己的 min/max/step 检查一个值; 错误信息用页面上看得见的标签. Check a value against its control. */
function checked(key, text) {
  const element = control(key);
  const label = labelOf(element);
  if (element.tagName === "SELECT") {
    const ok = [...element.options].some((option) => option.value === text);
    return ok ? { value: text } : { error: t("bad_choice", { label, v: text }) };
  }
  const value = Number(text);
  const min = Number(element.min), max = Number(element.max);
  const integer = element.step !== "any" && Number.isInteger(Number(element.step));
  const ok = text.trim() !== "" && Number.isFinite(value) && value >= min && value <= max
    && (!integer || Number.isInteger(value));
  return ok ? { value } : { error: t(integer ? "bad_integer" : "bad_number", { label, min, max, v: text || "—" }) };
}

function showSettingsError(message, element) {
  document.querySelectorAll(".tr-settings [aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  ui.settingsError.textContent = message || "";
  ui.settingsError.hidden = !message;
  if (element && message) element.setAttribute("aria-invalid", "true");
}

function readUrl() {
  const problems = [];
  for (const [key, [, fallback]] of Object.entries(SETTINGS)) {
    const given = params.get(key);
    settings[key] = fallback;
    if (given === null) continue;
    const result = checked(key, given);
    if (result.error) problems.push([result.error, control(key)]);
    else settings[key] = result.value;
  }
  for (const [key] of Object.entries(SETTINGS)) control(key).value = settings[key];
  saveSettings(); // 不合法的值不留在网址里. Invalid values leave the URL.
  if (problems.length) showSettingsError(problems.map(([message]) => message).join("; "), problems[0][1]);
}

function saveSettings() {
  const changed = {};
  for (const [key, [, fallback]] of Object.entries(SETTINGS)) {
    changed[key] = settings[key] === fallback ? null : settings[key];
  }
  saveParams(changed);
}

function config(keepPoints) {
  return {
    dataset: settings.ds, noise: settings.noise, test: settings.test / 100, n: 200, seed: 0,
    layers: settings.layers, width: settings.width, activation: settings.act, loss: settings.loss,
    optimizer: settings.opt, lr: settings.lr, batch: settings.batch, l2: settings.l2,
    points: keepPoints && points.length ? points : undefined,
  };
}

for (const key of Object.keys(SETTINGS)) {
  const element = control(key);
  element.addEventListener("change", () => {
    const result = checked(key, element.value);
    if (result.error) { showSettingsError(result.error, element); return; }
    showSettingsError("");
    settings[key] = result.value;
    restart(!DATA_KEYS.includes(key));
  });
}

// ---- 与 worker 通信 talking to the worker ----------------------------------------------------

async function call(cmd, args) {
  try {
    return await engine.request(cmd, { lang, ...args });
  } catch (error) {
    engine.show(String(error.message || error), "error");
    playing = false;
    showPlayButton();
    return null;
  }
}

function since() {
  return history.length;
}

async function restart(keepPoints) {
  await pause();
  saveSettings();
  await engine.ready;
  history = [];
  const state = await call("train.new", { config: config(keepPoints) });
  if (state) show(state);
  if (selected && view && (selected[0] >= view.sizes.length || selected[1] >= view.sizes[selected[0]])) {
    selected = null; // 新网络里没有这个神经元了. The new network has no such neuron.
    ui.neuron.hidden = true;
  }
  refreshNeuron();
}

// ---- 显示 showing a view ---------------------------------------------------------------------

function show(state) {
  const started = performance.now();
  view = state;
  views += 1;
  if (state.points) points = state.points;
  history.length = Math.min(history.length, state.history_from);
  history.push(...state.history);
  engine.refreshStatus();
  ui.stepsCount.textContent = state.steps;
  ui.epochsCount.textContent = state.epochs;
  ui.trainLoss.textContent = lossText(state.train_loss);
  ui.testLoss.textContent = lossText(state.test_loss);
  ui.accuracy.textContent = state.test_accuracy === null ? "—" : `${(state.test_accuracy * 100).toFixed(1)} %`;
  Object.assign(document.body.dataset, { steps: state.steps, epochs: state.epochs, points: points.length,
    views, history: history.length });
  state.bytes = Int8Array.from(atob(state.maps), (c) => (c.charCodeAt(0) << 24) >> 24);
  drawNetwork(state);
  drawPlane(state);
  drawCurve();
  document.body.dataset.drawMs = (performance.now() - started).toFixed(1); // 基准测试读它. For the benchmark.
}

function lossText(value) {
  return value === null ? "—" : formatNumber(Number(value.toPrecision(4)));
}

// ---- 颜色与热图 colours and heatmaps ---------------------------------------------------------

const COLORS = { 0: [234, 88, 12], 1: [37, 99, 235] };

/** 热图的一格: −1 橙 (类别 0), 0 白, +1 蓝 (类别 1); 按字节 −127…127 先算好. One cell's colour, per byte. */
const CELL_COLORS = Array.from({ length: 256 }, (_, index) => {
  const v = (index - 128) / 127;
  const [r, g, b] = COLORS[v > 0 ? 1 : 0];
  const a = Math.min(1, Math.abs(v)) * 0.75;
  return [255 * (1 - a) + r * a, 255 * (1 - a) + g * a, 255 * (1 - a) + b * a];
});

/** 第 unit 个神经元 (按层数下去) 的热图画进 canvas. Paint heatmap number ``unit`` into a canvas. */
function paintMap(canvas, state, unit) {
  const size = state.grid;
  if (canvas.width !== size) { canvas.width = size; canvas.height = size; }
  const context = canvas.getContext("2d");
  const image = context.createImageData(size, size);
  const offset = unit * size * size;
  for (let k = 0; k < size * size; k++) {
    const [r, g, b] = CELL_COLORS[state.bytes[offset + k] + 128];
    image.data[4 * k] = r; image.data[4 * k + 1] = g; image.data[4 * k + 2] = b; image.data[4 * k + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

/** 让 canvas 的像素与屏幕像素一一对应, 返回 CSS 像素的宽高. Match a canvas to device pixels. */
function fitCanvas(canvas, cssHeight) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = cssHeight ?? width;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return [context, width, height];
}

// ---- 大图: 网络的输出与数据点 the plane ----------------------------------------------------------

const scratch = document.createElement("canvas");

function drawPlane(state) {
  const [context, width, height] = fitCanvas(ui.plane);
  const units = state.sizes.reduce((a, b) => a + b, 0);
  paintMap(scratch, state, units - 1);
  context.imageSmoothingEnabled = true;
  context.drawImage(scratch, 0, 0, width, height);
  for (const [x, y, label, test] of points) {
    const [px, py] = toPixels(state.extent, x, y, width, height);
    context.beginPath();
    context.arc(px, py, 5, 0, 2 * Math.PI);
    context.fillStyle = `rgb(${COLORS[label].join(",")})`;
    context.fill();
    context.lineWidth = test ? 2 : 1.5;
    context.strokeStyle = test ? "#111827" : "#fff";
    context.stroke();
  }
}

function toPixels([x0, x1, y0, y1], x, y, width, height) {
  return [(x - x0) / (x1 - x0) * width, (y1 - y) / (y1 - y0) * height];
}

ui.plane.addEventListener("click", (event) => {
  if (!view) return;
  const box = ui.plane.getBoundingClientRect();
  const [x0, x1, y0, y1] = view.extent;
  const x = x0 + (event.clientX - box.left) / box.width * (x1 - x0);
  const y = y1 - (event.clientY - box.top) / box.height * (y1 - y0);
  const mode = document.querySelector('input[name="mode"]:checked').value;
  // 先在页面上改 (立即看得见), 再按顺序告诉 worker: 训练时点击也不会丢. Shown at once, then sent in order.
  if (mode === "erase") {
    let best = -1, bestDistance = Infinity;
    points.forEach(([px, py], k) => {
      const d = Math.hypot(px - x, py - y);
      if (d < bestDistance) { best = k; bestDistance = d; }
    });
    if (best < 0 || bestDistance > 0.06 * (x1 - x0)) return;
    points = points.filter((_, k) => k !== best);
    sendPointChange("train.remove", { index: best });
  } else {
    const point = [x, y, Number(mode), 0];
    points = [...points, point];
    sendPointChange("train.add", { point });
  }
  document.body.dataset.points = points.length;
  drawPlane(view);
});

async function sendPointChange(cmd, args) {
  const state = await call(cmd, { ...args, since: since() });
  if (!state) return;
  if (looping) {
    // 训练中: 只取点与画面, 步数由训练的回答显示. While playing, the training replies show the steps.
    state.points = points.length === state.points.length ? state.points : points;
  }
  show(state);
}

// ---- 损失曲线 the loss curve -----------------------------------------------------------------

const CURVE_HEIGHT = 170;
const FONT_PX = 13;

function niceTop(value) {
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((v) => v >= value) || value;
}

function drawCurve() {
  const canvas = ui.curve;
  const [context, width, height] = fitCanvas(canvas, CURVE_HEIGHT);
  canvas.style.height = `${CURVE_HEIGHT}px`;
  context.clearRect(0, 0, width, height);
  context.font = `${FONT_PX}px system-ui, sans-serif`;
  // 画出来的字的实际大小 (测试读它). The drawn text's real size on screen (read by the tests).
  canvas.dataset.fontPx = String(FONT_PX * canvas.getBoundingClientRect().width / width);
  const values = history.flatMap(([, train, test]) => [train, test]).filter((v) => v !== null);
  const top = niceTop(Math.max(...values, 1e-9));
  const last = history.length ? history[history.length - 1][0] : 0;
  const right = Math.max(last, 1);
  const left = 46, bottom = height - 34, topY = 10, end = width - 14;
  const px = (step) => left + step / right * (end - left);
  const py = (v) => bottom - v / top * (bottom - topY);
  context.strokeStyle = "#9ca3af";
  context.lineWidth = 1;
  context.beginPath();
  context.moveTo(left, topY); context.lineTo(left, bottom); context.lineTo(end, bottom);
  context.stroke();
  context.fillStyle = "#374151";
  context.textAlign = "right";
  context.textBaseline = "middle";
  for (const v of [0, top / 2, top]) {
    context.fillText(formatNumber(Number(v.toPrecision(3))), left - 6, py(v));
    context.beginPath(); context.moveTo(left - 3, py(v)); context.lineTo(left, py(v)); context.stroke();
  }
  context.textAlign = "center";
  context.textBaseline = "top";
  for (const step of [0, Math.round(right / 2), right]) {
    context.fillText(String(step), px(step), bottom + 5);
  }
  context.textAlign = "right";
  context.fillText(t("axis_steps"), end, bottom + 5 + FONT_PX + 2);
  for (const [column, color, dash] of [[1, "#6b7280", []], [2, "#111827", [6, 4]]]) {
    context.beginPath();
    let drawing = false;
    for (const entry of history) {
      if (entry[column] === null) { drawing = false; continue; }
      const [x, y] = [px(entry[0]), py(entry[column])];
      if (drawing) context.lineTo(x, y); else context.moveTo(x, y);
      drawing = true;
    }
    context.setLineDash(dash);
    context.strokeStyle = color;
    context.lineWidth = 2;
    context.stroke();
    context.setLineDash([]);
  }
}

// ---- 网络图: 每个神经元是它的输出热图 the network, each neuron drawn as its heatmap ----------

const UNIT = 30; // 神经元方块的边长 (CSS px). A unit's side.
const PITCH = 38; // 同一层相邻神经元的间距. Vertical distance between units.
const LEFT = 30; // 左边给 x₁、x₂ 的名字留的地方. Room for the input names.
const TOP = 26; // 上边给层名留的地方. Room for the layer names.
const MIN_GAP = 52; // 层与层之间最小的水平距离. Smallest horizontal distance between layers.
let built = null; // 已建好的网络图: { key, units, lines }. The diagram's elements, kept between views.

function layerName(l, count) {
  if (l === 0) return t("layer_in");
  return l === count - 1 ? t("layer_out") : t("layer_hidden", { l });
}

function unitName(l, j, count) {
  if (l === 0) return t("input_title", { name: `x${"₁₂"[j]}` });
  return l === count - 1 ? t("output_title") : t("neuron_title", { l, j: j + 1 });
}

function buildNetwork(state) {
  const sizes = state.sizes;
  const box = ui.network.parentElement;
  const width = Math.max(box.clientWidth, LEFT + UNIT + MIN_GAP * (sizes.length - 1) + 4);
  const gap = (width - LEFT - UNIT - 4) / (sizes.length - 1);
  const height = TOP + PITCH * Math.max(...sizes);
  const x = (l) => LEFT + l * gap;
  const y = (l, j) => TOP + (Math.max(...sizes) - sizes[l]) * PITCH / 2 + j * PITCH + (PITCH - UNIT) / 2;
  // 连线画在一张 canvas 上 (4×16 的网络有 800 多条, 每次画面都要重画). Links on one canvas, redrawn each view.
  const links = document.createElement("canvas");
  links.className = "links";
  links.style.width = `${width}px`; links.style.height = `${height}px`;
  const ratio = window.devicePixelRatio || 1;
  links.width = Math.round(width * ratio); links.height = Math.round(height * ratio);
  const lines = [];
  sizes.slice(1).forEach((n, l) => {
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < sizes[l]; i++) lines.push([x(l) + UNIT, y(l, i) + UNIT / 2, x(l + 1), y(l + 1, j) + UNIT / 2]);
    }
  });
  const children = [links];
  const units = [];
  sizes.forEach((n, l) => {
    const title = document.createElement("span");
    title.className = "layer-title";
    title.textContent = layerName(l, sizes.length);
    title.style.left = `${x(l) + UNIT / 2}px`;
    children.push(title);
    for (let j = 0; j < n; j++) {
      const unit = document.createElement(l === 0 ? "div" : "button");
      unit.className = l === 0 ? "unit input" : "unit";
      unit.style.left = `${x(l)}px`; unit.style.top = `${y(l, j)}px`;
      const name = unitName(l, j, sizes.length);
      unit.title = name;
      unit.setAttribute("aria-label", name);
      if (l > 0) {
        unit.type = "button";
        unit.dataset.layer = l;
        unit.dataset.index = j;
        unit.addEventListener("click", () => openNeuron(l, j));
      }
      const canvas = document.createElement("canvas");
      unit.append(canvas);
      children.push(unit);
      units.push(canvas);
      if (l === 0) {
        const label = document.createElement("span");
        label.className = "input-name";
        label.textContent = `x${"₁₂"[j]}`;
        label.style.left = "0px"; label.style.top = `${y(l, j) + UNIT / 2}px`;
        children.push(label);
      }
    }
  });
  ui.network.style.width = `${width}px`;
  ui.network.style.height = `${height}px`;
  ui.network.replaceChildren(...children);
  built = { key: `${sizes.join("-")}|${box.clientWidth}|${lang}`, units, lines, links, ratio };
}

function drawNetwork(state) {
  const key = `${state.sizes.join("-")}|${ui.network.parentElement.clientWidth}|${lang}`;
  if (!built || built.key !== key) buildNetwork(state);
  built.units.forEach((canvas, unit) => paintMap(canvas, state, unit));
  const context = built.links.getContext("2d");
  context.setTransform(built.ratio, 0, 0, built.ratio, 0, 0);
  context.clearRect(0, 0, built.links.width, built.links.height);
  context.globalAlpha = 0.6;
  let k = 0;
  for (const matrix of state.weights) {
    for (const row of matrix) {
      for (const w of row) {
        const [x1, y1, x2, y2] = built.lines[k++];
        context.beginPath();
        context.moveTo(x1, y1); context.lineTo(x2, y2);
        context.strokeStyle = w > 0 ? "#2563eb" : "#ea580c";
        context.lineWidth = Math.min(4, 0.3 + Math.abs(w) * 1.5);
        context.stroke();
      }
    }
  }
  ui.network.querySelectorAll("button.unit").forEach((unit) => {
    const on = selected && Number(unit.dataset.layer) === selected[0] && Number(unit.dataset.index) === selected[1];
    unit.classList.toggle("selected", Boolean(on));
  });
}

window.addEventListener("resize", () => { if (view) { built = null; drawNetwork(view); drawPlane(view); drawCurve(); } });

// ---- 一个神经元的局部图 one neuron's local graph ---------------------------------------------

async function openNeuron(layer, index) {
  selected = [layer, index];
  if (view) drawNetwork(view);
  await refreshNeuron();
}

function sampleError(message) {
  ui.sampleError.textContent = message || "";
  ui.sampleError.hidden = !message;
  if (message) ui.sample.setAttribute("aria-invalid", "true");
  else ui.sample.removeAttribute("aria-invalid");
}

async function refreshNeuron() {
  if (!selected || !view) return;
  const [layer, index] = selected;
  const last = points.length - 1;
  ui.sample.max = String(last);
  // 没有选样本时由 Python 选当前损失最大的训练点. Without a chosen sample, Python picks the worst training point.
  const typed = ui.sample.value.trim();
  const number = Number(typed);
  if (typed !== "" && !(Number.isInteger(number) && number >= 0 && number <= last)) {
    sampleError(t("sample_range", { last, v: typed }));
    return;
  }
  sampleError("");
  const result = await call("train.neuron", { layer, index, sample: typed === "" ? null : number });
  if (!result) return;
  ui.sample.placeholder = String(result.sample);
  const output = layer === view.sizes.length - 1;
  ui.neuronTitle.textContent = output ? t("output_title") : t("neuron_title", { l: layer, j: index + 1 });
  ui.neuronCaption.textContent = result.caption;
  ui.neuronGraph.replaceChildren(await dotToSvg(result.dot));
  ui.neuron.hidden = false;
  ui.neuron.dataset.layer = layer;
  ui.neuron.dataset.index = index;
}

ui.sample.addEventListener("change", refreshNeuron);

// ---- 训练 training ---------------------------------------------------------------------------

function showPlayButton() {
  ui.play.dataset.i18n = playing ? "pause" : "play";
  ui.play.textContent = t(ui.play.dataset.i18n);
}

/** 播放: worker 训练约 VIEW_PERIOD 秒就回答一次; 回答一到就发下一个请求, 再画这一次的画面.
 *  Playing: the worker answers about every VIEW_PERIOD seconds; the next request goes out as soon as a
 *  reply arrives, then the reply is drawn, so the worker never waits for the drawing. */
async function loop() {
  looping = true;
  document.body.dataset.playing = "1";
  let pending = call("train.step", { count: 10000, seconds: VIEW_PERIOD, since: since() });
  while (true) {
    const state = await pending;
    if (!state) break;
    if (!playing) {
      // 暂停时正在算的这一批步还没显示过: 退回到屏幕上的那一步. Not shown yet: back to the step on screen.
      const paused = await call("train.pause", { steps: view.steps, since: since() });
      if (paused) show(paused);
      break;
    }
    pending = call("train.step", { count: 10000, seconds: VIEW_PERIOD,
      since: state.history_from + state.history.length });
    show(state);
  }
  looping = false;
  document.body.dataset.playing = "0";
  refreshNeuron();
}

let finished = Promise.resolve();

function play() {
  if (playing) { pause(); return; }
  playing = true;
  showPlayButton();
  finished = loop();
}

/** 暂停, 等到停在屏幕上的那一步. Pause and wait until training has stopped at the step on screen. */
async function pause() {
  playing = false;
  showPlayButton();
  await finished;
}

ui.play.addEventListener("click", play);
ui.step.addEventListener("click", async () => {
  await pause();
  const state = await call("train.step", { count: 1, since: since() });
  if (state) { show(state); refreshNeuron(); }
});
ui.reset.addEventListener("click", async () => {
  await pause();
  const state = await call("train.reset", {});
  if (state) { show(state); refreshNeuron(); }
});

setupLanguage(() => {
  built = null;
  showSettingsError("");
  if (view) { drawNetwork(view); drawCurve(); }
  refreshNeuron();
});
readUrl();
restart(false);
