/* 赣州知识产权服务助手 — the chat widget. Plain JS, no build step, no framework.
 *
 * Embedding (the whole of it):
 *   <script>
 *     window.GanzhouIpChat = {server: "https://…rasa…", title: "知识产权服务助手", color: "#b71c1c"};
 *   </script>
 *   <script src="https://…portal…/widget/chat.js" defer></script>
 * Optional: api (where /api/ratings lives; default: where this script came from).
 *
 * Rules this file keeps:
 * - Everything the bot or the user sends becomes text nodes (textContent), never HTML; links
 *   are built with DOM APIs and only for http(s) addresses.
 * - The sender id and the conversation stay in localStorage, so a reload or the next page of
 *   the site shows the same conversation.
 */
(function () {
  "use strict";
  if (window.__ganzhouIpChatLoaded) return; // the tag pasted twice must not make two widgets
  window.__ganzhouIpChatLoaded = true;

  const script = document.currentScript;
  const cfg = window.GanzhouIpChat || {};
  const scriptUrl = new URL(script && script.src ? script.src : "widget/chat.js", location.href);
  const SERVER = String(cfg.server || "").replace(/\/+$/, "");
  const API = String(cfg.api || scriptUrl.origin).replace(/\/+$/, "");
  const TITLE = String(cfg.title || "知识产权服务助手");
  const COLOR = /^#[0-9a-fA-F]{3,8}$/.test(cfg.color || "") ? cfg.color : "#b71c1c";
  const STORE_KEY = "ganzhou-ip-chat:v1:" + SERVER; // two deployments never share a history
  const KEEP = 100; // messages kept for the reload; older ones are still in Rasa's tracker store
  const TIMEOUT_MS = 30000;
  const MAX_INPUT = 500; // characters; the server refuses longer (bot/channels/inbound.py)
  const MAX_ANSWER = 2000; // as /api/ratings takes: a longer one could not be rated
  const URL_RE = /https?:\/\/[^\s<>"'“”‘’（）()【】，。；：！？、]+/g;

  // --- state, persisted ----------------------------------------------------------------
  const memory = {}; // when localStorage is off (private mode, policy) the widget still works
  function storageGet() {
    try { return window.localStorage.getItem(STORE_KEY); } catch (e) { return memory.v || null; }
  }
  function storageSet(value) {
    try { window.localStorage.setItem(STORE_KEY, value); } catch (e) { memory.v = value; }
  }
  function randomId(prefix, bytes) {
    const a = new Uint8Array(bytes);
    window.crypto.getRandomValues(a);
    return prefix + Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function freshState() {
    return { sender: randomId("web-", 12), messages: [], open: false };
  }
  function loadState() {
    try {
      const s = JSON.parse(storageGet() || "null");
      if (s && typeof s.sender === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(s.sender)
          && Array.isArray(s.messages)) {
        s.messages = s.messages.filter((m) => m && typeof m.id === "string"
                                       && typeof m.text === "string");
        for (const m of s.messages) if (!Array.isArray(m.buttons)) m.buttons = [];
        return s;
      }
    } catch (e) { /* a damaged entry starts a new conversation */ }
    return freshState();
  }
  function saveState() {
    state.messages = state.messages.slice(-KEEP);
    storageSet(JSON.stringify(state));
  }
  let state = loadState();
  let busy = false;

  // --- DOM helpers: text only ----------------------------------------------------------
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }
  function button(className, text, label) {
    const b = el("button", className, text);
    b.type = "button";
    if (label) b.setAttribute("aria-label", label);
    return b;
  }
  function safeHref(raw) {
    try {
      const u = new URL(raw);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (e) { return null; }
  }
  /** Text with http(s) addresses turned into links; every piece a text node. */
  function appendText(parent, text) {
    let last = 0;
    for (const match of text.matchAll(URL_RE)) {
      const raw = match[0].replace(/[.,;:!?]+$/, ""); // "见 https://x.cn." ends before the dot
      const href = safeHref(raw);
      if (!href) continue;
      parent.append(document.createTextNode(text.slice(last, match.index)));
      const a = el("a", "gzc-link", raw);
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      parent.append(a);
      last = match.index + raw.length;
    }
    parent.append(document.createTextNode(text.slice(last)));
  }

  // --- the widget's frame ----------------------------------------------------------------
  const root = el("div", "gzc");
  root.style.setProperty("--gzc-color", COLOR);
  const launcher = button("gzc-launcher", "在线咨询");
  launcher.setAttribute("aria-controls", "gzc-panel");
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-label", "在线咨询：打开" + TITLE);

  const panel = el("div", "gzc-panel");
  panel.id = "gzc-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-labelledby", "gzc-title");

  const head = el("div", "gzc-head");
  const title = el("h2", "gzc-title", TITLE);
  title.id = "gzc-title";
  const clearBtn = button("gzc-clear", "清空", "清空对话记录");
  const closeBtn = button("gzc-close", "×", "关闭对话窗口");
  head.append(title, clearBtn, closeBtn);

  const log = el("div", "gzc-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-relevant", "additions");
  log.setAttribute("aria-label", "对话记录");
  log.tabIndex = 0; // long answers can be scrolled with the keyboard

  const error = el("p", "gzc-error");
  error.setAttribute("role", "alert");
  error.hidden = true;

  const form = el("form", "gzc-form");
  const label = el("label", "gzc-sr", "输入您的问题");
  label.htmlFor = "gzc-input";
  const input = el("input", "gzc-input");
  input.id = "gzc-input";
  input.type = "text";
  input.autocomplete = "off";
  input.placeholder = "请输入您的问题";
  input.setAttribute("enterkeyhint", "send");
  const sendBtn = el("button", "gzc-send", "发送");
  sendBtn.type = "submit";
  form.append(label, input, sendBtn);

  const note = el("p", "gzc-note", "答复仅供参考，以官方公布为准。请勿输入身份证号、电话等个人信息。");
  panel.append(head, log, error, form, note);
  root.append(panel, launcher);

  const css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = new URL("chat.css", scriptUrl).href;

  // --- messages ---------------------------------------------------------------------------
  function renderMessage(m) {
    const kind = m.from === "user" || m.from === "bot" ? m.from : "sys";
    const row = el("div", "gzc-msg gzc-" + kind);
    row.dataset.id = m.id;
    const bubble = el("div", "gzc-bubble");
    bubble.append(el("span", "gzc-sr", m.from === "user" ? "您：" : "助手："));
    const text = el("span", "gzc-text");
    appendText(text, m.text);
    bubble.append(text);
    row.append(bubble);
    if (m.buttons && m.buttons.length) {
      const group = el("div", "gzc-choices");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "您可以接着问");
      for (const b of m.buttons) {
        const choice = button("gzc-choice", b.title);
        choice.addEventListener("click", () => send(b.payload, b.title));
        group.append(choice);
      }
      row.append(group);
    }
    if (m.from === "bot" && m.rate !== false) row.append(ratingBar(m));
    log.append(row);
    return row;
  }

  // 好差评: five levels, one rating per answer, an optional comment (bot/portal/ratings.py).
  const LEVELS = [["very_satisfied", "非常满意"], ["satisfied", "满意"], ["fair", "基本满意"],
                  ["dissatisfied", "不满意"], ["very_dissatisfied", "非常不满意"]];
  const LEVEL_LABEL = Object.fromEntries(LEVELS);
  LEVEL_LABEL.up = "满意"; LEVEL_LABEL.down = "不满意"; // rated before the five levels
  const MAX_COMMENT = 200; // characters, as the server counts them

  function ratingBar(m) {
    const bar = el("div", "gzc-rate");
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "请评价这条答复");
    const status = el("p", "gzc-rate-status");
    status.setAttribute("aria-live", "polite");
    function done(text) { // rated: the buttons go, the answer keeps its rating
      bar.textContent = "";
      bar.append(el("span", "gzc-rate-done", "您的评价：" + (LEVEL_LABEL[m.rating] || m.rating)),
                 status);
      if (text) status.textContent = text;
    }
    if (m.rating) { done(""); return bar; }

    const levels = el("div", "gzc-levels");
    const comment = el("textarea", "gzc-comment");
    comment.rows = 2;
    comment.placeholder = "补充说明（可选，" + MAX_COMMENT + "字以内；请勿填写电话、身份证号）";
    comment.setAttribute("aria-label", "评价说明（可选）");
    const submit = button("gzc-rate-send", "提交评价");
    const more = el("div", "gzc-rate-more");
    more.hidden = true;
    more.append(comment, submit);
    let chosen = null;
    const buttons = LEVELS.map(([key, text]) => {
      const b = button("gzc-level", text, text);
      b.dataset.level = key;
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", () => {
        chosen = key;
        for (const other of buttons) other.setAttribute("aria-pressed", String(other === b));
        more.hidden = false;
        status.textContent = "";
      });
      levels.append(b);
      return b;
    });
    async function rate() {
      if (!chosen) { status.textContent = "请先选择评价等级。"; return; }
      const words = comment.value.trim();
      const length = [...words].length;
      if (length > MAX_COMMENT) { // said plainly and kept, never cut without a word
        status.textContent = "评价说明有" + length + "字，请控制在" + MAX_COMMENT + "字以内。";
        return;
      }
      submit.disabled = true;
      status.textContent = "";
      try {
        const r = await fetch(API + "/api/ratings", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ sender: state.sender, message_id: m.id, text: m.text,
                                 rating: chosen, comment: words || undefined,
                                 answer_id: m.answerId || undefined }),
        });
        const body = await r.json().catch(() => ({}));
        if (r.status === 201 || r.status === 409) { // 409: this answer has its rating already
          m.rating = r.status === 201 ? chosen : (m.rating || chosen);
          saveState();
          done(r.status === 409 ? String(body.error || "这条答复已经评价过了。")
               : body.followup ? "感谢您的评价。您的意见已转交工作人员跟进处理。"
               : "感谢您的评价。");
          return;
        }
        if (r.status === 400 && (body.field === "comment" || body.field === "rating")) {
          status.textContent = String(body.error);
        } else {
          throw new Error("HTTP " + r.status);
        }
      } catch (e) {
        status.textContent = "评价未能提交，请稍后再试。您写的内容已保留。";
      }
      submit.disabled = false;
    }
    submit.addEventListener("click", rate);
    bar.append(levels, more, status);
    return bar;
  }

  function scrollToEnd() { log.scrollTop = log.scrollHeight; }
  /** To the end, unless that hides where the exchange began: a long answer is read from its top. */
  function reveal(anchor) {
    scrollToEnd();
    const gap = anchor.getBoundingClientRect().top - log.getBoundingClientRect().top;
    if (gap < 0) log.scrollTop += gap - 8;
  }

  function showError(text) { error.textContent = text; error.hidden = false; }
  function hideError() { error.textContent = ""; error.hidden = true; }

  let typing = null;
  function setTyping(on) {
    if (on && !typing) {
      typing = el("div", "gzc-msg gzc-bot gzc-typing");
      const bubble = el("div", "gzc-bubble");
      bubble.append(el("span", "gzc-sr", "助手正在输入…"));
      for (let i = 0; i < 3; i++) {
        const dot = el("span", "gzc-dot");
        dot.setAttribute("aria-hidden", "true");
        bubble.append(dot);
      }
      typing.append(bubble);
      log.append(typing); // read out as "助手正在输入…": the question was received
      scrollToEnd();
    } else if (!on && typing) {
      typing.remove();
      typing = null;
    }
  }

  /** Rasa's REST replies → our messages: text and buttons kept, as strings of bounded size. */
  function fromRasa(replies, rate) {
    const out = [];
    for (const r of Array.isArray(replies) ? replies : []) {
      if (r && r.custom && typeof r.custom.answer_id === "string" && out.length) {
        out[out.length - 1].answerId = r.custom.answer_id.slice(0, 96); // which answer to rate
        continue;
      }
      if (!r || (typeof r.text !== "string" && !Array.isArray(r.buttons))) continue;
      const buttons = (Array.isArray(r.buttons) ? r.buttons : [])
        .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
        .slice(0, 8)
        .map((b) => ({ title: b.title.slice(0, 40), payload: b.payload.slice(0, 300) }));
      out.push({ id: randomId("m", 8), from: "bot", text: String(r.text || "").slice(0, MAX_ANSWER),
                 buttons: buttons, rate: rate });
    }
    return out;
  }

  /** Sends one message. shown: what the user sees as their message (null: nothing, as /greet). */
  async function send(message, shown, typed) {
    if (busy) return false;
    if (!SERVER) { showError("聊天服务地址未配置（GanzhouIpChat.server）。"); return false; }
    busy = true;
    hideError();
    const mine = shown == null ? null : { id: randomId("m", 8), from: "user", text: shown };
    const row = mine && renderMessage(mine);
    setTyping(true);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
    try {
      const r = await fetch(SERVER + "/webhooks/rest/webhook", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: state.sender, message: message }),
        signal: abort.signal,
      });
      if (!r.ok) throw new Error("HTTP " + r.status);
      // The welcome is no answer to rate; everything said in reply to the user is.
      const replies = fromRasa(await r.json(), mine != null);
      setTyping(false);
      if (mine) state.messages.push(mine);
      const rows = replies.map((m) => {
        state.messages.push(m);
        return renderMessage(m);
      });
      if (!replies.length) {
        rows.push(renderMessage({ id: randomId("m", 8), from: "sys",
                                  text: "（助手没有回复，请换个说法再试。）" }));
      }
      saveState();
      reveal(row || rows[0]);
      return true;
    } catch (e) {
      setTyping(false);
      if (row) row.remove(); // not sent: it goes back into the input instead of the log
      if (typed) input.value = input.value ? typed + " " + input.value : typed;
      showError(e && e.name === "AbortError"
        ? "服务器响应超时，请稍后再试。您输入的内容已保留。"
        : "暂时无法连接咨询服务，请检查网络或稍后再试。您输入的内容已保留。");
      return false;
    } finally {
      clearTimeout(timer);
      busy = false;
    }
  }

  // --- opening, closing, typing -----------------------------------------------------------
  function setOpen(open, focus) {
    state.open = open;
    saveState();
    panel.hidden = !open;
    root.classList.toggle("gzc-is-open", open);
    launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      scrollToEnd();
      if (focus) input.focus();
      if (!state.messages.length) send("/greet", null); // the bot's welcome and its topics
    } else if (focus) {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", () => setOpen(!state.open, true));
  closeBtn.addEventListener("click", () => setOpen(false, true));
  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { e.preventDefault(); setOpen(false, true); }
  });
  clearBtn.addEventListener("click", () => {
    if (busy) return;
    // A shared computer: the next person starts a new conversation, with a new sender id.
    state = freshState();
    log.textContent = "";
    hideError();
    setOpen(true, true);
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text || busy) return;
    const length = [...text].length; // characters, as the server counts them
    if (length > MAX_INPUT) { // said plainly and kept, never cut without a word
      showError("您的消息有" + length + "字，太长了。请控制在" + MAX_INPUT + "字以内，只写要点或分几次发送。");
      return;
    }
    input.value = "";
    send(text, text, text);
    input.focus();
  });

  function start() {
    css.addEventListener("load", scrollToEnd); // heights are known only once styled
    document.head.append(css);
    document.body.append(root);
    for (const m of state.messages) renderMessage(m); // before opening: not read out again
    if (state.open) setOpen(true, false);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
