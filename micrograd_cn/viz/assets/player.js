/* micrograd_cn 反向传播播放器: 图只排版一次, 每一步只改文字、颜色和高亮.
 * The backward-pass player: the graph is laid out once; a step changes only text, colours and highlights.
 * One front-end for the exported file, notebook output, docs site and browser playground.
 * Usage: MicrogradPlayer.mount(container, data?)  (data defaults to the JSON in container's script.mgcn-data).
 */
(function (global) {
  "use strict";
  if (global.MicrogradPlayer && global.MicrogradPlayer.version >= 1) { return; }

  var SVG_NS = "http://www.w3.org/2000/svg";
  var MIN_FONT_PX = 12;      // 图中文字最小的屏幕字号. Smallest on-screen text size.
  var DEFAULT_MAX_SCALE = 1.5;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return key in values ? values[key] : "{" + key + "}"; });
  }

  function Player(root, data) {
    this.root = root;
    this.data = data;
    this.words = data.words;
    this.step = 0;
    this.last = data.steps.length;
    this.timer = null;
    this.follow = true;
    this.focus = data.nodes.length > (data.focus_above || 30);
    this.selected = null;
    this.scale = 1;
    this.x = 0;
    this.y = 0;
    this.build();
    this.show(data.start || 0, false);
  }

  Player.prototype.build = function () {
    var self = this, data = this.data, words = this.words, root = this.root;
    root.classList.add("mgcn-live");
    var bar = el("div", { "class": "mgcn-toolbar", role: "toolbar" });
    function button(act, text, title) {
      var b = el("button", { type: "button", "data-act": act, title: title || text }, text);
      b.addEventListener("click", function () { self.act(act); });
      bar.appendChild(b);
      return b;
    }
    button("first", "⇤ " + words.first);
    button("prev", "◀ " + words.prev);
    this.playButton = button("play", "▶ " + words.play);
    button("next", words.next + " ▶");
    button("last", words.last + " ⇥");
    this.counter = el("span", { "class": "mgcn-counter", "aria-live": "polite" });
    bar.appendChild(this.counter);
    bar.appendChild(el("span", { "class": "mgcn-sep" }));
    button("zoom-out", "−", words.zoom_out);
    button("zoom-in", "+", words.zoom_in);
    button("fit", words.fit);
    this.followButton = button("follow", words.follow);
    this.focusButton = button("focus", words.focus);
    button("fullscreen", words.fullscreen);
    this.equation = el("div", { "class": "mgcn-equation", "aria-live": "polite" });
    var body = el("div", { "class": "mgcn-body" });
    this.viewport = el("div", { "class": "mgcn-viewport" });
    this.side = el("div", { "class": "mgcn-side" });
    this.panel = el("div", { "class": "mgcn-panel" });
    body.appendChild(this.viewport);
    body.appendChild(this.side);
    var help = el("p", { "class": "mgcn-help" }, words.help);
    var anchor = root.querySelector(".mgcn-static-only");
    [bar, this.equation, body, this.panel, help].forEach(function (part) { root.insertBefore(part, anchor); });

    var svg = root.querySelector(".mgcn-static-view svg");
    if (!svg) {
      var holder = el("div");
      holder.innerHTML = data.svg || "";
      svg = holder.querySelector("svg");
    }
    this.svg = svg;
    this.viewport.appendChild(svg);
    this.width = svg.viewBox.baseVal.width || parseFloat(svg.getAttribute("width"));
    this.height = svg.viewBox.baseVal.height || parseFloat(svg.getAttribute("height"));
    svg.setAttribute("width", this.width);
    svg.setAttribute("height", this.height);
    this.indexGraph();
    this.buildTable();
    this.bindPointer();
    this.bindKeys();
    var refit = function () { self.fit(false); };
    if (global.ResizeObserver) {
      var first = true;
      new ResizeObserver(function () { if (first) { first = false; refit(); } else { self.keepInView(false); } })
        .observe(this.viewport);
    } else {
      refit();
    }
    root.addEventListener("fullscreenchange", function () { setTimeout(refit, 50); });
  };

  /* 找到每个节点的方框、梯度文字、运算节点和边. Find every node's box, grad text, op and edges. */
  Player.prototype.indexGraph = function () {
    var self = this, data = this.data, svg = this.svg;
    var n = data.nodes.length;
    this.boxes = [];
    this.gradTexts = [];
    this.ops = [];
    this.edgeEls = {};
    this.consumers = [];
    var minFont = Infinity;
    svg.querySelectorAll("text").forEach(function (t) {
      var size = parseFloat(t.getAttribute("font-size"));
      if (size && t.textContent.trim()) { minFont = Math.min(minFont, size); }
    });
    this.minFont = isFinite(minFont) ? minFont : 14;
    for (var i = 0; i < n; i++) {
      var box = svg.getElementById("node-" + i);
      this.boxes.push(box);
      this.ops.push(svg.getElementById("op-" + i));
      this.consumers.push([]);
      var grad = null;
      if (box) {
        box.querySelectorAll("text").forEach(function (t) {
          if (t.textContent.indexOf(data.grad_prefix) === 0) { grad = t; }
        });
        box.addEventListener("click", this.onNodeClick.bind(this, i));
      }
      this.gradTexts.push(grad);
    }
    data.nodes.forEach(function (node, i) {
      node.parents.forEach(function (j, k) {
        self.consumers[j].push([i, k]);
        self.edgeEls[i + "-" + k] = svg.getElementById("d-" + i + "-" + k);
      });
    });
  };

  Player.prototype.buildTable = function () {
    var self = this, data = this.data;
    var table = el("table");
    table.appendChild(el("caption", {}, this.words.totals));
    this.rows = [];
    data.table_order.forEach(function (i) {
      var row = el("tr", { "data-node": i });
      row.appendChild(el("td", {}, data.partials[i]));
      var value = el("td", {}, "?");
      row.appendChild(value);
      row.addEventListener("click", function () { self.select(i, true); });
      table.appendChild(row);
      self.rows[i] = { row: row, value: value };
    });
    this.side.appendChild(table);
  };

  /* 第 k 步的状态: 重放前 k 次堆放 (便宜, 也使后退与跳转都精确). State at step k: replay the first k steps. */
  Player.prototype.texts = function (k) {
    var data = this.data, texts = data.nodes.map(function () { return null; });
    if (k > 0) { texts[data.out] = data.seed; }
    for (var s = 0; s < k; s++) { texts[data.steps[s][2]] = data.steps[s][3]; }
    return texts;
  };

  Player.prototype.show = function (k, animate) {
    var data = this.data, words = this.words;
    k = Math.max(0, Math.min(this.last, k));
    this.step = k;
    this.root.setAttribute("data-step", String(k));
    var texts = this.texts(k);
    for (var i = 0; i < texts.length; i++) {
      var shown = texts[i] === null ? "?" : texts[i];
      var t = this.gradTexts[i];
      if (t) {
        t.textContent = data.grad_prefix + shown;
        t.classList.toggle("mgcn-unknown", texts[i] === null);
      }
      if (this.rows[i]) { this.rows[i].value.textContent = shown; }
    }
    this.clearMarks();
    var step = k > 0 ? data.steps[k - 1] : null;
    this.counter.textContent = fill(words.counter, { k: k, n: this.last });
    this.equation.classList.toggle("mgcn-start", step === null);
    this.equation.textContent = step === null ? words.start : fill(words.step_head, { k: k, n: this.last }) + step[4];
    if (step !== null) {
      this.mark(this.boxes[step[0]], "mgcn-sender");
      this.mark(this.boxes[step[2]], "mgcn-receiver");
      this.mark(this.edgeEls[step[0] + "-" + step[1]], "mgcn-active");
      this.mark(this.svg.getElementById("out-" + step[0]), "mgcn-active");
      this.markRow(step[0], "mgcn-row-sender");
      this.markRow(step[2], "mgcn-row-receiver");
    }
    this.applyFocus();
    this.updateButtons();
    if (step !== null && this.follow) { this.keepInView(animate !== false); }
    this.root.dispatchEvent(new CustomEvent("mgcn-step", { detail: { step: k } }));
  };

  Player.prototype.mark = function (node, cls) {
    if (node) { node.classList.add(cls); this.marked.push([node, cls]); }
  };

  Player.prototype.markRow = function (i, cls) {
    var row = this.rows[i] && this.rows[i].row;
    if (!row) { return; }
    this.mark(row, cls);
    if (cls === "mgcn-row-receiver") {
      var side = this.side, top = row.offsetTop, bottom = top + row.offsetHeight;
      var head = side.querySelector("caption").offsetHeight;
      if (top - head < side.scrollTop) { side.scrollTop = top - head - 4; }
      else if (bottom > side.scrollTop + side.clientHeight) { side.scrollTop = bottom - side.clientHeight + 4; }
    }
  };

  Player.prototype.clearMarks = function () {
    (this.marked || []).forEach(function (pair) { pair[0].classList.remove(pair[1]); });
    this.marked = [];
  };

  /* 聚焦: 当前节点、它的父节点与使用者明亮, 其余变淡. Focus: the active node's neighbourhood bright. */
  Player.prototype.applyFocus = function () {
    var data = this.data, svg = this.svg;
    var step = this.step > 0 ? data.steps[this.step - 1] : null;
    var centre = this.selected !== null ? this.selected : step ? step[0] : null;
    var on = this.focus && centre !== null;
    var bright = {};
    if (on) {
      bright["node-" + centre] = bright["op-" + centre] = bright["out-" + centre] = true;
      data.nodes[centre].parents.forEach(function (j, k) { bright["node-" + j] = bright["d-" + centre + "-" + k] = true; });
      this.consumers[centre].forEach(function (pair) {
        bright["node-" + pair[0]] = bright["op-" + pair[0]] = bright["out-" + pair[0]] = true;
        bright["d-" + pair[0] + "-" + pair[1]] = true;
      });
    }
    svg.querySelectorAll("g.node, g.edge").forEach(function (g) {
      g.classList.toggle("mgcn-dim", on && !bright[g.id]);
    });
  };

  Player.prototype.updateButtons = function () {
    this.followButton.setAttribute("aria-pressed", String(this.follow));
    this.focusButton.setAttribute("aria-pressed", String(this.focus));
    this.playButton.textContent = this.timer === null ? "▶ " + this.words.play : "⏸ " + this.words.pause;
  };

  Player.prototype.act = function (what) {
    if (what !== "play" && what.indexOf("zoom") !== 0 && what !== "fit" && what !== "follow"
        && what !== "focus" && what !== "fullscreen") { this.stop(); }
    switch (what) {
      case "first": this.show(0); break;
      case "prev": this.show(this.step - 1); break;
      case "next": this.show(this.step + 1); break;
      case "last": this.show(this.last); break;
      case "play": this.togglePlay(); break;
      case "zoom-in": this.zoomBy(1.25); break;
      case "zoom-out": this.zoomBy(0.8); break;
      case "fit": this.fit(true); break;
      case "follow": this.follow = !this.follow; this.updateButtons(); if (this.follow) { this.keepInView(true); } break;
      case "focus": this.focus = !this.focus; this.applyFocus(); this.updateButtons(); break;
      case "fullscreen": this.toggleFullscreen(); break;
    }
  };

  Player.prototype.stop = function () {
    if (this.timer !== null) { clearInterval(this.timer); this.timer = null; this.updateButtons(); }
  };

  Player.prototype.togglePlay = function () {
    var self = this;
    if (this.timer !== null) { this.stop(); return; }
    if (this.step >= this.last) { this.show(0); }
    this.timer = setInterval(function () {
      if (self.step >= self.last) { self.stop(); } else { self.show(self.step + 1); }
    }, this.data.interval_ms || 1200);
    this.updateButtons();
  };

  Player.prototype.toggleFullscreen = function () {
    var root = this.root;
    if (document.fullscreenElement === root) { document.exitFullscreen(); return; }
    if (root.classList.contains("mgcn-present")) { root.classList.remove("mgcn-present"); this.fit(false); return; }
    var self = this;
    var fallback = function () { root.classList.add("mgcn-present"); self.fit(false); };
    if (root.requestFullscreen) {
      var promise = root.requestFullscreen();
      if (promise && promise.catch) { promise.catch(fallback); }
    } else {
      fallback();
    }
  };

  /* ---- 平移与缩放 pan and zoom ---- */
  Player.prototype.minScale = function () { return MIN_FONT_PX / this.minFont; };

  Player.prototype.apply = function (animate) {
    this.viewport.classList.toggle("mgcn-smooth", !!animate);
    this.svg.style.transform = "translate(" + this.x + "px," + this.y + "px) scale(" + this.scale + ")";
  };

  Player.prototype.clampPan = function () {
    var vw = this.viewport.clientWidth, vh = this.viewport.clientHeight;
    var w = this.width * this.scale, h = this.height * this.scale;
    this.x = w <= vw ? (vw - w) / 2 : Math.min(0, Math.max(vw - w, this.x));
    this.y = h <= vh ? (vh - h) / 2 : Math.min(0, Math.max(vh - h, this.y));
  };

  Player.prototype.zoomTo = function (scale, cx, cy, animate) {
    var vw = this.viewport.clientWidth, vh = this.viewport.clientHeight;
    if (cx === undefined) { cx = vw / 2; cy = vh / 2; }
    scale = Math.max(this.minScale(), Math.min(4, scale));
    var gx = (cx - this.x) / this.scale, gy = (cy - this.y) / this.scale;
    this.scale = scale;
    this.x = cx - gx * scale;
    this.y = cy - gy * scale;
    this.clampPan();
    this.apply(animate);
  };

  Player.prototype.zoomBy = function (factor, cx, cy) { this.zoomTo(this.scale * factor, cx, cy, cx === undefined); };

  /* 适合: 尽量放下整张图, 但文字不小于 12 px. Fit the graph, never below 12 px text. */
  Player.prototype.fit = function (animate) {
    var vw = this.viewport.clientWidth, vh = this.viewport.clientHeight;
    if (!vw || !vh) { return; }
    var fit = Math.min(vw / this.width, vh / this.height);
    this.scale = Math.max(this.minScale(), Math.min(DEFAULT_MAX_SCALE, fit));
    this.x = 0;
    this.y = 0;
    this.clampPan();
    if (this.step > 0 && this.follow) { this.keepInView(animate); } else { this.apply(animate); }
  };

  /* 跟随: 让当前的边 (及两端节点) 出现在视野中. Follow: bring the active edge and its ends into view. */
  Player.prototype.keepInView = function (animate) {
    var step = this.step > 0 ? this.data.steps[this.step - 1] : null;
    if (!step || !this.follow) { this.clampPan(); this.apply(animate); return; }
    var edge = this.edgeEls[step[0] + "-" + step[1]];
    var parts = [edge, this.boxes[step[0]], this.boxes[step[2]]].filter(Boolean);
    if (!parts.length) { return; }
    var boxes = parts.map(function (p) { return p.getBBox(); });
    var core = boxes[0];
    var union = boxes.reduce(function (a, b) {
      var x = Math.min(a.x, b.x), y = Math.min(a.y, b.y);
      return { x: x, y: y, width: Math.max(a.x + a.width, b.x + b.width) - x,
               height: Math.max(a.y + a.height, b.y + b.height) - y };
    });
    var ctm = this.svg.querySelector("g.graph").transform.baseVal.consolidate();
    var m = ctm ? ctm.matrix : { e: 0, f: 0, a: 1, d: 1 };
    var vw = this.viewport.clientWidth, vh = this.viewport.clientHeight, s = this.scale, pad = 24;
    function screen(b) {
      return { left: (b.x * m.a + m.e) * s, top: (b.y * m.d + m.f) * s, w: b.width * m.a * s, h: b.height * m.d * s };
    }
    var u = screen(union), c = screen(core);
    var target = u.w + 2 * pad <= vw && u.h + 2 * pad <= vh ? u : c;
    var left = target.left + this.x, top = target.top + this.y;
    if (left < pad || left + target.w > vw - pad) { this.x = vw / 2 - (target.left + target.w / 2); }
    if (top < pad || top + target.h > vh - pad) { this.y = vh / 2 - (target.top + target.h / 2); }
    this.clampPan();
    this.apply(animate);
  };

  Player.prototype.bindPointer = function () {
    var self = this, vp = this.viewport, drag = null;
    vp.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) { return; }
      drag = { x: event.clientX, y: event.clientY, x0: self.x, y0: self.y, moved: false, id: event.pointerId };
    });
    vp.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) { return; }
      if (!drag.moved) { drag.moved = true; vp.setPointerCapture(drag.id); vp.classList.add("mgcn-dragging"); }
      self.x = drag.x0 + dx;
      self.y = drag.y0 + dy;
      self.clampPan();
      self.apply(false);
    });
    var end = function () {
      if (drag && drag.moved) { self.suppressClick = true; setTimeout(function () { self.suppressClick = false; }, 0); }
      drag = null;
      vp.classList.remove("mgcn-dragging");
    };
    vp.addEventListener("pointerup", end);
    vp.addEventListener("pointercancel", end);
    vp.addEventListener("wheel", function (event) {
      event.preventDefault();
      var rect = vp.getBoundingClientRect();
      self.zoomBy(event.deltaY < 0 ? 1.1 : 1 / 1.1, event.clientX - rect.left, event.clientY - rect.top);
    }, { passive: false });
  };

  Player.prototype.bindKeys = function () {
    var self = this, target = this.data.keys_on_document ? document : this.root;
    target.addEventListener("keydown", function (event) {
      if (event.target && /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName)) { return; }
      var acts = { ArrowRight: "next", ArrowLeft: "prev", Home: "first", End: "last", "+": "zoom-in", "=": "zoom-in",
                   "-": "zoom-out", "0": "fit" };
      var what = event.key === " " ? (event.shiftKey ? "prev" : "next") : acts[event.key];
      if (!what || event.ctrlKey || event.metaKey || event.altKey) { return; }
      self.act(what);
      event.preventDefault();
      event.stopPropagation();
    });
  };

  /* ---- 点选节点 selecting a node ---- */
  Player.prototype.onNodeClick = function (i, event) {
    if (this.suppressClick) { return; }
    event.stopPropagation();
    this.select(this.selected === i ? null : i, false);
  };

  Player.prototype.select = function (i, scroll) {
    var rows = this.rows;
    if (this.selected !== null) {
      if (this.boxes[this.selected]) { this.boxes[this.selected].classList.remove("mgcn-selected"); }
      if (rows[this.selected]) { rows[this.selected].row.classList.remove("mgcn-row-selected"); }
    }
    this.selected = i;
    if (i !== null) {
      if (this.boxes[i]) { this.boxes[i].classList.add("mgcn-selected"); }
      if (rows[i]) { rows[i].row.classList.add("mgcn-row-selected"); }
      if (scroll && this.boxes[i]) { this.centreOn(this.boxes[i]); }
    }
    this.applyFocus();
    this.root.dispatchEvent(new CustomEvent("mgcn-select", { detail: { node: i } }));
  };

  Player.prototype.centreOn = function (node) {
    var b = node.getBBox();
    var ctm = this.svg.querySelector("g.graph").transform.baseVal.consolidate();
    var m = ctm ? ctm.matrix : { e: 0, f: 0, a: 1, d: 1 };
    this.x = this.viewport.clientWidth / 2 - ((b.x + b.width / 2) * m.a + m.e) * this.scale;
    this.y = this.viewport.clientHeight / 2 - ((b.y + b.height / 2) * m.d + m.f) * this.scale;
    this.clampPan();
    this.apply(true);
  };

  function readData(root) {
    var script = root.querySelector("script.mgcn-data");
    return JSON.parse(script.textContent);
  }

  global.MicrogradPlayer = {
    version: 1,
    Player: Player,
    /** 在 container 中启动播放器; 返回 Player. Start a player in ``container``; returns the Player. */
    mount: function (root, data) {
      if (root.mgcnPlayer) { return root.mgcnPlayer; }
      data = data || readData(root);
      if (!data.svg && !root.querySelector(".mgcn-static-view svg")) { return null; }  // 没有图: 保留静态内容.
      root.mgcnPlayer = new Player(root, data);
      return root.mgcnPlayer;
    }
  };
})(typeof window !== "undefined" ? window : this);
