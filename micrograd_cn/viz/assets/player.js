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
  var NARROW_PX = 1000;      // 比这窄时累计表默认收起. Narrower than this, the totals start hidden.
  var BADGE_PX = 44;         // 视口底部标记条的高度 (两行). The height of the mark at the viewport's foot.
  var MINIMAP_PX = 120;      // 小地图的最大边长. The minimap's longer side.
  var TAG_ROOM = 22;         // 图上方给角色标签留的高度. Room above the graph for the role tags.
  var CULL_PARTS = 1000;     // 部件多于这个数的图只排版视口附近的部分. Graphs with more parts lay out only what is near the view.

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  /* 用户要求减少动画时不平滑移动. No animated pan and zoom when the user asks for reduced motion. */
  function reducedMotion() {
    return !!(global.matchMedia && global.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  function svgEl(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
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
    this.minFontPx = MIN_FONT_PX;
    this.focus = data.nodes.length > (data.focus_above || 30);
    this.selected = null;
    var consumers = this.consumers = data.nodes.map(function () { return []; });
    data.nodes.forEach(function (node, i) {
      node.parents.forEach(function (j, k) { consumers[j].push([i, k]); });
    });
    this.build();
    this.show(data.start || 0, false);
  }

  Player.prototype.build = function () {
    var self = this, data = this.data, words = this.words, root = this.root;
    root.classList.add("mgcn-live");
    var bar = el("div", { "class": "mgcn-toolbar", role: "toolbar" });
    function button(act, text, title) {
      var b = el("button", { type: "button", "data-act": act, title: title || text, "aria-label": title || text }, text);
      b.addEventListener("click", function () { self.act(act); });
      bar.appendChild(b);
      return b;
    }
    button("first", "⇤ " + words.first);
    button("prev", "◀ " + words.prev);
    this.playButton = button("play", "▶ " + words.play);
    button("next", words.next + " ▶");
    button("last", words.last + " ⇥");
    this.counter = el("span", { "class": "mgcn-counter" });
    bar.appendChild(this.counter);
    bar.appendChild(el("span", { "class": "mgcn-sep" }));
    button("zoom-out", "−", words.zoom_out);
    button("zoom-in", "+", words.zoom_in);
    button("fit", words.fit);
    this.followButton = button("follow", words.follow);
    this.focusButton = button("focus", words.focus);
    this.viewButton = button("view", words.neuron_view);
    this.totalsButton = button("totals", words.totals_button);
    this.presentButton = button("present", words.present, words.present_title);
    this.presentSize = choice("present-size", words.present_size, [16, 20], 20, function (px) { return px + " px"; });
    this.speed = choice("speed", words.speed, [0.5, 1, 2, 4], 1, function (x) { return x + "×"; });
    function choice(act, label, options, chosen, show) {
      var select = el("select", { "data-act": act, "aria-label": label, title: label });
      options.forEach(function (value) {
        var option = el("option", { value: String(value) }, show(value));
        if (value === chosen) { option.selected = true; }
        select.appendChild(option);
      });
      select.addEventListener("change", function () { select.blur(); self.act(act); });  // 键回到播放器. Keys back.
      var wrap = el("label", { "class": "mgcn-choice mgcn-choice-" + act }, label + " ");
      wrap.appendChild(select);
      bar.appendChild(wrap);
      return select;
    }
    this.equation = el("div", { "class": "mgcn-equation" });
    // 读屏软件只从这一个礼貌的播报区听到每一步一次. Screen readers hear each step once, from this one region.
    this.announcer = el("div", { "class": "mgcn-announce", "aria-live": "polite", "aria-atomic": "true" });
    var body = el("div", { "class": "mgcn-body" });
    this.viewport = el("div", { "class": "mgcn-viewport" });
    this.side = el("div", { "class": "mgcn-side" });
    this.panel = el("div", { "class": "mgcn-panel" });
    this.stage = el("div", { "class": "mgcn-stage" });  // 视口和它上面的标记、小地图. The viewport and its overlays.
    this.stage.appendChild(this.viewport);
    body.appendChild(this.stage);
    body.appendChild(this.side);
    var help = this.help = el("p", { "class": "mgcn-help" }, data.quiz_mode ? words.quiz_help : words.help);
    var legend = el("p", { "class": "mgcn-legend" });
    [["receiver", words.receiver_tag, words.legend_receiver], ["sender", words.sender_tag, words.legend_sender],
     ["active", "➜", words.legend_edge]].forEach(function (item) {
      legend.appendChild(el("span", { "class": "mgcn-legend-tag mgcn-legend-" + item[0] }, item[1]));
      legend.appendChild(el("span", { "class": "mgcn-legend-text" }, item[2]));
    });
    var anchor = root.querySelector(".mgcn-static-only");
    [bar, this.equation, body, this.panel, legend, help, this.announcer].forEach(function (part) {
      root.insertBefore(part, anchor);
    });

    var svg = parseSvg(data.svg || svgFromImage(root.querySelector(".mgcn-static-view img")));
    this.views = { all: new View(this, svg, null) };
    if (data.neurons && data.neurons.length) {
      var neuronSvg = parseSvg(data.neuron_svg);
      if (neuronSvg) { this.views.neurons = new View(this, neuronSvg, data); }
    }
    this.viewButton.style.display = this.views.neurons ? "" : "none";
    this.view = this.views.all;
    this.svg = svg;
    this.viewport.appendChild(svg);
    if (this.views.neurons) { this.viewport.appendChild(this.views.neurons.svg); this.views.neurons.svg.style.display = "none"; }
    this.badge = el("button", { type: "button", "class": "mgcn-badge", "data-act": "readable" });
    this.badge.addEventListener("click", function () { self.act("readable"); });
    this.badge.addEventListener("pointerdown", function (event) { event.stopPropagation(); });
    this.minimap = svgEl("svg", { "class": "mgcn-minimap", "aria-hidden": "true" });
    this.splitPane = el("div", { "class": "mgcn-split" });
    this.splitPane.style.display = "none";
    this.splitPane.addEventListener("click", function () {  // 点另一半: 讲解发送者. A click explains the sender.
      var split = self.view.split;
      if (split) { self.select(split.step[0], false); }
    });
    this.stage.appendChild(this.splitPane);
    this.stage.appendChild(this.badge);
    this.stage.appendChild(this.minimap);
    this.bindMinimap();
    this.buildTable();
    // 测验的部分在 player-quiz.js 里, 只有测验的播放器才带上. The quiz part comes only with a quiz player.
    var Quiz = global.MicrogradPlayer.Quiz;
    if (data.quiz_mode && data.quiz && Quiz) { this.quiz = new Quiz(this); }
    this.bindPointer();
    this.bindKeys();
    this.autoSide();
    var resized = function () { self.resized(); };
    if (global.ResizeObserver) {
      new ResizeObserver(resized).observe(this.viewport);
      new ResizeObserver(function () { self.autoSide(); }).observe(root);
    } else {
      resized();
    }
    this.exitsPending = 0;  // 自己请求的退出全屏还没到的次数. Exits we asked for whose event is still to come.
    root.addEventListener("fullscreenchange", function () {
      if (document.fullscreenElement !== root) {
        // 迟到的、自己请求的退出不关掉刚开始的演示; 用户按 Esc 才关. A late exit we asked for leaves a new
        // presentation on; only the user's Esc ends it.
        if (self.exitsPending > 0) { self.exitsPending -= 1; } else { self.presenting(false); }
      }
      setTimeout(resized, 50);
    });
    root.addEventListener("pointerdown", function () { keyOwner = self; }, true);
    root.addEventListener("focusin", function () { keyOwner = self; });
  };

  /* 静态视图里的图片 (data: URL, 原文只转义了 %、# 与 <) 还原成 SVG 文本. The static view's image back to SVG text. */
  function svgFromImage(img) {
    if (!img) { return null; }
    var source = img.getAttribute("src");
    return decodeURIComponent(source.slice(source.indexOf(",") + 1));
  }

  function parseSvg(text) {
    if (!text || typeof text !== "string") { return text || null; }  // 已经解析好的 SVG. An SVG parsed already.
    var holder = el("div");
    holder.innerHTML = text;
    return holder.querySelector("svg");
  }

  /* 一个视图: 一张排好版的 SVG, 以及每个节点的方框、梯度文字和每条边在其中的元素.
   * One view: a laid-out SVG and, for every node, its box, grad text and edges in it.
   * The neuron view (neurons given) shows each neuron as one box standing for all its members. */
  function View(player, svg, neurons) {
    var data = player.data, self = this;
    this.svg = svg;
    this.width = svg.viewBox.baseVal.width || parseFloat(svg.getAttribute("width"));
    // 图的上方留出角色标签的高度: 最上面一行的方框的标签也在画面里. Room above the graph for the role tags, so a
    // box on the top row keeps its tag in the picture (the graph moves down by as much).
    this.height = (svg.viewBox.baseVal.height || parseFloat(svg.getAttribute("height"))) + TAG_ROOM;
    svg.setAttribute("viewBox", "0 0 " + this.width + " " + this.height);
    svg.setAttribute("width", this.width);
    svg.setAttribute("height", this.height);
    var graph = svg.querySelector("g.graph");
    graph.setAttribute("transform", "translate(0 " + TAG_ROOM + ") " + (graph.getAttribute("transform") || ""));
    var minFont = Infinity;
    svg.querySelectorAll("text").forEach(function (t) {
      var size = parseFloat(t.getAttribute("font-size"));
      if (size && t.textContent.trim()) { minFont = Math.min(minFont, size); }
    });
    this.minFont = isFinite(minFont) ? minFont : 14;
    this.scale = 1;
    this.x = 0;
    this.y = 0;
    this.fitted = false;
    var ids = this.ids = {};  // 一次建好 id 表 (未挂上的 SVG 每次查找都从头找). One pass, not a search per id.
    svg.querySelectorAll("[id]").forEach(function (node) { ids[node.id] = node; });
    this.graph = graph;
    this.parts = Array.prototype.slice.call(graph.children);
    this.index = new Map(this.parts.map(function (part, i) { return [part, i]; }));
    this.geometry = new Map();
    this.culling = this.parts.length > CULL_PARTS;
    if (this.culling) {  // 先都取下 (原处留个记号), apply 再挂上视口附近的. All taken off, apply puts back what is near.
      this.holders = this.parts.map(function (part) {
        var holder = document.createComment("");
        part.replaceWith(holder);
        return holder;
      });
    }
    var owner = {};
    (neurons ? data.neurons : []).forEach(function (neuron) {
      neuron.members.forEach(function (i) { owner[i] = neuron; });
    });
    this.owner = owner;
    this.boxes = [];
    this.gradTexts = [];
    this.edgeIds = neurons ? data.neuron_edges : null;
    for (var i = 0; i < data.nodes.length; i++) {
      var neuron = owner[i];
      var box = ids[neuron ? neuron.id : "node-" + i] || null;
      this.boxes.push(box);
      var grad = null;
      if (box && (!neuron || neuron.out === i)) {
        box.querySelectorAll("text").forEach(function (t) {
          if (t.textContent.indexOf(data.grad_prefix) === 0) { grad = t; }
        });
      }
      this.gradTexts.push(grad);
    }
    this.boxes.forEach(function (box, i) {
      if (box && !box.mgcnBound) {
        box.mgcnBound = true;
        box.addEventListener("click", function (event) { player.onNodeClick(self, i, event); });
      }
    });
    var transform = graph.transform.baseVal.consolidate();
    this.matrix = transform ? transform.matrix : { e: 0, f: 0, a: 1, d: 1 };
  }

  /* 文字的估计宽度: 中文 1 em, 其余 0.62 em. An estimate of a text's width: 1 em per wide character, else 0.62. */
  function textWidth(text, size) {
    var ems = 0;
    for (var i = 0; i < text.length; i++) { ems += text.charCodeAt(i) > 0x2e80 ? 1 : 0.62; }
    return ems * size;
  }

  /* 一个部件 (节点、边、框) 在图坐标中的矩形, 从 Graphviz 写下的坐标读出, 不需要浏览器排版: 形状的所有点
   * (曲线的控制点也算, 宁大勿小) 与文字的估计范围. A part's rectangle in the graph's own coordinates, read from
   * the coordinates Graphviz wrote, so no layout is needed: every point of its shapes (curve control points
   * too, erring large) and the estimated extent of its text.  Null when it has neither. */
  function partGeometry(part) {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    var add = function (x, y) {
      if (x < x0) { x0 = x; } if (x > x1) { x1 = x; } if (y < y0) { y0 = y; } if (y > y1) { y1 = y; }
    };
    // 节点的第一个形状就是它的外框, 文字都在框里. A node's first shape is its outline, its texts inside it.
    var outline = part.classList.contains("node") && part.querySelector("polygon, path, ellipse");
    var shapes = outline ? [outline] : part.matches("polygon, path, text, ellipse") ? [part]
      : part.querySelectorAll("polygon, polyline, path, text, ellipse");
    Array.prototype.forEach.call(shapes, function (shape) {
      var tag = shape.tagName, attr = function (name) { return parseFloat(shape.getAttribute(name)) || 0; };
      if (tag === "text") {
        var size = attr("font-size") || 14, width = textWidth(shape.textContent, size), x = attr("x");
        var anchor = shape.getAttribute("text-anchor"), left = anchor === "middle" ? x - width / 2
          : anchor === "end" ? x - width : x;
        add(left, attr("y") - size);
        add(left + width, attr("y") + size * 0.3);
      } else if (tag === "ellipse") {
        add(attr("cx") - attr("rx"), attr("cy") - attr("ry"));
        add(attr("cx") + attr("rx"), attr("cy") + attr("ry"));
      } else {
        var numbers = (shape.getAttribute(tag === "path" ? "d" : "points") || "").match(/-?\d*\.?\d+(?:e[-+]?\d+)?/gi)
          || [];
        for (var i = 0; i + 1 < numbers.length; i += 2) { add(+numbers[i], +numbers[i + 1]); }
      }
    });
    return isFinite(x0) ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : null;
  }

  /* 元素在图自己的坐标中的矩形: 顶层部件读坐标 (记住), 其余问浏览器. An element's rectangle in the graph's own
   * coordinates: read from the coordinates for a top-level part (and kept), asked of the browser otherwise. */
  View.prototype.ownBox = function (node) {
    if (this.index.has(node)) {  // null: 没有形状 (如 <title>). Null: no shape (a <title>, say).
      if (!this.geometry.has(node)) { this.geometry.set(node, partGeometry(node)); }
      return this.geometry.get(node);
    }
    var r = node.getBBox();
    return { x: r.x, y: r.y, w: r.width, h: r.height };
  };

  /* 两个矩形 ({x, y, w, h}) 是否相交. Whether two rectangles meet. */
  function overlaps(a, b) {
    return a.x < b.x + b.w && a.x + a.w > b.x && a.y < b.y + b.h && a.y + a.h > b.y;
  }

  /* 大图: 只有视口附近 (各边再多四分之一个视口) 的部件挂在图上, 参与排版和绘制, 其余取下 (原处留个记号, 挂回时次序
   * 不变); from 是动画的起点, 动画经过的地方也挂上. A large graph keeps only the parts near the view (a quarter of
   * a view more on each side) in the picture, to be laid out and painted; the rest are taken off, a marker keeping
   * their place (and the drawing order); ``from`` is where an animation starts, and what it passes is put on too.
   * (display:none is not enough: the browser still styles what is inside an SVG group it hides.) */
  View.prototype.cull = function (vw, vh, from) {
    if (!this.culling) { return; }
    var m = this.matrix, views = [{ x: this.x, y: this.y, scale: this.scale }].concat(from ? [from] : []);
    var regions = views.map(function (at) {  // 图自己的坐标中. In the graph's own coordinates.
      return { x: ((-vw / 4 - at.x) / at.scale - m.e) / m.a, y: ((-vh / 4 - at.y) / at.scale - m.f) / m.d,
               w: vw * 1.5 / at.scale / m.a, h: vh * 1.5 / at.scale / m.d };
    });
    var self = this;
    this.parts.forEach(function (part, i) {
      var b = self.ownBox(part);
      var near = !b || regions.some(function (region) { return overlaps(b, region); });
      if (near && !part.parentNode) { self.holders[i].replaceWith(part); }
      else if (!near && part.parentNode) { part.replaceWith(self.holders[i]); }
    });
  };

  /* 挂上一个部件 (即使在视口外), 让浏览器能量它. Put a part back (even off the view) so the browser can measure it. */
  View.prototype.reveal = function (part) {
    if (this.culling && part && !part.parentNode && this.index.has(part)) {
      this.holders[this.index.get(part)].replaceWith(part);
    }
  };

  /* 图中所有的文字, 按次序 (取下的部件也算). Every text of the picture in order, parts taken off included. */
  View.prototype.texts = function () {
    var all = [];
    this.parts.forEach(function (part) {
      if (part.tagName === "text") { all.push(part); } else { all.push.apply(all, part.querySelectorAll("text")); }
    });
    return all;
  };

  /* 第 i 个节点使用者的第 k 条边在本视图中的元素 (可能没有). The element showing edge (i, k), if any. */
  View.prototype.edge = function (i, k) {
    var id = "d-" + i + "-" + k;
    if (this.edgeIds) { id = this.edgeIds[id]; if (!id) { return null; } }
    return this.ids[id] || null;
  };

  View.prototype.byId = function (id) { return this.ids[id] || null; };

  /* 元素在屏幕 (视口) 坐标中的矩形. An element's rectangle in viewport pixels. */
  View.prototype.screenBox = function (node) {
    var b = this.graphBox(node), s = this.scale;
    return { left: b.x * s, top: b.y * s, w: b.w * s, h: b.h * s };
  };

  /* 元素在 SVG 像素坐标 (比例 1, 未平移) 中的矩形. An element's rectangle in SVG pixels at scale 1. */
  View.prototype.graphBox = function (node) {
    var b = this.ownBox(node) || { x: 0, y: 0, w: 0, h: 0 }, m = this.matrix;
    return { x: b.x * m.a + m.e, y: b.y * m.d + m.f, w: b.w * m.a, h: b.h * m.d };
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
    if (this.quiz) { return this.quiz.known.slice(); }  // 测验: 只显示答对或揭晓的. Quiz: only what is answered.
    if (k > 0) { texts[data.out] = data.seed; }
    for (var s = 0; s < k; s++) { texts[data.steps[s][2]] = data.steps[s][3]; }
    return texts;
  };

  Player.prototype.show = function (k, animate) {
    var data = this.data, words = this.words;
    k = Math.max(0, Math.min(this.last, k));
    this.step = k;
    this.root.setAttribute("data-step", String(k));
    var texts = this.texts(k), view = this.view;
    for (var i = 0; i < texts.length; i++) {
      var shown = texts[i] === null ? "?" : texts[i];
      var t = view.gradTexts[i];
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
    if (this.quiz) { this.equation.textContent = this.quiz.prompt(); step = null; }
    if (step !== null) {
      this.memberGrads(view, step, texts);
      this.mark(view.boxes[step[0]], "mgcn-sender");
      this.mark(view.boxes[step[2]], "mgcn-receiver");
      this.mark(view.edge(step[0], step[1]), "mgcn-active");
      this.mark(view.byId("out-" + step[0]), "mgcn-active");
      this.markRow(step[0], "mgcn-row-sender");
      this.markRow(step[2], "mgcn-row-receiver");
      this.addRoleMarkers(view, step);
    }
    this.announce(this.equation.textContent);
    this.applyFocus();
    this.updateButtons();
    if (step !== null && this.follow) { this.keepInView(animate !== false); }
    this.root.dispatchEvent(new CustomEvent("mgcn-step", { detail: { step: k } }));
  };

  Player.prototype.announce = function (text) {
    if (this.announcer.textContent !== text) { this.announcer.textContent = text; }
  };

  /* 不靠颜色的角色记号: 发送者、接收者方框上的标签, 当前边中点指向接收者的箭头.
   * Role markers that read without colour: a tag on the sender's and the receiver's box, and an
   * arrowhead in the middle of the active edge pointing the way the gradient flows (to the receiver). */
  Player.prototype.addRoleMarkers = function (view, step) {
    var self = this, words = this.words;
    [[view.boxes[step[2]], "receiver", words.receiver_tag, false], [view.boxes[step[0]], "sender", words.sender_tag, true]]
      .forEach(function (item) {
        var box = item[0];
        if (!box) { return; }
        view.reveal(box);
        var b = view.ownBox(box), right = item[3];
        var tag = svgEl("g", { "class": "mgcn-tag mgcn-tag-" + item[1], "aria-hidden": "true" });
        var text = svgEl("text", { x: right ? b.x + b.w - 4 : b.x + 4, y: b.y - 6, "font-size": "13",
                                   "text-anchor": right ? "end" : "start" }, item[2]);
        tag.appendChild(text);
        box.parentNode.appendChild(tag);  // 放在方框旁边, 不改变方框本身的大小. Beside the box, not inside it.
        var t = text.getBBox();
        tag.insertBefore(svgEl("rect", { x: t.x - 4, y: t.y - 1, width: t.width + 8, height: t.height + 2, rx: 3 }), text);
        self.marked.push([tag, null]);
      });
    [view.edge(step[0], step[1])].forEach(function (edge) {
      var path = edge && edge.querySelector("path");
      if (!path || !path.getTotalLength) { return; }
      view.reveal(edge);
      // 路径从接收者 (父节点) 画向运算; 箭头放在靠接收者的三分之一处, 避开边中间的文字.
      // The path runs from the receiver (the parent) to the operation; the arrowhead sits a third of the way
      // from the receiver, clear of the label in the middle.
      var length = path.getTotalLength(), mid = path.getPointAtLength(length / 3);
      var back = path.getPointAtLength(Math.max(0, length / 3 - 1));
      var angle = Math.atan2(back.y - mid.y, back.x - mid.x) * 180 / Math.PI;  // 梯度逆着前向的箭头走. Against the forward arrow.
      var arrow = svgEl("polygon", { "class": "mgcn-direction", points: "9,0 -7,-7 -7,7", "aria-hidden": "true",
                                     transform: "translate(" + mid.x + "," + mid.y + ") rotate(" + angle + ")" });
      edge.appendChild(arrow);
      self.marked.push([arrow, null]);
    });
  };

  /* 神经元视图: 这一步的接收者或发送者是神经元里输出之外的成员 (如 net_o1) 时, 方框显示那个成员的梯度和名字,
   * 与横幅上的等式一致. The neuron view: when the step's receiver or sender is a member other than the output
   * (net_o1, say), the neuron's box shows that member's gradient and name, as the banner's equation does. */
  Player.prototype.memberGrads = function (view, step, texts) {
    var data = this.data, done = {};
    [step[2], step[0]].forEach(function (i) {
      var neuron = view.owner[i], t = neuron && view.gradTexts[neuron.out];
      if (!t || neuron.out === i || done[neuron.id] || texts[i] === null) { return; }
      done[neuron.id] = true;
      t.textContent = data.grad_prefix + texts[i] + " (" + data.nodes[i].name + ")";
      t.classList.remove("mgcn-unknown");
    });
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
    (this.marked || []).forEach(function (pair) {
      if (pair[1] === null) { pair[0].remove(); } else { pair[0].classList.remove(pair[1]); }
    });
    this.marked = [];
  };

  /* 聚焦: 当前节点、它的父节点与使用者明亮, 其余变淡. Focus: the active node's neighbourhood bright. */
  Player.prototype.applyFocus = function () {
    var data = this.data, view = this.view;
    var step = this.step > 0 ? data.steps[this.step - 1] : null;
    var centre = this.selected !== null ? this.selected : step ? step[0] : null;
    var on = this.focus && centre !== null;
    var bright = [];
    if (on) {
      var add = function (node) { if (node) { bright.push(node); } };
      add(view.boxes[centre]);
      add(view.byId("op-" + centre));
      add(view.byId("out-" + centre));
      data.nodes[centre].parents.forEach(function (j, k) { add(view.boxes[j]); add(view.edge(centre, k)); });
      this.consumers[centre].forEach(function (pair) {
        add(view.boxes[pair[0]]);
        add(view.byId("op-" + pair[0]));
        add(view.byId("out-" + pair[0]));
        add(view.edge(pair[0], pair[1]));
      });
    }
    view.parts.forEach(function (g) {
      if (g.classList.contains("node") || g.classList.contains("edge")) {
        g.classList.toggle("mgcn-dim", on && bright.indexOf(g) < 0);
      }
    });
  };

  Player.prototype.updateButtons = function () {
    this.followButton.setAttribute("aria-pressed", String(this.follow));
    this.focusButton.setAttribute("aria-pressed", String(this.focus));
    this.viewButton.textContent = this.view === this.views.all ? this.words.neuron_view : this.words.all_view;
    this.totalsButton.setAttribute("aria-pressed", String(!this.root.classList.contains("mgcn-no-side")));
    this.playButton.textContent = this.timer === null ? "▶ " + this.words.play : "⏸ " + this.words.pause;
  };

  Player.prototype.act = function (what) {
    if (this.quiz && /^(first|prev|next|last|play)$/.test(what)) { return; }  // 测验中不逐步. No stepping in a quiz.
    if (what !== "play" && what.indexOf("zoom") !== 0 && what !== "fit" && what !== "readable" && what !== "follow"
        && what !== "focus" && what !== "present" && what !== "view" && what !== "totals" && what !== "speed"
        && what !== "present-size" && what !== "slower" && what !== "faster") { this.stop(); }
    switch (what) {
      case "first": this.show(0); break;
      case "prev": this.show(this.step - 1); break;
      case "next": this.show(this.step + 1); break;
      case "last": this.show(this.last); break;
      case "play": this.togglePlay(); break;
      case "zoom-in": this.zoomBy(1.25); break;
      case "zoom-out": this.zoomBy(0.8); break;
      case "fit": this.fit(true); break;
      case "readable": this.readable(true); break;
      case "follow": this.follow = !this.follow; this.updateButtons(); if (this.follow) { this.keepInView(true); } break;
      case "focus": this.focus = !this.focus; this.applyFocus(); this.updateButtons(); break;
      case "present": this.togglePresent(); break;
      case "present-size": if (this.root.classList.contains("mgcn-presenting")) { this.presenting(true); } break;
      case "slower": case "faster": this.stepSpeed(what === "faster" ? 1 : -1); break;
      case "speed": if (this.timer !== null) { this.stop(); this.togglePlay(); } break;
      case "view": this.switchView(this.view === this.views.all ? "neurons" : "all"); break;
      case "totals": this.sideChosen = true; this.root.classList.toggle("mgcn-no-side"); this.updateButtons(); break;
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
    }, (this.data.interval_ms || 1200) / Number(this.speed.value));
    this.updateButtons();
  };

  /* 播放速度选单上移一格 (键 [ 与 ]). One notch along the speed choice (keys [ and ]). */
  Player.prototype.stepSpeed = function (by) {
    var select = this.speed, k = Math.max(0, Math.min(select.options.length - 1, select.selectedIndex + by));
    if (k !== select.selectedIndex) { select.selectedIndex = k; this.act("speed"); }
  };

  /* 演示: 全屏 (浏览器不许时铺满窗口), 图中文字不小于选定的 16 或 20 px, 工具栏与说明也放大.
   * Presenting: full screen (or the whole window where full screen is refused), graph text at least the chosen
   * 16 or 20 px, larger toolbar and explanations.  The same key or button leaves it. */
  Player.prototype.togglePresent = function () {
    var root = this.root, self = this;
    if (root.classList.contains("mgcn-presenting")) {
      if (document.fullscreenElement === root) { this.exitsPending += 1; document.exitFullscreen(); }
      this.presenting(false);
      return;
    }
    this.presenting(true);
    if (root.requestFullscreen) {
      var promise = root.requestFullscreen();
      if (promise && promise.catch) { promise.catch(function () { root.classList.add("mgcn-present"); self.resized(); }); }
    } else {
      root.classList.add("mgcn-present");
    }
  };

  Player.prototype.presenting = function (on) {
    this.root.classList.toggle("mgcn-presenting", on);
    if (!on) { this.root.classList.remove("mgcn-present"); }
    this.minFontPx = on ? Number(this.presentSize.value) : MIN_FONT_PX;
    this.presentButton.setAttribute("aria-pressed", String(on));
    Object.keys(this.views).forEach(function (name) { this.views[name].fitted = false; }, this);
    this.readable(false);
  };

  /* 窄的播放器 (如 JupyterLab 开着文件栏) 把图的位置让给图本身: 累计表先收起, 数字仍在节点上.
   * A narrow player gives the room to the graph: the totals table starts hidden (the numbers are on the nodes). */
  Player.prototype.autoSide = function () {
    if (this.sideChosen) { return; }
    var width = this.root.clientWidth, hide = width > 0 && width < NARROW_PX;
    if (!hide && width > 0 && this.view === this.views.all) {
      // 只有收起累计表整张图才放得下 (不小于最小字号) 时, 先收起. Hidden too when only that lets the graph open whole.
      if (this.side.offsetWidth) { this.sideWidth = this.side.offsetWidth; }
      var v = this.view, s = this.minScale(), vh = this.viewport.clientHeight;
      var need = v.width * s, room = width - 2, side = (this.sideWidth || 0.34 * width) + 10;
      hide = v.height * s <= vh && need <= room && need > room - side;
    }
    this.root.classList.toggle("mgcn-no-side", hide);
    this.updateButtons();
  };

  /* ---- 视图切换 switching views ---- */
  Player.prototype.switchView = function (name, centreOn) {
    var next = this.views[name];
    if (!next || next === this.view) { return; }
    this.view.svg.style.display = "none";
    next.svg.style.display = "";
    this.clearMarks();
    this.view = next;
    this.svg = next.svg;
    this.show(this.step, false);
    if (!next.fitted) { this.readable(false); }
    if (centreOn) { this.centreOn(centreOn, false); }
    this.updateButtons();
  };

  /* ---- 平移与缩放 pan and zoom ---- */
  /* 每个视图记住: scale (现在的比例), chosen (老师选的比例, 跟随不会超过它), mode ("whole": 整张图可读,
   * "overview": 全貌, 字可能小于下限; null: 老师自己平移缩放过). 视口大小改变时, 前两种重新计算.
   * Each view keeps its scale, the chosen scale (follow never exceeds it) and a mode: "whole" (the whole graph,
   * readable), "overview" (the whole graph, text maybe under the floor) or null (panned or zoomed by hand). */
  Player.prototype.minScale = function () { return this.minFontPx / this.view.minFont; };

  /* 整张图放进视口的比例 (最大 1.5). The scale that shows the whole graph (at most 1.5). */
  Player.prototype.wholeScale = function () {
    var v = this.view, vw = this.viewport.clientWidth, vh = this.viewport.clientHeight;
    return Math.min(DEFAULT_MAX_SCALE, vw / v.width, vh / v.height);
  };

  Player.prototype.apply = function (animate) {
    var v = this.view, smooth = !!animate && !reducedMotion();
    this.viewport.classList.toggle("mgcn-smooth", smooth);
    v.cull(this.viewport.clientWidth, this.viewport.clientHeight, smooth ? v.shown : null);
    v.shown = { x: v.x, y: v.y, scale: v.scale };
    v.svg.style.transform = "translate(" + v.x + "px," + v.y + "px) scale(" + v.scale + ")";
    this.updateSplit();
    this.updateBadge();
    this.updateMinimap();
  };

  Player.prototype.clampPan = function () {
    var v = this.view, vw = this.viewport.clientWidth, vh = this.viewport.clientHeight;
    v.split = null;  // 手动平移、缩放或全貌都结束分屏. Panning, zooming or fitting ends a split.
    var w = v.width * v.scale, h = v.height * v.scale;
    if (v.scale < this.minScale() - 1e-9) { vh -= BADGE_PX; }  // 标记条下面不放图. Nothing under the mark.
    v.x = w <= vw ? (vw - w) / 2 : Math.min(0, Math.max(vw - w, v.x));
    v.y = h <= vh ? (vh - h) / 2 : Math.min(0, Math.max(vh - h, v.y));
  };

  /* 缩放到 scale, 保持 (cx, cy) 处的点不动; 最小可到全貌. Zoom about (cx, cy), down to the overview at most. */
  Player.prototype.zoomTo = function (scale, cx, cy, animate) {
    var v = this.view, vw = this.viewport.clientWidth, vh = this.viewport.clientHeight;
    if (!vw || !vh) { return; }
    if (cx === undefined) { cx = vw / 2; cy = vh / 2; }
    scale = Math.max(Math.min(this.minScale(), this.wholeScale()), Math.min(4, scale));
    var gx = (cx - v.x) / v.scale, gy = (cy - v.y) / v.scale;
    v.scale = v.chosen = scale;
    v.mode = null;
    v.x = cx - gx * scale;
    v.y = cy - gy * scale;
    this.clampPan();
    this.apply(animate);
  };

  Player.prototype.zoomBy = function (factor, cx, cy) { this.zoomTo(this.view.scale * factor, cx, cy, cx === undefined); };

  /* 可读: 放得下就整张图, 否则文字恰好是最小字号, 从当前的边 (或输出) 看起; 打开时就是这样.
   * Readable: the whole graph if it fits at the floor, else the floor scale at the active edge (or the output).
   * This is how a player opens, and what key 1 returns to. */
  Player.prototype.readable = function (animate) {
    var v = this.view;
    if (!this.viewport.clientWidth || !this.viewport.clientHeight) { return; }
    v.fitted = true;
    var whole = this.wholeScale();
    v.scale = v.chosen = Math.max(this.minScale(), whole);
    v.mode = v.scale <= whole + 1e-9 ? "whole" : null;
    this.clampPan();
    if (this.step > 0 && this.follow) { this.keepInView(animate); }
    else if (v.mode === null && v.boxes[this.data.out]) { this.centreOn(v.boxes[this.data.out], animate); }
    else { this.apply(animate); }
  };

  /* 适合: 整张图, 必要时小于最小字号 (标为 "全貌", 按 1 回到可读大小). Fit: the whole graph, as an overview if need be. */
  Player.prototype.fit = function (animate) {
    var v = this.view;
    if (!this.viewport.clientWidth || !this.viewport.clientHeight) { return; }
    v.fitted = true;
    v.scale = v.chosen = this.wholeScale();
    if (v.scale < this.minScale() - 1e-9) {  // 全貌: 给视口底部的标记条留出地方. Room for the mark at the foot.
      v.scale = v.chosen = Math.min(v.scale, (this.viewport.clientHeight - BADGE_PX) / v.height);
    }
    v.mode = v.scale < this.minScale() - 1e-9 ? "overview" : "whole";
    this.clampPan();
    this.apply(animate);
  };

  /* 视口大小变了 (累计表、全屏、窗口): 整张图的状态重新适合, 否则让当前的边留在视野中.
   * The viewport changed size: a whole-graph state is fitted again, otherwise the active edge stays in view. */
  Player.prototype.resized = function () {
    var v = this.view;
    if (!v.fitted) { this.readable(false); }
    else if (v.mode === "overview") { this.fit(false); }
    else if (v.mode === "whole") { this.readable(false); }
    else { this.keepInView(false); }
  };

  function unite(boxes) {
    return boxes.reduce(function (a, b) {
      var x = Math.min(a.x, b.x), y = Math.min(a.y, b.y);
      return { x: x, y: y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
    });
  }

  /* 跟随: 当前这一步的发送者与接收者 (能放下时连同边上的数) 都在视野中. 两端相距太远时视口分成两半 (split);
   * 连一半都放不下一端时, 才只为这一步缩小到恰好放下两端的比例 (小于最小字号, 图上标明).
   * Follow: the sender and the receiver of the step (and the edge's label when it fits) are in view.  When the
   * two ends are too far apart, the view splits in two (see split); only where even that cannot show them
   * readably is this step shown at the largest scale that holds both (under the text floor, marked on screen). */
  Player.prototype.keepInView = function (animate) {
    var v = this.view, step = this.step > 0 ? this.data.steps[this.step - 1] : null;
    var vw = this.viewport.clientWidth, vh = this.viewport.clientHeight, pad = 16;
    if (v.chosen === undefined) { v.chosen = v.scale; }
    if (!step || !this.follow || !vw || !vh) { this.clampPan(); this.apply(animate); return; }
    var ends = [v.boxes[step[0]], v.boxes[step[2]]].filter(Boolean).map(function (p) { return v.graphBox(p); });
    if (!ends.length) { this.clampPan(); this.apply(animate); return; }
    var union = unite(ends);
    var scale = Math.min(v.chosen, (vw - 2 * pad) / union.w, (vh - 2 * pad) / union.h);
    if (scale < this.minScale() - 1e-9 && this.split(step, animate)) { return; }
    var bottom = pad;
    if (scale < this.minScale() - 1e-9) {  // 标记条占着视口底部. The mark takes the bottom of the viewport.
      bottom = pad + BADGE_PX;
      scale = Math.min(scale, (vh - pad - bottom) / union.h);
    }
    var edge = v.edge(step[0], step[1]);
    if (edge) {
      var withEdge = unite([union, v.graphBox(edge)]);
      if (withEdge.w * scale <= vw - 2 * pad && withEdge.h * scale <= vh - pad - bottom) { union = withEdge; }
    }
    var moved = Math.abs(scale - v.scale) > 1e-9;
    v.scale = scale;
    var left = union.x * scale + v.x, top = union.y * scale + v.y;
    if (moved || left < pad || left + union.w * scale > vw - pad) { v.x = vw / 2 - (union.x + union.w / 2) * scale; }
    if (moved || top < pad || top + union.h * scale > vh - bottom) {
      v.y = (pad + vh - bottom) / 2 - (union.y + union.h / 2) * scale;
    }
    this.clampPan();
    this.apply(animate);
  };

  /* ---- 分屏 the split view ---- */
  /* 分屏: 两端在最小字号下放不进同一个视口时, 视口分成两半 (宽的视口左右分, 高的上下分), 各以可读的比例显示
   * 一端: 接收者在图本身上, 发送者在另一半里那一片图的副本上, 两半之间的箭头指向接收者; 横幅上的等式连起两端.
   * 连一半都放不下一端时返回 false.
   * Split: when the two ends do not fit in one view at the text floor, the view splits in two halves (side by
   * side when wide, one above the other when tall), each showing one end at a readable scale: the receiver on
   * the graph itself, the sender on a copy of the part of the graph around it in the other half, with an arrow
   * between them pointing at the receiver; the banner's equation joins the two.  False when even one end does
   * not fit in half the view. */
  Player.prototype.split = function (step, animate) {
    var v = this.view, vw = this.viewport.clientWidth, vh = this.viewport.clientHeight, pad = 16, tags = 24;
    var sender = v.boxes[step[0]], receiver = v.boxes[step[2]];
    if (!sender || !receiver || sender === receiver) { return false; }
    var from = v.graphBox(sender), to = v.graphBox(receiver);
    var across = vw >= vh, half = across ? { w: vw / 2, h: vh } : { w: vw, h: vh / 2 };
    var scale = Math.min(Math.max(this.minScale(), v.chosen), (half.w - 2 * pad) / Math.max(from.w, to.w),
                         (half.h - 2 * pad) / (Math.max(from.h, to.h) + tags));
    if (scale < this.minScale() - 1e-9) { return false; }
    var centre = function (b) { return { x: b.x + b.w / 2, y: b.y + b.h / 2 }; };
    var a = centre(to), b = centre(from);
    var receiverFirst = across ? a.x <= b.x : a.y <= b.y;  // 接收者在左 (上) 半边. The receiver's half is first.
    var corner = function (first) { return first ? { x: 0, y: 0 } : across ? { x: half.w, y: 0 } : { x: 0, y: half.h }; };
    var mine = corner(receiverFirst);
    v.scale = scale;
    v.x = mine.x + half.w / 2 - a.x * scale;
    v.y = mine.y + half.h / 2 - a.y * scale;
    v.split = { step: step, across: across, half: half, at: corner(!receiverFirst), centre: b,
                arrow: across ? (receiverFirst ? "◀" : "▶") : (receiverFirst ? "▲" : "▼") };
    this.apply(animate);
    return true;
  };

  /* 图的一片: 与 region (比例 1 的图坐标) 相交的部分的副本, 没有 id. A copy of the parts of the graph meeting
   * region (graph pixels at scale 1), without ids, so the page keeps one element per id. */
  function copyRegion(view, region) {
    var graph = view.graph, copy = view.svg.cloneNode(false), group = graph.cloneNode(false);
    var extra = Array.prototype.filter.call(graph.children, function (child) { return !view.index.has(child); });
    view.parts.concat(extra).forEach(function (part) {  // 另加的是角色标签. The extra ones are the role tags.
      if (overlaps(view.graphBox(part), region)) { group.appendChild(part.cloneNode(true)); }
    });
    copy.appendChild(group);
    [copy].concat(Array.prototype.slice.call(copy.querySelectorAll("[id]"))).forEach(function (node) {
      node.removeAttribute("id");
    });
    copy.setAttribute("aria-hidden", "true");
    copy.style.display = "";
    return copy;
  }

  /* 分屏时, 另一半显示发送者周围那一片图; 否则藏起来. The other half shows the sender's part of the graph. */
  Player.prototype.updateSplit = function () {
    var v = this.view, pane = this.splitPane, split = v.split;
    if (!split) {
      if (pane.mgcnSplit) { pane.mgcnSplit = null; pane.style.display = "none"; pane.textContent = ""; }
      return;
    }
    if (pane.mgcnSplit === split) { return; }
    pane.mgcnSplit = split;
    var s = v.scale, half = split.half, vp = this.viewport;
    var copy = copyRegion(v, { x: split.centre.x - half.w / 2 / s, y: split.centre.y - half.h / 2 / s,
                               w: half.w / s, h: half.h / s });
    copy.style.transform = "translate(" + (half.w / 2 - split.centre.x * s) + "px," + (half.h / 2 - split.centre.y * s)
      + "px) scale(" + s + ")";
    pane.className = "mgcn-split mgcn-split-" + (split.across ? (split.at.x ? "right" : "left")
      : (split.at.y ? "bottom" : "top"));
    pane.style.left = vp.offsetLeft + vp.clientLeft + split.at.x + "px";
    pane.style.top = vp.offsetTop + vp.clientTop + split.at.y + "px";
    pane.style.width = half.w + "px";
    pane.style.height = half.h + "px";
    pane.replaceChildren(copy, el("span", { "class": "mgcn-split-arrow", "aria-hidden": "true" }, split.arrow),
                         el("span", { "class": "mgcn-split-note" }, this.words.split_note));
    pane.style.display = "";
  };

  /* 比例小于最小字号时, 图上说明为什么, 点一下 (或按 1) 回到可读大小.
   * Under the text floor the view says why; a click on the note (or key 1) returns to the readable scale. */
  Player.prototype.updateBadge = function () {
    var v = this.view, under = v.scale < this.minScale() - 1e-9;
    var px = Math.round(v.scale * v.minFont * 10) / 10;
    var text = !under ? "" : v.mode === "overview" ? fill(this.words.overview, { px: px })
      : fill(this.words.zoomed_out, { px: px });
    this.badge.textContent = text;
    this.badge.style.display = text ? "" : "none";
    this.root.setAttribute("data-scale", v.mode === "overview" ? "overview" : under ? "step" : v.split ? "split"
      : "readable");
  };

  /* ---- 小地图 the minimap ---- */
  /* 图比视口大时, 右下角一张没有文字的缩略图: 每个节点一个方块, 当前的边两端标红, 方框是视口; 点它就移到那里.
   * When the graph is larger than the view: a text-free thumbnail in the corner, one block per node, the active
   * edge's ends in red and a frame for the viewport; a click there moves the view. */
  Player.prototype.updateMinimap = function () {
    var v = this.view, map = this.minimap, vw = this.viewport.clientWidth, vh = this.viewport.clientHeight;
    var larger = v.width * v.scale > vw + 1 || v.height * v.scale > vh + 1;
    map.style.display = larger ? "" : "none";
    if (!larger) { return; }
    if (map.mgcnView !== v) {
      map.mgcnView = v;
      map.textContent = "";
      map.setAttribute("viewBox", "0 0 " + v.width + " " + v.height);
      var k = Math.min(MINIMAP_PX / v.width, MINIMAP_PX / v.height);
      map.setAttribute("width", Math.round(v.width * k));
      map.setAttribute("height", Math.round(v.height * k));
      map.appendChild(svgEl("rect", { x: 0, y: 0, width: v.width, height: v.height, "class": "mgcn-map-back" }));
      // 所有方块是一条路径 (上千个节点也只是一个元素), 两端各是一个矩形. All blocks are one path (one element
      // even for a thousand nodes); each end of the step is a rectangle on top.
      var blocks = v.boxes.filter(Boolean).map(function (box) {
        var b = v.graphBox(box);
        return "M" + b.x + " " + b.y + "h" + b.w + "v" + b.h + "h" + -b.w + "z";
      });
      map.appendChild(svgEl("path", { d: blocks.join(""), "class": "mgcn-map-node" }));
      v.mapEnds = ["sender", "receiver"].map(function (role) {
        return map.appendChild(svgEl("rect", { "class": "mgcn-map-" + role }));
      });
      v.mapFrame = map.appendChild(svgEl("rect", { "class": "mgcn-map-frame" }));
    }
    var step = this.step > 0 ? this.data.steps[this.step - 1] : null;
    v.mapEnds.forEach(function (mark, k) {
      var box = step && v.boxes[step[k === 0 ? 0 : 2]];
      mark.style.display = box ? "" : "none";
      if (!box) { return; }
      var b = v.graphBox(box);
      [["x", b.x], ["y", b.y], ["width", b.w], ["height", b.h]].forEach(function (pair) {
        mark.setAttribute(pair[0], pair[1]);
      });
    });
    var s = v.scale;
    [["x", -v.x / s], ["y", -v.y / s], ["width", vw / s], ["height", vh / s]].forEach(function (pair) {
      v.mapFrame.setAttribute(pair[0], pair[1]);
    });
  };

  Player.prototype.bindMinimap = function () {
    var self = this, map = this.minimap;
    var go = function (event) {
      var v = self.view, rect = map.getBoundingClientRect();
      var gx = (event.clientX - rect.left) / rect.width * v.width, gy = (event.clientY - rect.top) / rect.height * v.height;
      v.x = self.viewport.clientWidth / 2 - gx * v.scale;
      v.y = self.viewport.clientHeight / 2 - gy * v.scale;
      v.mode = null;
      self.clampPan();
      self.apply(false);
    };
    map.addEventListener("pointerdown", function (event) {
      event.stopPropagation();
      map.setPointerCapture(event.pointerId);
      map.mgcnDragging = true;
      go(event);
    });
    map.addEventListener("pointermove", function (event) { if (map.mgcnDragging) { go(event); } });
    map.addEventListener("pointerup", function () { map.mgcnDragging = false; });
    map.addEventListener("click", function (event) { event.stopPropagation(); });
  };

  Player.prototype.bindPointer = function () {
    var self = this, vp = this.viewport, drag = null;
    vp.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) { return; }
      drag = { x: event.clientX, y: event.clientY, x0: self.view.x, y0: self.view.y, moved: false, id: event.pointerId };
    });
    vp.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) { return; }
      if (!drag.moved) { drag.moved = true; vp.setPointerCapture(drag.id); vp.classList.add("mgcn-dragging"); }
      self.view.mode = null;
      self.view.x = drag.x0 + dx;
      self.view.y = drag.y0 + dy;
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

  /* ---- 键盘 keys ---- */
  /* 键属于: 按键发生在其中的播放器; 否则最后一个被点过 (任何地方: 图、表格的行、按钮) 的播放器; 否则页面上唯一
   * 一个看得见的播放器. 正在输入文字时 (输入框、笔记本的代码编辑器) 键不归播放器.
   * The keys belong to the player they happen in; else to the player last clicked anywhere (graph, rows, buttons);
   * else to the only player visible on the page.  Never while text is being typed (inputs, a notebook's editor). */
  var KEYS = { ArrowRight: "next", ArrowLeft: "prev", Home: "first", End: "last", p: "play", P: "play",
               "+": "zoom-in", "=": "zoom-in", "-": "zoom-out", "0": "fit", "1": "readable", f: "present",
               F: "present", "[": "slower", "]": "faster" };
  var keyOwner = null;

  function typing(target) {
    return !!target && (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable
      || !!(target.closest && target.closest(".cm-editor, .CodeMirror, [contenteditable='true']")));
  }

  function onScreen(root) {
    var r = root.getBoundingClientRect();
    return r.width > 0 && r.bottom > 0 && r.top < (global.innerHeight || 0) && r.right > 0
      && r.left < (global.innerWidth || 0);
  }

  function ownerOf(event) {
    var inside = event.target && event.target.closest && event.target.closest(".mgcn-player.mgcn-live");
    if (inside && inside.mgcnPlayer) { return inside.mgcnPlayer; }
    if (keyOwner && keyOwner.root.isConnected) { return keyOwner; }
    var live = Array.prototype.filter.call(document.querySelectorAll(".mgcn-player.mgcn-live"), function (root) {
      return root.mgcnPlayer && onScreen(root);
    });
    if (live.length !== 1) {  // 独立文件的播放器认领整页的键. A standalone file's player claims the page's keys.
      live = live.filter(function (root) { return root.mgcnPlayer.data.keys_on_document; });
    }
    return live.length === 1 ? live[0].mgcnPlayer : null;
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var what = event.key === " " ? (event.shiftKey ? "prev" : "next") : KEYS[event.key];
    var player = what && ownerOf(event);
    if (!player || player.data.keys === false) { return; }  // 页面可以不要键 (data.keys = false). A page may opt out.
    player.act(what);
    event.preventDefault();
    event.stopPropagation();
  }

  Player.prototype.bindKeys = function () {
    if (!global.mgcnKeysBound) { global.mgcnKeysBound = true; document.addEventListener("keydown", onKey, true); }
  };

  /* ---- 点选节点 selecting a node ---- */
  Player.prototype.onNodeClick = function (view, i, event) {
    if (this.suppressClick || view !== this.view) { return; }
    event.stopPropagation();
    var neuron = view.owner[i];
    if (neuron) {  // 神经元视图: 点一个神经元就展开它. Neuron view: a click opens the neuron.
      this.switchView("all");
      this.select(neuron.out, false);
      var group = this.view.byId("group-" + neuron.net);
      if (group) { this.centreOn(group, true); }
      return;
    }
    this.select(this.selected === i && !this.quiz ? null : i, false);  // 测验中再点一次不关闭问题. A quiz keeps the question.
  };

  Player.prototype.select = function (i, scroll) {
    var rows = this.rows, boxes = this.view.boxes;
    boxes.forEach(function (g) { if (g) { g.classList.remove("mgcn-selected"); } });
    if (this.selected !== null && rows[this.selected]) { rows[this.selected].row.classList.remove("mgcn-row-selected"); }
    this.selected = i;
    if (i !== null) {
      if (boxes[i]) { boxes[i].classList.add("mgcn-selected"); }
      if (rows[i]) { rows[i].row.classList.add("mgcn-row-selected"); }
      if (scroll && boxes[i]) { this.centreOn(boxes[i]); }
    }
    this.applyFocus();
    if (this.quiz) { this.quiz.ask(i); } else { this.explain(i); }
    this.root.dispatchEvent(new CustomEvent("mgcn-select", { detail: { node: i } }));
  };

  Player.prototype.centreOn = function (node, animate) {
    var v = this.view, b = v.screenBox(node);
    v.x = this.viewport.clientWidth / 2 - (b.left + b.w / 2);
    v.y = this.viewport.clientHeight / 2 - (b.top + b.h / 2);
    this.clampPan();
    this.apply(animate !== false);
  };

  /* ---- 讲解一个节点 explaining a node ---- */
  /* 链式法则展开, 每一项连着它的边: 指向一项就高亮那条边. The expansion; hovering a term lights its edge. */
  Player.prototype.explanation = function (i) {
    var self = this, info = this.data.explain && this.data.explain[i];
    if (!info) { return null; }
    var box = el("div", { "class": "mgcn-explain" });
    var line = el("div", { "class": "mgcn-formula" });
    line.appendChild(document.createTextNode(info.head + " = "));
    if (!info.terms.length) { line.appendChild(document.createTextNode(info.total)); }
    info.terms.forEach(function (term, n) {
      if (n) { line.appendChild(document.createTextNode(" + ")); }
      var span = el("span", { "class": "mgcn-term", "data-edge": term.edge.join("-"), tabindex: "0" }, term.symbol);
      var arrived = !self.quiz && term.step < self.step;
      span.title = fill(self.words.term_step, { s: term.step + 1 });
      if (!self.quiz && !arrived) { span.classList.add("mgcn-pending"); }
      var light = function (on) {
        span.classList.toggle("mgcn-hot", on);
        var edge = self.view.edge(term.edge[0], term.edge[1]);
        if (edge) { edge.classList.toggle("mgcn-hot", on); }
      };
      span.addEventListener("mouseenter", function () { light(true); });
      span.addEventListener("mouseleave", function () { light(false); });
      span.addEventListener("focus", function () { light(true); });
      span.addEventListener("blur", function () { light(false); });
      line.appendChild(span);
    });
    if (info.terms.length) {
      var numbers = info.terms.map(function (t) { return t.numbers; }).join(" + ");
      line.appendChild(document.createTextNode(" = " + numbers + " = " + info.total));
    }
    box.appendChild(line);
    if (info.note) { box.appendChild(el("div", { "class": "mgcn-note" }, info.note)); }
    return box;
  };

  Player.prototype.explain = function (i) {
    this.panel.textContent = "";
    var box = i === null ? null : this.explanation(i);
    if (box) { this.panel.appendChild(box); }
  };

  function readData(root) {
    var script = root.querySelector("script.mgcn-data");
    return JSON.parse(script.textContent);
  }

  global.MicrogradPlayer = {
    version: 1,
    Player: Player,
    /** 测验 (player-quiz.js, 只有测验的播放器才带) 用到的小工具. Helpers the quiz part (player-quiz.js) uses. */
    helpers: { el: el, fill: fill },
    /** 在 container 中启动播放器; 返回 Player. Start a player in ``container``; returns the Player. */
    mount: function (root, data) {
      if (root.mgcnPlayer) { return root.mgcnPlayer; }
      data = data || readData(root);
      if (!data.svg && !root.querySelector(".mgcn-static-view img")) { return null; }  // 没有图: 保留静态内容.
      root.mgcnPlayer = new Player(root, data);
      return root.mgcnPlayer;
    }
  };
})(typeof window !== "undefined" ? window : this);
