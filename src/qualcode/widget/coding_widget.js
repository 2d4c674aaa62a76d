// qualcode coding widget: the browser side (plain ES module, loaded by anywidget, no build step).
//
// The browser never changes the project itself: every action is sent to Python with
// model.send({action: ...}); Python writes to the project store and updates the synced
// traits, which this module renders. Offsets are Python str indices (Unicode code points);
// JavaScript strings count UTF-16 units, so every offset computed here counts code points.
// Transcript text is only ever inserted with textContent (never innerHTML).
//
// A transcript's recording arrives as bytes (the "media" trait) and plays from a Blob URL:
// each timed turn gets a play button that seeks to its time_start, and the turn whose
// [time_start, play_end) holds currentTime is highlighted (qc-turn-playing).

const SHORTCUTS =
  "Keys: 1-9 apply the n-th code listed · a accept / r reject the current suggestion · " +
  "j / k next / previous suggestion · n / p next / previous transcript · " +
  "u uncoded turns only · Esc clear the selection";

/** Number of code points in a string (what Python's len() counts). */
function cpLen(s) {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Build an element: h("div", {class: "x", onclick: f}, child, "text", ...). */
function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "style") node.style.cssText = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function rgba(hex, alpha) {
  const m = /^#([0-9a-f]{6})$/i.exec(hex || "");
  if (!m) return `rgba(136,136,136,${alpha})`;
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

function safeColor(hex) {
  return /^#[0-9a-f]{6}$/i.test(hex || "") ? hex : "#888888";
}

function timestamp(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const s = Math.round(seconds);
  const hh = String(Math.floor(s / 3600)).padStart(2, "0");
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return `${hh}:${mm}:${ss}`;
}

function shorten(text, n) {
  const cps = Array.from(text);
  return cps.length <= n ? text : cps.slice(0, n - 1).join("") + "…";
}

function render({ model, el }) {
  const ui = {
    filter: "",
    allAttrs: false,
    drafts: {},
    expanded: new Set(),
    visibleCodes: [],
    lastTranscript: null,
    hint: "",
    scheduled: false,
    hoverCode: null,
    mediaData: null, // the DataView last turned into a Blob URL
    mediaUrl: null,
    mediaEl: null,
    playing: null, // index of the turn being played
  };
  const get = (name) => model.get(name);
  const send = (msg) => {
    ui.hint = "";
    model.send(msg);
  };

  el.classList.add("qc-widget");
  el.tabIndex = 0;
  // Keep JupyterLab's notebook shortcuts (a, b, d d, 1-6, ...) away from the widget.
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  el.setAttribute("data-p-suppress-shortcuts", "true");

  const toolbar = h("div", { class: "qc-toolbar" });
  const pane = h("div", { class: "qc-pane", "aria-label": "Transcript" });
  const side = h("div", { class: "qc-side" });
  const statusbar = h("div", { class: "qc-status", role: "status" });
  const player = h("div", { class: "qc-player-bar", hidden: true });
  el.replaceChildren(toolbar, player, h("div", { class: "qc-main" }, pane, side), statusbar);

  // collapse the code tree when it is long
  const codes0 = get("codes") || [];
  if (codes0.length <= 40) codes0.forEach((c) => ui.expanded.add(c.id));

  // ---------------------------------------------------------------- toolbar
  function renderToolbar() {
    const t = get("transcript") || {};
    const ids = t.ids || [];
    const select = h(
      "select",
      {
        class: "qc-goto",
        title: "Open a transcript",
        onchange: (e) => send({ action: "go_to", transcript: e.target.value }),
      },
      ids.map((id) => h("option", { value: id, selected: id === t.id }, id)),
    );
    const entries = Object.entries(t.attributes || {});
    const shown = ui.allAttrs ? entries : entries.slice(0, 4);
    const attrs = shown.map(([k, v]) =>
      h("span", { class: "qc-attr", title: `${k}: ${v}` }, h("span", { class: "qc-attr-k" }, k + ": "), String(v)),
    );
    if (entries.length > 4)
      attrs.push(
        h(
          "button",
          {
            class: "qc-attr qc-attr-more",
            title: ui.allAttrs ? "Show fewer attributes" : entries.slice(4).map(([k, v]) => `${k}: ${v}`).join("\n"),
            onclick: () => {
              ui.allAttrs = !ui.allAttrs;
              renderToolbar();
            },
          },
          ui.allAttrs ? "less" : `+${entries.length - 4} more`,
        ),
      );
    const uncoded = h("input", {
      type: "checkbox",
      class: "qc-uncoded",
      checked: !!get("uncoded_only"),
      onchange: (e) => send({ action: "filter_uncoded", value: e.target.checked }),
    });
    const coders = [h("span", { class: "qc-coder qc-coder-mine", title: "Your codings: tinted" }, t.coder)];
    if (t.compare_with)
      coders.push(
        h("span", { class: "qc-coder qc-coder-other", title: "Compared coder: dotted underline (read-only)" }, t.compare_with),
      );
    toolbar.replaceChildren(
      h(
        "div",
        { class: "qc-nav" },
        h("button", { class: "qc-btn qc-prev", title: "Previous transcript (p)", disabled: t.index === 0, onclick: () => send({ action: "previous" }) }, "◀"),
        select,
        h("button", { class: "qc-btn qc-next", title: "Next transcript (n)", disabled: t.index >= t.n - 1, onclick: () => send({ action: "next" }) }, "▶"),
        h("span", { class: "qc-pos" }, `${(t.index ?? 0) + 1} / ${t.n ?? 0}`),
      ),
      h("div", { class: "qc-attrs" }, attrs),
      h(
        "div",
        { class: "qc-tools" },
        h("label", { class: "qc-check", title: "Show only the turns you have not coded (u)" }, uncoded, " Uncoded only"),
        h("span", { class: "qc-coders" }, "Coder ", coders),
        h("span", { class: "qc-help", title: SHORTCUTS, tabindex: "0" }, "⌨"),
      ),
    );
  }

  // ---------------------------------------------------------------- transcript
  function segmentsOf(turn, codings, sel, sugg, active) {
    const cps = Array.from(turn.text);
    const base = turn.start;
    const cuts = new Set([turn.start, turn.end]);
    const clip = (a, b) => {
      if (b <= turn.start || a >= turn.end) return null;
      return [Math.max(a, turn.start), Math.min(b, turn.end)];
    };
    const marks = [];
    for (const c of codings) {
      const r = clip(c.start, c.end);
      if (r) marks.push({ kind: c.mine ? "mine" : "other", color: safeColor(c.color), s: r[0], e: r[1], id: c.coding_id });
    }
    if (sel && sel.kind === "range") {
      const r = clip(sel.start, sel.end);
      if (r) marks.push({ kind: "sel", s: r[0], e: r[1] });
    }
    if (sugg) {
      const r = clip(sugg.start, sugg.end);
      if (r) marks.push({ kind: "sugg", s: r[0], e: r[1] });
      for (const [a, b] of sugg.evidence_spans || []) {
        const q = clip(a, b);
        if (q) marks.push({ kind: "ev", s: q[0], e: q[1] });
      }
    }
    for (const m of marks) {
      cuts.add(m.s);
      cuts.add(m.e);
    }
    const points = [...cuts].sort((x, y) => x - y);
    const out = [];
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i];
      const b = points[i + 1];
      if (a >= b) continue;
      const cover = marks.filter((m) => m.s <= a && m.e >= b);
      const mine = [...new Set(cover.filter((m) => m.kind === "mine").map((m) => m.color))];
      const other = [...new Set(cover.filter((m) => m.kind === "other").map((m) => m.color))];
      const cls = ["qc-seg"];
      const style = [];
      if (mine.length) {
        cls.push("qc-coded");
        style.push(`background:${rgba(mine[0], 0.24)}`);
        style.push("box-shadow:" + mine.slice(0, 4).map((c, k) => `inset 0 -${2 * (k + 1)}px 0 ${c}`).join(","));
      }
      if (other.length) {
        cls.push("qc-other");
        style.push(`text-decoration-color:${other[0]}`);
      }
      if (cover.some((m) => m.kind === "sel")) cls.push("qc-sel");
      if (cover.some((m) => m.kind === "sugg")) cls.push("qc-sugg");
      if (cover.some((m) => m.kind === "ev")) cls.push("qc-ev");
      if (active !== null && cover.some((m) => m.id === active)) cls.push("qc-active");
      out.push(h("span", { class: cls.join(" "), style: style.join(";"), "data-s": a }, cps.slice(a - base, b - base).join("")));
    }
    return out;
  }

  function chip(c) {
    const label = h("span", { class: "qc-chip-label" }, c.label);
    const parts = [h("span", { class: "qc-sw", style: `background:${safeColor(c.color)}` }), label];
    if (!c.mine) parts.push(h("span", { class: "qc-chip-coder" }, c.coder));
    if (c.memo) parts.push(h("span", { class: "qc-chip-memo", title: c.memo }, "✎"));
    if (c.origin && c.origin !== "manual") parts.push(h("span", { class: "qc-chip-origin", title: `from ${c.origin}` }, "✓"));
    const node = h(
      "span",
      {
        class: "qc-chip" + (c.mine ? "" : " qc-chip-other") + (get("active_coding") === c.coding_id ? " qc-chip-active" : ""),
        title: `${c.label} (${c.coder})${c.memo ? "\nMemo: " + c.memo : ""}\nClick for the memo`,
        "data-coding": c.coding_id,
        onclick: () => send({ action: "activate_coding", coding_id: c.coding_id }),
      },
      parts,
    );
    if (c.mine)
      node.append(
        h(
          "button",
          {
            class: "qc-chip-x",
            title: "Remove this coding",
            "aria-label": `Remove ${c.label}`,
            onclick: (e) => {
              e.stopPropagation();
              send({ action: "remove_coding", coding_id: c.coding_id });
            },
          },
          "×",
        ),
      );
    return node;
  }

  function renderTranscript() {
    const t = get("transcript") || {};
    const turns = get("turns") || [];
    const codings = get("codings") || [];
    const sel = get("selection");
    const suggs = get("suggestions") || [];
    const cur = get("current_suggestion");
    const sugg = suggs.find((s) => s.i === cur) || null;
    const active = get("active_coding");
    const keepScroll = ui.lastTranscript === t.id ? pane.scrollTop : 0;
    const rows = [];
    let hidden = 0;
    const flushHidden = () => {
      if (hidden) rows.push(h("div", { class: "qc-hidden" }, `${hidden} coded turn${hidden > 1 ? "s" : ""} hidden`));
      hidden = 0;
    };
    for (const turn of turns) {
      if (!turn.visible) {
        hidden++;
        continue;
      }
      flushHidden();
      const mine = codings.filter((c) => c.start < turn.end && c.end > turn.start);
      const role = turn.role || "unknown";
      const selected = sel && sel.kind === "turn" && sel.turn === turn.index;
      rows.push(
        h(
          "div",
          {
            class:
              `qc-turn qc-role-${role}` +
              (selected ? " qc-turn-selected" : "") +
              (sugg && sugg.turn === turn.index ? " qc-turn-sugg" : "") +
              (ui.playing === turn.index ? " qc-turn-playing" : ""),
            "data-turn": turn.index,
          },
          h(
            "button",
            {
              class: "qc-num",
              title: "Select the whole turn",
              onclick: () => send({ action: "select_turn", turn: turn.index }),
            },
            String(turn.index),
          ),
          h(
            "div",
            { class: "qc-who" },
            h("span", { class: "qc-speaker" }, turn.speaker || "—"),
            h("span", { class: "qc-role" }, role),
            turn.time_start !== null && turn.time_start !== undefined ? h("span", { class: "qc-time" }, timestamp(turn.time_start)) : null,
            playButton(turn),
          ),
          h("div", { class: "qc-text", "data-start": turn.start, "data-end": turn.end, "data-turn": turn.index }, segmentsOf(turn, codings, sel, sugg, active)),
          h("div", { class: "qc-margin" }, mine.map(chip)),
        ),
      );
    }
    flushHidden();
    if (!rows.length) rows.push(h("div", { class: "qc-empty" }, "Every turn of this transcript is coded. Untick “Uncoded only” to see them."));
    pane.replaceChildren(...rows);
    pane.scrollTop = keepScroll;
    if (sugg && (ui.lastSugg !== cur || ui.lastTranscript !== t.id)) {
      const row = pane.querySelector(`.qc-turn[data-turn="${sugg.turn}"]`);
      if (row) ensureVisible(row);
    }
    ui.lastSugg = cur;
    ui.lastTranscript = t.id;
  }

  // ---------------------------------------------------------------- recording
  function hasTime(turn) {
    return turn.time_start !== null && turn.time_start !== undefined;
  }

  function playButton(turn) {
    if (!ui.mediaEl || !hasTime(turn)) return null;
    return h(
      "button",
      {
        class: "qc-play",
        title: `Play from ${timestamp(turn.time_start)}`,
        "aria-label": `Play turn ${turn.index} from ${timestamp(turn.time_start)}`,
        "data-time": turn.time_start,
        onclick: (e) => {
          e.stopPropagation();
          playFrom(turn);
        },
      },
      "▶",
    );
  }

  function playFrom(turn) {
    const media = ui.mediaEl;
    if (!media) return;
    const seek = () => {
      media.currentTime = turn.time_start;
      const started = media.play();
      if (started && started.catch)
        started.catch(() => {
          ui.hint = "The browser did not start playback: press play on the player.";
          renderStatus();
        });
    };
    if (media.readyState >= 1) seek();
    else media.addEventListener("loadedmetadata", seek, { once: true });
    markPlaying(turn.index, false);
  }

  function turnAt(seconds) {
    let hit = null;
    for (const turn of get("turns") || []) {
      if (!hasTime(turn) || seconds < turn.time_start) continue;
      const end = turn.play_end;
      if (end === null || end === undefined || seconds < end) hit = turn.index;
    }
    return hit;
  }

  function markPlaying(index, scroll) {
    if (index === ui.playing) return;
    ui.playing = index;
    for (const row of pane.querySelectorAll(".qc-turn-playing")) row.classList.remove("qc-turn-playing");
    if (index === null) return;
    const row = pane.querySelector(`.qc-turn[data-turn="${index}"]`);
    if (!row) return;
    row.classList.add("qc-turn-playing");
    if (scroll) gentlyShow(row);
  }

  function gentlyShow(row) {
    const top = row.offsetTop - pane.offsetTop;
    const bottom = top + row.offsetHeight;
    if (top >= pane.scrollTop && bottom <= pane.scrollTop + pane.clientHeight) return;
    pane.scrollTo({ top: Math.max(0, top - 40), behavior: "smooth" });
  }

  function onMediaTime() {
    const media = ui.mediaEl;
    if (!media) return;
    markPlaying(turnAt(media.currentTime), !media.paused);
  }

  function dropMedia() {
    if (ui.mediaEl) {
      ui.mediaEl.pause();
      ui.mediaEl.removeAttribute("src");
      ui.mediaEl = null;
    }
    ui.playing = null;
  }

  function renderPlayer() {
    const info = (get("transcript") || {}).media || { status: "none" };
    const data = get("media");
    if (data !== ui.mediaData) {
      if (ui.mediaUrl) URL.revokeObjectURL(ui.mediaUrl);
      ui.mediaUrl = null;
      ui.mediaData = data;
      if (data && data.byteLength) ui.mediaUrl = URL.createObjectURL(new Blob([data], { type: info.mime || "" }));
    }
    if (info.status !== "ok" || !ui.mediaUrl) {
      dropMedia();
      player.hidden = info.status === "none";
      player.replaceChildren(
        info.status === "none" ? "" : h("div", { class: "qc-media-notice", role: "note" }, "No player. ", info.notice || ""),
      );
      return;
    }
    const tag = info.kind === "video" ? "video" : "audio";
    if (!ui.mediaEl || ui.mediaEl.tagName.toLowerCase() !== tag) {
      dropMedia();
      ui.mediaEl = h(tag, {
        class: `qc-media qc-media-${tag}`,
        controls: true,
        preload: "auto",
        "aria-label": "Recording of this transcript",
      });
      for (const name of ["timeupdate", "seeked", "play", "pause"]) ui.mediaEl.addEventListener(name, onMediaTime);
    }
    if (ui.mediaEl.dataset.url !== ui.mediaUrl) {
      ui.mediaEl.pause();
      ui.mediaEl.src = ui.mediaUrl;
      ui.mediaEl.dataset.url = ui.mediaUrl;
      ui.playing = null;
    }
    player.hidden = false;
    if (player.firstChild !== ui.mediaEl)
      player.replaceChildren(
        ui.mediaEl,
        h("span", { class: "qc-media-name", title: "Press ▶ next to a turn to play it from its time" }, info.name || ""),
      );
  }

  function ensureVisible(node) {
    const top = node.offsetTop - pane.offsetTop;
    if (top < pane.scrollTop || top + node.offsetHeight > pane.scrollTop + pane.clientHeight) {
      pane.scrollTop = Math.max(0, top - 40);
    }
  }

  // ---------------------------------------------------------------- side panel
  function codeMatches(c, q) {
    return c.label.toLowerCase().includes(q) || c.id.includes(q) || (c.definition || "").toLowerCase().includes(q);
  }

  function renderCodes() {
    const codes = get("codes") || [];
    const current = get("current_code");
    const q = ui.filter.trim().toLowerCase();
    let shown;
    if (q) {
      // codes whose label or id matches first, then those whose definition does
      const byName = codes.filter((c) => c.label.toLowerCase().includes(q) || c.id.includes(q));
      shown = byName.concat(codes.filter((c) => !byName.includes(c) && codeMatches(c, q)));
    }
    else {
      const open = (c) => {
        let p = c.parent;
        const byId = ui.byId;
        while (p) {
          if (!ui.expanded.has(p)) return false;
          p = byId[p] ? byId[p].parent : null;
        }
        return true;
      };
      shown = codes.filter(open);
    }
    ui.visibleCodes = shown.map((c) => c.id);
    const list = shown.map((c, n) => {
      const caret = c.n_children && !q
        ? h(
            "button",
            {
              class: "qc-caret",
              title: ui.expanded.has(c.id) ? "Collapse" : `Show ${c.n_children} sub-codes`,
              onclick: (e) => {
                e.stopPropagation();
                if (ui.expanded.has(c.id)) ui.expanded.delete(c.id);
                else ui.expanded.add(c.id);
                renderCodes();
              },
            },
            ui.expanded.has(c.id) ? "▾" : "▸",
          )
        : h("span", { class: "qc-caret-space" });
      return h(
        "div",
        {
          class: "qc-code" + (c.id === current ? " qc-code-current" : ""),
          "data-code": c.id,
          title: c.title,
          role: "button",
          style: `padding-left:${4 + (q ? 0 : c.depth) * 14}px`,
          onclick: () => send({ action: "apply", code: c.id }),
          onmouseenter: () => showDefinition(c),
        },
        caret,
        h("span", { class: "qc-key" }, n < 9 ? String(n + 1) : ""),
        h("span", { class: "qc-sw", style: `background:${safeColor(c.color)}` }),
        h("span", { class: "qc-code-label" }, c.label),
      );
    });
    codeList.replaceChildren(...(list.length ? list : [h("div", { class: "qc-empty" }, "No code matches.")]));
  }

  function showDefinition(c) {
    ui.hoverCode = c;
    const parts = [
      h("b", {}, c.label),
      c.definition ? h("span", {}, " — " + c.definition) : h("span", { class: "qc-muted" }, " (no definition)"),
    ];
    if (c.exclude && c.exclude.length) parts.push(h("div", { class: "qc-muted" }, "Not for: " + c.exclude.join(" | ")));
    definition.replaceChildren(...parts);
  }

  const filterBox = h("input", {
    class: "qc-filter",
    type: "search",
    placeholder: "Filter codes…",
    "aria-label": "Filter codes",
    oninput: (e) => {
      ui.filter = e.target.value;
      renderCodes();
    },
  });
  const codeList = h("div", { class: "qc-codes" });
  const definition = h("div", { class: "qc-def" }, h("span", { class: "qc-muted" }, "Hover a code to read its definition."));
  const selCard = h("div", { class: "qc-card qc-selection" });
  const memoCard = h("div", { class: "qc-card qc-memo" });
  const suggCard = h("div", { class: "qc-card qc-suggestions" });
  side.replaceChildren(
    selCard,
    h("div", { class: "qc-card qc-codecard" }, h("div", { class: "qc-card-title" }, "Codes"), filterBox, codeList, definition),
    memoCard,
    suggCard,
  );

  function turnText(turnIndex, s, e) {
    const turn = (get("turns") || []).find((u) => u.index === turnIndex);
    if (!turn) return "";
    return Array.from(turn.text).slice(s - turn.start, e - turn.start).join("");
  }

  function renderSelection() {
    const sel = get("selection");
    if (!sel) {
      selCard.replaceChildren(
        h("div", { class: "qc-card-title" }, "Selection"),
        h("div", { class: "qc-muted" }, ui.hint || "Select a passage in a turn, or click a turn's number; then click a code (or press 1-9)."),
      );
      return;
    }
    const what = sel.kind === "turn" ? `Whole turn ${sel.turn}` : `Turn ${sel.turn}, characters ${sel.start}–${sel.end}`;
    selCard.replaceChildren(
      h("div", { class: "qc-card-title" }, "Selection", h("button", { class: "qc-link", title: "Clear (Esc)", onclick: () => send({ action: "clear_selection" }) }, "clear")),
      h("div", { class: "qc-sel-what" }, what),
      h("blockquote", { class: "qc-quote" }, shorten(turnText(sel.turn, sel.start, sel.end), 220)),
      h("div", { class: "qc-muted" }, "Click a code to apply it, or press its number."),
    );
  }

  function renderMemo() {
    const id = get("active_coding");
    const c = (get("codings") || []).find((x) => x.coding_id === id);
    if (!c) {
      memoCard.hidden = true;
      memoCard.replaceChildren();
      return;
    }
    memoCard.hidden = false;
    const save = () => {
      delete ui.drafts[c.coding_id];
      send({ action: "set_memo", coding_id: c.coding_id, memo: area.value });
    };
    const area = h("textarea", {
      class: "qc-memo-text",
      rows: 3,
      placeholder: c.mine ? "Write a memo for this coding… (Ctrl+Enter saves)" : "No memo",
      readonly: !c.mine,
      oninput: (e) => {
        ui.drafts[c.coding_id] = e.target.value; // kept if the panel is redrawn
      },
      onkeydown: (e) => {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          e.stopPropagation();
          save();
        }
      },
    });
    area.value = ui.drafts[c.coding_id] ?? (c.memo || "");
    const buttons = c.mine
      ? h(
          "div",
          { class: "qc-row" },
          h("button", { class: "qc-btn qc-save-memo", onclick: save }, ui.drafts[c.coding_id] !== undefined ? "Save memo •" : "Save memo"),
          h("button", { class: "qc-btn qc-danger", onclick: () => send({ action: "remove_coding", coding_id: c.coding_id }) }, "Remove coding"),
        )
      : h("div", { class: "qc-muted" }, `Coded by ${c.coder} (read-only).`);
    memoCard.replaceChildren(
      h(
        "div",
        { class: "qc-card-title" },
        h("span", { class: "qc-sw", style: `background:${safeColor(c.color)}` }),
        ` ${c.label}`,
        h("button", { class: "qc-link", title: "Close", onclick: () => send({ action: "activate_coding", coding_id: null }) }, "close"),
      ),
      h("blockquote", { class: "qc-quote" }, shorten(turnText(c.turn, c.start, c.end), 220)),
      area,
      buttons,
    );
  }

  function renderSuggestions() {
    const counts = get("suggestion_counts") || {};
    const suggs = get("suggestions") || [];
    const cur = get("current_suggestion");
    if (!counts.total) {
      suggCard.hidden = true;
      suggCard.replaceChildren();
      return;
    }
    suggCard.hidden = false;
    const items = suggs.map((s) => {
      const isCur = s.i === cur;
      const words = (s.evidence || "").split(";").map((w) => w.trim()).filter(Boolean);
      const node = h(
        "div",
        {
          class: `qc-sugg-item qc-${s.status}` + (isCur ? " qc-sugg-current" : ""),
          "data-suggestion": s.i,
          "data-code": s.code,
          "data-start": s.start,
          "data-end": s.end,
          onclick: () => send({ action: "focus_suggestion", index: s.i }),
        },
        h(
          "div",
          { class: "qc-sugg-head" },
          h("span", { class: "qc-sw", style: `background:${safeColor(s.color)}` }),
          h("span", { class: "qc-sugg-label" }, s.label),
          h("span", { class: "qc-score", title: "Tagger score" }, s.score === null ? "" : s.score.toFixed(2)),
          h("span", { class: "qc-badge" }, s.status),
        ),
        h("div", { class: "qc-evidence" }, "Turn ", String(s.turn), ": ", words.map((w) => h("mark", {}, w))),
      );
      if (isCur)
        node.append(
          h(
            "div",
            { class: "qc-row" },
            h("button", { class: "qc-btn qc-accept", title: "Accept (a)", onclick: (e) => { e.stopPropagation(); send({ action: "accept", index: s.i }); } }, "✓ Accept"),
            h("button", { class: "qc-btn qc-reject", title: "Reject (r)", onclick: (e) => { e.stopPropagation(); send({ action: "reject", index: s.i }); } }, "✗ Reject"),
          ),
        );
      return node;
    });
    suggCard.replaceChildren(
      h("div", { class: "qc-card-title" }, "Suggestions", h("span", { class: "qc-muted" }, ` ${counts.pending_here} pending here · ${counts.pending} of ${counts.total} in all`)),
      h("div", { class: "qc-sugg-list" }, items.length ? items : h("div", { class: "qc-muted" }, "No suggestions on this transcript.")),
    );
    const curNode = suggCard.querySelector(".qc-sugg-current");
    const list = suggCard.querySelector(".qc-sugg-list");
    if (curNode && list) {
      const top = curNode.offsetTop - list.offsetTop;
      if (top < list.scrollTop || top > list.scrollTop + list.clientHeight - 40) list.scrollTop = Math.max(0, top - 20);
    }
  }

  function renderStatus() {
    const err = get("error");
    statusbar.classList.toggle("qc-status-error", !!err);
    statusbar.setAttribute("role", err ? "alert" : "status");
    statusbar.replaceChildren(
      h("span", { class: "qc-status-text" }, err || ui.hint || get("status") || ""),
      h("span", { class: "qc-keys" }, "1-9 code · a/r accept/reject · n/p transcript · u uncoded · Esc clear"),
    );
    el.dataset.revision = String(get("revision"));
  }

  function renderAll() {
    ui.scheduled = false;
    const hadFocus = el.contains(document.activeElement);
    ui.byId = Object.fromEntries((get("codes") || []).map((c) => [c.id, c]));
    renderToolbar();
    renderPlayer();
    renderTranscript();
    renderCodes();
    renderSelection();
    renderMemo();
    renderSuggestions();
    renderStatus();
    if (hadFocus && !el.contains(document.activeElement)) el.focus({ preventScroll: true });
  }

  function schedule() {
    if (ui.scheduled) return;
    ui.scheduled = true;
    Promise.resolve().then(renderAll);
  }

  // ---------------------------------------------------------------- selection -> offsets
  function position(node, offset) {
    const elem = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    if (!elem || !pane.contains(elem)) return null;
    const box = elem.closest(".qc-text");
    if (!box) return null;
    const range = document.createRange();
    range.selectNodeContents(box);
    range.setEnd(node, offset);
    return { abs: Number(box.dataset.start) + cpLen(range.toString()), turn: Number(box.dataset.turn), box };
  }

  function clampTo(node, other, atStart) {
    // an end of the selection outside the text (speaker label, margin): clamp to the other end's turn
    if (!other) return null;
    const elem = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const row = elem && elem.closest(".qc-turn");
    if (!row || Number(row.dataset.turn) !== other.turn) return null;
    return { abs: Number(atStart ? other.box.dataset.start : other.box.dataset.end), turn: other.turn, box: other.box };
  }

  function readSelection() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
    const r = sel.getRangeAt(0);
    if (!pane.contains(r.commonAncestorContainer)) return;
    let a = position(r.startContainer, r.startOffset);
    let b = position(r.endContainer, r.endOffset);
    if (!a) a = clampTo(r.startContainer, b, true);
    if (!b) b = clampTo(r.endContainer, a, false);
    if (!a || !b) {
      ui.hint = "Select text inside a turn's text (not the speaker or the margin).";
      renderSelection();
      return;
    }
    let s = a.abs;
    let e = b.abs;
    if (a.turn === b.turn) {
      const turn = (get("turns") || []).find((u) => u.index === a.turn);
      const cps = Array.from(turn.text);
      while (s < e && /\s/u.test(cps[s - turn.start])) s++;
      while (e > s && /\s/u.test(cps[e - 1 - turn.start])) e--;
    }
    if (s >= e) return;
    send({ action: "select", start: s, end: e });
  }

  // ---------------------------------------------------------------- events
  const onMouseUp = (e) => {
    if (pane.contains(e.target)) setTimeout(readSelection, 0);
  };
  const onKeyUp = (e) => {
    if (e.shiftKey && pane.contains(document.activeElement || el)) setTimeout(readSelection, 0);
  };
  const onMouseDown = (e) => {
    e.stopPropagation(); // keep the notebook from taking focus away from the widget
    if (e.target.closest("input, textarea, select")) return;
    // buttons are rebuilt on every update: keep the focus on the widget so keys keep working
    if (e.target.closest("button")) e.preventDefault();
    el.focus({ preventScroll: true });
  };
  const neighbour = (step) => {
    const suggs = get("suggestions") || [];
    if (!suggs.length) return null;
    const k = suggs.findIndex((s) => s.i === get("current_suggestion"));
    const next = suggs[(k + step + suggs.length) % suggs.length];
    return next ? next.i : null;
  };
  const onKeyDown = (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const typing = e.target.closest("input, textarea, select");
    if (typing) {
      if (e.key === "Escape") e.target.blur();
      e.stopPropagation();
      return;
    }
    let handled = true;
    if (/^[1-9]$/.test(e.key)) {
      const code = ui.visibleCodes[Number(e.key) - 1];
      if (code) send({ action: "apply", code });
    } else if (e.key === "a") send({ action: "accept" });
    else if (e.key === "r") send({ action: "reject" });
    else if (e.key === "n") send({ action: "next" });
    else if (e.key === "p") send({ action: "previous" });
    else if (e.key === "u") send({ action: "filter_uncoded", value: !get("uncoded_only") });
    else if (e.key === "j" || e.key === "k") {
      const i = neighbour(e.key === "j" ? 1 : -1);
      if (i !== null) send({ action: "focus_suggestion", index: i });
    } else if (e.key === "Escape") send({ action: "clear_selection" });
    else handled = false;
    if (handled) e.preventDefault();
    if (e.key !== "Tab") e.stopPropagation(); // never let notebook shortcuts act on the widget
  };
  el.addEventListener("mouseup", onMouseUp);
  el.addEventListener("keyup", onKeyUp);
  el.addEventListener("mousedown", onMouseDown);
  el.addEventListener("keydown", onKeyDown);

  const traits = [
    "transcript", "turns", "codings", "codes", "suggestions", "suggestion_counts",
    "current_suggestion", "selection", "current_code", "active_coding", "uncoded_only",
    "status", "error", "revision", "media",
  ];
  for (const name of traits) model.on(`change:${name}`, schedule);
  renderAll();

  return () => {
    for (const name of traits) model.off(`change:${name}`, schedule);
    el.removeEventListener("mouseup", onMouseUp);
    el.removeEventListener("keyup", onKeyUp);
    el.removeEventListener("mousedown", onMouseDown);
    el.removeEventListener("keydown", onKeyDown);
    dropMedia();
    if (ui.mediaUrl) URL.revokeObjectURL(ui.mediaUrl);
  };
}

export default { render };
