/* micrograd_cn 反向传播播放器的测验部分: 只有测验的播放器才带上它 (在 player.js 之后).
 * The quiz part of the backward-pass player, shipped only with a player in quiz mode (after player.js):
 * the student types ∂out/∂node, and a wrong answer that matches a typical mistake gets its diagnosis.
 */
(function (global) {
  "use strict";
  var front = global.MicrogradPlayer;  // player.js
  if (!front || front.Quiz) { return; }
  var el = front.helpers.el, fill = front.helpers.fill;

  /* ---- 测验 the answering quiz ---- */
  /* 学生写出 ∂out/∂节点, 立即得到反馈; 错误答案若符合一种典型错误, 就给出诊断与提示 (诊断在 Python 中算好).
   * The student types ∂out/∂node and gets feedback at once; a wrong answer that matches a typical mistake
   * gets its diagnosis and hint (computed in Python and shipped as data). */
  function Quiz(player) {
    this.player = player;
    this.q = player.data.quiz;
    this.known = player.data.nodes.map(function () { return null; });
    this.status = {};     // i → "right" | "revealed"
    this.tries = {};
    this.firstTry = 0;
    player.root.classList.add("mgcn-quizzing");
    var self = this, bar = player.root.querySelector(".mgcn-toolbar");
    this.score = el("span", { "class": "mgcn-score" });
    bar.insertBefore(this.score, bar.firstChild);
    var reveal = this.revealButton = el("button", { type: "button", "data-act": "reveal-all" }, player.words.reveal_all);
    reveal.addEventListener("click", function () { self.revealAll(); });
    bar.insertBefore(reveal, this.score.nextSibling);
    this.updateScore();
    setTimeout(function () { self.ask(self.next()); }, 0);
  }

  Quiz.prototype.next = function () {
    var status = this.status;
    var open = this.q.order.filter(function (i) { return !status[i]; });
    return open.length ? open[0] : null;
  };

  Quiz.prototype.prompt = function () {
    var p = this.player, words = p.words, data = p.data;
    var open = this.q.order.filter(function (i) { return !this.status[i]; }, this);
    if (!open.length) { return fill(words.quiz_done, { right: this.count("right"), n: this.q.order.length, first: this.firstTry }); }
    var names = this.q.order.map(function (i) { return data.nodes[i].name; }).join(", ");
    return fill(words.quiz_prompt, { order: names });
  };

  Quiz.prototype.count = function (kind) {
    var status = this.status;
    return Object.keys(status).filter(function (i) { return status[i] === kind; }).length;
  };

  Quiz.prototype.updateScore = function () {
    this.score.textContent = fill(this.player.words.quiz_score, { right: this.count("right"), n: this.q.order.length });
  };

  Quiz.prototype.ask = function (i) {
    var self = this, p = this.player, words = p.words;
    p.panel.textContent = "";
    if (i === null || i === undefined) { p.show(p.step, false); return; }
    if (p.selected !== i) { p.select(i, true); return; }
    var form = el("form", { "class": "mgcn-answer" });
    form.appendChild(el("label", { "for": p.root.id + "-answer" }, p.data.partials[i] + " = "));
    var input = el("input", { id: p.root.id + "-answer", type: "text", inputmode: "decimal", autocomplete: "off",
                              "aria-label": p.data.partials[i] });
    form.appendChild(input);
    form.appendChild(el("button", { type: "submit" }, words.check));
    var reveal = el("button", { type: "button" }, words.reveal);
    form.appendChild(reveal);
    var feedback = el("div", { "class": "mgcn-feedback" });
    p.panel.appendChild(form);
    p.panel.appendChild(feedback);
    if (this.status[i]) { this.finish(i, feedback, this.status[i]); input.disabled = true; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.check(i, input.value, feedback, input);
    });
    reveal.addEventListener("click", function () { self.reveal(i, feedback); input.disabled = true; });
    input.addEventListener("keydown", function (event) { event.stopPropagation(); });
    if (!this.status[i]) { input.focus({ preventScroll: true }); }
  };

  /* 学生写的数: 全角数字与符号 (中文输入法), 各种减号, 小数逗号, 分数 a/b 都算. A typed number: full-width
   * digits and signs (a Chinese input method), any minus sign, a decimal comma or 。, and fractions a/b. */
  function parseNumber(text) {
    text = String(text).normalize("NFKC").replace(/\s+/g, "").replace(/[\u2212\u2012\u2013\u2014\uFE63]/g, "-")
      .replace(/[,\u3002]/g, ".");
    var number = function (part) { return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(part) ? Number(part) : NaN; };
    var parts = text.split("/");
    if (parts.length === 2) { return number(parts[0]) / number(parts[1]); }
    return number(text);
  }

  Quiz.prototype.close = function (typed, value) {
    return Math.abs(typed - value) <= this.q.atol + this.q.rtol * Math.abs(value);
  };

  Quiz.prototype.check = function (i, text, feedback, input) {
    var p = this.player, words = p.words, node = this.q.nodes[i];
    var typed = parseNumber(text);
    this.clearHot();
    feedback.className = "mgcn-feedback";
    feedback.textContent = "";
    feedback.removeAttribute("data-kind");
    if (!isFinite(typed)) { feedback.textContent = words.not_a_number; p.announce(feedback.textContent); return; }
    this.tries[i] = (this.tries[i] || 0) + 1;
    if (this.close(typed, node.answer)) {
      if (this.tries[i] === 1) { this.firstTry += 1; }
      input.disabled = true;
      this.finish(i, feedback, "right");
      return;
    }
    var self = this;
    var found = node.diagnoses.filter(function (d) { return self.close(typed, d.value); })[0];
    feedback.classList.add("mgcn-wrong");
    if (!found) { feedback.textContent = words.not_yet; p.announce(feedback.textContent); return; }
    feedback.appendChild(el("div", { "class": "mgcn-diagnosis" }, found.zh));
    if (found.en) { feedback.appendChild(el("div", { "class": "mgcn-en" }, found.en)); }
    feedback.appendChild(el("div", { "class": "mgcn-hint" },
      p.words.hint + found.hint_zh + (found.hint_en ? " (" + found.hint_en + ")" : "")));
    found.edges.forEach(function (pair) {
      var edge = p.view.edge(pair[0], pair[1]);
      if (edge) { edge.classList.add("mgcn-hot"); self.hot.push(edge); }
    });
    feedback.setAttribute("data-kind", found.kind);
    p.announce(feedback.textContent);
  };

  Quiz.prototype.clearHot = function () {
    (this.hot || []).forEach(function (edge) { edge.classList.remove("mgcn-hot"); });
    this.hot = [];
  };

  Quiz.prototype.finish = function (i, feedback, how) {
    var p = this.player, words = p.words, node = this.q.nodes[i];
    this.status[i] = this.status[i] || how;
    this.known[i] = node.text;
    feedback.className = "mgcn-feedback " + (this.status[i] === "right" ? "mgcn-right" : "mgcn-revealed");
    feedback.textContent = "";
    feedback.appendChild(el("div", {}, (this.status[i] === "right" ? words.right : words.revealed) + " "
                                       + p.data.partials[i] + " = " + node.text));
    var why = p.explanation(i);
    if (why) { feedback.appendChild(why); }
    this.updateScore();
    p.show(p.step, false);
    p.announce(feedback.firstChild.textContent + " · " + this.score.textContent);
    var next = this.next(), self = this;
    if (next !== null && how === "right") {
      var go = el("button", { type: "button", "class": "mgcn-next-question" }, fill(words.next_question, { name: p.data.nodes[next].name }));
      go.addEventListener("click", function () { self.ask(next); });
      feedback.appendChild(go);
    }
  };

  Quiz.prototype.reveal = function (i, feedback) { this.clearHot(); this.finish(i, feedback, "revealed"); };

  /* 揭晓全部答案, 回到逐步播放. Reveal everything and go back to stepping. */
  Quiz.prototype.revealAll = function () {
    var p = this.player;
    this.clearHot();
    this.q.order.forEach(function (i) { if (!this.status[i]) { this.status[i] = "revealed"; } }, this);
    this.updateScore();
    p.root.classList.remove("mgcn-quizzing");
    p.quiz = null;
    p.panel.textContent = "";
    this.score.remove();  // 工具栏回到逐步播放的样子. The toolbar is the stepping toolbar again.
    this.revealButton.remove();
    p.help.textContent = p.words.help;
    p.show(p.last, false);
  };

  front.Quiz = Quiz;
})(typeof window !== "undefined" ? window : this);
