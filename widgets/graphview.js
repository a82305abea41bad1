// glassbox graph view (anywidget ES module; no build step, no dependencies).
//
// Draws the `stages` trait (one tab per stage: an SVG laid out by graphviz in
// Python, or text lines) and the `panels` trait (tables, legends). The SVG is
// the only markup inserted as HTML: Python sanitized it and every label in it
// was escaped. Everything else is set with textContent.

const CSS = `
.gb-widget { font: 12px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--jp-ui-font-color1, #1f2328);
  border: 1px solid var(--jp-border-color1, #d0d7de); border-radius: 6px; padding: 6px 8px; }
.gb-widget .gb-title { font-weight: 600; margin-bottom: 4px; }
.gb-widget .gb-tabs { display: flex; gap: 4px; border-bottom: 1px solid var(--jp-border-color1, #d0d7de); margin-bottom: 6px;
  flex-wrap: wrap; align-items: flex-end; }
.gb-widget .gb-tab { border: 1px solid var(--jp-border-color1, #d0d7de); border-bottom: none; background: var(--jp-layout-color2, #f6f8fa);
  padding: 3px 10px; border-radius: 5px 5px 0 0; cursor: pointer; font: inherit; }
.gb-widget .gb-tab.gb-active { background: var(--jp-layout-color1, #fff); font-weight: 600; position: relative; top: 1px; }
.gb-widget .gb-tab.gb-has-link::after { content: " \\25CF"; color: #d97706; }
.gb-widget .gb-tools { margin-left: auto; display: flex; gap: 4px; padding-bottom: 3px; }
.gb-widget .gb-tools button { font: inherit; padding: 1px 7px; cursor: pointer; }
.gb-widget .gb-main { display: flex; gap: 8px; align-items: flex-start; }
/* graphviz draws light nodes with dark text: the drawing is a light card on every theme. */
.gb-widget .gb-stage { flex: 1 1 auto; overflow: auto; max-height: 640px; min-width: 0;
  background: #fff; color: #1f2328; border-radius: 4px; }
.gb-widget button { color: inherit; background: var(--jp-layout-color2, #f6f8fa);
  border: 1px solid var(--jp-border-color1, #d0d7de); border-radius: 4px; }
.gb-widget .gb-hidden { display: none; }
.gb-widget .gb-info { flex: 0 0 290px; max-height: 640px; overflow: auto; border-left: 1px solid var(--jp-border-color2, #eaeef2);
  padding-left: 8px; font-size: 11.5px; }
.gb-widget .gb-info .gb-k { color: var(--jp-ui-font-color2, #57606a); margin-top: 4px; }
.gb-widget .gb-info .gb-v { font-family: ui-monospace, monospace; white-space: pre-wrap; word-break: break-word; }
.gb-widget .gb-note { color: var(--jp-ui-font-color2, #57606a); font-size: 11px; margin: 2px 0 4px; }
.gb-widget .gb-error { color: var(--jp-error-color1, #d55e00); white-space: pre-wrap; font-family: ui-monospace, monospace; }
.gb-widget pre.gb-text { margin: 0; font-size: 11px; line-height: 1.35; }
.gb-widget .gb-line { white-space: pre; }
.gb-widget .gb-line.gb-linked { background: rgba(230, 159, 0, 0.25); }
.gb-widget .gb-line.gb-tagged:hover { background: rgba(0, 114, 178, 0.12); }
.gb-widget g.gb-node, .gb-widget g.gb-cluster text { cursor: pointer; }
.gb-widget g.gb-pending { opacity: 0.45; cursor: progress; }
.gb-widget g.gb-linked > polygon, .gb-widget g.gb-linked > path, .gb-widget g.gb-linked a > polygon,
.gb-widget g.gb-linked a > path { stroke: #d97706; stroke-width: 2.5px; }
.gb-widget g.gb-selected a > polygon, .gb-widget g.gb-selected > polygon { stroke: #0969da; stroke-width: 3px; }
.gb-widget .gb-panel { margin-top: 8px; }
.gb-widget .gb-panel-title { font-weight: 600; margin-bottom: 2px; }
.gb-widget table.gb-table { border-collapse: collapse; font-size: 11.5px; }
.gb-widget table.gb-table td, .gb-widget table.gb-table th { padding: 1px 8px; text-align: left; }
.gb-widget table.gb-table td { font-family: ui-monospace, monospace; }
.gb-widget .gb-bar { display: inline-block; height: 8px; margin-right: 6px; vertical-align: middle; }
.gb-widget .gb-swatch { display: inline-block; width: 10px; height: 10px; border: 1px solid #888;
  margin: 0 4px 0 10px; vertical-align: middle; }
`;

const MIN_FIT = 0.975;
const FLAG_COLOURS = { vanishing: "#56B4E9", exploding: "#E69F00", nonfinite: "#D55E00" };  // Okabe-Ito, as _render.py

function h(tag, cls, text) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined && text !== null) el.textContent = String(text);
  return el;
}

function infoRows(info) {
  // [label, value] pairs shown for a node, in order; missing values are skipped.
  const rows = [];
  if (info.kind === "eqn") {
    rows.push(["equation", info.eqn]);
    rows.push(["source", `${info.source} in ${info.function}()`]);
    if (info.code) rows.push(["code", info.code]);
    if (info.name_stack) rows.push(["name stack", info.name_stack]);
    rows.push(["produced by", info.produced_by]);
    for (const [k, v] of info.params || []) rows.push([`param ${k}`, v]);
    rows.push(["rules for " + info.prim, info.rules]);
  } else if (info.kind === "hlo") {
    rows.push(["StableHLO line", `emitted by the lowering rule of ${info.prim}`]);
    rows.push(["source", info.source]);
    rows.push(["", "highlighted: everything from this source line, in every tab"]);
  } else if (info.kind === "group" || info.kind === "cluster") {
    rows.push([info.kind === "group" ? "collapsed group" : "group", info.label]);
    if (info.title) rows.push(["", info.title]);
    if (info.count !== undefined) rows.push(["equations", info.count]);
    rows.push(["", info.kind === "group" ? "click to expand" : "click its label to collapse"]);
  } else {
    rows.push([info.kind, info.label]);
    if (info.type) rows.push(["type", info.type]);
    if (info.value !== undefined) rows.push(["value", info.value]);
  }
  if (info.proxy_of) {
    rows.push(["", "a copy, drawn beside what it is connected to (a large graph); " +
                   "the original is elsewhere"]);
  }
  for (const note of info.notes || []) rows.push(["", note]);
  return rows;
}

function render({ model, el }) {
  const style = h("style");
  style.textContent = CSS;
  el.appendChild(style);
  const root = h("div", "gb-widget gb-graph-widget");
  root.dataset.view = model.get("kind") || "graph";
  el.appendChild(root);
  let zoom = 1;
  let linkedKey = null;
  const byKey = new Map();    // source-line key -> elements in every stage
  const tabs = new Map();     // stage name -> tab button

  const title = h("div", "gb-title");
  const tabBar = h("div", "gb-tabs");
  const tools = h("div", "gb-tools");
  const main = h("div", "gb-main");
  const stagesBox = h("div", "gb-stage");
  const info = h("div", "gb-info");
  const panelsBox = h("div", "gb-panels");
  main.append(stagesBox, info);
  root.append(title, tabBar, main, panelsBox);

  for (const [label, factor] of [["\u2212", 0.8], ["+", 1.25], ["fit", 0]]) {
    const b = h("button", null, label);
    b.addEventListener("click", () => { zoom = factor ? zoom * factor : 1; applyZoom(); });
    b.title = factor ? (factor > 1 ? "zoom in" : "zoom out") : "fit to width";
    tools.appendChild(b);
  }

  // Scale every SVG to fit the stage's width, but never below 97.5% (its smallest text,
  // 11.3 px edge labels, stays at the notebook's small font): bigger graphs scroll, and
  // pan by dragging. The buttons and Ctrl+wheel zoom relative to that fit.
  function applyZoom() {
    const avail = stagesBox.clientWidth - 6;
    for (const svg of stagesBox.querySelectorAll("svg")) {
      if (!svg.dataset.w) {
        svg.dataset.w = parseFloat(svg.getAttribute("width")) * 4 / 3;   // graphviz sizes in pt
        svg.dataset.h = parseFloat(svg.getAttribute("height")) * 4 / 3;
      }
      const w = parseFloat(svg.dataset.w), hgt = parseFloat(svg.dataset.h);
      const fit = avail > 0 ? Math.min(1, Math.max(MIN_FIT, avail / w)) : 1;
      svg.setAttribute("width", `${w * fit * zoom}px`);
      svg.setAttribute("height", `${hgt * fit * zoom}px`);
    }
  }
  stagesBox.addEventListener("wheel", (e) => {
    if (!e.ctrlKey) return;
    e.preventDefault();
    zoom = Math.min(4, Math.max(0.2, zoom * (e.deltaY < 0 ? 1.1 : 1 / 1.1)));
    applyZoom();
  }, { passive: false });
  let drag = null;   // pan: drag the drawing's background (nodes keep their clicks)
  stagesBox.addEventListener("pointerdown", (e) => {
    if (e.button !== 0 || e.target.closest("g.gb-node, g.gb-cluster, a, button")) return;
    drag = { x: e.clientX, y: e.clientY, left: stagesBox.scrollLeft, top: stagesBox.scrollTop };
  });
  const onMove = (e) => {
    if (!drag) return;
    stagesBox.scrollLeft = drag.left - (e.clientX - drag.x);
    stagesBox.scrollTop = drag.top - (e.clientY - drag.y);
  };
  const onUp = () => { drag = null; };
  window.addEventListener("pointermove", onMove);
  window.addEventListener("pointerup", onUp);
  const resize = new ResizeObserver(() => requestAnimationFrame(applyZoom));
  resize.observe(stagesBox);

  function showInfo(data) {
    info.replaceChildren();
    if (!data) { info.appendChild(h("div", "gb-note", "Hover or click a node for its details.")); return; }
    for (const [k, v] of infoRows(data)) {
      if (k) info.appendChild(h("div", "gb-k", k));
      info.appendChild(h("div", "gb-v", v));
    }
  }

  function link(key) {
    if (linkedKey === key) return;
    for (const e of byKey.get(linkedKey) || []) e.classList.remove("gb-linked");
    for (const t of tabs.values()) t.classList.remove("gb-has-link");
    linkedKey = key;
    for (const e of byKey.get(key) || []) {
      e.classList.add("gb-linked");
      const t = tabs.get(e.dataset.stage || e.closest("[data-stage]")?.dataset.stage);
      if (t) t.classList.add("gb-has-link");
    }
  }

  function remember(key, elem) {
    if (!key) return;
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key).push(elem);
  }

  function drawGraph(box, stage, prefix) {
    box.innerHTML = stage.svg;   // sanitized in Python; labels escaped twice over
    const nodes = stage.nodes || {};
    for (const g of box.querySelectorAll("g.gb-node, g.gb-cluster")) {
      const id = g.id.startsWith(prefix) ? g.id.slice(prefix.length) : g.id;
      const data = nodes[id];
      if (!data) continue;
      g.dataset.stage = stage.name;
      remember(data.key, g);
      const target = g.classList.contains("gb-cluster") ? g.querySelector("text") : g;
      if (!target) continue;
      target.addEventListener("mouseenter", () => { showInfo(data); link(data.key || null); });
      target.addEventListener("click", (ev) => {
        ev.stopPropagation();
        if (data.kind === "group" || data.kind === "cluster") {
          g.classList.add("gb-pending");   // until Python's new layout replaces this SVG
          model.send({ type: "toggle", stage: stage.name, group: data.group });
          return;
        }
        for (const s of root.querySelectorAll(".gb-selected")) s.classList.remove("gb-selected");
        g.classList.add("gb-selected");
        model.set("selected", Object.assign({ stage: stage.name }, data));
        model.save_changes();
      });
    }
  }

  function drawText(box, stage) {
    const pre = h("pre", "gb-text");
    for (const line of stage.lines || []) {
      const div = h("div", "gb-line" + (line.key ? " gb-tagged" : ""), line.text || " ");
      div.dataset.stage = stage.name;
      if (line.key) {
        remember(line.key, div);
        div.title = `${line.prim} from ${line.source}`;
        div.addEventListener("mouseenter", () => {
          link(line.key);
          showInfo({ kind: "hlo", prim: line.prim, source: line.source });
        });
      }
      pre.appendChild(div);
    }
    box.appendChild(pre);
  }

  function drawStages() {
    byKey.clear();
    linkedKey = null;
    tabs.clear();
    tabBar.replaceChildren();
    stagesBox.replaceChildren();
    const stages = model.get("stages") || [];
    const current = model.get("stage") || (stages[0] && stages[0].name);
    const uid = model.get("uid");
    for (const stage of stages) {
      const tab = h("button", "gb-tab" + (stage.name === current ? " gb-active" : ""), stage.title);
      tab.addEventListener("click", () => { model.set("stage", stage.name); model.save_changes(); });
      tabs.set(stage.name, tab);
      tabBar.appendChild(tab);
      const box = h("div", "gb-stage-body" + (stage.name === current ? "" : " gb-hidden"));
      box.dataset.stage = stage.name;
      box.dataset.kind = stage.kind;
      if (stage.note || stage.equations !== undefined) {
        const bits = [];
        if (stage.note) bits.push(stage.note);
        if (stage.equations !== undefined) bits.push(`${stage.equations} equations, laid out in ${stage.layout_ms} ms`);
        if (stage.folded) {
          bits.push(`${stage.folded} groups collapsed, ${stage.shown} nodes shown: ` +
                    "click a 3-D box to open it");
        }
        box.appendChild(h("div", "gb-note", bits.join(" \u00b7 ")));
      }
      if (stage.kind === "graph") {
        const holder = h("div", "gb-svg");
        box.appendChild(holder);
        drawGraph(holder, stage, `${uid}-${stage.name}-`);
      } else if (stage.kind === "text") {
        drawText(box, stage);
      } else {
        box.appendChild(h("div", "gb-error", stage.error));
      }
      stagesBox.appendChild(box);
    }
    tabBar.appendChild(tools);
    applyZoom();
  }

  function showStage() {
    const current = model.get("stage");
    for (const box of stagesBox.children) box.classList.toggle("gb-hidden", box.dataset.stage !== current);
    for (const [name, tab] of tabs) tab.classList.toggle("gb-active", name === current);
    applyZoom();
  }

  function drawPanels() {
    panelsBox.replaceChildren();
    for (const panel of model.get("panels") || []) {
      const box = h("div", "gb-panel");
      box.dataset.panel = panel.name || panel.kind;
      if (panel.title) box.appendChild(h("div", "gb-panel-title", panel.title));
      if (panel.kind === "table") {
        const table = h("table", "gb-table");
        const head = h("tr");
        for (const c of panel.columns) head.appendChild(h("th", null, c));
        table.appendChild(head);
        for (const row of panel.rows) {
          const tr = h("tr");
          if (row.flag) tr.dataset.flag = row.flag;
          row.cells.forEach((cell, i) => {
            const td = h("td");
            if (i === panel.bar_column && row.bar !== null && row.bar !== undefined) {
              const bar = h("span", "gb-bar");
              bar.style.width = `${Math.max(0, Math.min(1, row.bar)) * 120}px`;
              bar.style.background = FLAG_COLOURS[row.flag] || "#4c8bf5";
              td.appendChild(bar);
            }
            td.appendChild(document.createTextNode(String(cell)));
            tr.appendChild(td);
          });
          table.appendChild(tr);
        }
        box.appendChild(table);
      } else if (panel.kind === "legend") {
        for (const item of panel.items) {
          const sw = h("span", "gb-swatch");
          sw.style.background = item.colour || "#fff";
          box.append(sw, document.createTextNode(item.label));
        }
      } else {
        box.appendChild(h("div", "gb-note", panel.text || ""));
      }
      panelsBox.appendChild(box);
    }
  }

  const redrawTitle = () => { title.textContent = model.get("title") || ""; };
  redrawTitle();
  drawStages();
  drawPanels();
  showInfo(null);
  model.on("change:title", redrawTitle);
  model.on("change:stages", drawStages);
  model.on("change:stage", showStage);
  model.on("change:panels", drawPanels);
  return () => {
    window.removeEventListener("pointermove", onMove);
    window.removeEventListener("pointerup", onUp);
    resize.disconnect();
    model.off("change:title", redrawTitle);
    model.off("change:stages", drawStages);
    model.off("change:stage", showStage);
    model.off("change:panels", drawPanels);
  };
}

export default { render };
