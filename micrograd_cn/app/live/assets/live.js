/* micrograd_cn 课堂: 学生页与老师页. The live classroom: the student page and the teacher page.
 * The graph is the one player front-end (MicrogradPlayer.mount with data from /api/picture/<board>: nodes and
 * the laid-out SVG, no steps, no gradients); this file adds the question, the answers and the live counts.
 * Every text goes in with textContent; the server decides right and wrong (student pages never hold the key).
 */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function api(method, url, body, token) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    if (token) { headers["X-Live-Token"] = token; }
    return fetch(url, { method: method, headers: headers, credentials: "same-origin",
                        body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      });
  }

  function message(data) {
    return data && data.error ? data.error + " (" + data.error_en + ")" : "网络出错, 正在重试 (network error, retrying)";
  }

  /* 一张图: 用播放器画出来, 标出被问的节点, 点亮一些边. One board drawn by the player. */
  function Board(holder, picture) {
    this.holder = holder;
    holder.textContent = "";
    var root = el("div", { "class": "mgcn-player mgcn-no-side", tabindex: "0", lang: "zh-CN" });
    holder.appendChild(root);
    this.player = window.MicrogradPlayer.mount(root, picture);
    this.hot = [];
    this.asked = null;
  }

  Board.prototype.ask = function (node) {
    var p = this.player;
    if (!p || this.asked === node) { return; }
    if (this.asked !== null && p.view.boxes[this.asked]) { p.view.boxes[this.asked].classList.remove("live-asked"); }
    this.asked = node;
    var box = p.view.boxes[node];
    if (box) { box.classList.add("live-asked"); }
    this.selecting = true;
    p.select(node, true);
    this.selecting = false;
    /* 播放器第一次适合窗口 (ResizeObserver) 之后再把被问的节点移到中间. Centre again after the first fit. */
    if (box) { setTimeout(function () { p.centreOn(box, false); }, 150); }
  };

  /* 揭晓: 在图上写出这个节点的梯度. The reveal: write the node's gradient on the graph. */
  Board.prototype.known = function (node, text) {
    var p = this.player, t = p && p.view.gradTexts[node];
    if (!t) { return; }
    t.textContent = p.data.grad_prefix + text;
    t.classList.remove("mgcn-unknown");
  };

  Board.prototype.light = function (edges) {
    var p = this.player;
    this.hot.forEach(function (edge) { edge.classList.remove("mgcn-hot"); });
    this.hot = [];
    if (!p) { return; }
    (edges || []).forEach(function (pair) {
      var edge = p.view.edge(pair[0], pair[1]);
      if (edge) { edge.classList.add("mgcn-hot"); this.hot.push(edge); }
    }, this);
  };

  /* 事件流: 每条消息都重新取一次状态; 断了就自己重连. The event stream: refetch on every message; reconnect. */
  function listen(url, refresh, status) {
    var source = null;
    function connect() {
      source = new EventSource(url);
      source.onopen = function () { status.textContent = "● 已连接 connected"; status.className = "live-status live-on"; };
      source.onmessage = function () { refresh(); };
      source.onerror = function () {
        status.textContent = "○ 重新连接中 reconnecting…";
        status.className = "live-status live-off";
        if (source.readyState === 2) { setTimeout(connect, 1500); }
      };
    }
    connect();
  }

  /* ---- 学生页 the student page ---- */
  function Student() {
    this.main = el("main", { "class": "live-main" });
    document.body.appendChild(this.main);
    this.boardIndex = null;
    this.questionId = null;
    var self = this;
    api("GET", "/api/state").then(function (r) {
      if (r.status === 200) { self.start(r.data); } else { self.joinForm(""); }
    }, function () { self.joinForm(""); });
  }

  Student.prototype.joinForm = function (error) {
    var self = this, params = new URLSearchParams(location.search);
    this.main.textContent = "";
    this.main.appendChild(el("h1", {}, "加入课堂 join the class"));
    var form = el("form", { "class": "live-join" });
    var code = el("input", { id: "live-code", name: "code", inputmode: "numeric", autocomplete: "off", maxlength: "12",
                             "aria-label": "加入码 join code" });
    code.value = params.get("c") || "";
    var nick = el("input", { id: "live-nickname", name: "nickname", autocomplete: "nickname", maxlength: "16",
                             "aria-label": "昵称 nickname" });
    form.appendChild(el("label", { "for": "live-code" }, "加入码 join code"));
    form.appendChild(code);
    form.appendChild(el("label", { "for": "live-nickname" }, "昵称 nickname (1–16)"));
    form.appendChild(nick);
    form.appendChild(el("button", { type: "submit" }, "加入 join"));
    var note = el("p", { "class": "live-error", "aria-live": "polite" }, error);
    form.appendChild(note);
    this.main.appendChild(form);
    (code.value ? nick : code).focus();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      api("POST", "/api/join", { code: code.value, nickname: nick.value }).then(function (r) {
        if (r.status !== 201) { note.textContent = message(r.data); return; }
        api("GET", "/api/state").then(function (s) { if (s.status === 200) { self.start(s.data); } });
      }, function () { note.textContent = message(null); });
    });
  };

  Student.prototype.start = function (state) {
    var self = this;
    this.main.textContent = "";
    var head = el("header", { "class": "live-head" });
    this.who = el("span", { "class": "live-who" });
    this.status = el("span", { "class": "live-status" }, "…");
    head.appendChild(this.who);
    head.appendChild(this.status);
    this.title = el("div", { "class": "live-title" });
    this.prompt = el("h1", { "class": "live-question" });
    this.graph = el("div", { "class": "live-graph" });
    this.form = el("form", { "class": "live-answer mgcn-answer" });
    this.label = el("label", { "for": "live-input" });
    this.input = el("input", { id: "live-input", type: "text", inputmode: "decimal", autocomplete: "off",
                               maxlength: "32", enterkeyhint: "send" });
    this.send = el("button", { type: "submit" }, "提交 submit");
    [this.label, this.input, this.send].forEach(function (part) { self.form.appendChild(part); });
    this.feedback = el("div", { "class": "live-feedback", "aria-live": "polite" });
    this.reveal = el("div", { "class": "live-reveal", "aria-live": "polite" });
    [head, this.title, this.prompt, this.graph, this.form, this.feedback, this.reveal].forEach(function (part) {
      self.main.appendChild(part);
    });
    this.form.addEventListener("submit", function (event) { event.preventDefault(); self.submit(); });
    this.render(state);
    listen("/api/events", function () { self.refresh(); }, this.status);
  };

  Student.prototype.refresh = function () {
    var self = this;
    api("GET", "/api/state").then(function (r) {
      if (r.status === 200) { self.render(r.data); } else if (r.status === 401) { location.reload(); }
    }, function () {});
  };

  Student.prototype.submit = function () {
    var self = this, text = this.input.value;
    this.send.disabled = true;
    api("POST", "/api/answer", { question: this.questionId, text: text }).then(function (r) {
      self.send.disabled = false;
      if (r.status === 200) { self.refresh(); return; }
      self.showFeedback({ error: message(r.data) });
      if (r.status === 409) { self.refresh(); }
    }, function () { self.send.disabled = false; self.showFeedback({ error: message(null) }); });
  };

  Student.prototype.render = function (state) {
    var self = this, q = state.question;
    this.who.textContent = state.nickname;
    this.title.textContent = state.title;
    this.prompt.textContent = "求 find " + q.symbol + " = ?";
    this.label.textContent = q.symbol + " =";
    if (state.board !== this.boardIndex) {
      this.boardIndex = state.board;
      this.board = null;
      api("GET", "/api/picture/" + state.board).then(function (r) {
        if (r.status !== 200) { return; }
        self.board = new Board(self.graph, r.data);
        self.board.ask(self.asked);
        self.board.light(self.edges);
        if (self.known) { self.board.known(self.asked, self.known); }
      });
    }
    if (q.id !== this.questionId) {
      this.questionId = q.id;
      this.input.value = "";
      this.feedback.textContent = "";
    }
    this.asked = q.node;
    this.edges = state.mine && state.mine.edges ? state.mine.edges : [];
    if (this.board) { this.board.ask(q.node); this.board.light(this.edges); }
    var answered = state.mine !== null;
    this.input.disabled = answered;
    this.send.disabled = answered;
    if (answered) { this.input.value = state.mine.text; this.showFeedback(state.mine); }
    this.reveal.textContent = "";
    this.known = state.reveal ? state.reveal.answer : null;
    if (state.reveal) {
      if (this.board) { this.board.known(q.node, state.reveal.answer); }
      this.reveal.appendChild(el("div", { "class": "live-key" }, "答案 answer: " + q.symbol + " = " + state.reveal.answer));
      this.reveal.appendChild(el("div", { "class": "live-expansion" }, state.reveal.expansion));
    }
  };

  Student.prototype.showFeedback = function (mine) {
    var box = this.feedback;
    box.textContent = "";
    box.className = "live-feedback";
    if (mine.error) { box.classList.add("live-wrong"); box.textContent = mine.error; return; }
    if (mine.right === undefined) {
      box.classList.add("live-waiting");
      box.textContent = "已提交 " + mine.text + ", 等老师揭晓 (sent; the teacher will reveal)";
      return;
    }
    if (mine.right) { box.classList.add("live-right"); box.textContent = "✔ 对了 right: " + mine.text; return; }
    box.classList.add("live-wrong");
    box.appendChild(el("div", { "class": "live-diagnosis", "data-kind": mine.label ? "diagnosed" : "other" },
                       mine.label ? mine.zh : "还不对 (not right)"));
    if (mine.label) {
      box.appendChild(el("div", { "class": "live-en" }, mine.en));
      box.appendChild(el("div", { "class": "live-hint" }, "提示 hint: " + mine.hint));
    }
  };

  /* ---- 老师页 the teacher page ---- */
  function Teacher() {
    var self = this;
    this.token = new URLSearchParams(location.search).get("token") || "";
    this.main = el("main", { "class": "live-main" });
    document.body.appendChild(this.main);
    var head = el("header", { "class": "live-head" });
    this.title = el("span", { "class": "live-title" });
    this.counts = el("span", { "class": "live-counts", "aria-live": "polite" });
    this.status = el("span", { "class": "live-status" }, "…");
    [this.title, this.counts, this.status].forEach(function (part) { head.appendChild(part); });
    var body = el("div", { "class": "live-body" });
    this.graph = el("div", { "class": "live-graph" });
    var side = el("aside", { "class": "live-side" });
    var join = el("div", { "class": "live-join-box" });
    this.qr = el("img", { "class": "live-qr", alt: "二维码 QR code", src: "/qr.svg?token=" + encodeURIComponent(this.token) });
    this.code = el("div", { "class": "live-code" });
    this.url = el("div", { "class": "live-url" });
    var joinText = el("div");
    [this.code, this.url].forEach(function (part) { joinText.appendChild(part); });
    join.appendChild(this.qr);
    join.appendChild(joinText);
    this.prompt = el("h1", { "class": "live-question" });
    this.groups = el("ul", { "class": "live-groups" });
    var buttons = el("div", { "class": "live-buttons" });
    function button(act, text) {
      var b = el("button", { type: "button", "data-live": act }, text);
      b.addEventListener("click", function () { self.act(act); });
      buttons.appendChild(b);
      return b;
    }
    this.revealButton = button("reveal", "揭晓 reveal");
    button("next", "下一个节点 next node");
    this.boardButton = button("next-board", "下一题 next exercise");
    this.mode = el("select", { "aria-label": "反馈方式 feedback" });
    [["now", "立即反馈 feedback at once"], ["reveal", "揭晓后反馈 feedback after reveal"]].forEach(function (o) {
      var option = el("option", { value: o[0] }, o[1]);
      self.mode.appendChild(option);
    });
    this.mode.addEventListener("change", function () { self.act("mode", { mode: self.mode.value }); });
    buttons.appendChild(this.mode);
    var csv = el("a", { "class": "live-csv", href: "/api/teacher/answers.csv?token=" + encodeURIComponent(this.token),
                        download: "live-answers.csv" }, "导出 CSV export");
    buttons.appendChild(csv);
    var tip = el("p", { "class": "live-tip" }, "点图中的另一个节点就改问它 (click another node on the graph to ask it)");
    this.reveal = el("div", { "class": "live-reveal", "aria-live": "polite" });
    this.summary = el("table", { "class": "live-summary" });
    [join, this.prompt, this.groups, buttons, tip, this.reveal, this.summary].forEach(function (part) { side.appendChild(part); });
    body.appendChild(this.graph);
    body.appendChild(side);
    this.main.appendChild(head);
    this.main.appendChild(body);
    this.boardIndex = null;
    this.refresh();
    listen("/api/teacher/events?token=" + encodeURIComponent(this.token), function () { self.refresh(); }, this.status);
  }

  Teacher.prototype.act = function (action, body) {
    var self = this;
    api("POST", "/api/teacher/" + action, body || {}, this.token).then(function () { self.refresh(); });
  };

  Teacher.prototype.refresh = function () {
    var self = this;
    api("GET", "/api/teacher/state", undefined, this.token).then(function (r) {
      if (r.status === 200) { self.render(r.data); } else { self.prompt.textContent = message(r.data); }
    }, function () {});
  };

  Teacher.prototype.render = function (state) {
    var self = this, q = state.question;
    this.title.textContent = state.title + (state.boards > 1 ? "  (" + (state.board + 1) + " / " + state.boards + ")" : "");
    this.counts.textContent = "已加入 joined " + state.joined + " · 已作答 answered " + state.answered;
    this.code.textContent = "加入码 code " + state.code;
    this.url.textContent = state.student_url;
    this.prompt.textContent = "求 find " + q.symbol + " = ?";
    this.mode.value = state.mode;
    this.revealButton.disabled = q.revealed;
    this.boardButton.style.display = state.boards > 1 ? "" : "none";
    if (state.board !== this.boardIndex) {
      this.boardIndex = state.board;
      this.board = null;
      api("GET", "/api/picture/" + state.board + "?token=" + encodeURIComponent(this.token)).then(function (r) {
        if (r.status !== 200) { return; }
        var board = self.board = new Board(self.graph, r.data);
        board.ask(self.asked);
        if (self.known) { self.board.known(self.asked, self.known); }
        /* 老师点图中的另一个节点: 改问它. The teacher clicks another node: ask that one. */
        board.player.root.addEventListener("mgcn-select", function (event) {
          var node = event.detail.node;
          if (board.selecting || node === null || node === board.asked) { return; }
          self.act("ask", { board: self.boardIndex, node: node });
        });
      });
    }
    this.asked = q.node;
    if (this.board) { this.board.ask(q.node); }
    this.renderGroups(state);
    this.reveal.textContent = "";
    this.known = state.reveal ? state.reveal.answer : null;
    if (state.reveal) {
      if (this.board) { this.board.known(q.node, state.reveal.answer); }
      this.reveal.appendChild(el("div", { "class": "live-key" }, q.symbol + " = " + state.reveal.answer));
      this.reveal.appendChild(el("div", { "class": "live-expansion" }, state.reveal.expansion));
    }
    this.renderSummary(state.summary);
  };

  Teacher.prototype.renderGroups = function (state) {
    var self = this, total = state.answered || 1;
    this.groups.textContent = "";
    if (!state.groups.length) {
      this.groups.appendChild(el("li", { "class": "live-empty" }, "还没有答案 no answers yet"));
      return;
    }
    state.groups.forEach(function (g) {
      var item = el("li", { "class": "live-group live-group-" + (g.key === "right" ? "right" : g.key === "other" ? "other" : "mistake"),
                            "data-key": g.key, tabindex: "0" });
      var bar = el("span", { "class": "live-bar" });
      bar.style.width = Math.round(100 * g.count / total) + "%";
      item.appendChild(bar);
      item.appendChild(el("span", { "class": "live-count" }, g.count));
      item.appendChild(el("span", { "class": "live-label" }, g.label));
      item.title = g.en;
      var on = function () { if (self.board) { self.board.light(g.edges); } };
      var off = function () { if (self.board) { self.board.light([]); } };
      item.addEventListener("mouseenter", on);
      item.addEventListener("mouseleave", off);
      item.addEventListener("focus", on);
      item.addEventListener("blur", off);
      self.groups.appendChild(item);
    });
  };

  Teacher.prototype.renderSummary = function (rows) {
    var table = this.summary;
    table.textContent = "";
    table.appendChild(el("caption", {}, "小结 summary"));
    var head = el("tr");
    ["问题 question", "对 right", "作答 answered", "最多的错误 top mistake"].forEach(function (t) { head.appendChild(el("th", {}, t)); });
    table.appendChild(head);
    rows.forEach(function (row) {
      var tr = el("tr");
      [row.symbol, row.right, row.answered, row.top || "—"].forEach(function (t) { tr.appendChild(el("td", {}, t)); });
      table.appendChild(tr);
    });
  };

  var role = document.body.getAttribute("data-role");
  if (role === "teacher") { window.liveTeacher = new Teacher(); } else { window.liveStudent = new Student(); }
})();
