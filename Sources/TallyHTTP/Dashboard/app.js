// Tally dashboard. Every value from the API goes into the page through textContent or DOM
// attributes, never as markup; the page's Content-Security-Policy allows no inline script or style.
"use strict";

(() => {
  const KEY_STORAGE = "tally.apiKey";
  const SVG = "http://www.w3.org/2000/svg";
  const REPORTS = {
    totalMessages: "clr3m5n8k000608jq3k0l1m7g",
    totalConversations: "clr3m5n8k000508jq2j9k0l6f",
    activeContacts: "clr3m5n8k000408jq9i8j9k5e",
    totalTokens: "tly7r2q9w000408jqd6tktl8u",
    hourly: "tly7r2q9w000608jqf8hrac0w",
    firstResponse: "tly7r2q9w000908jqi1frst3z",
    duration: "tly7r2q9w000a08jqj2cdur4a",
    depth: "tly7r2q9w000b08jqk3cdep5b",
  };
  // Which event kinds move a report, so that live news refetches only the reports it can change.
  // Reports not named here (contacts, conversation reports) move with any event.
  const KINDS = {
    clr3m5n8k000008jq7h9e5b1a: ["ratings"], clr3m5n8k000108jq3c4d7f2b: ["ratings"], clr3m5n8k000208jq8e5f6g3c: ["ratings"],
    tly7r2q9w000108jqa3thup5r: ["ratings"],
    clr3m5n8k000508jq2j9k0l6f: ["conversations"],
    clr3m5n8k000608jq3k0l1m7g: ["messages"], clr3m5n8k000708jq4l1m2n8h: ["messages"], clr3m5n8k000808jq5m2n3o9i: ["messages"],
    clr3m5n8k000908jq6n3o4p0j: ["messages"], clr3m5n8k000a08jq7o4p5q1k: ["messages"], clr3m5n8k000b08jq8p5q6r2l: ["messages"],
    clr3m5n8k000c08jq9q6r7s3m: ["messages"], clr3m5n8k000d08jqt4l7y2c9: ["messages"], tly7r2q9w000408jqd6tktl8u: ["messages"],
    tly7r2q9w000508jqe7tkcv9v: ["messages"], tly7r2q9w000608jqf8hrac0w: ["messages"],
  };
  const CHARTS = [
    ["Messages", REPORTS.totalMessages], ["Conversations", REPORTS.totalConversations],
    ["Active contacts", REPORTS.activeContacts], ["Tokens", REPORTS.totalTokens],
  ];
  const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

  const $ = (id) => document.getElementById(id);
  const state = {
    key: null, catalog: [], tenant: null, keyUserId: null, answers: new Map(), asked: new Map(), sequence: 0, refreshes: 0, context: null, stream: null,
  };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function setStatus(text) { $("status").textContent = text || ""; }

  class ApiError extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }

  async function api(path, body) {
    const init = { headers: { Authorization: "Bearer " + state.key }, cache: "no-store" };
    if (body !== undefined) {
      init.method = "POST";
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    let answer = null;
    try { answer = await response.json(); } catch (_) { answer = null; }
    if (!response.ok) {
      const error = answer && typeof answer === "object" ? answer : {};
      throw new ApiError(response.status, error.code || "http_" + response.status, error.message || response.statusText);
    }
    return answer;
  }

  // The period the controls describe, as /fetch's periodDays and endDate (endDate absent: today).
  function period() {
    const choice = $("period").value;
    if (choice !== "custom") return { periodDays: Number(choice) };
    const start = $("range-start").value;
    const end = $("range-end").value;
    if (!start || !end) return { periodDays: 30 };
    const days = Math.round((Date.parse(end) - Date.parse(start)) / 86400000) + 1;
    return { periodDays: Math.min(365, Math.max(1, days)), endDate: end };
  }

  function fetchBody(withFilter) {
    const body = Object.assign({ userId: state.tenant }, period());
    if (withFilter) {
      if ($("bot").value) body.botId = $("bot").value;
      else if ($("channel").value) body.channel = $("channel").value;
    }
    return body;
  }

  // Whether a catalog report answers one figure (`value`) on /fetch, read from its published
  // output schema: the per-bot, tenant-wide and conversation-usage reports do not, and are not
  // asked for at all (a refused fetch would only fill the console with errors).
  function answersFigure(item) {
    let schema = item.output;
    for (let depth = 0; schema && schema.$ref && depth < 5; depth += 1) {
      let node = item.output;
      for (const part of schema.$ref.replace(/^#\//, "").split("/")) node = node ? node[part] : undefined;
      schema = node;
    }
    return !schema || !schema.properties || Object.prototype.hasOwnProperty.call(schema.properties, "value");
  }

  function number(value) {
    if (value === null || value === undefined) return "–";
    return String(value);
  }

  // Sign in and out ---------------------------------------------------------------------------

  async function signIn(key) {
    state.key = key;
    $("sign-in-error").textContent = "";
    try {
      const tenants = await api("/api/v1/platform/tenants");
      const catalog = await api("/api/v1/platform/report/list");
      sessionStorage.setItem(KEY_STORAGE, key);
      state.catalog = (catalog.items || []).filter(answersFigure);
      state.keyUserId = tenants.keyUserId || null;
      const picker = $("tenant");
      clear(picker);
      for (const item of tenants.items || []) {
        const option = el("option", null, item.userId);
        option.value = item.userId;
        picker.appendChild(option);
      }
      picker.disabled = state.keyUserId !== null;
      state.tenant = picker.value || null;
      $("sign-in").classList.add("hidden");
      $("dashboard").classList.remove("hidden");
      $("sign-out").classList.remove("hidden");
      if (!state.tenant) { setStatus("No tenant has events yet."); return; }
      await tenantChanged();
    } catch (error) {
      state.key = null;
      sessionStorage.removeItem(KEY_STORAGE);
      $("sign-in-error").textContent = error.status === 401 ? "That key is not known." : "Sign-in failed: " + error.message;
    }
  }

  function signOut() {
    sessionStorage.removeItem(KEY_STORAGE);
    state.key = null;
    state.context = null;
    stopStream();
    $("key-input").value = "";
    $("dashboard").classList.add("hidden");
    $("sign-out").classList.add("hidden");
    $("sign-in").classList.remove("hidden");
  }

  // Loading -----------------------------------------------------------------------------------

  async function tenantChanged() {
    state.tenant = $("tenant").value;
    $("bot").value = "";
    $("channel").value = "";
    await loadFilters();
    await refreshAll();
    startStream();
  }

  // The bot and channel lists: the groups of Total Messages over the period, largest first.
  async function loadFilters() {
    for (const [control, dimension, all] of [["bot", "botId", "All bots"], ["channel", "channel", "All channels"]]) {
      const select = $(control);
      const chosen = select.value;
      let groups = [];
      try {
        const answer = await api("/api/v1/report/" + REPORTS.totalMessages + "/fetch", Object.assign(fetchBody(false), { groupBy: dimension }));
        groups = answer.groups || [];
        if (dimension === "botId") renderBots(groups);
      } catch (error) { setStatus("Could not list " + control + "s: " + error.message); }
      clear(select);
      const first = el("option", null, all);
      first.value = "";
      select.appendChild(first);
      for (const group of groups) {
        const option = el("option", null, group.key);
        option.value = group.key;
        select.appendChild(option);
      }
      select.value = groups.some((group) => group.key === chosen) ? chosen : "";
    }
  }

  async function refreshAll() { await refresh(null); }

  // Refetches every report (news null) or those that the committed kinds in `news` can move.
  async function refresh(news) {
    // Answers apply only to the controls they were asked for, and a report's answer only when no
    // later request for it has been applied already.
    const context = JSON.stringify(fetchBody(true));
    if (context !== state.context) { state.context = context; state.answers.clear(); state.asked.clear(); }
    const ids = state.catalog.map((item) => item.id).filter((id) => {
      if (!news) return true;
      const kinds = KINDS[id];
      return !kinds || kinds.some((kind) => news[kind] > 0);
    });
    const results = await Promise.all(ids.map(async (id) => {
      const sequence = ++state.sequence;
      try { return [id, sequence, await api("/api/v1/report/" + id + "/fetch", fetchBody(true))]; } catch (error) { return [id, sequence, error]; }
    }));
    if (context !== state.context) return;
    let failure = null;
    for (const [id, sequence, answer] of results) {
      if ((state.asked.get(id) || 0) > sequence) continue;
      state.asked.set(id, sequence);
      if (answer instanceof ApiError) {
        if (answer.status >= 500 || answer.status === 401 || answer.status === 403) failure = answer;
        state.answers.delete(id);
      } else {
        state.answers.set(id, answer);
      }
    }
    renderCards(news !== null);
    renderCharts();
    renderDepth();
    renderPercentiles();
    renderHeatmap();
    state.refreshes += 1;
    setStatus((failure ? "Some figures could not be read: " + failure.message : "Updated " + new Date().toLocaleTimeString())
      + " (refresh " + state.refreshes + ")");
    if (!news) { loadHealth(); loadReports(); loadSchedules(); }
  }

  // Reports and schedules ---------------------------------------------------------------------

  // The generate body for the controls: the dashboard's tenant and period.
  function generateBody() {
    const body = { type: $("report-type").value, format: $("report-format").value, user_id: state.tenant };
    const chosen = period();
    if (chosen.endDate) {
      const end = Date.parse(chosen.endDate);
      body.start_date = new Date(end - (chosen.periodDays - 1) * 86400000).toISOString().slice(0, 10);
      body.end_date = chosen.endDate;
    } else {
      body.period_days = chosen.periodDays;
    }
    if ($("bot").value) body.bot_id = $("bot").value;
    else if ($("channel").value) body.channel = $("channel").value;
    return body;
  }

  async function generateReport() {
    $("report-error").textContent = "";
    const progress = $("report-progress");
    progress.value = 0;
    progress.classList.remove("hidden");
    $("report-generate").disabled = true;
    try {
      const accepted = await api("/api/v1/reports/generate", generateBody());
      const id = accepted.report_id;
      for (;;) {
        const status = await api("/api/v1/reports/" + encodeURIComponent(id) + "/status");
        progress.value = Number(status.progress) || 0;
        $("report-state").textContent = status.state + (status.message ? ": " + status.message : "");
        if (status.state === "completed" || status.state === "failed") break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } catch (error) {
      $("report-error").textContent = error.message;
    } finally {
      $("report-generate").disabled = false;
      loadReports();
    }
  }

  // A download keeps the key in the Authorization header: the file is fetched, then saved from a
  // blob URL under the name the server gives.
  async function download(id) {
    const response = await fetch("/api/v1/reports/" + encodeURIComponent(id) + "/download", {
      headers: { Authorization: "Bearer " + state.key }, cache: "no-store",
    });
    if (!response.ok) { $("report-error").textContent = "download answered " + response.status; return; }
    const disposition = response.headers.get("Content-Disposition") || "";
    const match = /filename="([^"]+)"/.exec(disposition);
    const url = URL.createObjectURL(await response.blob());
    const link = el("a");
    link.href = url;
    link.download = match ? match[1] : id;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  async function deleteReport(id) {
    $("report-error").textContent = "";
    const response = await fetch("/api/v1/reports/" + encodeURIComponent(id), {
      method: "DELETE", headers: { Authorization: "Bearer " + state.key }, cache: "no-store",
    });
    if (!response.ok) {
      let message = "delete answered " + response.status;
      try { message = (await response.json()).message || message; } catch (_) { /* keep the status */ }
      $("report-error").textContent = message;
    }
    loadReports();
  }

  async function loadReports() {
    const body = $("reports").tBodies[0];
    let answer;
    try {
      let path = "/api/v1/reports?limit=10&user_id=" + encodeURIComponent(state.tenant);
      if ($("list-type").value) path += "&type=" + encodeURIComponent($("list-type").value);
      if ($("list-status").value) path += "&status=" + encodeURIComponent($("list-status").value);
      answer = await api(path);
    } catch (error) {
      clear(body);
      const row = body.insertRow();
      row.appendChild(el("td", "muted", error.status === 403 ? "this key may not list reports" : error.message)).colSpan = 6;
      return;
    }
    clear(body);
    for (const item of answer.items || []) {
      const row = body.insertRow();
      row.dataset.report = item.report_id;
      row.appendChild(el("td", null, item.created_at));
      row.appendChild(el("td", null, item.title));
      row.appendChild(el("td", null, item.type + " · " + item.format));
      row.appendChild(el("td", null, item.start_date + " – " + item.end_date));
      row.appendChild(el("td", "state", item.state));
      const actions = el("td");
      if (item.state === "completed") {
        const get = el("button", "download", "Download");
        get.type = "button";
        get.addEventListener("click", () => download(item.report_id));
        actions.appendChild(get);
      }
      const remove = el("button", "quiet delete", "Delete");
      remove.type = "button";
      remove.addEventListener("click", () => deleteReport(item.report_id));
      actions.appendChild(remove);
      row.appendChild(actions);
    }
  }

  async function loadSchedules() {
    const body = $("schedules").tBodies[0];
    let answer;
    try {
      answer = await api("/api/v1/reports/schedule?limit=20");
    } catch (error) {
      clear(body);
      const row = body.insertRow();
      row.appendChild(el("td", "muted", error.status === 403 ? "schedules need a report_admin or admin key" : error.message)).colSpan = 6;
      return;
    }
    clear(body);
    for (const item of (answer.items || []).filter((schedule) => schedule.user_id === state.tenant)) {
      const row = body.insertRow();
      row.dataset.schedule = item.schedule_id;
      row.appendChild(el("td", null, item.title));
      row.appendChild(el("td", null, item.cron));
      row.appendChild(el("td", null, item.timezone));
      row.appendChild(el("td", "next-run", item.next_run_at || "—"));
      row.appendChild(el("td", null, item.last_run ? item.last_run.at + " " + item.last_run.state : "—"));
      const cell = el("td");
      const runs = el("button", "runs", "Runs");
      runs.type = "button";
      runs.addEventListener("click", () => loadRuns(item.schedule_id));
      cell.appendChild(runs);
      row.appendChild(cell);
    }
  }

  async function loadRuns(id) {
    const table = $("schedule-runs");
    const body = table.tBodies[0];
    const answer = await api("/api/v1/reports/schedule/" + encodeURIComponent(id) + "/runs?limit=20");
    clear(body);
    for (const run of answer.items || []) {
      const row = body.insertRow();
      row.appendChild(el("td", null, run.scheduled_at));
      row.appendChild(el("td", null, run.state));
      row.appendChild(el("td", null, (run.deliveries || []).map((d) => d.recipient + " " + d.state).join(", ")));
      row.appendChild(el("td", null, run.reason || ""));
    }
    table.classList.remove("hidden");
  }

  // Rendering ---------------------------------------------------------------------------------

  function renderCards(live) {
    const cards = $("cards");
    const previous = new Map();
    for (const card of cards.querySelectorAll(".card")) previous.set(card.dataset.reportId, card.dataset.value);
    clear(cards);
    let label = "";
    for (const item of state.catalog) {
      const answer = state.answers.get(item.id);
      if (!answer || typeof answer.value !== "number") continue;
      label = answer.period || label;
      const card = el("div", "card");
      card.dataset.reportId = item.id;
      card.dataset.value = String(answer.value);
      card.appendChild(el("div", "card-name", item.name));
      const value = el("div", "card-value", number(answer.value));
      card.appendChild(value);
      if (typeof answer.change === "number") {
        const sign = answer.change > 0 ? "+" : "";
        const change = el("div", "card-change " + (answer.change > 0 ? "up" : answer.change < 0 ? "down" : "flat"), sign + answer.change);
        change.title = "against the previous period of the same length";
        card.appendChild(change);
      }
      if (live && previous.has(item.id) && previous.get(item.id) !== card.dataset.value) {
        card.classList.add("changed");
        setTimeout(() => card.classList.remove("changed"), 1500);
      }
      cards.appendChild(card);
    }
    $("period-label").textContent = label;
  }

  function renderCharts() {
    const charts = $("charts");
    clear(charts);
    for (const [title, id] of CHARTS) {
      const answer = state.answers.get(id);
      if (!answer || !Array.isArray(answer.breakdown)) continue;
      const box = el("div", "chart");
      box.appendChild(el("h3", null, title));
      box.appendChild(lineChart(answer.breakdown));
      charts.appendChild(box);
    }
  }

  function lineChart(points) {
    const width = 300, height = 120, left = 34, bottom = 18, top = 8;
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
    const values = points.map((point) => Number(point.total) || 0);
    const max = Math.max(1, ...values);
    const x = (i) => left + (values.length < 2 ? 0 : (i * (width - left - 4)) / (values.length - 1));
    const y = (v) => top + (height - top - bottom) * (1 - v / max);
    const line = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    chart.appendChild(svg("polygon", { class: "chart-area", points: `${x(0)},${y(0)} ${line} ${x(values.length - 1)},${y(0)}` }));
    chart.appendChild(svg("polyline", { class: "chart-line", points: line }));
    const maxLabel = svg("text", { class: "axis", x: 2, y: top + 8 });
    maxLabel.textContent = String(max);
    chart.appendChild(maxLabel);
    const zero = svg("text", { class: "axis", x: 2, y: y(0) });
    zero.textContent = "0";
    chart.appendChild(zero);
    if (points.length) {
      const first = svg("text", { class: "axis", x: left, y: height - 4 });
      first.textContent = String(points[0].date);
      chart.appendChild(first);
      const last = svg("text", { class: "axis", x: width - 4, y: height - 4, "text-anchor": "end" });
      last.textContent = String(points[points.length - 1].date);
      chart.appendChild(last);
    }
    const title = svg("title");
    title.textContent = values.length + " days, max " + max;
    chart.appendChild(title);
    return chart;
  }

  function renderDepth() {
    const box = $("depth");
    clear(box);
    const answer = state.answers.get(REPORTS.depth);
    if (!answer || !Array.isArray(answer.buckets)) { box.appendChild(el("p", "muted", "No depth figures.")); return; }
    const rowHeight = 22, width = 300, labelWidth = 60;
    const chart = svg("svg", { viewBox: `0 0 ${width} ${answer.buckets.length * rowHeight}`, role: "img" });
    const max = Math.max(1, ...answer.buckets.map((bucket) => Number(bucket.total) || 0));
    answer.buckets.forEach((bucket, i) => {
      const label = svg("text", { class: "bar-label", x: 0, y: i * rowHeight + 15 });
      label.textContent = String(bucket.bucket) + " msgs";
      chart.appendChild(label);
      const barWidth = ((width - labelWidth - 50) * (Number(bucket.total) || 0)) / max;
      chart.appendChild(svg("rect", { class: "bar", x: labelWidth, y: i * rowHeight + 4, width: barWidth.toFixed(1), height: rowHeight - 8 }));
      const count = svg("text", { class: "bar-label depth-count", x: labelWidth + barWidth + 4, y: i * rowHeight + 15 });
      count.textContent = String(bucket.total);
      chart.appendChild(count);
    });
    box.appendChild(chart);
  }

  function renderPercentiles() {
    const body = $("percentiles").tBodies[0];
    clear(body);
    for (const [label, id] of [["First response", REPORTS.firstResponse], ["Conversation duration", REPORTS.duration]]) {
      const answer = state.answers.get(id);
      const row = el("tr");
      row.appendChild(el("td", null, label));
      for (const p of ["p50", "p90", "p99"]) row.appendChild(el("td", "num", answer && answer.percentiles ? number(answer.percentiles[p]) : "–"));
      body.appendChild(row);
    }
  }

  function renderHeatmap() {
    const box = $("heatmap");
    clear(box);
    const answer = state.answers.get(REPORTS.hourly);
    if (!answer || !Array.isArray(answer.heatmap)) return;
    const cell = 14, left = 32, top = 14;
    const chart = svg("svg", { viewBox: `0 0 ${left + 24 * cell} ${top + 7 * cell}`, role: "img" });
    const max = Math.max(1, ...answer.heatmap.flat());
    for (let h = 0; h < 24; h += 3) {
      const label = svg("text", { class: "axis", x: left + h * cell, y: 10 });
      label.textContent = String(h);
      chart.appendChild(label);
    }
    answer.heatmap.forEach((hours, w) => {
      const label = svg("text", { class: "axis", x: 0, y: top + w * cell + 10 });
      label.textContent = WEEKDAYS[w] || String(w);
      chart.appendChild(label);
      hours.forEach((count, h) => {
        const rect = svg("rect", {
          class: count > 0 ? "heat-cell" : "heat-empty", x: left + h * cell, y: top + w * cell, width: cell - 2, height: cell - 2,
        });
        if (count > 0) rect.setAttribute("fill-opacity", (0.15 + (0.85 * count) / max).toFixed(2));
        const title = svg("title");
        title.textContent = `${WEEKDAYS[w]} ${h}:00 – ${count} messages`;
        rect.appendChild(title);
        chart.appendChild(rect);
      });
    });
    box.appendChild(chart);
  }

  function renderBots(groups) {
    const body = $("bots").tBodies[0];
    clear(body);
    for (const group of groups) {
      const row = el("tr");
      row.appendChild(el("td", "bot-id", group.key));
      row.appendChild(el("td", "num", number(group.value)));
      row.appendChild(el("td", "num", number(group.change)));
      body.appendChild(row);
    }
  }

  async function loadHealth() {
    try {
      const response = await fetch("/healthz", { cache: "no-store" });
      const health = await response.json();
      const ingest = health.ingest || {};
      const parts = ["ingest " + (ingest.state || "unknown")];
      if (typeof ingest.eventsCounted === "number") parts.push(ingest.eventsCounted + " events counted");
      if (typeof health.failedScheduledRuns24h === "number") parts.push(health.failedScheduledRuns24h + " failed scheduled runs in 24 h");
      $("health-summary").textContent = parts.join(" · ");
      const body = $("health").tBodies[0];
      clear(body);
      for (const partition of ingest.partitions || []) {
        const row = el("tr");
        row.appendChild(el("td", null, partition.topic));
        row.appendChild(el("td", "num", partition.partition));
        row.appendChild(el("td", "num", partition.committedOffset));
        row.appendChild(el("td", "num", partition.lag === undefined ? "–" : partition.lag));
        body.appendChild(row);
      }
    } catch (_) {
      $("health-summary").textContent = "Health could not be read.";
    }
    loadDeadLetters();
  }

  // Unresolved dead letters by code, over the whole store (platform-wide admin keys only).
  async function loadDeadLetters() {
    const line = $("dead-letters");
    try {
      const answer = await api("/api/v1/platform/dead-letters?limit=1&includeResolved=false");
      const codes = Object.keys(answer.counts || {}).sort();
      line.textContent = codes.length
        ? "dead letters: " + codes.map((code) => code + " " + answer.counts[code]).join(", ")
        : "dead letters: none";
    } catch (error) {
      line.textContent = error.status === 403 || error.status === 401
        ? "dead letters: readable with a platform-wide admin key" : "dead letters could not be read: " + error.message;
    }
  }

  // Live updates: Server-Sent Events read with fetch, so the key stays in the header ----------

  function stopStream() {
    if (state.stream) state.stream.abort();
    state.stream = null;
    setLive(false);
  }

  function setLive(on) {
    const live = $("live");
    live.textContent = on ? "live" : "offline";
    live.classList.toggle("on", on);
    live.classList.toggle("off", !on);
  }

  function startStream() {
    stopStream();
    const controller = new AbortController();
    state.stream = controller;
    const tenant = state.tenant;
    const run = async () => {
      let delay = 1000;
      while (!controller.signal.aborted) {
        try {
          const response = await fetch("/api/v1/platform/events?userId=" + encodeURIComponent(tenant), {
            headers: { Authorization: "Bearer " + state.key, Accept: "text/event-stream" }, signal: controller.signal, cache: "no-store",
          });
          if (!response.ok || !response.body) throw new Error("event stream answered " + response.status);
          setLive(true);
          delay = 1000;
          await readEvents(response.body, (name, data) => {
            if (name === "counters" && tenant === state.tenant) onCounters(data);
          });
        } catch (error) {
          if (controller.signal.aborted) return;
        }
        setLive(false);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 15000);
      }
    };
    run();
  }

  async function readEvents(body, onEvent) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) continue;
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).trim());
        }
        if (data.length) {
          let parsed = null;
          try { parsed = JSON.parse(data.join("\n")); } catch (_) { parsed = null; }
          if (parsed) onEvent(name, parsed);
        }
      }
    }
  }

  let refreshing = null;
  let queued = null;

  // News that arrives while a refresh runs is merged and fetched right after it.
  function onCounters(news) {
    const live = $("live");
    live.classList.add("flash");
    setTimeout(() => live.classList.remove("flash"), 300);
    if (refreshing) {
      queued = queued || { conversations: 0, messages: 0, ratings: 0 };
      for (const kind of ["conversations", "messages", "ratings"]) queued[kind] += news[kind] || 0;
      return;
    }
    refreshing = refresh(news).finally(() => {
      refreshing = null;
      if (queued) { const next = queued; queued = null; onCounters(next); }
    });
  }

  // Controls ----------------------------------------------------------------------------------

  function wire() {
    $("sign-in-button").addEventListener("click", () => {
      const key = $("key-input").value.trim();
      if (key) signIn(key);
    });
    $("key-input").addEventListener("keydown", (event) => {
      if (event.key === "Enter") $("sign-in-button").click();
    });
    $("sign-out").addEventListener("click", signOut);
    $("tenant").addEventListener("change", tenantChanged);
    $("period").addEventListener("change", async () => {
      const custom = $("period").value === "custom";
      $("custom-range").classList.toggle("hidden", !custom);
      if (custom) {
        if (!$("range-end").value) $("range-end").value = new Date().toISOString().slice(0, 10);
        if (!$("range-start").value) $("range-start").value = new Date(Date.now() - 13 * 86400000).toISOString().slice(0, 10);
        return;
      }
      await loadFilters();
      await refreshAll();
    });
    $("range-apply").addEventListener("click", async () => { await loadFilters(); await refreshAll(); });
    $("report-generate").addEventListener("click", generateReport);
    $("list-type").addEventListener("change", loadReports);
    $("list-status").addEventListener("change", loadReports);
    $("bot").addEventListener("change", () => {
      if ($("bot").value) $("channel").value = "";
      refreshAll();
    });
    $("channel").addEventListener("change", () => {
      if ($("channel").value) $("bot").value = "";
      refreshAll();
    });
    const saved = sessionStorage.getItem(KEY_STORAGE);
    if (saved) signIn(saved);
  }

  document.addEventListener("DOMContentLoaded", wire);
})();
