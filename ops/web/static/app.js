// The live view of a karafka-actors App (package ops/web).
//
// It reads api/topology once (the actor tree, the document that
// `karafka-actors flow --format json` writes) and api/state every second,
// and updates the tree in place, without a reload:
//
//   root supervisor
//    └─ listener, one per route            li.listener[data-topic][data-group]
//        └─ partition actor, one per claimed partition
//                                           li.partition[data-topic][data-group][data-partition]
//            ├─ virtual actors (virtual partitions only)
//            └─ responder
//
// The server may put the first api/topology and api/state documents in the
// page (script#initial-topology and script#initial-state, JSON data blocks):
// they are drawn before the page is first shown, so it never shows a blank
// "connecting…" tree while the first poll is under way.
//
// Every number is in an element with a data-field attribute named after its
// api/state field. When a partition's restart count grows, its element gets
// data-bumped="true" (and a highlight) for a few seconds, and data-bumps
// counts the bumps seen since the page loaded.
"use strict";

(() => {
  const POLL_MS = 1000;
  const BUMP_MS = 4000;

  const listeners = new Map(); // key(topic, group) -> listener view
  let topology = null;

  const key = (...parts) => parts.join("\u0000");
  const byId = (id) => document.getElementById(id);

  // h makes an element: h("li", {class: "x", "data-topic": t}, child, "text").
  // Attributes whose value is null, undefined or false are left out.
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

  // stats makes a <dl> of [label, field, title] entries and returns it with
  // its <dd> and <dt> elements by field.
  function stats(entries) {
    const dl = h("dl", {class: "stats"});
    const fields = {};
    const labels = {};
    for (const [label, field, title] of entries) {
      fields[field] = h("dd", {"data-field": field}, "–");
      labels[field] = h("dt", {title: title}, label);
      dl.append(h("div", {class: "stat"}, labels[field], fields[field]));
    }
    return {dl, fields, labels};
  }

  function setText(e, value) {
    const s = String(value);
    if (e.textContent !== s) e.textContent = s;
  }

  function supervisorText(s) {
    if (!s) return "";
    let t = `${s.strategy}, at most ${s.max_restarts} restarts in ${s.within}`;
    if (s.backoff) t += `, backoff ${s.backoff.initial} to ${s.backoff.max}`;
    return t;
  }

  function topoListener(topic, group) {
    if (!topology || !Array.isArray(topology.listeners)) return null;
    return topology.listeners.find((l) => l.topic === topic && l.group === group) || null;
  }

  // listenerView returns the view of a route, making it on first use.
  function listenerView(topic, group) {
    const k = key(topic, group);
    let v = listeners.get(k);
    if (v) return v;
    const l = topoListener(topic, group);
    let controller = null;
    if (l) {
      controller = l.batch
        ? `batch controller ${l.controller} (batch of ≤${l.batch.max_size})`
        : `controller ${l.controller}`;
    }
    const {dl, fields, labels} = stats([
      ["ok", "ok", "messages the controller finished, every response acknowledged"],
      ["filtered", "filtered", "messages a before-filter dropped"],
      ["finished", "processed", "messages finished: ok + filtered + dead-lettered"],
      ["failed tries", "failed", "tries that failed (each retry counts)"],
      ["dead letters", "dead_letters", "messages acknowledged on the dead letter topic"],
    ]);
    const groupState = h("span", {class: "pill", "data-field": "group_state"});
    const empty = h("li", {class: "empty"}, "no partition claimed yet");
    const partsList = h("ul", {class: "partitions", "aria-label": `Partition actors of ${topic}`}, empty);
    const el = h("li", {class: "actor listener", "data-topic": topic, "data-group": group},
      h("div", {class: "head"},
        h("span", {class: "kind"}, "listener"), " ",
        h("strong", {class: "topic", "data-field": "topic"}, topic), " ",
        h("span", {class: "note"}, `group ${group}`), " ", groupState, " ",
        controller && h("span", {class: "note", "data-field": "controller"}, controller)),
      dl, partsList);
    v = {el, fields, labels, groupState, empty, partsList, parts: new Map(), topo: l};
    listeners.set(k, v);
    byId("listeners").append(el);
    return v;
  }

  // partitionView returns the view of a partition actor, making it on first
  // use and keeping the partitions of a listener in order.
  function partitionView(lv, p) {
    let v = lv.parts.get(p.partition);
    if (v) return v;
    const {dl, fields} = stats([
      ["committed", "committed", "offset committed for the group (none: nothing committed yet)"],
      ["high watermark", "high_watermark", "the partition's high watermark at the last fetch"],
      ["lag", "lag", "high watermark minus committed offset"],
      ["in flight", "in_flight", "consumed, not yet committable"],
      ["paused", "paused", "fetching paused (consumer.max_in_flight reached)"],
      ["restarts", "restarts", "restarts of this partition's actors"],
    ]);
    const lastError = h("p", {class: "last-error", "data-field": "last_error", hidden: true});
    const assigned = h("span", {class: "pill", "data-field": "assigned"});
    const children = h("ul", {class: "children"});
    const t = lv.topo && lv.topo.partitions;
    if (t && t.virtual) {
      children.append(h("li", {class: "actor virtual"},
        h("span", {class: "kind"}, "virtual actors"), ` ×${t.virtual.max}, by ${t.virtual.key}`));
    }
    if (t && t.responder) {
      const topics = (t.responder.topics || []).map((x) => x.schema ? `${x.name} (${x.schema})` : x.name).join(", ");
      children.append(h("li", {class: "actor responder"},
        h("span", {class: "kind"}, "responder"), " ",
        h("strong", {}, t.responder.name), topics ? ` → ${topics}` : ""));
    } else if (t) {
      children.append(h("li", {class: "actor none"}, h("span", {class: "kind"}, "no responder")));
    }
    const el = h("li", {class: "actor partition", "data-topic": p.topic, "data-group": p.group,
      "data-partition": p.partition, "data-bumps": 0},
      h("div", {class: "head"},
        h("span", {class: "kind"}, "partition actor"), " ",
        h("strong", {}, `partition ${p.partition}`), " ", assigned),
      dl, lastError, children.childElementCount ? children : null);
    v = {el, fields, lastError, assigned, restarts: null, bumps: 0, timer: 0};
    lv.parts.set(p.partition, v);
    lv.empty.remove();
    const next = [...lv.parts.entries()]
      .filter(([n]) => n > p.partition)
      .sort(([a], [b]) => a - b)[0];
    lv.partsList.insertBefore(el, next ? next[1].el : null);
    return v;
  }

  function bump(v) {
    v.bumps++;
    v.el.dataset.bumps = String(v.bumps);
    v.el.dataset.bumped = "true";
    v.fields.restarts.classList.remove("bump");
    void v.fields.restarts.offsetWidth; // restart the animation
    v.fields.restarts.classList.add("bump");
    clearTimeout(v.timer);
    v.timer = setTimeout(() => {
      delete v.el.dataset.bumped;
      v.fields.restarts.classList.remove("bump");
    }, BUMP_MS);
  }

  function updatePartition(v, p) {
    const f = v.fields;
    setText(f.committed, p.committed < 0 ? "none" : p.committed);
    setText(f.high_watermark, p.high_watermark);
    setText(f.lag, p.lag);
    f.lag.classList.toggle("warn", p.lag > 0);
    setText(f.in_flight, p.in_flight);
    setText(f.paused, p.paused ? "yes" : "no");
    f.paused.classList.toggle("warn", p.paused);
    setText(f.restarts, p.restarts);
    if (v.restarts !== null && p.restarts > v.restarts) bump(v);
    v.restarts = p.restarts;
    v.el.dataset.assigned = String(p.assigned);
    v.el.dataset.paused = String(p.paused);
    setText(v.assigned, p.assigned ? "claimed" : "not held by this process");
    v.assigned.dataset.state = p.assigned ? "ok" : "off";
    v.lastError.hidden = !p.last_error;
    setText(v.lastError, p.last_error ? `last error: ${p.last_error}` : "");
  }

  function groupText(g) {
    if (!g) return ["", "off"];
    if (g.joined) return ["joined", "ok"];
    if (g.connected) return ["joining", "warn"];
    return ["not connected", "bad"];
  }

  function applyTopology(t) {
    topology = t;
    const root = byId("root");
    setText(root.querySelector('[data-field="supervisor"]'), supervisorText(t.supervisor));
    for (const l of t.listeners || []) listenerView(l.topic, l.group);
  }

  function applyState(st) {
    setText(byId("app-name"), st.app);
    setText(byId("root").querySelector('[data-field="app"]'), st.app);
    document.title = `${st.app} live view`;
    setText(byId("client"), st.client ? `kafka client ${st.client}` : "");
    const phase = byId("phase");
    setText(phase, st.phase);
    phase.dataset.state = st.phase === "running" ? "ok" : "warn";
    const ready = byId("ready");
    setText(ready, st.ready ? "ready" : "not ready");
    ready.dataset.state = st.ready ? "ok" : "bad";
    const updated = byId("updated");
    updated.dateTime = st.time;
    setText(updated, new Date(st.time).toLocaleTimeString());

    const groups = new Map((st.groups || []).map((g) => [g.group, g]));
    for (const r of st.routes || []) {
      const lv = listenerView(r.topic, r.group);
      setText(lv.fields.ok, r.ok ?? "–");
      setText(lv.fields.filtered, r.filtered ?? "–");
      setText(lv.fields.processed, r.processed);
      setText(lv.fields.failed, r.failed);
      setText(lv.fields.dead_letters, r.dead_letter_topic ? r.dead_letters : "off");
      setText(lv.labels.dead_letters, r.dead_letter_topic ? `dead letters → ${r.dead_letter_topic}` : "dead letters");
      const [text, state] = groupText(groups.get(r.group));
      setText(lv.groupState, text);
      lv.groupState.dataset.state = state;
    }
    for (const p of st.partitions || []) {
      const lv = listenerView(p.topic, p.group);
      updatePartition(partitionView(lv, p), p);
    }
  }

  async function getJSON(url) {
    const r = await fetch(url, {cache: "no-store"});
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return r.json();
  }

  function showError(msg) {
    const e = byId("error");
    e.hidden = !msg;
    setText(e, msg);
    document.body.classList.toggle("stale", !!msg);
  }

  async function tick() {
    try {
      if (!topology) {
        try {
          applyTopology(await getJSON("api/topology"));
        } catch (e) {
          // The tree is drawn from the state alone until the topology loads.
          console.warn("topology:", e);
        }
      }
      applyState(await getJSON("api/state"));
      showError("");
    } catch (e) {
      showError(`cannot read the state (${e.message}); showing the last one`);
    } finally {
      setTimeout(tick, POLL_MS);
    }
  }

  // initialDocument is the JSON data block with id the server put in the
  // page (web.NewHandler), or null.
  function initialDocument(id) {
    const e = byId(id);
    if (!e) return null;
    try {
      return JSON.parse(e.textContent);
    } catch (err) {
      console.warn(`${id}:`, err);
      return null;
    }
  }

  // The page shows the state it came with before it is first shown (it is
  // hidden while html.loading), then polls; without one it polls at once.
  let started = false;
  try {
    const t = initialDocument("initial-topology");
    if (t) applyTopology(t);
    const st = initialDocument("initial-state");
    if (st) {
      applyState(st);
      started = true;
    }
  } catch (e) {
    console.warn("initial state:", e);
  } finally {
    document.documentElement.classList.remove("loading");
  }
  if (started) setTimeout(tick, POLL_MS);
  else tick();
})();
