// The sandbox page: asks the server for one person's chats (long polling), draws them, and
// sends what the person does. Every word comes from the server, in the person's language.
"use strict";

const view = { persona: null, chats: {}, data: null };
let generation = 0;

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(await response.text());
  return response.json();
}

function currentChat() {
  const chats = view.data ? view.data.chats : [];
  const wanted = view.chats[view.persona];
  return chats.find((c) => c.id === wanted) || chats[0];
}

// Wait for changes and draw them; a new call (another person, an action) replaces the loop.
async function watch(immediately) {
  const mine = ++generation;
  let seen = immediately || !view.data ? -1 : view.data.changes;
  while (mine === generation) {
    try {
      const query = `persona=${view.persona || ""}&seen=${seen}`;
      const response = await fetch(`/sandbox/state?${query}`);
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      if (mine !== generation) return;
      draw(data);
      seen = data.changes;
    } catch (error) {
      if (mine !== generation) return;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

// Parts are rebuilt only when what they show changed, so a press never lands on a node that
// is being replaced (a chat's unchanged messages keep their nodes too).
const drawn = {};
function changed(part, value) {
  const key = JSON.stringify(value);
  if (drawn[part] === key) return false;
  drawn[part] = key;
  return true;
}

function draw(data) {
  view.data = data;
  view.persona = data.persona;
  const L = data.labels;
  if (changed("labels", L)) {
    document.documentElement.lang = data.locale.replace("_", "-");
    document.title = L.title;
    $("title").textContent = L.title;
    $("intro").textContent = L.intro;
    $("playing-label").textContent = L.playing;
    $("language-label").textContent = L.language;
    for (const button of document.querySelectorAll("#time button")) {
      button.textContent = L[button.dataset.how];
    }
    $("send").textContent = L.send;
    $("text").placeholder = L.placeholder;
    $("photo-label").textContent = L.photo;
    $("voice-label").textContent = L.voice;
  }
  $("now").textContent = data.now;
  if (changed("personas", [data.personas, data.persona])) {
    $("persona").replaceChildren(...data.personas.map((p) =>
      el("option", { value: p.id, text: p.name })));
    $("persona").value = String(data.persona);
    const me = data.personas.find((p) => p.id === data.persona);
    $("role").textContent = me ? me.role : "";
  }
  if (changed("languages", [data.languages, data.locale])) {
    $("language").replaceChildren(...data.languages.map((l) =>
      el("option", { value: l.locale, text: l.name })));
    $("language").value = data.locale;
  }
  const chat = currentChat();
  if (changed("tabs", [data.chats.map((c) => [c.id, c.title]), chat && chat.id])) {
    $("chats").replaceChildren(...data.chats.map((c) => {
      const tab = el("button", { type: "button", role: "tab", "data-chat": c.id, text: c.title });
      tab.setAttribute("aria-selected", String(Boolean(chat) && c.id === chat.id));
      tab.addEventListener("click", () => { view.chats[view.persona] = c.id; draw(view.data); });
      return tab;
    }));
  }
  drawMessages(chat, L);
}

function drawMessages(chat, L) {
  const box = $("messages");
  if (!chat || chat.messages.length === 0) {
    if (!changed("messages", [view.persona, chat && chat.id, 0, L])) return;
    const start = el("button", { type: "button", id: "start", text: L.start });
    start.addEventListener("click", () => act(() => post("/sandbox/send", {
      persona: view.persona, chat: chat.id, text: "/start" })));
    box.replaceChildren(el("p", { class: "empty", text: L.empty }), el("p", { class: "empty" }, start));
    return;
  }
  const where = [view.persona, chat.id];
  const sameChat = drawn.where === JSON.stringify(where);
  drawn.where = JSON.stringify(where);
  drawn.messages = "";
  const kept = new Map();
  if (sameChat) for (const node of box.querySelectorAll(".msg")) kept.set(node.dataset.id, node);
  const before = box.querySelectorAll(".msg").length;
  const nodes = chat.messages.map((m) => {
    const key = JSON.stringify([m, L]);
    const old = kept.get(String(m.id));
    if (old && old.dataset.key === key) return old;
    const node = message(m, chat, L);
    node.dataset.key = key;
    return node;
  });
  for (const child of [...box.children]) if (!nodes.includes(child)) child.remove();
  nodes.forEach((node, i) => { if (box.children[i] !== node) box.insertBefore(node, box.children[i] || null); });
  if (!sameChat || nodes.length > before) window.scrollTo(0, document.body.scrollHeight);
}

function message(m, chat, L) {
  const node = el("div", { class: `msg${m.mine ? " mine" : ""}${m.bot ? " bot" : ""}`, "data-id": m.id });
  if (!m.mine) node.append(el("div", { class: "from", text: m.from }));
  if (m.photo) node.append(el("img", { src: `/sandbox/file/${m.photo}`, alt: L.picture }));
  if (m.voice) node.append(el("audio", { controls: "", src: `/sandbox/file/${m.voice}` }));
  if (m.document) {
    node.append(el("a", { href: `/sandbox/file/${m.document}`, download: "", text: m.note }));
  } else if (m.note) {
    node.append(el("div", { class: "note", text: m.note }));
  }
  if (m.text) node.append(el("div", { class: "text", text: m.text }));
  if (m.edited) node.append(el("span", { class: "edited", text: L.edited }));
  if (m.buttons.length) {
    node.append(el("div", { class: "kb" }, ...m.buttons.map((row) => el("div", { class: "kb-row" },
      ...row.map((b) => button(b, m, chat))))));
  }
  return node;
}

function button(b, m, chat) {
  if (b.url) return el("a", { href: b.url, target: "_blank", rel: "noopener", text: b.text });
  const node = el("button", { type: "button", "data-callback": b.data, text: b.text });
  node.addEventListener("click", () => act(() => post("/sandbox/press", {
    persona: view.persona, chat: chat.id, message: m.id, data: b.data })));
  return node;
}

async function act(action) {
  $("notice").textContent = "";
  try {
    const result = await action();
    watch(true);
    return result;
  } catch (error) {
    $("notice").textContent = view.data ? view.data.labels.failed : String(error);
    return null;
  }
}

async function upload(input, kind) {
  const file = input.files[0];
  const chat = currentChat();
  if (!file || !chat) return;
  const form = new FormData();
  form.append("persona", view.persona);
  form.append("chat", chat.id);
  form.append("kind", kind);
  form.append("caption", $("text").value);
  form.append("file", file);
  await act(async () => {
    const response = await fetch("/sandbox/upload", { method: "POST", body: form });
    if (!response.ok) throw new Error(await response.text());
    $("text").value = "";
  });
  input.value = "";
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("text").value.trim();
  const chat = currentChat();
  if (!text || !chat) return;
  act(async () => {
    await post("/sandbox/send", { persona: view.persona, chat: chat.id, text });
    $("text").value = "";
  });
});
$("photo").addEventListener("change", (event) => upload(event.target, "photo"));
$("voice").addEventListener("change", (event) => upload(event.target, "voice"));
$("persona").addEventListener("change", (event) => {
  view.persona = Number(event.target.value);
  watch(true);
});
$("language").addEventListener("change", (event) => act(() => post("/sandbox/language", {
  persona: view.persona, locale: event.target.value })));
for (const button of document.querySelectorAll("#time button")) {
  button.addEventListener("click", () => act(async () => {
    const result = await post("/sandbox/time", { how: button.dataset.how });
    if (!result.moved) setTimeout(() => { $("notice").textContent = view.data.labels.nothing_due; });
  }));
}
watch(true);
