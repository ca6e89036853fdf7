// 训练页 (像 TensorFlow Playground): 数据、网络、训练设置; 每个数 (损失、准确率、决策边界、神经元的局部图)
// 都由 worker 里真正的 micrograd_cn 算出. Settings live in the URL.
// The training page, TensorFlow-Playground style; every number comes from micrograd_cn in the worker.
import { Engine, addWords, dotToSvg, formatNumber, lang, params, saveParams, setupLanguage, t } from "./common.js";

addWords({
  play: ["▶ 训练", "▶ Train"],
  pause: ["⏸ 暂停", "⏸ Pause"],
  one_step: ["一步", "One step"],
  reset: ["重新初始化", "Re-initialise"],
  steps: ["步数", "Steps"],
  loss: ["损失", "Loss"],
  accuracy: ["准确率", "Accuracy"],
  data: ["数据", "Data"],
  dataset: ["数据集", "Dataset"],
  moons: ["双月 moons", "moons"],
  circles: ["同心圆 circles", "circles"],
  xor: ["异或 xor", "xor"],
  spiral: ["螺旋 spiral", "spiral"],
  noise: ["噪声", "Noise"],
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
  network: ["网络 (点一个神经元看它的局部计算图)", "Network (click a neuron to see its local graph)"],
  sample: ["样本", "Sample"],
  sample_hint: ["空着: 用当前损失最大的样本", "Empty: the sample with the largest loss now"],
  boundary: ["决策边界", "Decision boundary"],
  loss_curve: ["损失曲线", "Loss curve"],
  neuron_title: ["第 {l} 层 第 {j} 个神经元", "Layer {l}, neuron {j}"],
  output_title: ["输出神经元", "Output neuron"],
});

const DEFAULTS = { ds: "moons", noise: 0.1, layers: 2, width: 8, act: "relu", loss: "hinge", opt: "sgd", lr: 0.5 };
const ids = ["status", "play", "step", "reset", "steps-count", "loss", "accuracy", "dataset", "noise", "layers",
  "width", "activation", "loss-fn", "optimizer", "lr", "network", "neuron", "neuron-title", "sample",
  "neuron-caption", "neuron-graph", "plane", "curve"];
const ui = Object.fromEntries(ids.map((id) => [id.replace(/-(.)/g, (_, c) => c.toUpperCase()),
  document.getElementById(id)]));

const settings = {};
for (const [key, value] of Object.entries(DEFAULTS)) {
  const given = params.get(key);
  settings[key] = given === null ? value : (typeof value === "number" ? Number(given) : given);
}
const controls = { ds: ui.dataset, noise: ui.noise, layers: ui.layers, width: ui.width, act: ui.activation,
  loss: ui.lossFn, opt: ui.optimizer, lr: ui.lr };

const engine = new Engine(ui.status);
let current = null; // 最近一次的训练状态. The latest training state.
let playing = false;
let selected = null; // 选中的神经元 [layer, index]. The selected neuron.

function config(withPoints) {
  return {
    dataset: settings.ds, noise: settings.noise, n: 100, seed: 0, layers: settings.layers,
    width: settings.width, activation: settings.act, loss: settings.loss, optimizer: settings.opt,
    lr: settings.lr, points: withPoints && current ? current.points : undefined,
  };
}

function saveSettings() {
  const changed = {};
  for (const [key, value] of Object.entries(settings)) changed[key] = value === DEFAULTS[key] ? null : value;
  saveParams(changed);
}

async function call(cmd, args) {
  try {
    return await engine.request(cmd, args);
  } catch (error) {
    engine.show(String(error.message || error), "error");
    stop();
    return null;
  }
}

async function restart(keepPoints) {
  stop();
  saveSettings();
  await engine.ready;
  const state = await call("train.new", { config: config(keepPoints) });
  if (state) show(state);
}

function show(state) {
  current = state;
  engine.refreshStatus();
  ui.stepsCount.textContent = state.steps;
  ui.loss.textContent = state.loss === null ? "—" : formatNumber(Number(state.loss.toPrecision(4)));
  ui.accuracy.textContent = state.accuracy === null ? "—" : `${(state.accuracy * 100).toFixed(1)} %`;
  document.body.dataset.steps = state.steps;
  document.body.dataset.points = state.points.length;
  drawPlane(state);
  drawCurve(state.losses);
  drawNetwork(state);
}

// ---- 决策边界 the plane ----------------------------------------------------------------------

const COLORS = { 0: [234, 88, 12], 1: [37, 99, 235] };

function drawPlane(state) {
  const canvas = ui.plane;
  const context = canvas.getContext("2d");
  const size = state.grid;
  const image = context.createImageData(size, size);
  for (let k = 0; k < size * size; k++) {
    const s = Math.tanh(state.boundary[k]);
    const [r, g, b] = COLORS[s > 0 ? 1 : 0];
    const a = Math.abs(s) * 0.55;
    image.data[4 * k] = Math.round(255 * (1 - a) + r * a);
    image.data[4 * k + 1] = Math.round(255 * (1 - a) + g * a);
    image.data[4 * k + 2] = Math.round(255 * (1 - a) + b * a);
    image.data[4 * k + 3] = 255;
  }
  const cells = document.createElement("canvas");
  cells.width = cells.height = size;
  cells.getContext("2d").putImageData(image, 0, 0);
  context.imageSmoothingEnabled = true;
  context.drawImage(cells, 0, 0, canvas.width, canvas.height);
  for (const [x, y, label] of state.points) {
    const [px, py] = toPixels(state.extent, x, y);
    context.beginPath();
    context.arc(px, py, 6, 0, 2 * Math.PI);
    context.fillStyle = `rgb(${COLORS[label].join(",")})`;
    context.fill();
    context.lineWidth = 1.5;
    context.strokeStyle = "#fff";
    context.stroke();
  }
}

function toPixels([x0, x1, y0, y1], x, y) {
  return [(x - x0) / (x1 - x0) * ui.plane.width, (y1 - y) / (y1 - y0) * ui.plane.height];
}

ui.plane.addEventListener("click", async (event) => {
  if (!current) return;
  const box = ui.plane.getBoundingClientRect();
  const [x0, x1, y0, y1] = current.extent;
  const x = x0 + (event.clientX - box.left) / box.width * (x1 - x0);
  const y = y1 - (event.clientY - box.top) / box.height * (y1 - y0);
  const mode = document.querySelector('input[name="mode"]:checked').value;
  let points = current.points.slice();
  if (mode === "erase") {
    let best = -1, bestDistance = Infinity;
    points.forEach(([px, py], k) => {
      const d = Math.hypot(px - x, py - y);
      if (d < bestDistance) { best = k; bestDistance = d; }
    });
    if (best < 0 || bestDistance > 0.06 * (x1 - x0)) return;
    points.splice(best, 1);
  } else {
    points = [...points, [x, y, Number(mode)]];
  }
  const state = await call("train.points", { points });
  if (state) show(state);
});

// ---- 损失曲线 the loss curve -----------------------------------------------------------------

function drawCurve(losses) {
  const canvas = ui.curve;
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.strokeStyle = "#d1d5db";
  context.strokeRect(0.5, 0.5, canvas.width - 1, canvas.height - 1);
  const values = losses.filter((v) => v !== null);
  if (values.length < 2) return;
  const top = Math.max(...values) || 1;
  context.beginPath();
  values.forEach((v, k) => {
    const x = 4 + k / (values.length - 1) * (canvas.width - 8);
    const y = canvas.height - 4 - v / top * (canvas.height - 8);
    if (k === 0) context.moveTo(x, y); else context.lineTo(x, y);
  });
  context.strokeStyle = "#b45309";
  context.lineWidth = 2;
  context.stroke();
  context.fillStyle = "#374151";
  context.font = "13px system-ui, sans-serif";
  context.fillText(formatNumber(Number(top.toPrecision(3))), 8, 16);
}

// ---- 网络图 the network diagram --------------------------------------------------------------

const SVG = "http://www.w3.org/2000/svg";

function drawNetwork(state) {
  const sizes = state.sizes;
  const height = Math.max(160, 34 * Math.max(...sizes) + 20);
  const width = Math.max(420, Math.round(height * 1.4)); // 层多、层宽时也不挤成一条. Wide nets stay readable.
  const svg = ui.network;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const x = (l) => 30 + l * (width - 60) / (sizes.length - 1);
  const y = (l, j) => height / 2 + (j - (sizes[l] - 1) / 2) * Math.min(34, (height - 30) / sizes[l]);
  const children = [];
  state.weights.forEach((matrix, l) => {
    matrix.forEach((row, j) => row.forEach((w, i) => {
      const line = document.createElementNS(SVG, "line");
      line.setAttribute("x1", x(l)); line.setAttribute("y1", y(l, i));
      line.setAttribute("x2", x(l + 1)); line.setAttribute("y2", y(l + 1, j));
      line.setAttribute("stroke", w > 0 ? "#2563eb" : "#ea580c");
      line.setAttribute("stroke-width", Math.min(4, 0.4 + Math.abs(w) * 1.5).toFixed(2));
      line.setAttribute("stroke-opacity", "0.55");
      children.push(line);
    }));
  });
  sizes.forEach((n, l) => {
    for (let j = 0; j < n; j++) {
      const circle = document.createElementNS(SVG, "circle");
      circle.setAttribute("cx", x(l)); circle.setAttribute("cy", y(l, j));
      circle.setAttribute("r", 11);
      circle.setAttribute("class", l === 0 ? "unit input" : "unit");
      if (l > 0) {
        circle.dataset.layer = l;
        circle.dataset.index = j;
        circle.setAttribute("tabindex", "0");
        circle.setAttribute("role", "button");
        const label = l === sizes.length - 1 ? t("output_title") : t("neuron_title", { l, j: j + 1 });
        circle.setAttribute("aria-label", label);
        const title = document.createElementNS(SVG, "title");
        title.textContent = label;
        circle.append(title);
        if (selected && selected[0] === l && selected[1] === j) circle.classList.add("selected");
        const open = () => openNeuron(l, j);
        circle.addEventListener("click", open);
        circle.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") open(); });
      }
      children.push(circle);
      if (l === 0) {
        const text = document.createElementNS(SVG, "text");
        text.setAttribute("x", x(l)); text.setAttribute("y", y(l, j) + 4);
        text.setAttribute("text-anchor", "middle");
        text.setAttribute("class", "unit-label");
        text.textContent = `x${"₁₂"[j]}`;
        children.push(text);
      }
    }
  });
  svg.replaceChildren(...children);
}

async function openNeuron(layer, index) {
  selected = [layer, index];
  drawNetwork(current);
  await refreshNeuron();
}

async function refreshNeuron() {
  if (!selected || !current) return;
  const [layer, index] = selected;
  // 没有选样本时由 Python 选当前损失最大的样本. Without a chosen sample, Python picks the one with the largest loss.
  const typed = ui.sample.value.trim();
  const sample = typed === "" ? null : Math.max(0, Math.min(current.points.length - 1, Number(typed) || 0));
  ui.sample.max = String(current.points.length - 1);
  const result = await call("train.neuron", { layer, index, sample, lang });
  if (!result) return;
  ui.sample.placeholder = String(result.sample);
  const last = layer === current.sizes.length - 1;
  ui.neuronTitle.textContent = last ? t("output_title") : t("neuron_title", { l: layer, j: index + 1 });
  ui.neuronCaption.textContent = result.caption;
  ui.neuronGraph.replaceChildren(await dotToSvg(result.dot));
  ui.neuron.hidden = false;
  ui.neuron.dataset.layer = layer;
  ui.neuron.dataset.index = index;
}

ui.sample.addEventListener("change", refreshNeuron);

// ---- 训练 training ---------------------------------------------------------------------------

function stop() {
  if (!playing) return;
  playing = false;
  ui.play.dataset.i18n = "play";
  ui.play.textContent = t("play");
  refreshNeuron();
}

async function play() {
  if (playing) { stop(); return; }
  playing = true;
  ui.play.dataset.i18n = "pause";
  ui.play.textContent = t("pause");
  while (playing) {
    const state = await call("train.step", { count: 100, seconds: 0.3 });
    if (!state) break;
    show(state); // 暂停后到达的最后一次回答也显示: 它就是 worker 中模型的状态. Shown even after pause: it is the model's state.
    if (!playing) break;
    await new Promise((resolve) => requestAnimationFrame(() => resolve()));
  }
}

ui.play.addEventListener("click", play);
ui.step.addEventListener("click", async () => {
  stop();
  const state = await call("train.step", { count: 1 });
  if (state) { show(state); refreshNeuron(); }
});
ui.reset.addEventListener("click", async () => {
  stop();
  const state = await call("train.reset", {});
  if (state) { show(state); refreshNeuron(); }
});

for (const [key, element] of Object.entries(controls)) {
  element.value = settings[key];
  element.addEventListener("change", () => {
    const number = typeof DEFAULTS[key] === "number";
    const value = number ? Number(element.value) : element.value;
    if (number && !Number.isFinite(value)) return;
    settings[key] = value;
    restart(!["ds", "noise"].includes(key));
  });
}

setupLanguage(() => {
  if (current) drawNetwork(current);
  refreshNeuron();
});
restart(false);
