// The operator console of a karafka-actors deployment (package console).
//
// One page, five hash routes; every URL is relative (the console is mounted
// at /console/, maybe behind a prefix):
//
//   #processes  every process of the deployment (api/deployment), and who
//               holds which partition; pause/resume/skip on this process's
//               partitions when actions are on
//   #history    uPlot charts of the last hour (api/history), per route
//   #errors     the errors the processes reported (api/errors), newest first
//   #explore    records of a partition (api/topics, api/records);
//               #explore?topic=T&partition=P&offset=O (or &time=RFC3339)
//               reads there; replay of a dead letter topic when actions are on
//   #health     findings (api/health) by severity
//
// api/deployment and api/health are read every 2 s, api/errors every 2 s
// while #errors is shown, api/history every 5 s while #history is shown.
// Actions (POST api/actions/*) are shown only when api/session says they are
// on; they send the token of the token field (kept in sessionStorage) as
// "Authorization: Bearer" and api/session's csrf as X-CSRF-Token. Data from
// the API only ever goes through textContent and attribute values (links are
// checked to be http: or https:), never innerHTML.
//
// Stable hooks (the browser tests use them; keep them):
//   section[data-page=processes|history|errors|explorer|health]
//                                 the pages; the shown one is not [hidden]
//   nav a[data-nav=PAGE]          the tabs, aria-current="page" on the shown one
//   tr.process[data-process=ID]   a process, with class status-running,
//                                 status-stale or status-stopped
//   tr.partition[data-topic][data-partition][data-group][data-holder]
//                                 a partition of the deployment; class self
//                                 when this process holds it
//   [data-field=NAME]             a value's cell (or span), NAME its API field: id,
//                                 status, app, host, pid, client, guarantee,
//                                 phase, ready, holds, errors, last_seen,
//                                 console (processes); topic, partition,
//                                 group, holder, lag, committed,
//                                 high_watermark, in_flight, paused,
//                                 processed, failed, dead_letters, restarts,
//                                 last_error, stuck, actions (partitions);
//                                 time, process, record, key, error, attempt,
//                                 stage, group (errors); offset, time, key,
//                                 value, decoded, decode_error, headers (records)
//   .status-stale                 a stale process's row
//   .chart[data-series=processed|failed|dead_letters|lag]
//                                 a chart; data-points counts its non-null
//                                 points, the uPlot canvas is inside
//   #route                        the History page's route selector
//   tr.error-row[data-topic][data-partition][data-offset]
//                                 an error; its a.explore links to the explorer
//   .record[data-offset]          a record in the explorer (class target when
//                                 it is the offset a link asked for); its
//                                 headers are .header[data-key], class karafka
//                                 for karafka.* (a dead letter's)
//   #x-topic, #x-partition, #x-offset, #x-time, #x-limit, #x-prev, #x-next
//                                 the explorer's inputs and pager
//   .finding[data-kind][data-severity]   a health finding
//   button[data-action=pause|resume|skip|replay], form.skip (in
//   details.skip-box), #replay-form
//                                 actions (hidden and disabled when off)
//   #token, #action-result        the token field and the last action's outcome
//   #error                        the banner for a failing poll
//   body[data-session=read]       api/session was read (or failed: actions off)
"use strict";

(() => {
  const DEPLOYMENT_MS = 2000;
  const HEALTH_MS = 2000;
  const ERRORS_MS = 2000;
  const HISTORY_MS = 5000;
  const CHART_HEIGHT = 190;
  const TOKEN_KEY = "karafka-console-token";

  // The hash routes and the page each shows.
  const ROUTES = {processes: "processes", history: "history", errors: "errors",
    explore: "explorer", explorer: "explorer", health: "health"};

  const byId = (id) => document.getElementById(id);
  const key = (...parts) => parts.join("\u0000");

  // h makes an element: h("td", {class: "x", "data-field": f}, child, "text").
  // Attributes whose value is null, undefined or false are left out; text
  // children become text nodes (never markup).
  function h(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) {
      if (c !== null && c !== undefined && c !== false) e.append(c);
    }
    return e;
  }

  function setText(e, value) {
    const s = value === null || value === undefined ? "" : String(value);
    if (e.textContent !== s) e.textContent = s;
  }

  // safeURL returns u when it is an absolute http(s) URL, else null: a
  // process's console_url becomes a link only then (no javascript:).
  function safeURL(u) {
    if (typeof u !== "string" || u === "") return null;
    try {
      const url = new URL(u, location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch {
      return null;
    }
  }

  function localTime(s) {
    const d = new Date(s);
    return isNaN(d) ? String(s ?? "") : d.toLocaleString();
  }

  function ago(s, now) {
    const t = Date.parse(s);
    const n = Date.parse(now) || Date.now();
    if (isNaN(t)) return "never";
    const sec = Math.max(0, Math.round((n - t) / 1000));
    if (sec < 120) return `${sec} s ago`;
    if (sec < 7200) return `${Math.round(sec / 60)} min ago`;
    return `${Math.round(sec / 3600)} h ago`;
  }

  function cssVar(name, fallback) {
    const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v || fallback;
  }

  // reconcile keeps container's children one per item, in items' order,
  // reusing the element of an item already shown (so that a form being
  // typed into survives the next poll). make(item) returns a view {el, ...};
  // update(view, item) refreshes it.
  const views = new WeakMap();
  function reconcile(container, items, keyOf, make, update) {
    let rows = views.get(container);
    if (!rows) {
      rows = new Map();
      views.set(container, rows);
    }
    const seen = new Set();
    const order = [];
    for (const it of items) {
      const k = keyOf(it);
      if (seen.has(k)) continue;
      seen.add(k);
      let v = rows.get(k);
      if (!v) {
        v = make(it);
        rows.set(k, v);
      }
      update(v, it);
      order.push(v.el);
    }
    for (const [k, v] of rows) {
      if (!seen.has(k)) {
        v.el.remove();
        rows.delete(k);
      }
    }
    const kids = container.children;
    const same = kids.length === order.length && order.every((el, i) => kids[i] === el);
    if (!same) for (const el of order) container.append(el);
  }

  // --- errors of the polls -------------------------------------------------

  const problems = new Map(); // source -> message
  function problem(source, msg) {
    if (msg) problems.set(source, msg);
    else problems.delete(source);
    const e = byId("error");
    const text = [...problems.values()].join("; ");
    e.hidden = !text;
    setText(e, text);
    document.body.classList.toggle("stale", problems.has("deployment"));
  }

  // errorText is the reason of a failed response: its JSON {"error": …} or
  // its text, after the status.
  async function errorText(r) {
    let body = "";
    try {
      body = (await r.text()).trim();
    } catch {
      // no body
    }
    let msg = body;
    try {
      const j = JSON.parse(body);
      if (j && typeof j.error === "string") msg = j.error;
    } catch {
      // not JSON: the text itself
    }
    if (msg.length > 300) msg = msg.slice(0, 300) + "…";
    return msg ? `HTTP ${r.status}: ${msg}` : `HTTP ${r.status}`;
  }

  async function getJSON(url) {
    // The token, when kept, goes with reads too: records need it where
    // console.token is set.
    const headers = {};
    const t = byId("token").value.trim();
    if (t) headers.Authorization = `Bearer ${t}`;
    const r = await fetch(url, {cache: "no-store", credentials: "same-origin", headers});
    if (r.status === 401) showAuth(); // the field to give the token in
    if (!r.ok) throw new Error(`${url.split("?")[0]}: ${await errorText(r)}`);
    return r.json();
  }

  // showAuth shows the token field (shown anyway while actions are on)
  // once a read was refused for want of it.
  let authWanted = false;
  function showAuth() {
    authWanted = true;
    byId("auth").hidden = false;
  }

  // poller runs fn now and every ms while active() (when given); the
  // function it returns runs it again at once.
  function poller(ms, fn, active) {
    let timer = 0;
    let running = false;
    let again = false;
    async function run() {
      clearTimeout(timer);
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        if (!active || active()) await fn();
      } catch (e) {
        console.warn(e);
      } finally {
        running = false;
        timer = setTimeout(run, again ? 0 : ms);
        again = false;
      }
    }
    return run;
  }

  // --- session and actions -------------------------------------------------

  const session = {actions: false, authenticated: false, csrf: ""};

  function token() {
    return byId("token").value.trim();
  }

  function applySession() {
    const on = !!session.actions;
    document.body.classList.toggle("actions-on", on);
    for (const e of document.querySelectorAll(".needs-actions")) e.hidden = !on;
    if (authWanted) byId("auth").hidden = false;
    for (const b of document.querySelectorAll("[data-action]")) b.disabled = !on;
    const st = byId("actions-state");
    setText(st, on ? (session.authenticated ? "actions on, authenticated" : "actions on") : "actions off");
    st.dataset.state = on ? "warn" : "off";
    byId("token").placeholder = session.authenticated ? "authenticated by the proxy" : "console.token";
    updateReplayForm();
  }

  async function loadSession() {
    try {
      const s = await getJSON("api/session");
      session.actions = s.actions === true;
      session.authenticated = s.authenticated === true;
      session.csrf = typeof s.csrf === "string" ? s.csrf : "";
      problem("session", "");
    } catch (e) {
      session.actions = false;
      problem("session", `cannot read the session (${e.message}); actions off`);
    }
    document.body.dataset.session = "read";
    applySession();
  }

  function actionResult(text, state) {
    const o = byId("action-result");
    setText(o, text);
    o.dataset.state = state;
  }

  // act posts an action and shows its outcome; it returns whether it was
  // done.
  async function act(name, body, button) {
    if (!session.actions) return false;
    if (button) {
      button.disabled = true;
      button.dataset.busy = "true";
    }
    actionResult(`${name}…`, "busy");
    try {
      const headers = {"Content-Type": "application/json", "X-CSRF-Token": session.csrf};
      const t = token();
      if (t) headers.Authorization = `Bearer ${t}`;
      const r = await fetch(`api/actions/${name}`, {method: "POST", headers, body: JSON.stringify(body),
        cache: "no-store", credentials: "same-origin"});
      if (!r.ok) {
        const msg = await errorText(r);
        // A stale CSRF token (a new cookie): the next try uses a fresh one.
        if (r.status === 403) loadSession();
        throw new Error(msg);
      }
      let done = {};
      try {
        done = await r.json();
      } catch {
        // an empty answer is fine
      }
      actionResult(typeof done.message === "string" && done.message ? done.message : `${name}: done`, "ok");
      refreshDeployment();
      return true;
    } catch (e) {
      actionResult(`${name} refused: ${e.message}`, "bad");
      return false;
    } finally {
      if (button) {
        delete button.dataset.busy;
        button.disabled = !session.actions;
      }
    }
  }

  // --- deployment: processes and partitions --------------------------------

  let deployment = null;

  const PROCESS_FIELDS = ["id", "status", "app", "host", "pid", "client", "guarantee", "phase",
    "ready", "holds", "errors", "last_seen", "console"];

  function makeProcess(p) {
    const cells = {};
    const tr = h("tr", {class: "process", "data-process": p.id});
    for (const f of PROCESS_FIELDS) {
      cells[f] = h("td", {"data-field": f});
      tr.append(cells[f]);
    }
    cells.status.append(h("span", {class: "pill"}));
    cells.ready.append(h("span", {class: "pill"}));
    return {el: tr, cells};
  }

  function updateProcess(v, p, d, holds) {
    const c = v.cells;
    const status = ["running", "stale", "stopped"].includes(p.status) ? p.status : "unknown";
    v.el.className = `process status-${status}` + (p.id === d.self ? " self" : "");
    setText(c.id, p.id);
    c.id.title = p.instance_id ? `instance ${p.instance_id}; started ${localTime(p.started)}` : `started ${localTime(p.started)}`;
    const pill = c.status.firstChild;
    setText(pill, status === "unknown" ? String(p.status ?? "unknown") : status);
    pill.dataset.state = {running: "ok", stale: "bad", stopped: "off"}[status] || "warn";
    setText(c.app, p.app);
    setText(c.host, p.host);
    setText(c.pid, p.pid);
    setText(c.client, p.client);
    setText(c.guarantee, p.guarantee);
    // A stale process's phase and readiness are as it last said, not now;
    // a stopped one's are its last words.
    const live = status === "running";
    setText(c.phase, live ? p.phase : status === "stale" ? `${p.phase} (last said)` : p.phase);
    c.phase.classList.toggle("warn", live && p.phase !== "running");
    c.phase.classList.toggle("muted", !live);
    const ready = c.ready.firstChild;
    setText(ready, !live ? "–" : p.ready ? "ready" : "not ready");
    ready.dataset.state = !live ? "off" : p.ready ? "ok" : "bad";
    setText(c.holds, holds);
    setText(c.errors, p.errors ?? 0);
    c.errors.classList.toggle("bad", (p.errors ?? 0) > 0);
    setText(c.last_seen, ago(p.last_seen, d.time));
    c.last_seen.title = localTime(p.last_seen);
    // The console column: this one, a link to the process's own, or none.
    // Only a running process's console: a stale or stopped one's address
    // may serve another process by now.
    const url = live ? safeURL(p.console_url) : null;
    const want = p.id === d.self ? "self" : url ? `url:${url}` : "none";
    if (c.console.dataset.kind !== want) {
      c.console.dataset.kind = want;
      c.console.replaceChildren(
        p.id === d.self ? h("span", {class: "note"}, "this console")
          : url ? h("a", {href: url, rel: "noopener noreferrer", title: url}, "open")
            : h("span", {class: "note"}, "–"));
    }
  }

  // The columns of a partition: a field a cell, but the group goes under
  // the topic and stuck under the last error (spans with data-field).
  const PARTITION_COLUMNS = [["topic", "group"], ["partition"], ["holder"], ["lag"], ["committed"],
    ["high_watermark"], ["in_flight"], ["paused"], ["processed"], ["failed"], ["dead_letters"], ["restarts"],
    ["last_error", "stuck"]];

  function makePartition(p) {
    const cells = {};
    const tr = h("tr", {class: "partition", "data-topic": p.topic, "data-partition": p.partition, "data-group": p.group});
    for (const fields of PARTITION_COLUMNS) {
      if (fields.length === 1) {
        cells[fields[0]] = h("td", {"data-field": fields[0]});
        tr.append(cells[fields[0]]);
        continue;
      }
      const td = h("td", {class: "stack"});
      for (const f of fields) {
        cells[f] = h("span", {"data-field": f});
        td.append(cells[f]);
      }
      tr.append(td);
    }
    cells.group.className = "note";
    cells.last_error.className = "error-text";
    cells.stuck.className = "error-text stuck";

    // Actions: this process's partitions act here; the others link to the
    // console of the process that holds them.
    const pause = h("button", {type: "button", "data-action": "pause", disabled: true}, "pause");
    const resume = h("button", {type: "button", "data-action": "resume", disabled: true}, "resume");
    const offset = h("input", {type: "number", min: 0, step: 1, required: true, name: "offset",
      "aria-label": "offset to skip", placeholder: "offset"});
    const reason = h("input", {type: "text", required: true, name: "reason", "aria-label": "reason",
      placeholder: "reason", maxlength: 500});
    const skipButton = h("button", {type: "submit", "data-action": "skip", disabled: true}, "skip");
    const skip = h("form", {class: "skip", title: "send the record the partition is failing on to its dead letter topic"},
      offset, reason, skipButton);
    const mine = h("div", {class: "acts"}, pause, resume,
      h("details", {class: "skip-box"}, h("summary", {}, "skip…"), skip));
    const elsewhere = h("span", {class: "elsewhere"});
    cells.actions = h("td", {"data-field": "actions", class: "needs-actions", hidden: !session.actions}, mine, elsewhere);
    tr.append(cells.actions);

    const v = {el: tr, cells, mine, elsewhere, pause, resume, skip, offset, reason, p};
    const target = () => ({topic: v.p.topic, partition: v.p.partition});
    pause.addEventListener("click", () => act("pause", target(), pause));
    resume.addEventListener("click", () => act("resume", target(), resume));
    skip.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = {...target(), offset: Number(offset.value), reason: reason.value.trim()};
      if (!Number.isInteger(body.offset) || body.offset < 0 || !body.reason) {
        actionResult("skip: give the offset and a reason", "bad");
        return;
      }
      if (await act("skip", body, skipButton)) {
        offset.value = "";
        reason.value = "";
      }
    });
    return v;
  }

  function updatePartition(v, p, d, byProcess) {
    const c = v.cells;
    v.p = p;
    const self = !!d.self && p.holder === d.self;
    const holder = byProcess.get(p.holder);
    v.el.classList.toggle("self", self);
    v.el.dataset.holder = p.holder || "";
    v.el.dataset.paused = String(!!p.paused);
    v.el.dataset.operatorPaused = String(!!p.operator_paused);
    v.el.dataset.stuck = String(!!p.stuck);
    setText(c.topic, p.topic);
    setText(c.partition, p.partition);
    setText(c.group, p.group);
    setText(c.holder, p.holder || "nobody");
    c.holder.title = self ? "this process" : holder ? `${holder.host} pid ${holder.pid}, ${holder.status}` : "";
    c.holder.classList.toggle("status-stale", !!holder && holder.status === "stale");
    c.holder.classList.toggle("muted", !p.holder);
    setText(c.lag, p.lag);
    c.lag.classList.toggle("warn", p.lag > 0);
    setText(c.committed, p.committed < 0 ? "none" : p.committed);
    setText(c.high_watermark, p.high_watermark);
    setText(c.in_flight, p.in_flight);
    setText(c.paused, p.operator_paused ? "by an operator" : p.paused ? "yes" : "no");
    c.paused.classList.toggle("warn", !!p.paused || !!p.operator_paused);
    c.paused.classList.toggle("operator-paused", !!p.operator_paused);
    setText(c.processed, p.processed);
    setText(c.failed, p.failed);
    setText(c.dead_letters, p.dead_letters);
    setText(c.restarts, p.restarts);
    setText(c.last_error, p.last_error || "");
    c.last_error.title = p.last_error || "";
    setText(c.stuck, p.stuck || "");
    c.stuck.title = p.stuck || "";

    v.mine.hidden = !self;
    v.pause.hidden = !!p.operator_paused;
    v.resume.hidden = !p.operator_paused;
    // The records the partition fails on are what a skip takes (the
    // committed offset is the oldest unfinished one otherwise).
    const failing = Array.isArray(p.failing_offsets) ? p.failing_offsets : [];
    v.el.dataset.failing = failing.join(",");
    if (!v.offset.value) {
      v.offset.placeholder = failing.length ? String(failing[0]) : p.committed >= 0 ? String(p.committed) : "offset";
    }
    v.skip.title = failing.length ? `failing on offset ${failing.join(", ")}` : "the partition is not failing now";
    v.elsewhere.hidden = self;
    const url = holder && holder.id !== d.self ? safeURL(holder.console_url) : null;
    const want = self ? "" : url ? `url:${url}` : p.holder ? "none" : "nobody";
    if (v.elsewhere.dataset.kind !== want) {
      v.elsewhere.dataset.kind = want;
      v.elsewhere.replaceChildren(
        url ? h("a", {href: url, rel: "noopener noreferrer", title: "actions on a partition are taken by the process holding it"},
          "on its console")
          : want === "none" ? h("span", {class: "note"}, "its process has no console")
            : want === "nobody" ? h("span", {class: "note"}, "not held") : "");
    }
    c.actions.hidden = !session.actions;
    for (const b of [v.pause, v.resume, v.skip.querySelector("button")]) {
      if (!b.matches("[data-busy]")) b.disabled = !session.actions;
    }
  }

  function applyDeployment(d) {
    deployment = d;
    const processes = Array.isArray(d.processes) ? d.processes : [];
    const partitions = Array.isArray(d.partitions) ? d.partitions : [];
    const apps = Array.isArray(d.apps) && d.apps.length ? d.apps.join(", ") : "karafka-actors";
    setText(byId("apps"), apps);
    document.title = `${apps} console`;
    const self = byId("self");
    setText(self, d.self ? `this process ${d.self}` : "standalone console");
    self.dataset.state = d.self ? "ok" : "off";
    setText(byId("reports-topic"), d.reports_topic ? `reports ${d.reports_topic}` : "");
    const updated = byId("updated");
    updated.dateTime = d.time || "";
    setText(updated, d.time ? new Date(d.time).toLocaleTimeString() : "never");

    const holds = new Map();
    for (const p of partitions) if (p.holder) holds.set(p.holder, (holds.get(p.holder) || 0) + 1);
    const byProcess = new Map(processes.map((p) => [p.id, p]));
    reconcile(byId("processes").tBodies[0], processes, (p) => p.id, makeProcess,
      (v, p) => updateProcess(v, p, d, holds.get(p.id) || 0));
    byId("processes-empty").hidden = processes.length > 0;
    reconcile(byId("partitions").tBodies[0], partitions, (p) => key(p.group, p.topic, p.partition), makePartition,
      (v, p) => updatePartition(v, p, d, byProcess));
    byId("partitions-empty").hidden = partitions.length > 0;

    const stale = processes.filter((p) => p.status === "stale").length;
    const count = byId("count-processes");
    setText(count, stale ? `${processes.length}, ${stale} stale` : processes.length);
    count.dataset.state = stale ? "bad" : "";
    const errors = processes.reduce((n, p) => n + (Number(p.errors) || 0), 0);
    const ec = byId("count-errors");
    setText(ec, errors || "");
    ec.dataset.state = errors ? "warn" : "";
    updateRoutes(processes, partitions);
  }

  async function pollDeployment() {
    try {
      applyDeployment(await getJSON("api/deployment"));
      problem("deployment", "");
    } catch (e) {
      problem("deployment", `cannot read the deployment (${e.message}); showing the last one`);
    }
  }
  const refreshDeployment = poller(DEPLOYMENT_MS, pollDeployment);

  // --- history ---------------------------------------------------------------

  const SERIES = [
    {name: "processed", label: "processed/s", color: "--ok"},
    {name: "failed", label: "failed/s", color: "--bad"},
    {name: "dead_letters", label: "dead letters/s", color: "--warn"},
    {name: "lag", label: "lag", color: "--accent"},
  ];
  const charts = new Map(); // series name -> {el, plot}
  let historyDoc = null;
  let routes = []; // [topic, group] of the route selector's options, after "all routes"

  function updateRoutes(processes, partitions) {
    const seen = new Map();
    const add = (topic, group) => {
      if (topic && !seen.has(key(topic, group))) seen.set(key(topic, group), [topic, group || ""]);
    };
    for (const p of processes) for (const r of Array.isArray(p.routes) ? p.routes : []) add(r.topic, r.group);
    for (const p of partitions) add(p.topic, p.group);
    const next = [...seen.values()].sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
    if (JSON.stringify(next) === JSON.stringify(routes)) return;
    const sel = byId("route");
    const current = sel.value;
    routes = next;
    sel.replaceChildren(h("option", {value: ""}, "all routes"),
      ...routes.map(([topic, group]) => h("option", {value: JSON.stringify([topic, group])},
        group ? `${topic} (group ${group})` : topic)));
    sel.value = [...sel.options].some((o) => o.value === current) ? current : "";
  }

  function historyURL() {
    const v = byId("route").value;
    if (!v) return "api/history";
    const [topic, group] = JSON.parse(v);
    const q = new URLSearchParams({topic});
    if (group) q.set("group", group);
    return `api/history?${q}`;
  }

  function chartOptions(s, width) {
    const color = cssVar(s.color, "#1f6feb");
    const muted = cssVar("--muted", "#5b6570");
    const line = cssVar("--line", "#c9d0d8");
    const axis = {stroke: muted, grid: {stroke: line, width: 1}, ticks: {stroke: line, width: 1}};
    return {
      width, height: CHART_HEIGHT,
      scales: {x: {time: true}},
      series: [{}, {label: s.label, stroke: color, width: 2,
        fill: /^#[0-9a-f]{6}$/i.test(color) ? color + "24" : undefined, spanGaps: false}],
      axes: [axis, {...axis, size: 56}],
      legend: {show: true},
    };
  }

  function chartData(s) {
    const d = historyDoc || {};
    const time = Array.isArray(d.time) ? d.time : [];
    const raw = Array.isArray(d[s.name]) ? d[s.name] : [];
    const values = time.map((_, i) => (typeof raw[i] === "number" ? raw[i] : null));
    return [time, values];
  }

  // drawCharts makes or refreshes the charts; only while the page is shown
  // (a hidden chart has no width).
  function drawCharts() {
    if (currentPage !== "history" || typeof uPlot !== "function") return;
    for (const s of SERIES) {
      const el = document.querySelector(`.chart[data-series="${s.name}"]`);
      const width = Math.floor(el.clientWidth);
      if (width <= 0) continue;
      const data = chartData(s);
      let c = charts.get(s.name);
      if (!c) {
        c = {el, plot: new uPlot(chartOptions(s, width), data, el)};
        charts.set(s.name, c);
      } else {
        if (c.plot.width !== width) c.plot.setSize({width, height: CHART_HEIGHT});
        c.plot.setData(data);
      }
      el.dataset.points = String(data[1].filter((x) => x !== null).length);
    }
  }

  async function pollHistory() {
    try {
      historyDoc = await getJSON(historyURL());
      problem("history", "");
      const step = Number(historyDoc.step_ms) || 0;
      setText(byId("history-step"), step ? `one point every ${step / 1000} s` : "");
      drawCharts();
    } catch (e) {
      problem("history", `cannot read the history (${e.message})`);
    }
  }
  const refreshHistory = poller(HISTORY_MS, pollHistory, () => currentPage === "history");

  // --- errors ----------------------------------------------------------------

  function exploreHash(topic, partition, offset) {
    const q = new URLSearchParams({topic, partition: String(partition)});
    if (offset !== undefined && offset !== null) q.set("offset", String(offset));
    return `#explore?${q}`;
  }

  const ERROR_FIELDS = ["time", "process", "record", "key", "error", "attempt", "stage", "group"];

  function makeError() {
    const cells = {};
    const tr = h("tr", {class: "error-row"});
    for (const f of ERROR_FIELDS) {
      cells[f] = h("td", {"data-field": f});
      tr.append(cells[f]);
    }
    cells.link = h("a", {class: "explore", title: "show the record in the explorer"});
    cells.record.append(cells.link);
    cells.error.className = "error-text";
    return {el: tr, cells};
  }

  function updateError(v, e) {
    const c = v.cells;
    v.el.dataset.topic = e.topic;
    v.el.dataset.partition = String(e.partition);
    v.el.dataset.offset = String(e.offset);
    setText(c.time, localTime(e.time));
    setText(c.process, e.process);
    c.link.href = exploreHash(e.topic, e.partition, e.offset);
    setText(c.link, `${e.topic}/${e.partition}@${e.offset}`);
    setText(c.key, e.key === null || e.key === undefined ? "(null)" : e.key);
    c.key.classList.toggle("muted", e.key === null || e.key === undefined);
    setText(c.error, e.error);
    setText(c.attempt, e.attempt ?? "");
    setText(c.stage, e.stage ?? "");
    setText(c.group, e.group ?? "");
  }

  async function pollErrors() {
    try {
      const list = await getJSON("api/errors");
      const errors = Array.isArray(list) ? list : [];
      reconcile(byId("errors").tBodies[0], errors,
        (e) => key(e.process, e.time, e.group, e.topic, e.partition, e.offset, e.attempt), makeError, updateError);
      byId("errors-empty").hidden = errors.length > 0;
      problem("errors", "");
    } catch (e) {
      problem("errors", `cannot read the errors (${e.message})`);
    }
  }
  const refreshErrors = poller(ERRORS_MS, pollErrors, () => currentPage === "errors");

  // --- health ----------------------------------------------------------------

  const SEVERITY = {critical: 0, warning: 1};

  function makeFinding(f) {
    const v = {
      severity: h("span", {class: "pill", "data-field": "severity"}),
      kind: h("strong", {"data-field": "kind"}),
      where: h("span", {class: "note", "data-field": "where"}),
      message: h("p", {"data-field": "message"}),
    };
    v.el = h("li", {class: "finding", "data-kind": f.kind},
      h("div", {class: "head"}, v.severity, " ", v.kind, " ", v.where), v.message);
    return v;
  }

  function updateFinding(v, f) {
    const sev = f.severity === "critical" ? "critical" : "warning";
    v.el.dataset.kind = f.kind;
    v.el.dataset.severity = sev;
    v.el.className = `finding severity-${sev}`;
    setText(v.severity, f.severity);
    v.severity.dataset.state = sev === "critical" ? "bad" : "warn";
    setText(v.kind, String(f.kind || "").replaceAll("_", " "));
    const where = [];
    if (f.process) where.push(`process ${f.process}`);
    if (f.topic) where.push(f.partition !== undefined && f.partition !== null && f.partition >= 0
      ? `${f.topic}/${f.partition}` : f.topic);
    setText(v.where, where.join(", "));
    setText(v.message, f.message);
  }

  async function pollHealth() {
    try {
      const list = await getJSON("api/health");
      const findings = (Array.isArray(list) ? list : []).map((f, i) => [f, i])
        .sort(([a, i], [b, j]) => (SEVERITY[a.severity] ?? 2) - (SEVERITY[b.severity] ?? 2) || i - j)
        .map(([f]) => f);
      reconcile(byId("findings"), findings, (f) => key(f.kind, f.process, f.topic, f.partition), makeFinding, updateFinding);
      byId("findings-empty").hidden = findings.length > 0;
      const count = byId("count-health");
      setText(count, findings.length || "");
      count.dataset.state = findings.some((f) => f.severity === "critical") ? "bad" : findings.length ? "warn" : "";
      problem("health", "");
    } catch (e) {
      problem("health", `cannot read the health (${e.message})`);
    }
  }
  const refreshHealth = poller(HEALTH_MS, pollHealth);

  // --- explorer --------------------------------------------------------------

  let topics = null; // api/topics, once read
  const explore = {topic: "", partition: 0, offset: null, limit: 20, start: 0, end: 0, next: 0, target: null, count: 0};

  function topicInfo(name) {
    return (topics || []).find((t) => t.name === name) || null;
  }

  async function loadTopics() {
    try {
      const list = await getJSON("api/topics");
      topics = Array.isArray(list) ? list : [];
      problem("topics", "");
    } catch (e) {
      problem("topics", `cannot read the topics (${e.message})`);
      if (!topics) topics = [];
    }
    drawTopics();
  }

  function drawTopics() {
    const ul = byId("topics");
    ul.replaceChildren(...topics.map((t) => {
      const parts = Array.isArray(t.partitions) ? t.partitions : [];
      const records = parts.reduce((n, p) => n + Math.max(0, (p.end ?? 0) - (p.start ?? 0)), 0);
      return h("li", {class: "topic" + (t.name === explore.topic ? " current" : ""), "data-topic": t.name},
        h("a", {href: exploreHash(t.name, parts.length ? parts[0].partition : 0)}, t.name), " ",
        t.dead_letter ? h("span", {class: "pill", "data-state": "warn"}, "dead letters") : null,
        t.route ? h("span", {class: "pill", "data-state": "ok"}, "route") : null,
        t.parser ? h("span", {class: "pill"}, t.parser) : null,
        h("span", {class: "note"}, ` ${parts.length} partition${parts.length === 1 ? "" : "s"}, ${records} record${records === 1 ? "" : "s"}`));
    }));
    const sel = byId("x-topic");
    const names = topics.map((t) => t.name);
    if (explore.topic && !names.includes(explore.topic)) names.push(explore.topic);
    if ([...sel.options].map((o) => o.value).join("\u0000") !== names.join("\u0000")) {
      sel.replaceChildren(...names.map((n) => h("option", {value: n}, n)));
    }
    sel.value = explore.topic;
    drawPartitions();
  }

  function drawPartitions() {
    const t = topicInfo(explore.topic);
    const parts = t && Array.isArray(t.partitions) ? t.partitions.map((p) => p.partition) : [];
    if (!parts.includes(explore.partition)) parts.push(explore.partition);
    parts.sort((a, b) => a - b);
    const sel = byId("x-partition");
    sel.replaceChildren(...parts.map((p) => h("option", {value: p}, String(p))));
    sel.value = String(explore.partition);
    const rp = byId("r-partition");
    // The replay form follows the partition shown; "all" stays chosen.
    const all = rp.value === "-1";
    rp.replaceChildren(h("option", {value: "-1"}, "all"), ...parts.map((p) => h("option", {value: p}, String(p))));
    rp.value = all ? "-1" : String(explore.partition);
    updateReplayForm();
  }

  function updateReplayForm() {
    const t = topicInfo(explore.topic);
    byId("replay-form").hidden = !session.actions || !t || !t.dead_letter;
  }

  // toLocalInput turns an RFC 3339 time into a datetime-local value.
  function toLocalInput(s) {
    const d = new Date(s);
    if (isNaN(d)) return "";
    const p = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  }

  // latestOffset is the first offset of the last page of the partition.
  function latestOffset() {
    const t = topicInfo(explore.topic);
    const p = t && Array.isArray(t.partitions) ? t.partitions.find((x) => x.partition === explore.partition) : null;
    if (!p) return 0;
    return Math.max(p.start ?? 0, (p.end ?? 0) - explore.limit);
  }

  // read reads the records at {offset} or {time} (or the latest page) of the
  // explorer's topic and partition.
  async function read(at) {
    if (!explore.topic) return;
    const q = new URLSearchParams({topic: explore.topic, partition: String(explore.partition), limit: String(explore.limit)});
    if (at.time) q.set("time", at.time);
    else q.set("offset", String(at.offset ?? latestOffset()));
    const err = byId("x-error");
    try {
      const doc = await getJSON(`api/records?${q}`);
      err.hidden = true;
      showRecords(doc, at);
    } catch (e) {
      err.hidden = false;
      setText(err, `cannot read ${explore.topic}/${explore.partition} (${e.message})`);
    }
  }

  function showRecords(doc, at) {
    const records = Array.isArray(doc.records) ? doc.records : [];
    explore.start = Number(doc.start) || 0;
    explore.end = Number(doc.end) || 0;
    explore.next = Number(doc.next) || 0;
    explore.offset = at.time ? (records.length ? records[0].offset : explore.next)
      : Number(at.offset ?? latestOffset());
    explore.count = records.length;
    byId("x-offset").value = String(explore.offset);
    byId("x-time").value = "";
    const rf = byId("r-from");
    if (document.activeElement !== rf) rf.value = String(records.length ? records[0].offset : explore.offset);
    // The hash says where the explorer is (for a reload or a link), unless
    // the operator went to another page while the records were read.
    if (currentPage === "explorer") history.replaceState(null, "", exploreHash(explore.topic, explore.partition, explore.offset));

    const last = records.length ? records[records.length - 1].offset : null;
    setText(byId("x-range"), records.length
      ? `${explore.topic}/${explore.partition}: offsets ${records[0].offset} to ${last} of ${explore.start} to ${explore.end - 1}`
      : `${explore.topic}/${explore.partition}: no record from offset ${explore.offset} (offsets ${explore.start} to ${explore.end - 1})`);
    byId("x-prev").disabled = explore.offset <= explore.start;
    byId("x-next").disabled = explore.next >= explore.end || records.length === 0;

    const dead = !!(topicInfo(explore.topic) || {}).dead_letter;
    byId("records").replaceChildren(...records.map((r) => recordView(r, dead)));
    const target = explore.target === null ? null
      : document.querySelector(`.record[data-offset="${explore.target}"]`);
    explore.target = null;
    if (target) target.scrollIntoView({block: "nearest"});
  }

  function recordView(r, dead) {
    const keyText = r.key === null || r.key === undefined ? null : String(r.key);
    const headers = Array.isArray(r.headers) ? r.headers : [];
    const el = h("article", {class: "record" + (dead ? " dead-letter" : "") + (explore.target === r.offset ? " target" : ""),
      "data-offset": r.offset},
      h("div", {class: "head"},
        h("strong", {"data-field": "offset"}, `offset ${r.offset}`), " ",
        h("time", {"data-field": "time", datetime: r.time}, localTime(r.time)), " ",
        h("span", {class: "note"}, "key "),
        h("code", {"data-field": "key", class: keyText === null ? "muted" : null}, keyText === null ? "(null)" : keyText),
        r.key_base64 ? h("span", {class: "pill", "data-state": "warn", title: "not UTF-8: shown as base64"}, "base64") : null,
        r.parser ? h("span", {class: "pill"}, r.parser) : null),
      headers.length ? h("table", {class: "headers", "data-field": "headers"},
        h("tbody", {}, ...headers.map((x) => {
          const k = String(x.key ?? "");
          return h("tr", {class: "header" + (k.startsWith("karafka.") ? " karafka" : ""), "data-key": k},
            h("th", {}, k), h("td", {}, x.value === null || x.value === undefined ? "" : String(x.value)));
        }))) : null,
      h("div", {class: "body"},
        h("div", {class: "value"},
          h("span", {class: "note"}, r.value_base64 ? "value (base64, not UTF-8)" : "value"),
          h("pre", {"data-field": "value", class: r.value === null || r.value === undefined ? "muted" : null},
            r.value === null || r.value === undefined ? "null (no value)" : String(r.value))),
        r.decoded !== null && r.decoded !== undefined ? h("div", {class: "value"},
          h("span", {class: "note"}, `decoded${r.parser ? ` (${r.parser})` : ""}`),
          h("pre", {"data-field": "decoded"}, JSON.stringify(r.decoded, null, 2))) : null,
        r.decode_error ? h("p", {class: "error-text", "data-field": "decode_error"}, `cannot decode: ${r.decode_error}`) : null));
    return el;
  }

  // showExplorer opens the explorer at the hash's topic, partition and
  // offset or time; without a topic it shows the last one (or the first
  // topic's latest page).
  async function showExplorer(params) {
    if (!topics) await loadTopics();
    else loadTopics();
    const topic = params.get("topic");
    if (topic) {
      const partition = Number.parseInt(params.get("partition") ?? "0", 10);
      const offset = params.get("offset");
      const time = params.get("time");
      const same = topic === explore.topic && partition === explore.partition &&
        offset !== null && Number(offset) === explore.offset && explore.count > 0;
      if (same) return;
      explore.topic = topic;
      explore.partition = Number.isInteger(partition) && partition >= 0 ? partition : 0;
      explore.target = offset !== null && offset !== "" ? Number(offset) : null;
      drawTopics();
      const at = time ? Date.parse(time) : NaN;
      if (!isNaN(at)) await read({time: new Date(at).toISOString()});
      else await read({offset: explore.target});
      return;
    }
    if (!explore.topic && topics.length) {
      const t = topics.find((x) => !x.name.startsWith("__")) || topics[0];
      explore.topic = t.name;
      explore.partition = Array.isArray(t.partitions) && t.partitions.length ? t.partitions[0].partition : 0;
      drawTopics();
      await read({});
    } else if (explore.topic) {
      history.replaceState(null, "", exploreHash(explore.topic, explore.partition, explore.offset));
    }
  }

  function wireExplorer() {
    byId("x-topic").addEventListener("change", (e) => {
      explore.topic = e.target.value;
      const t = topicInfo(explore.topic);
      explore.partition = t && Array.isArray(t.partitions) && t.partitions.length ? t.partitions[0].partition : 0;
      byId("x-offset").value = "";
      drawTopics();
      read({});
    });
    byId("x-partition").addEventListener("change", (e) => {
      explore.partition = Number(e.target.value);
      byId("x-offset").value = "";
      read({});
    });
    byId("x-limit").addEventListener("change", (e) => {
      explore.limit = Number(e.target.value) || 20;
    });
    byId("explore-form").addEventListener("submit", (e) => {
      e.preventDefault();
      explore.limit = Number(byId("x-limit").value) || 20;
      const offset = byId("x-offset").value.trim();
      const time = byId("x-time").value;
      if (offset !== "") read({offset: Number(offset)});
      else if (time && !isNaN(Date.parse(time))) read({time: new Date(time).toISOString()});
      else read({});
    });
    byId("x-time").addEventListener("input", () => {
      if (byId("x-time").value) byId("x-offset").value = "";
    });
    byId("x-prev").addEventListener("click", () => read({offset: Math.max(explore.start, explore.offset - explore.limit)}));
    byId("x-next").addEventListener("click", () => read({offset: explore.next}));
    byId("replay-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = {topic: explore.topic, partition: Number(byId("r-partition").value),
        from: Number(byId("r-from").value), to: Number(byId("r-to").value)};
      if (!Number.isInteger(body.from) || body.from < 0 || !Number.isInteger(body.to) || body.to < -1) {
        actionResult("replay: from is an offset, to an offset or -1 (the end)", "bad");
        return;
      }
      await act("replay", body, e.target.querySelector("button[data-action]"));
    });
  }

  // --- pages -----------------------------------------------------------------

  let currentPage = "";

  function route() {
    const raw = location.hash.replace(/^#/, "");
    const q = raw.indexOf("?");
    const name = q < 0 ? raw : raw.slice(0, q);
    const params = new URLSearchParams(q < 0 ? "" : raw.slice(q + 1));
    const page = ROUTES[name] || "processes";
    const changed = page !== currentPage;
    currentPage = page;
    for (const s of document.querySelectorAll("section[data-page]")) s.hidden = s.dataset.page !== page;
    for (const a of document.querySelectorAll("nav a[data-nav]")) {
      if (a.dataset.nav === page) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    document.body.dataset.page = page;
    if (page === "history" && changed) {
      drawCharts();
      refreshHistory();
    }
    if (page === "errors" && changed) refreshErrors();
    if (page === "explorer") showExplorer(params);
  }

  function start() {
    const t = byId("token");
    try {
      t.value = sessionStorage.getItem(TOKEN_KEY) || "";
    } catch {
      // storage off: the field still works for this page
    }
    const keep = () => {
      try {
        if (t.value.trim()) sessionStorage.setItem(TOKEN_KEY, t.value.trim());
        else sessionStorage.removeItem(TOKEN_KEY);
      } catch {
        // storage off
      }
    };
    t.addEventListener("input", keep);
    byId("auth").addEventListener("submit", (e) => {
      e.preventDefault();
      keep();
      actionResult("token kept for this tab", "ok");
    });
    byId("token-clear").addEventListener("click", () => {
      t.value = "";
      keep();
      actionResult("token forgotten", "ok");
    });
    byId("route").addEventListener("change", () => refreshHistory());
    wireExplorer();
    let resize = 0;
    window.addEventListener("resize", () => {
      clearTimeout(resize);
      resize = setTimeout(drawCharts, 150);
    });
    window.addEventListener("hashchange", route);

    applySession();
    route();
    loadSession();
    refreshDeployment();
    refreshHealth();
  }

  start();
})();
