// glassbox debugger widget (anywidget ES module; no build step, no dependencies).
// Shows a breakpoint's stop (frames, source, values, transforms) and sends the
// user's answers (step, continue, quit, evaluate, pick a frame) to Python, which
// holds all state. Colours come from JupyterLab's --jp-* variables, with fallbacks.

const CSS = `
.gb-dbg { font: var(--jp-ui-font-size1, 13px)/1.4 var(--jp-ui-font-family, system-ui, sans-serif);
  color: var(--jp-ui-font-color1, #1f2328); background: var(--jp-layout-color1, #fff);
  border: 1px solid var(--jp-border-color1, #d0d7de); border-radius: 6px; padding: 6px 8px; }
.gb-dbg .gb-dbg-head { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
.gb-dbg .gb-dbg-status { font-weight: 600; padding: 0 6px; border-radius: 4px;
  border: 1px solid currentColor; }
.gb-dbg .gb-dbg-status[data-status="paused"] { color: var(--jp-warn-color0, #b35900); }
.gb-dbg .gb-dbg-status[data-status="running"], .gb-dbg .gb-dbg-status[data-status="finished"] {
  color: var(--jp-brand-color1, #0072b2); }
.gb-dbg .gb-dbg-status[data-status="quit"] { color: var(--jp-error-color1, #d55e00); }
.gb-dbg .gb-dbg-muted { color: var(--jp-ui-font-color2, #57606a); }
.gb-dbg .gb-dbg-frames { display: flex; gap: 4px; flex-wrap: wrap; margin: 4px 0; }
.gb-dbg button { font: inherit; color: inherit; background: var(--jp-layout-color2, #f6f8fa);
  border: 1px solid var(--jp-border-color1, #d0d7de); border-radius: 4px; padding: 1px 8px;
  cursor: pointer; }
.gb-dbg button:disabled { opacity: .5; cursor: default; }
.gb-dbg button.gb-dbg-frame[aria-pressed="true"] { border-color: var(--jp-brand-color1, #0072b2);
  font-weight: 600; }
.gb-dbg pre, .gb-dbg code, .gb-dbg td, .gb-dbg input { font-family: var(--jp-code-font-family, ui-monospace, monospace);
  font-size: var(--jp-code-font-size, 12px); }
.gb-dbg pre { margin: 4px 0; white-space: pre; overflow-x: auto; }
.gb-dbg .gb-dbg-line { display: block; }
/* Translucent Okabe-Ito orange and a bar: readable on light and dark themes alike. */
.gb-dbg .gb-dbg-line.gb-dbg-current { background: rgba(230, 159, 0, 0.22);
  box-shadow: inset 3px 0 #e69f00; font-weight: 600; }
.gb-dbg table { border-collapse: collapse; margin: 4px 0; }
.gb-dbg td, .gb-dbg th { padding: 1px 8px; text-align: left; vertical-align: top; }
.gb-dbg th { font-weight: 600; }
.gb-dbg .gb-dbg-eval { display: flex; gap: 4px; margin: 4px 0; }
.gb-dbg input { flex: 1; color: inherit; background: var(--jp-layout-color0, #fff);
  border: 1px solid var(--jp-border-color1, #d0d7de); border-radius: 4px; padding: 1px 4px; }
.gb-dbg .gb-dbg-error { color: var(--jp-error-color1, #d55e00); }
.gb-dbg .gb-dbg-controls { display: flex; gap: 6px; margin-top: 6px; }
.gb-dbg details { margin-top: 4px; }
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
  const root = h("div", "gb-dbg");
  root.dataset.view = "debugger";
  const head = h("div", "gb-dbg-head");
  const status = h("span", "gb-dbg-status");
  const where = h("span", "gb-dbg-where");
  const example = h("span", "gb-dbg-muted gb-dbg-example");
  head.append(status, where, example);
  const transforms = h("div", "gb-dbg-muted gb-dbg-transforms");
  const frames = h("div", "gb-dbg-frames");
  const source = h("pre", "gb-dbg-source");
  const values = h("table", "gb-dbg-values");
  const evalRow = h("div", "gb-dbg-eval");
  const input = h("input", "gb-dbg-expr");
  input.placeholder = "expression on these values, e.g. x.shape or jnp.sum(y)";
  input.setAttribute("aria-label", "expression");
  const evalButton = h("button", "gb-dbg-eval-button", "Evaluate");
  evalRow.append(input, evalButton);
  const history = h("pre", "gb-dbg-history");
  const controls = h("div", "gb-dbg-controls");
  const step = h("button", "gb-dbg-step", "Step →");
  step.title = "run on to the next stop";
  const cont = h("button", "gb-dbg-continue", "Continue ▶");
  cont.title = "run to the end of the cell without stopping again";
  const quit = h("button", "gb-dbg-quit", "Quit ■");
  quit.title = "leave the program (DebuggerQuit is raised in the cell)";
  controls.append(step, cont, quit);
  const note = h("div", "gb-dbg-muted gb-dbg-note");
  const stops = h("details", "gb-dbg-stops");
  root.append(head, transforms, frames, source, values, evalRow, history, controls, note, stops);
  el.appendChild(root);

  const send = (content) => model.send(content);
  step.addEventListener("click", () => send({ action: "step" }));
  cont.addEventListener("click", () => send({ action: "continue" }));
  quit.addEventListener("click", () => send({ action: "quit" }));
  const evaluate = () => {
    if (input.value.trim()) send({ action: "eval", expr: input.value });
    input.value = "";
  };
  evalButton.addEventListener("click", evaluate);
  input.addEventListener("keydown", (e) => {
    e.stopPropagation();   // keep JupyterLab's shortcuts out of the box
    if (e.key === "Enter") evaluate();
  });

  function draw() {
    const stop = model.get("stop") || {};
    const st = model.get("status") || "";
    status.textContent = st;
    status.dataset.status = st;
    root.dataset.status = st;
    where.textContent = stop.location ? `stop ${stop.hit ?? ""} at ${stop.location}` : "waiting for a stop";
    example.textContent = stop.example && stop.example.length ? `example ${stop.example.join(", ")} under vmap` : "";
    transforms.textContent = stop.transforms && stop.transforms.length ? `transforms: ${stop.transforms.join(" › ")}` : "";
    const fs = stop.frames || [];
    const k = model.get("frame") || 0;
    frames.replaceChildren();
    fs.forEach((f, i) => {
      const b = h("button", "gb-dbg-frame", `${f.function}:${f.lineno}`);
      b.setAttribute("aria-pressed", i === k ? "true" : "false");
      b.title = `${f.filename}:${f.lineno}`;
      b.addEventListener("click", () => send({ action: "frame", index: i }));
      frames.appendChild(b);
    });
    const f = fs[k];
    source.replaceChildren();
    values.replaceChildren();
    if (f) {
      for (const [n, text] of f.source) {
        const line = h("span", "gb-dbg-line" + (n === f.lineno ? " gb-dbg-current" : ""),
                       `${n === f.lineno ? "→" : " "} ${String(n).padStart(4)} ${text}`);
        line.dataset.line = n;
        source.appendChild(line);
      }
      const tr = h("tr");
      for (const c of ["name", "type", "value"]) tr.appendChild(h("th", null, c));
      values.appendChild(tr);
      for (const v of f.locals) {
        const row = h("tr");
        row.dataset.name = v.name;
        for (const c of [v.name, v.type, v.value]) row.appendChild(h("td", null, c));
        values.appendChild(row);
      }
    }
    history.replaceChildren();
    for (const e of model.get("history") || []) {
      history.appendChild(h("span", "gb-dbg-line", `>>> ${e.expr}`));
      history.appendChild(h("span", "gb-dbg-line" + (e.ok ? "" : " gb-dbg-error"), e.result));
    }
    const paused = st === "paused";
    for (const b of [step, cont, quit]) b.disabled = !paused;
    note.textContent = model.get("note") || "";
    const table = model.get("table") || [];
    stops.replaceChildren();
    stops.hidden = table.length <= 1;
    if (table.length > 1) {
      stops.appendChild(h("summary", null, `${table.length} stops`));
      const names = [...new Set(table.flatMap((r) => Object.keys(r.values)))].sort();
      const t = h("table");
      const hr = h("tr");
      for (const c of ["stop", "example", ...names]) hr.appendChild(h("th", null, c));
      t.appendChild(hr);
      for (const r of table) {
        const tr = h("tr");
        for (const c of [r.stop, r.example.join(","), ...names.map((n) => r.values[n] ?? "")]) tr.appendChild(h("td", null, c));
        t.appendChild(tr);
      }
      stops.appendChild(t);
    }
  }

  const names = ["stop", "status", "frame", "history", "table", "note"];
  draw();
  for (const name of names) model.on(`change:${name}`, draw);
  return () => { for (const name of names) model.off(`change:${name}`, draw); };
}

export default { render };
