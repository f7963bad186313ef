// Dyadic's own script: only what the browser must do itself. Pages work without it.

// Every unsafe request carries the page's form token (app/csrf.py); forms without script send it as a
// hidden field instead.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector('meta[name="csrf-token"]');
  if (token) event.detail.headers["X-CSRF-Token"] = token.content;
});

// A refusal (403: a role that may not do this, or an expired form token) is not swapped in: its one line
// shows in a banner, and the page, with whatever was typed, stays as it was.
document.addEventListener("htmx:responseError", (event) => {
  if (event.detail.xhr.status !== 403) return;
  const page = new DOMParser().parseFromString(event.detail.xhr.responseText, "text/html");
  const message = page.querySelector("[role=alert]");
  let banner = document.getElementById("refusal");
  if (!banner) {
    banner = document.createElement("p");
    banner.id = "refusal";
    banner.className = "error refusal";
    banner.setAttribute("role", "alert");
    document.body.prepend(banner);
  }
  banner.textContent = message ? message.textContent : "Not permitted.";
});

// A refused form (422) comes back re-rendered with its message and the input kept: show it, as the page
// without script would. (htmx does not swap error responses by default.)
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
document.addEventListener("change", (event) => {
  const box = event.target.closest("[data-toggle-class]");
  if (!box) return;
  const target = document.querySelector(box.dataset.target);
  if (target) target.classList.toggle(box.dataset.toggleClass, box.checked);
});

document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select) select.form.requestSubmit();
});

// ---- Coding in the reading view ---------------------------------------------------------------------
// Offsets sent to the server are code points into the transcript's text (Python str indices). The DOM
// counts UTF-16 units, so every offset is converted here, at the edge: each speech <span> carries the
// code-point offsets of its text (data-s, data-e).
const codePoints = (text) => Array.from(text).length;
const WORD_CHAR = /[\p{L}\p{N}\p{M}'’-]/u;

function pointOffset(node, offset) {
  const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  const span = element && element.closest("[data-s]");
  if (span) {
    if (node.nodeType !== Node.TEXT_NODE) return offset === 0 ? +span.dataset.s : +span.dataset.e;
    return +span.dataset.s + codePoints(node.data.slice(0, offset));
  }
  const speech = element && element.closest(".speech");
  if (!speech) return null;
  const spans = speech.querySelectorAll("[data-s]");
  if (!spans.length) return null;
  return offset < spans.length ? +spans[offset].dataset.s : +spans[spans.length - 1].dataset.e;
}

function domPoint(surface, offset, isEnd) {
  // The DOM position of a code-point offset: the inverse of pointOffset.
  for (const span of surface.querySelectorAll(".speech [data-s]")) {
    const s = +span.dataset.s;
    const e = +span.dataset.e;
    if (offset < s || offset > e || (!isEnd && offset === e) || !span.firstChild) continue;
    return [span.firstChild, Array.from(span.firstChild.data).slice(0, offset - s).join("").length];
  }
  return null;
}

function rangeOf(surface, start, end) {
  const from = domPoint(surface, start, false);
  const to = domPoint(surface, end, true);
  if (!from || !to) return null;
  const range = document.createRange();
  range.setStart(...from);
  range.setEnd(...to);
  return range;
}

function speechOf(turn) {
  // The turn's speech as an array of code points, and the offset of its first one.
  const text = Array.from(turn.querySelector(".speech").textContent);
  return { chars: text, base: +turn.dataset.start };
}

function snap(turn, offset, isEnd) {
  // Move an edge out to the word it cuts, and in past white space at the selection's edges.
  const { chars, base } = speechOf(turn);
  let i = Math.min(Math.max(offset - base, 0), chars.length);
  if (isEnd) {
    while (i > 0 && /\s/u.test(chars[i - 1])) i--;
    while (i < chars.length && i > 0 && WORD_CHAR.test(chars[i - 1]) && WORD_CHAR.test(chars[i])) i++;
  } else {
    while (i < chars.length && /\s/u.test(chars[i])) i++;
    while (i > 0 && i < chars.length && WORD_CHAR.test(chars[i - 1]) && WORD_CHAR.test(chars[i])) i--;
  }
  return base + i;
}

function selectionSpan(event) {
  const selection = window.getSelection();
  if (!selection.rangeCount) return null;
  const range = selection.getRangeAt(0);
  const startTurn = range.startContainer.parentElement?.closest(".turn");
  const endTurn = range.endContainer.parentElement?.closest(".turn") || range.endContainer.closest?.(".turn");
  if (!startTurn || !endTurn) return null;
  if (event.detail >= 3) return { start: +startTurn.dataset.start, end: +startTurn.dataset.end, range };
  let start = pointOffset(range.startContainer, range.startOffset);
  let end = pointOffset(range.endContainer, range.endOffset);
  if (start === null || end === null) return null;
  if (event.detail === 2) {
    const sentence = (startTurn.dataset.sentences || "").split(" ").filter(Boolean)
      .map((pair) => pair.split(":").map(Number)).find(([s, e]) => s <= start && start < e);
    if (sentence) return { start: sentence[0], end: sentence[1], range };
  }
  if (range.collapsed || start >= end) return null;
  if (!event.altKey) {
    start = snap(startTurn, start, false);
    end = snap(endTurn, end, true);
  }
  return start < end ? { start, end, range } : null;
}

const picker = () => document.getElementById("code-picker");

function openPicker(span) {
  const box = picker();
  if (!box) return;
  const form = box.querySelector("form");
  form.elements.start.value = span.start;
  form.elements.end.value = span.end;
  const rect = span.range.getBoundingClientRect();
  box.style.top = `${Math.min(rect.bottom + 6, window.innerHeight - 320)}px`;
  box.style.left = `${Math.min(rect.left, window.innerWidth - 320)}px`;
  box.hidden = false;
  // Focusing the filter takes the selection away; keep showing what is about to be coded.
  if (window.CSS && CSS.highlights && window.Highlight) {
    const surface = document.querySelector(".coding-surface");
    const shown = rangeOf(surface, span.start, span.end) || span.range.cloneRange();
    CSS.highlights.set("pending-coding", new Highlight(shown));
  }
  form.querySelector(".picker-error").textContent = "";
  const filter = form.elements.filter;
  filter.value = "";
  filterPicker(filter);
  filter.focus({ preventScroll: true });
}

function closePicker() {
  const box = picker();
  if (box) box.hidden = true;
  if (window.CSS && CSS.highlights) CSS.highlights.delete("pending-coding");
}

function filterPicker(input) {
  const query = input.value.trim().toLowerCase();
  let exact = false;
  input.form.querySelectorAll(".picker-code").forEach((button) => {
    button.parentElement.hidden = Boolean(query) && !button.dataset.name.includes(query);
    exact ||= button.dataset.name === query;
  });
  const create = input.form.querySelector(".picker-new");
  create.hidden = !query || exact;
  create.value = input.value.trim();
  create.querySelector("span").textContent = input.value.trim();
}

let pendingMouseUp = null;
document.addEventListener("mouseup", (event) => {
  if (event.target.closest("#code-picker")) return;
  const surface = event.target.closest(".coding-surface");
  if (!surface) return closePicker();
  // Only the last mouse-up of a double or triple click counts: opening the picker moves the focus, and
  // with it the selection, so an earlier click's handler must not run after a later one began.
  clearTimeout(pendingMouseUp);
  pendingMouseUp = setTimeout(() => {
    const span = selectionSpan(event);
    if (span) openPicker(span);
    else closePicker();
  }, 0);
});

document.addEventListener("keyup", (event) => {
  if (event.key !== "Shift" || !document.querySelector(".coding-surface")) return;
  const selection = window.getSelection();
  if (!selection.rangeCount || !selection.anchorNode?.parentElement?.closest(".coding-surface")) return;
  const span = selectionSpan({ detail: 1, altKey: event.altKey });
  if (span) openPicker(span);
});

document.addEventListener("input", (event) => {
  if (event.target.matches(".picker-filter")) filterPicker(event.target);
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") return closePicker();
  if (event.key !== "Enter" || !event.target.matches(".picker-filter")) return;
  event.preventDefault();
  const form = event.target.form;
  const visible = [...form.querySelectorAll(".picker-code")].filter((b) => !b.parentElement.hidden);
  const create = form.querySelector(".picker-new");
  const choice = visible.length === 1 || (visible.length && create.hidden) ? visible[0] : create.hidden ? null : create;
  if (choice) choice.click(); // a click, so that htmx sends the chosen button's name and value
});

document.addEventListener("htmx:beforeSwap", (event) => {
  // A refused coding (422) is said inside the picker, which stays open with the selection.
  const form = event.detail.requestConfig?.elt?.closest?.("#code-picker form");
  if (form && event.detail.xhr.status === 422) {
    form.querySelector(".picker-error").innerHTML = event.detail.serverResponse;
    event.detail.shouldSwap = false;
  }
});

document.addEventListener("htmx:afterRequest", (event) => {
  if (event.target.closest?.("#code-picker") && event.detail.successful) {
    closePicker();
    window.getSelection().removeAllRanges();
  }
});

document.addEventListener("click", (event) => {
  // A stripe opens its coding in the side panel (without script, its link opens the coding's page).
  const stripe = event.target.closest(".stripe");
  const panel = document.getElementById("coding-panel");
  if (!stripe || !panel || !window.htmx || event.ctrlKey || event.metaKey) return;
  event.preventDefault();
  htmx.ajax("GET", stripe.getAttribute("href"), { target: panel, swap: "innerHTML" });
});

function layoutStripes() {
  // Place each coding's stripe beside the lines it covers (without script: the whole turn's height).
  document.querySelectorAll(".turn.has-codings").forEach((turn) => {
    const top = turn.getBoundingClientRect().top;
    const spans = [...turn.querySelectorAll(".speech [data-s]")];
    turn.querySelectorAll(".stripe").forEach((stripe) => {
      const start = +stripe.dataset.start;
      const end = +stripe.dataset.end;
      const covered = spans.filter((span) => +span.dataset.s >= start && +span.dataset.e <= end);
      if (!covered.length) return;
      const first = covered[0].getClientRects()[0];
      const lastRects = covered[covered.length - 1].getClientRects();
      const last = lastRects[lastRects.length - 1];
      if (!first || !last) return;
      stripe.style.top = `${first.top - top}px`;
      stripe.style.height = `${Math.max(4, last.bottom - first.top)}px`;
    });
  });
}

document.addEventListener("DOMContentLoaded", layoutStripes);
window.addEventListener("resize", layoutStripes);
document.addEventListener("htmx:afterSettle", layoutStripes);
document.addEventListener("htmx:oobAfterSwap", layoutStripes);

// Others' codings arrive through the reading view's poller (#live-codings) as turns swapped out of band. A
// turn that holds the reader's selection, or the passage the code picker is open for, is not replaced under
// them: its swap is skipped, and so is the poller's, which keeps its cursor and asks for the change again.
let livePoll = false;
let heldBack = false;

function inUse(turn) {
  const selection = window.getSelection();
  if (selection.rangeCount && !selection.isCollapsed && selection.getRangeAt(0).intersectsNode(turn)) return true;
  const box = picker();
  if (!box || box.hidden) return false;
  const form = box.querySelector("form");
  return +form.elements.start.value < +turn.dataset.end && +form.elements.end.value > +turn.dataset.start;
}

document.addEventListener("htmx:beforeSwap", (event) => {
  livePoll = event.detail.requestConfig?.elt?.id === "live-codings";
  heldBack = false;
});

document.addEventListener("htmx:oobBeforeSwap", (event) => {
  if (!livePoll) return;
  const target = event.detail.target;
  if (target.id === "live-codings") {
    if (heldBack) event.detail.shouldSwap = false;
  } else if (target.matches(".coding-surface .turn") && inUse(target)) {
    event.detail.shouldSwap = false;
    heldBack = true;
  }
});

// ---- The candidate board: drag a code onto a theme's card ---------------------------------------------
// The forms beside each code do the same without script; a drop posts the same form through htmx, and the
// board answers with itself (or, refused, with itself and the reason).
document.addEventListener("dragstart", (event) => {
  const code = event.target.closest?.(".board [data-code-id][draggable]");
  if (!code) return;
  event.dataTransfer.setData("text/plain", code.dataset.codeId);
  event.dataTransfer.effectAllowed = "copy";
});

const dropCard = (event) => event.target.closest?.(".board [data-theme-id]");

document.addEventListener("dragover", (event) => {
  const card = dropCard(event);
  if (!card) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = "copy";
  document.querySelectorAll(".drop-over").forEach((other) => other !== card && other.classList.remove("drop-over"));
  card.classList.add("drop-over");
});

document.addEventListener("dragend", () => {
  document.querySelectorAll(".drop-over").forEach((card) => card.classList.remove("drop-over"));
});

document.addEventListener("drop", (event) => {
  const card = dropCard(event);
  if (!card) return;
  event.preventDefault();
  card.classList.remove("drop-over");
  const board = card.closest(".board");
  const codeId = event.dataTransfer.getData("text/plain");
  if (!/^\d+$/.test(codeId) || !window.htmx) return;
  htmx.ajax("POST", board.dataset.assignUrl, {
    source: board,
    target: board,
    swap: "outerHTML",
    values: { theme_id: card.dataset.themeId, code_id: codeId },
  });
});
