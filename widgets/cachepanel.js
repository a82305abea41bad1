// glassbox compile-cache panel (anywidget ES module; no build step, no dependencies).
// A table of functions (hits, misses, compile time, why it recompiled) and a log.

const CSS = `
.gb-widget { font: 12px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--jp-ui-font-color1, #1f2328);
  border: 1px solid var(--jp-border-color1, #d0d7de); border-radius: 6px; padding: 6px 8px; }
.gb-widget .gb-title { font-weight: 600; margin-bottom: 4px; }
.gb-widget .gb-totals { color: var(--jp-ui-font-color2, #57606a); margin-bottom: 4px; }
.gb-widget table.gb-table { border-collapse: collapse; font-size: 11.5px; }
.gb-widget table.gb-table td, .gb-widget table.gb-table th { padding: 1px 8px; text-align: left; }
.gb-widget table.gb-table td { font-family: ui-monospace, monospace; }
.gb-widget tr.gb-flash td { background: rgba(230, 159, 0, 0.25); }
.gb-widget .gb-miss { color: var(--jp-error-color1, #d55e00); }
.gb-widget .gb-log { margin-top: 6px; font-family: ui-monospace, monospace; font-size: 11px;
  color: var(--jp-ui-font-color2, #57606a); max-height: 140px; overflow: auto; white-space: pre; }
`;

function h(tag, cls, text) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined && text !== null) el.textContent = String(text);
  return el;
}

function render({ model, el }) {
  const style = h("style");
  style.textContent = CSS;
  el.appendChild(style);
  const root = h("div", "gb-widget gb-cache-widget");
  root.dataset.view = "cache";
  const title = h("div", "gb-title");
  const totals = h("div", "gb-totals");
  const table = h("table", "gb-table");
  const log = h("div", "gb-log");
  root.append(title, totals, table, log);
  el.appendChild(root);
  let before = new Map();

  function draw() {
    title.textContent = model.get("title") || "";
    const t = model.get("totals") || {};
    totals.textContent = `${t.hits ?? 0} hits · ${t.misses ?? 0} misses · ${t.compile_ms ?? 0} ms compiling`;
    table.replaceChildren();
    const head = h("tr");
    for (const c of ["function", "kind", "runs", "hits", "misses", "compile ms", "last reason"]) head.appendChild(h("th", null, c));
    table.appendChild(head);
    const now = new Map();
    for (const r of model.get("rows") || []) {
      const key = `${r.hits}/${r.misses}/${r.runs}`;
      const tr = h("tr", before.size && before.get(r.name) !== key ? "gb-flash" : "");
      tr.dataset.name = r.name;
      for (const v of [r.name, r.kind, r.runs, r.hits]) tr.appendChild(h("td", null, v));
      tr.appendChild(h("td", r.misses ? "gb-miss" : "", r.misses));
      tr.appendChild(h("td", null, r.compile_ms));
      tr.appendChild(h("td", null, r.reason));
      table.appendChild(tr);
      now.set(r.name, key);
    }
    before = now.size ? now : new Map([["", ""]]);
    log.textContent = (model.get("log") || []).slice().reverse().join("\n");
  }

  draw();
  for (const name of ["title", "rows", "log", "totals"]) model.on(`change:${name}`, draw);
  return () => {
    for (const name of ["title", "rows", "log", "totals"]) model.off(`change:${name}`, draw);
  };
}

export default { render };
