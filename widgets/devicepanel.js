// glassbox device placement panel (anywidget ES module; no build step, no dependencies).
// One column per device with its live arrays (an array over several devices appears in
// each column as the block that device holds); a table per sharded array (which slice
// lives on which device, bytes there); a log of recent events underneath.
// Every string goes in with textContent.

const CSS = `
.gb-widget { font: 12px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--jp-ui-font-color1, #1f2328);
  border: 1px solid var(--jp-border-color1, #d0d7de); border-radius: 6px; padding: 6px 8px; }
.gb-widget .gb-title { font-weight: 600; margin-bottom: 4px; }
.gb-widget .gb-totals { color: var(--jp-ui-font-color2, #57606a); margin-bottom: 6px; }
.gb-widget .gb-devices { display: flex; gap: 8px; flex-wrap: wrap; align-items: flex-start; }
.gb-widget .gb-device { border: 1px solid var(--jp-border-color1, #d0d7de); border-radius: 5px; min-width: 190px;
  max-height: 260px; overflow: auto; flex: 1 1 190px; }
.gb-widget .gb-device-head { background: var(--jp-layout-color2, #f6f8fa); padding: 3px 6px; font-weight: 600;
  border-bottom: 1px solid var(--jp-border-color1, #d0d7de); position: sticky; top: 0; }
.gb-widget .gb-device-head span { font-weight: 400; color: var(--jp-ui-font-color2, #57606a); }
.gb-widget .gb-array { padding: 1px 6px; font-family: ui-monospace, monospace; font-size: 11px;
  border-bottom: 1px solid var(--jp-border-color2, #f3f4f6); }
.gb-widget .gb-array.gb-new { background: #dcfce7; transition: background 1.5s; }
.gb-widget .gb-array .gb-prod { color: var(--jp-ui-font-color2, #57606a); }
.gb-widget .gb-sharded { margin-top: 6px; display: flex; gap: 8px; flex-wrap: wrap; }
.gb-widget .gb-sharded-array { border: 1px solid var(--jp-border-color1, #d0d7de); border-radius: 5px; }
.gb-widget .gb-sharded-array table { border-collapse: collapse; font-family: ui-monospace, monospace;
  font-size: 11px; }
.gb-widget .gb-sharded-array td, .gb-widget .gb-sharded-array th { padding: 1px 6px;
  border-top: 1px solid var(--jp-border-color2, #f3f4f6); text-align: left; }
.gb-widget .gb-array .gb-slice { color: #8250df; }
.gb-widget .gb-log { margin-top: 6px; font-family: ui-monospace, monospace; font-size: 11px;
  color: var(--jp-ui-font-color2, #57606a); max-height: 120px; overflow: auto; white-space: pre; }
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
  const root = h("div", "gb-widget gb-devices-widget");
  root.dataset.view = "devices";
  const title = h("div", "gb-title");
  const totals = h("div", "gb-totals");
  const columns = h("div", "gb-devices");
  const sharded = h("div", "gb-sharded");
  const log = h("div", "gb-log");
  root.append(title, totals, columns, sharded, log);
  el.appendChild(root);
  let seen = new Set();

  function draw() {
    title.textContent = model.get("title") || "";
    const t = model.get("totals") || {};
    totals.textContent = `${t.live ?? 0} live arrays (${t.bytes ?? "0 B"}) · created ${t.created ?? 0}, freed ${t.freed ?? 0} while open`;
    columns.replaceChildren();
    const now = new Set();
    for (const dev of model.get("devices") || []) {
      const col = h("div", "gb-device");
      col.dataset.device = dev.name;
      const head = h("div", "gb-device-head", dev.name + " ");
      head.appendChild(h("span", null, `${dev.arrays} arrays · ${dev.bytes}`));
      col.appendChild(head);
      for (const row of dev.rows) {
        const div = h("div", "gb-array" + (seen.size && !seen.has(row.id) ? " gb-new" : ""));
        div.dataset.id = row.id;
        div.appendChild(document.createTextNode(`${row.type} ${row.bytes} `));
        div.appendChild(h("span", "gb-prod", row.producer));
        if (row.shard) div.dataset.shard = row.shard;
        col.appendChild(div);
        now.add(row.id);
      }
      columns.appendChild(col);
    }
    seen = now.size ? now : new Set(["-"]);
    sharded.replaceChildren();
    for (const arr of model.get("sharded") || []) {
      const box = h("div", "gb-sharded-array");
      box.dataset.id = arr.id;
      box.appendChild(h("div", "gb-device-head",
        `${arr.type} ${arr.sharding}: ${arr.shards.length} shards of ${arr.shard_type}`));
      const table = h("table");
      const head = h("tr");
      for (const name of ["device", "slice", "bytes"]) head.appendChild(h("th", null, name));
      table.appendChild(head);
      for (const [device, index, bytes] of arr.shards) {
        const tr = h("tr", "gb-shard-row");
        tr.dataset.device = device;
        tr.append(h("td", null, device), h("td", "gb-slice", index), h("td", null, bytes));
        table.appendChild(tr);
      }
      box.appendChild(table);
      sharded.appendChild(box);
    }
    log.textContent = (model.get("log") || []).slice().reverse().join("\n");
  }

  draw();
  const traits = ["title", "devices", "sharded", "log", "totals"];
  for (const name of traits) model.on(`change:${name}`, draw);
  return () => {
    for (const name of traits) model.off(`change:${name}`, draw);
  };
}

export default { render };
