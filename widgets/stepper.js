// glassbox step-through view (anywidget ES module; no build step, no dependencies).
//
// Draws what Python computed (the traits `current`, `source`, `program`,
// `cotangents`, `score`, `feedback`, `note`) and sends the buttons to Python as
// messages ({action: "next"} ...), which holds every piece of state: this file
// never decides what a step shows. Every string goes in with textContent.
// Colours come from JupyterLab's --jp-* variables, with fallbacks; highlights are
// translucent so they read on light and dark themes alike.
//
// Buttons (for tests): .gb-step-first, .gb-step-prev, .gb-step-next, .gb-step-last
// (aria-labels First, Previous, Next, Last); predict mode: input.gb-step-guess,
// .gb-step-check, .gb-step-reveal. The current source line is
// .gb-step-source .gb-step-line.gb-step-current (its data-line is the line number);
// the current equation is .gb-step-program .gb-step-eqn[data-state="current"].
// Keys on the focused view: → / ← step, Home / End go to the first / last step.

const CSS = `
.gb-step { --gb-step-accent: var(--jp-brand-color1, #0969da);
  --gb-step-backward: #8250df;
  --gb-step-mark: rgba(255, 190, 0, 0.28); --gb-step-mark-edge: var(--jp-warn-color1, #d97706);
  --gb-step-transposing: rgba(130, 80, 223, 0.20);
  font: var(--jp-ui-font-size1, 13px)/1.4 var(--jp-ui-font-family, system-ui, -apple-system, "Segoe UI", sans-serif);
  color: var(--jp-ui-font-color1, #1f2328); background: var(--jp-layout-color1, #fff);
  border: 1px solid var(--jp-border-color1, #d0d7de); border-radius: 6px; padding: 6px 8px; }
.gb-step:focus { outline: 2px solid var(--gb-step-accent); outline-offset: 1px; }
.gb-step .gb-step-head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.gb-step .gb-step-title { font-weight: 600; }
.gb-step .gb-step-phase { font-weight: 600; padding: 0 6px; border-radius: 4px; border: 1px solid currentColor;
  color: var(--gb-step-accent); }
.gb-step .gb-step-phase[data-phase="backward"] { color: var(--gb-step-backward); }
.gb-step .gb-step-muted, .gb-step .gb-step-where, .gb-step .gb-step-note {
  color: var(--jp-ui-font-color2, #57606a); }
.gb-step .gb-step-score { margin-left: auto; }
.gb-step .gb-step-controls { display: flex; gap: 6px; margin: 6px 0 4px; flex-wrap: wrap; }
.gb-step button { font: inherit; color: inherit; background: var(--jp-layout-color2, #f6f8fa);
  border: 1px solid var(--jp-border-color1, #d0d7de); border-radius: 4px; padding: 1px 10px; cursor: pointer; }
.gb-step button:hover:not(:disabled) { border-color: var(--gb-step-accent); }
.gb-step button:disabled { opacity: 0.5; cursor: default; }
.gb-step .gb-step-main { display: flex; gap: 12px; flex-wrap: wrap; align-items: flex-start; }
.gb-step .gb-step-col { flex: 1 1 320px; min-width: 0; }
.gb-step .gb-step-label { font-weight: 600; margin: 4px 0 2px; }
.gb-step summary.gb-step-label { cursor: pointer; }
.gb-step pre, .gb-step td, .gb-step input, .gb-step .gb-step-code {
  font-family: var(--jp-code-font-family, ui-monospace, SFMono-Regular, Menlo, monospace);
  font-size: var(--jp-code-font-size, 13px); }
.gb-step pre { margin: 0; padding: 4px 0; white-space: pre; overflow-x: auto;
  background: var(--jp-cell-editor-background, transparent); border-radius: 4px; }
.gb-step .gb-step-line, .gb-step .gb-step-eqn { display: block; padding: 0 6px; }
.gb-step .gb-step-line.gb-step-current, .gb-step .gb-step-eqn[data-state="current"] {
  background: var(--gb-step-mark); box-shadow: inset 3px 0 0 var(--gb-step-mark-edge); font-weight: 600; }
.gb-step .gb-step-eqn[data-state="transposing"] { background: var(--gb-step-transposing);
  box-shadow: inset 3px 0 0 var(--gb-step-backward); }
.gb-step .gb-step-eqn[data-phase="backward"] { color: var(--gb-step-backward); }
.gb-step .gb-step-eqn[data-state="current"][data-phase="backward"] { color: inherit; }
.gb-step .gb-step-section { color: var(--jp-ui-font-color2, #57606a); padding: 4px 6px 0; display: block; }
.gb-step .gb-step-detail { margin-top: 6px; border-top: 1px solid var(--jp-border-color2, #eaeef2); padding-top: 4px; }
.gb-step table { border-collapse: collapse; margin: 2px 0 4px; }
.gb-step th, .gb-step td { padding: 1px 8px; text-align: left; vertical-align: top; font-size: max(11px, 0.95em); }
.gb-step th { font-weight: 600; color: var(--jp-ui-font-color2, #57606a); }
.gb-step td.gb-step-value { white-space: pre; }
.gb-step .gb-step-predict { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin: 4px 0; }
.gb-step input.gb-step-guess { color: inherit; background: var(--jp-layout-color0, #fff); width: 14em;
  border: 1px solid var(--jp-border-color1, #d0d7de); border-radius: 4px; padding: 1px 6px; }
.gb-step .gb-step-feedback { font-weight: 600; margin: 2px 0; }
.gb-step .gb-step-feedback[data-ok="true"] { color: var(--jp-success-color1, #1a7f37); }
.gb-step .gb-step-feedback[data-ok="false"] { color: var(--jp-error-color1, #cf222e); }
.gb-step .gb-step-feedback[data-ok="none"] { color: var(--jp-warn-color0, #9a6700); }
.gb-step .gb-step-hidden { display: none; }
`;

function h(tag, cls, text) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined && text !== null) el.textContent = String(text);
  return el;
}

function button(cls, label, text, title) {
  const b = h("button", cls, text);
  b.setAttribute("aria-label", label);
  b.title = title;
  return b;
}

// A table of values: [heading, (row) => cell text] columns.
function valuesTable(cls, rows, columns) {
  const table = h("table", cls);
  const head = h("tr");
  for (const [name] of columns) head.appendChild(h("th", null, name));
  table.appendChild(head);
  for (const row of rows) {
    const tr = h("tr");
    tr.dataset.name = row.name;
    for (const [name, cell] of columns) {
      tr.appendChild(h("td", name === "value" ? "gb-step-value" : null, cell(row)));
    }
    table.appendChild(tr);
  }
  return table;
}

const label = (r) => r.name + (r.label ? ` (${r.label})` : "");
const TYPE = ["type", (r) => r.type];
const RESULT_COLUMNS = [["name", label], TYPE, ["shape", (r) => `(${r.shape.join(", ")}${r.shape.length === 1 ? "," : ""})`],
  ["dtype", (r) => r.dtype], ["weak type", (r) => (r.weak_type ? "yes" : "no")],
  ["norm", (r) => r.norm], ["value", (r) => r.value]];
const CT_COLUMNS = [["cotangent of", label], TYPE, ["norm", (r) => r.norm], ["value", (r) => r.value]];

function render({ model, el }) {
  const style = h("style");
  style.textContent = CSS;
  el.appendChild(style);
  const root = h("div", "gb-step");
  root.dataset.view = "stepper";
  root.tabIndex = 0;

  const head = h("div", "gb-step-head");
  const title = h("span", "gb-step-title");
  const phase = h("span", "gb-step-phase");
  const counter = h("span", "gb-step-counter");
  const score = h("span", "gb-step-score");
  head.append(title, phase, counter, score);

  const controls = h("div", "gb-step-controls");
  const first = button("gb-step-first", "First", "« First", "the first equation (Home)");
  const prev = button("gb-step-prev", "Previous", "‹ Previous", "one equation back (←)");
  const next = button("gb-step-next", "Next", "Next ›", "the next equation (→)");
  const last = button("gb-step-last", "Last", "Last »", "the last equation you may see (End)");
  controls.append(first, prev, next, last);
  const note = h("div", "gb-step-note");

  const main = h("div", "gb-step-main");
  const left = h("div", "gb-step-col");
  const where = h("div", "gb-step-where");
  const source = h("pre", "gb-step-source");
  source.setAttribute("aria-label", "source lines");
  left.append(h("div", "gb-step-label", "source"), where, source);
  const right = h("div", "gb-step-col");
  const program = h("pre", "gb-step-program");
  program.setAttribute("aria-label", "the jaxpr so far");
  right.append(h("div", "gb-step-label", "the jaxpr so far"), program);
  main.append(left, right);

  const detail = h("div", "gb-step-detail");
  const eqnText = h("pre", "gb-step-eqn-text");
  const received = h("div", "gb-step-received");
  const results = h("div", "gb-step-results");
  const backward = h("div", "gb-step-backward");
  const predict = h("div", "gb-step-predict");
  const question = h("span", "gb-step-question");
  const guess = h("input", "gb-step-guess");
  guess.placeholder = "e.g. f32[3,4]";
  guess.setAttribute("aria-label", "your prediction");
  const check = button("gb-step-check", "Check", "Check", "compare with the real type, then show it (Enter)");
  const reveal = button("gb-step-reveal", "Reveal", "Reveal", "show the result without a guess");
  predict.append(question, guess, check, reveal);
  const feedback = h("div", "gb-step-feedback");
  detail.append(eqnText, predict, feedback, received, results, backward);

  const cotangents = h("details", "gb-step-cotangents");
  cotangents.open = true;
  root.append(head, controls, note, main, detail, cotangents);
  el.appendChild(root);

  const send = (content) => model.send(content);
  first.addEventListener("click", () => send({ action: "first" }));
  prev.addEventListener("click", () => send({ action: "prev" }));
  next.addEventListener("click", () => send({ action: "next" }));
  last.addEventListener("click", () => send({ action: "last" }));
  reveal.addEventListener("click", () => send({ action: "reveal" }));
  const submit = () => {
    if (guess.value.trim()) send({ action: "check", guess: guess.value });
  };
  check.addEventListener("click", submit);
  guess.addEventListener("keydown", (e) => {
    e.stopPropagation();   // keep JupyterLab's shortcuts (and ours) out of the box
    if (e.key === "Enter") submit();
  });
  const KEYS = { ArrowRight: "next", ArrowLeft: "prev", Home: "first", End: "last" };
  const onKey = (e) => {
    if (e.target !== root || !KEYS[e.key]) return;
    e.preventDefault();
    e.stopPropagation();
    send({ action: KEYS[e.key] });
  };
  root.addEventListener("keydown", onKey);

  function drawSource() {
    const src = model.get("source") || {};
    const stack = src.name_stack ? ` · ${src.name_stack}` : "";
    where.textContent = `${src.where || ""}${src.function ? ` in ${src.function}` : ""}${stack}`;
    source.replaceChildren();
    for (const [n, text] of src.lines || []) {
      const current = n === src.line;
      const line = h("span", "gb-step-line" + (current ? " gb-step-current" : ""),
                     `${current ? "→" : " "} ${String(n).padStart(4)}  ${text}`);
      line.dataset.line = n;
      if (current) line.setAttribute("aria-current", "step");
      source.appendChild(line);
    }
    const mark = source.querySelector(".gb-step-current");
    if (mark && mark.scrollIntoView) mark.scrollIntoView({ block: "nearest" });
  }

  function drawProgram() {
    const p = model.get("program") || {};
    program.replaceChildren();
    const eqnLine = (line, indent) => {
      const span = h("span", "gb-step-eqn", indent + line.text);
      span.dataset.n = line.n;
      span.dataset.state = line.state;
      span.dataset.phase = line.phase || "forward";
      if (line.state === "current") span.setAttribute("aria-current", "step");
      return span;
    };
    if (p.header) program.appendChild(h("span", "gb-step-section", p.header));
    for (const line of p.forward || []) program.appendChild(eqnLine(line, "    "));
    if (p.footer) program.appendChild(h("span", "gb-step-section", `  ${p.footer}`));
    if ((p.backward || []).length) {
      program.appendChild(h("span", "gb-step-section", "backward pass (last equation first):"));
      for (const line of p.backward) program.appendChild(eqnLine(line, "    "));
    }
  }

  function drawCurrent() {
    const c = model.get("current") || {};
    const index = model.get("index") || 0;
    const count = model.get("count") || 0;
    const isGrad = model.get("grad");
    root.dataset.index = index;
    root.dataset.phase = c.phase || "";
    title.textContent = model.get("title") || "";
    phase.textContent = c.phase === "backward" ? "backward pass" : c.phase === "forward" ? "forward pass" : "";
    phase.dataset.phase = c.phase || "";
    counter.textContent = count ? `step ${index + 1} of ${count}` : "no equations";
    eqnText.textContent = c.text || "";
    received.replaceChildren();
    results.replaceChildren();
    backward.replaceChildren();
    const backwardStep = isGrad && c.phase === "backward";
    if (backwardStep) {
      received.append(h("div", "gb-step-label", "the cotangent that has arrived (every later use is done)"),
                      valuesTable("gb-step-received-table", c.received || [], CT_COLUMNS),
                      h("div", "gb-step-muted gb-step-code", `transposing  ${c.transposes || ""}`));
    }
    if ((c.results || []).length) {
      if (backwardStep) {
        const complete = c.complete || [];
        const rows = c.results.map((r, i) => ({ ...r, complete: complete[i] }));
        results.append(h("div", "gb-step-label", "sends cotangents to"),
                       valuesTable("gb-step-results-table", rows, [...CT_COLUMNS,
                         ["arrived", (r) => (r.complete ? "complete: its first use" : "partial: earlier uses still to come")]]));
      } else {
        results.append(h("div", "gb-step-label", c.results.length > 1 ? "results" : "result"),
                       valuesTable("gb-step-results-table", c.results, RESULT_COLUMNS));
      }
    }
    if ((c.backward || []).length) {
      const pre = h("pre", "gb-step-backward-eqns", c.backward.join("\n"));
      backward.append(h("div", "gb-step-label", "its backward equations (r0, r1...: forward values it reads)"), pre);
    }
    const waiting = c.revealed === false;
    predict.classList.toggle("gb-step-hidden", !waiting);
    question.textContent = waiting ? `Predict ${c.question}:` : "";
    if (waiting && guess.dataset.step !== String(index)) {
      guess.value = "";
      guess.dataset.step = String(index);
    }
    const atFirst = index <= 0;
    const atLast = index >= count - 1;
    first.disabled = prev.disabled = atFirst;
    next.disabled = last.disabled = atLast || waiting;
  }

  function drawScore() {
    const s = model.get("score") || {};
    score.textContent = model.get("predict")
      ? `score: ${s.right || 0} right, ${s.wrong || 0} wrong, ${s.shown || 0} shown of ${s.steps || 0}`
      : "";
  }

  function drawFeedback() {
    const f = model.get("feedback") || {};
    feedback.textContent = f.text || "";
    feedback.dataset.ok = f.ok === true ? "true" : f.ok === false ? "false" : "none";
    note.textContent = model.get("note") || "";
  }

  function drawCotangents() {
    const rows = model.get("cotangents") || [];
    cotangents.replaceChildren();
    cotangents.classList.toggle("gb-step-hidden", !model.get("grad") || !rows.length);
    if (!model.get("grad") || !rows.length) return;
    cotangents.append(h("summary", "gb-step-label", `cotangents arrived so far: ${rows.length} (the seed first; an input's is its gradient)`),
                      valuesTable("gb-step-cotangents-table", rows, [...CT_COLUMNS, ["note", (r) => r.note || ""]]));
  }

  const draws = {
    title: drawCurrent, index: drawCurrent, count: drawCurrent, current: drawCurrent,
    grad: drawCurrent, source: drawSource, program: drawProgram, cotangents: drawCotangents,
    score: drawScore, predict: drawScore, feedback: drawFeedback, note: drawFeedback,
  };
  for (const draw of new Set(Object.values(draws))) draw();
  for (const [name, draw] of Object.entries(draws)) model.on(`change:${name}`, draw);
  return () => {
    root.removeEventListener("keydown", onKey);
    for (const [name, draw] of Object.entries(draws)) model.off(`change:${name}`, draw);
  };
}

export default { render };
