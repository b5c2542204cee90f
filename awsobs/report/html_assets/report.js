// awsobs HTML report: filters, sorting and the findings behind a cell.
// Everything from the account is in the JSON block and written with textContent only.
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("awsobs-data").textContent);
  const byId = (id) => document.getElementById(id);
  const table = byId("map");
  const groups = Array.from(table.tBodies);
  const rows = [];
  for (const group of groups) {
    for (const tr of Array.from(group.rows)) {
      if (tr.classList.contains("group")) continue;
      rows.push({
        tr,
        group,
        account: tr.dataset.account,
        region: tr.dataset.region,
        service: group.dataset.service,
        status: tr.dataset.status.split(" "),
        over: tr.classList.contains("over"),
        text: [tr.cells[0].title, tr.cells[0].textContent, tr.dataset.type, tr.dataset.region,
          tr.dataset.account].join(" ").toLowerCase(),
      });
    }
  }
  const inputs = {
    text: byId("f-text"),
    account: byId("f-account"),
    region: byId("f-region"),
    service: byId("f-service"),
    status: byId("f-status"),
  };
  const count = byId("f-count");

  function statusMatches(have, wanted) {
    if (!wanted) return true;
    const fail = have.includes("fail");
    const unknown = have.includes("unknown");
    if (wanted === "gap") return fail || unknown;
    if (wanted === "fail") return fail;
    if (wanted === "unknown") return unknown;
    if (wanted === "pass") return have.includes("pass") && !fail && !unknown;
    return true;
  }

  // Hide the rows that miss a filter and the services left empty; of the rows that match,
  // show the first PAGE (a browser lays out a few hundred rows in milliseconds, 5,000 in
  // seconds): the others are marked "over", hidden on screen but printed. "Show more"
  // raises the limit. Only the rows whose state changes are touched.
  const PAGE = 300;
  let limit = PAGE;
  const more = byId("more");
  function applyFilters() {
    const words = inputs.text.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const account = inputs.account.value;
    const region = inputs.region.value;
    const service = inputs.service.value;
    const status = inputs.status.value;
    const visible = new Set();
    let matched = 0;
    for (const row of rows) {
      const ok =
        (!account || row.account === account) &&
        (!region || row.region === region) &&
        (!service || row.service === service) &&
        statusMatches(row.status, status) &&
        words.every((w) => row.text.includes(w));
      const over = ok && matched >= limit;
      if (ok) matched += 1;
      if (row.tr.hidden === ok) row.tr.hidden = !ok;
      if (row.over !== over) {
        row.over = over;
        row.tr.classList.toggle("over", over);
      }
      if (ok) visible.add(row.group);
    }
    for (const group of groups) {
      const hide = !visible.has(group);
      if (group.hidden !== hide) group.hidden = hide;
    }
    const shown = Math.min(matched, limit);
    count.textContent =
      shown < matched
        ? `${matched} of ${rows.length} resources match; showing the first ${shown}`
        : `${matched} of ${rows.length} resources`;
    more.hidden = shown >= matched;
    return matched;
  }
  function refilter() {
    limit = PAGE;
    return applyFilters();
  }
  for (const input of Object.values(inputs)) {
    input.addEventListener(input.tagName === "SELECT" ? "change" : "input", refilter);
  }
  more.addEventListener("click", () => {
    limit += PAGE * 5;
    applyFilters();
  });
  byId("filters").addEventListener("submit", (event) => event.preventDefault());
  window.awsobsApplyFilters = refilter;

  // Sort every service's rows by a column; the services keep their order (worst first).
  const rank = { fail: 0, unknown: 1, pass: 2, none: 3 };
  function sortKey(tr, column) {
    const cell = tr.cells[column];
    if (column === 0) return tr.cells[0].textContent.toLowerCase();
    if (column === tr.cells.length - 1) return Number(tr.dataset.cov);
    if (cell.classList.contains("cell")) {
      for (const name of Object.keys(rank)) if (cell.classList.contains(name)) return rank[name];
    }
    return cell.textContent.toLowerCase();
  }
  for (const th of Array.from(table.tHead.rows[0].cells)) {
    th.addEventListener("click", () => {
      const column = Number(th.dataset.sort);
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      for (const other of Array.from(table.tHead.rows[0].cells)) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      for (const group of groups) {
        const body = Array.from(group.rows).filter((tr) => !tr.classList.contains("group"));
        body.sort((a, b) => {
          const x = sortKey(a, column);
          const y = sortKey(b, column);
          const order = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? order : -order;
        });
        for (const tr of body) group.appendChild(tr);
      }
      // The first rows shown are the first in the new order.
      const order = new Map(rows.map((row) => [row.tr, row]));
      rows.length = 0;
      for (const group of groups) {
        for (const tr of Array.from(group.rows)) if (order.has(tr)) rows.push(order.get(tr));
      }
      applyFilters();
    });
  }

  // The findings behind a cell, in the side panel.
  const panel = byId("detail");
  const panelBody = byId("detail-body");
  let selected = null;
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  const statuses = {
    P: ["PASS", "pass"],
    F: ["FAIL", "fail"],
    U: ["UNKNOWN", "unknown"],
    N: ["NOT_APPLICABLE", "none"],
  };
  // One finding (see html.py's _data for its compact fields).
  function findingNode(f, inherited) {
    const check = data.checks[f.c];
    const [status, cls] = statuses[f.s];
    const id = data.ids[f.id];
    const box = el("div", "finding");
    const head = el("div", "head");
    head.append(el("span", `st ${cls}`, status));
    head.append(el("code", "", check.id));
    head.append(document.createTextNode(` ${check.title}`));
    box.append(head);
    if (f.n) box.append(el("div", "new", "New since the baseline."));
    if (inherited) {
      const kinds = check.kinds || "every resource";
      const where = f.r === "global" ? "of the account" : `in ${f.r}`;
      box.append(el("div", "inherited", `Said of ${id}: applies to ${kinds} ${where}.`));
    } else {
      box.append(el("div", "where", `${f.r} · ${id}`));
    }
    box.append(el("p", "message", f.m));
    if (f.x !== undefined) box.append(el("div", "suppressed", `Suppressed: ${f.x}`));
    if (f.e !== undefined) {
      const evidence = el("details", "evidence");
      evidence.append(el("summary", "", "Evidence"));
      evidence.append(el("pre", "", typeof f.e === "string" ? f.e : JSON.stringify(f.e, null, 1)));
      box.append(evidence);
    }
    if (f.fix !== undefined) {
      const fix = el("p", "fix", "Fix: ");
      fix.append(el("code", "", data.fixes[f.fix]));
      box.append(fix);
    }
    return box;
  }
  function indices(text) {
    return text ? text.split(",").map(Number) : [];
  }
  function show(cell) {
    if (selected) selected.classList.remove("selected");
    selected = cell;
    cell.classList.add("selected");
    const tr = cell.parentElement;
    panelBody.replaceChildren();
    const signal = table.tHead.rows[0].cells[cell.cellIndex].textContent;
    panelBody.append(el("h3", "", `${tr.cells[0].textContent}: ${signal}`));
    panelBody.append(el("div", "where", tr.cells[0].title));
    for (const i of indices(cell.dataset.f)) panelBody.append(findingNode(data.findings[i], false));
    for (const i of indices(cell.dataset.i)) panelBody.append(findingNode(data.findings[i], true));
    panel.hidden = false;
    document.body.classList.add("detail-open");
    cell.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
  function hide() {
    panel.hidden = true;
    document.body.classList.remove("detail-open");
    if (selected) selected.classList.remove("selected");
    selected = null;
  }
  table.addEventListener("click", (event) => {
    const cell = event.target.closest("td.cell[tabindex]");
    if (cell) show(cell);
  });
  table.addEventListener("keydown", (event) => {
    const cell = event.target.closest("td.cell[tabindex]");
    if (cell && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      show(cell);
    }
  });
  byId("close").addEventListener("click", hide);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") hide();
  });
  window.addEventListener("beforeprint", () => {
    for (const d of Array.from(document.querySelectorAll("details"))) d.open = true;
  });
  applyFilters();
})();
