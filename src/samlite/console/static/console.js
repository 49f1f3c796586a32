// samlite console: plain JavaScript, no build step, no library.
// Every string that comes from the cloud (keys, item values, log lines, events) reaches the page
// through text nodes (`h` never sets innerHTML), so a key like <img src=x onerror=alert(1)> shows as
// text. The page's own token goes with every API call; the server refuses calls without it.
"use strict";

(() => {
  const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute("content") || "";
  const BASE = meta("samlite-base") || "/_samlite";
  const hashToken = new URLSearchParams(location.hash.split("?")[0].replace(/^#/, "")).get("token");
  const TOKEN = meta("samlite-token") || hashToken || sessionStorage.getItem("samlite-token") || "";
  if (hashToken) {
    sessionStorage.setItem("samlite-token", hashToken);
    history.replaceState(null, "", location.pathname + "#/stack");
  }
  const root = document.getElementById("main");
  // Each route renders into a view of its own: a page still loading when the user moves on fills its
  // own (detached) view, never the next page's.
  let currentView = root;

  // -- DOM, safely ---------------------------------------------------------------------------------
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = String(value);
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "value") node.value = value;
      else if (name === "href" || name === "src") node.setAttribute(name, safeUrl(String(value)));
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    append(node, children);
    return node;
  }
  function append(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  // Links the console makes are its own routes, its own API, or AWS's documentation pages.
  function safeUrl(url) {
    if (url.startsWith("#") || url.startsWith(BASE + "/") || url.startsWith("https://aws.amazon.com/")) return url;
    return "#";
  }
  const text = (value) => document.createTextNode(value === null || value === undefined ? "" : String(value));
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function table(headers, rows, options = {}) {
    const head = h("tr", {}, headers.map((title) => {
      const [label, cls] = Array.isArray(title) ? title : [title, ""];
      return h("th", { class: cls }, label);
    }));
    const body = h("tbody", {}, rows);
    const result = h("table", { class: options.class }, h("thead", {}, head), body);
    if (!rows.length && options.empty) body.appendChild(h("tr", {}, h("td", { colspan: headers.length, class: "muted" }, options.empty)));
    return result;
  }
  const td = (value, cls, extra = {}) => h("td", { class: cls, ...extra }, value);
  const num = (value, shown) => td(shown === undefined ? value : shown, "num", { "data-value": value });
  function pre(value, cls) { return h("pre", { class: cls }, typeof value === "string" ? value : JSON.stringify(value, null, 2)); }
  function badge(label, kind) { return h("span", { class: `badge ${kind || ""}` }, label); }

  // -- formatting ----------------------------------------------------------------------------------
  function fmtTime(epochSeconds) {
    if (!epochSeconds) return "";
    const d = new Date(epochSeconds * 1000);
    return d.toLocaleTimeString([], { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
  }
  function fmtDate(value) {
    if (!value) return "";
    const d = new Date(typeof value === "number" ? value : String(value));
    return isNaN(d) ? String(value) : d.toLocaleString([], { hour12: false });
  }
  function fmtBytes(n) {
    if (n === null || n === undefined) return "";
    if (n < 1024) return `${n} B`;
    const units = ["KiB", "MiB", "GiB", "TiB"];
    let value = n / 1024, i = 0;
    while (value >= 1024 && i < units.length - 1) { value /= 1024; i++; }
    return `${value.toFixed(value < 10 ? 1 : 0)} ${units[i]}`;
  }
  const fmtMs = (ms) => (ms === null || ms === undefined ? "" : `${Number(ms).toFixed(2)} ms`);
  function fmtUsd(value) {
    if (value === null || value === undefined) return "–";
    if (value === 0) return "$0";
    const digits = Math.min(12, Math.max(2, 3 - Math.floor(Math.log10(Math.abs(value)))));
    return "$" + value.toFixed(digits);
  }
  const fmtQty = (value) => (Number.isInteger(value) ? String(value) : Number(value).toFixed(6));

  // -- talking to the console's API ----------------------------------------------------------------
  async function api(path, options = {}) {
    const headers = { "X-Samlite-Token": TOKEN, ...(options.headers || {}) };
    let body = options.body;
    if (body !== undefined && !(body instanceof Blob) && !(body instanceof ArrayBuffer)) {
      body = JSON.stringify(body);
      headers["Content-Type"] = "application/json";
    }
    const response = await fetch(`${BASE}/api${path}`, { method: options.method || "GET", headers, body, credentials: "same-origin" });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data?.error?.message || `${response.status} ${response.statusText}`);
    return data;
  }
  const enc = encodeURIComponent;
  const contentUrl = (bucket, key, disposition) =>
    `${BASE}/api/s3/buckets/${enc(bucket)}/object?key=${enc(key)}&disposition=${disposition}&token=${enc(TOKEN)}`;

  let toastTimer = null;
  function toast(message, bad) {
    const node = document.getElementById("toast");
    node.textContent = message;
    node.className = `toast show${bad ? " bad" : ""}`;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { node.className = "toast"; }, bad ? 6000 : 2500);
  }
  function failed(error) { toast(String(error.message || error), true); }
  async function act(button, work) {
    button.disabled = true;
    try { await work(); } catch (error) { failed(error); } finally { button.disabled = false; }
  }

  // -- live updates: a long poll on the recorder ---------------------------------------------------
  const live = { version: -1, counts: {}, listeners: new Set() };
  async function watch() {
    const indicator = document.getElementById("live");
    for (;;) {
      try {
        const answer = await api(`/changes?since=${live.version}&wait=25`);
        indicator.textContent = "live"; indicator.className = "live on";
        if (answer.closed) { indicator.textContent = "stopped"; indicator.className = "live off"; return; }
        if (answer.version !== live.version) {
          const before = live.counts;
          live.version = answer.version; live.counts = answer.counts;
          for (const listener of live.listeners) { try { listener(answer.counts, before); } catch (e) { console.error(e); } }
        }
      } catch (error) {
        indicator.textContent = "disconnected"; indicator.className = "live off";
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  }
  function onLive(listener) { live.listeners.add(listener); return () => live.listeners.delete(listener); }
  // Calls of `fn` run one after the other: an update arriving while one is loading waits for it.
  function serial(fn) { let last = Promise.resolve(); return (...args) => (last = last.catch(() => {}).then(() => fn(...args))); }
  function debounce(fn, ms) { let timer = null; return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); }; }

  // -- routing -------------------------------------------------------------------------------------
  let leave = [];
  function route() {
    for (const undo of leave) undo();
    leave = [];
    const [path, query] = (location.hash.replace(/^#/, "") || "/stack").split("?");
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    const params = new URLSearchParams(query || "");
    const page = parts[0] || "stack";
    for (const link of document.querySelectorAll("#nav a")) link.classList.toggle("active", link.dataset.page === page);
    currentView = h("div");
    clear(root).appendChild(currentView);
    const main = currentView;
    const pages = { stack: stackPage, functions: functionsPage, s3: s3Page, dynamodb: dynamodbPage, queues: queuesPage, triggers: triggersPage, states: statesPage, cost: costPage };
    const render = pages[page] || notFoundPage;
    render(parts.slice(1), params).catch((error) => { append(main, [h("p", { class: "error" }, String(error.message || error))]); });
  }
  function notFoundPage() {
    const main = currentView;
    append(main, [h("h1", {}, "No such page")]); return Promise.resolve(); }
  const go = (hash) => { location.hash = hash; };

  // -- Stack ---------------------------------------------------------------------------------------
  async function stackPage() {
    const main = currentView;
    const data = await api("/stack");
    const statusBadge = (status) => badge(status, status === "emulated" ? "ok" : status === "accepted" ? "warn" : "bad");
    const copy = (value) => h("button", { class: "small", onclick: () => navigator.clipboard?.writeText(value).then(() => toast("copied")) }, "Copy");
    append(main, [
      h("h1", {}, "Stack ", h("span", { class: "mono" }, data.stackName)),
      h("div", { class: "panel" }, h("dl", { class: "grid" },
        h("dt", {}, "Endpoint"), h("dd", { class: "mono" }, data.endpoint),
        h("dt", {}, "Region / account"), h("dd", {}, `${data.region} / ${data.accountId}`),
        h("dt", {}, "IAM"), h("dd", {}, data.iam ? "enforced per function" : "off (--no-iam)"),
        h("dt", {}, "Stack id"), h("dd", { class: "mono" }, data.stackId),
        h("dt", {}, "Started"), h("dd", {}, fmtDate(data.startedAt * 1000)))),
      h("h2", {}, `Resources (${data.resources.length})`),
      table(["Logical id", "Type", "Local physical name", "Emulated", "Note"], data.resources.map((r) =>
        h("tr", { "data-logical-id": r.logicalId }, td(r.logicalId, "mono"), td(r.type, "mono"), td(r.physicalId, "mono"), td(statusBadge(r.status)), td(r.note, "muted")))),
      h("h2", {}, "Outputs"),
      table(["Key", "Value", "Description", ""], data.outputs.map((o) =>
        h("tr", {}, td(o.key, "mono"), td(typeof o.value === "string" ? o.value : JSON.stringify(o.value), "mono"), td(o.description, "muted"), td(copy(String(o.value))))), { empty: "no outputs" }),
      data.apis.length ? [h("h2", {}, "APIs on the local API Gateway"),
        table(["API", "URL"], data.apis.map((a) => h("tr", {}, td(a.logicalId, "mono"), td(a.url, "mono")))),
        data.apiKeys.length ? table(["API key", "Value (send as x-api-key)"], data.apiKeys.map((k) => h("tr", {}, td(k.logicalId, "mono"), td(k.value, "mono")))) : null] : null,
      h("h2", {}, "Credentials"),
      h("p", { class: "muted" }, "The administrator's: boto3 and the AWS CLI reach the local cloud with these (also in .samlite/env)."),
      h("div", { class: "row" }, copy(data.exportLines.join("\n"))),
      pre(data.exportLines.join("\n"), "export-lines"),
    ]);
  }

  // -- Functions -----------------------------------------------------------------------------------
  function outcomeBadge(row) {
    return badge(row.outcome === "success" ? "success" : row.errorType || row.outcome, row.outcome === "success" ? "ok" : "bad");
  }
  function invocationRow(fn, row, onPick) {
    return h("tr", { class: "clickable", "data-request-id": row.requestId, onclick: () => onPick(row) },
      td(fmtTime(row.startedAt), "nowrap"),
      td(row.trigger, "cell-text", { title: row.trigger }),
      td(row.cold ? badge("cold", "cold") : "warm"),
      num(row.durationMs, fmtMs(row.durationMs)),
      num(row.billedMs, `${row.billedMs} ms`),
      num(row.memoryUsedMb, `${row.memoryUsedMb} / ${row.memorySize} MB`),
      td(outcomeBadge(row)));
  }
  const INVOCATION_HEADERS = ["Time", "Trigger", "Start", ["Duration", "num"], ["Billed", "num"], ["Memory used", "num"], "Outcome"];

  async function functionsPage(parts) {
    const main = currentView;
    if (parts.length) return functionPage(parts[0]);
    const holder = h("div");
    append(main, [h("h1", {}, "Functions"), holder]);
    async function refresh() {
      const data = await api("/functions");
      clear(holder).appendChild(table(
        ["Function", "Runtime", ["Memory", "num"], "Architecture", "Triggers", ["Invocations", "num"], ["Warm workers", "num"], "Last invocation"],
        data.functions.map((f) => h("tr", { class: "clickable", "data-function": f.logicalId, onclick: () => go(`#/functions/${enc(f.logicalId)}`) },
          td(h("a", { href: `#/functions/${enc(f.logicalId)}` }, f.logicalId), "mono"),
          td(f.runtime), num(f.memorySize, `${f.memorySize} MB`), td(f.architecture), td(f.triggers.join(", ") || "–"),
          num(f.invocations), num(f.warmWorkers),
          td(f.last ? [fmtTime(f.last.startedAt), " ", outcomeBadge(f.last), " ", fmtMs(f.last.durationMs)] : "–"))),
        { empty: "the template has no function" }));
    }
    await refresh();
    leave.push(onLive(debounce(() => refresh().catch(failed), 150)));
  }

  async function functionPage(id) {
    const main = currentView;
    const config = await api(`/functions/${enc(id)}`);
    const warm = h("span", {}, String(config.warmWorkers));
    const rowsBody = h("tbody");
    const detailHolder = h("div", { id: "invocation-detail" });
    const logBox = h("pre", { class: "log", id: "log-tail" });
    const follow = h("input", { type: "checkbox", checked: true, id: "follow" });
    let lastIndex = -1, nextLine = 0, picked = null;

    async function pick(row) {
      picked = row.requestId;
      for (const tr of rowsBody.children) tr.classList.toggle("selected", tr.dataset.requestId === picked);
      const full = await api(`/functions/${enc(id)}/invocations/${enc(row.requestId)}`);
      clear(detailHolder);
      append(detailHolder, [
        h("h3", {}, "Invocation ", h("span", { class: "mono" }, full.requestId), " ", outcomeBadge(full), full.cold ? [" ", badge(`cold start, init ${fmtMs(full.initMs)}`, "cold")] : null),
        h("div", { class: "cols" },
          h("div", {}, h("h3", {}, "Event"), pre(full.event, "event")),
          h("div", {}, full.error ? [h("h3", {}, "Error"), pre(full.error, "error-document")] : [h("h3", {}, "Response"), pre(full.response, "response")])),
        h("h3", {}, "Log lines"), pre(full.logLines.join("\n"), "log invocation-log"),
      ]);
    }
    const loadInvocations = serial(async () => {
      const data = await api(`/functions/${enc(id)}/invocations?after=${lastIndex}`);
      for (const row of data.invocations.slice().reverse()) {
        rowsBody.insertBefore(invocationRow(id, row, pick), rowsBody.firstChild);
        lastIndex = Math.max(lastIndex, row.index);
      }
      while (rowsBody.children.length > 200) rowsBody.removeChild(rowsBody.lastChild);
    });
    const loadLogs = serial(async () => {
      for (;;) {
        const data = await api(`/functions/${enc(id)}/logs?after=${nextLine}`);
        if (data.lines.length) {
          logBox.appendChild(text((logBox.textContent ? "\n" : "") + data.lines.join("\n")));
          if (follow.checked) logBox.scrollTop = logBox.scrollHeight;
        }
        nextLine = data.next;
        if (data.lines.length < 2000) return;
      }
    });
    async function refreshWarm() { warm.textContent = String((await api(`/functions/${enc(id)}`)).warmWorkers); }

    // invoke now
    const samples = config.samples;
    const choose = h("select", { id: "sample" }, samples.map((s, i) => h("option", { value: String(i) }, s.label)));
    const editor = h("textarea", { id: "event-editor", spellcheck: "false" });
    const result = h("div", { id: "invoke-result" });
    function showSample() {
      const sample = samples[Number(choose.value)];
      editor.value = sample.event === null ? "{\n}\n" : JSON.stringify(sample.event, null, 2);
      if (sample.note) toast(sample.note);
    }
    choose.addEventListener("change", showSample);
    showSample();
    const invokeButton = h("button", { class: "primary", id: "invoke", onclick: () => act(invokeButton, async () => {
      let event;
      try { event = JSON.parse(editor.value); } catch (error) { throw new Error(`the event is not JSON: ${error.message}`); }
      const answer = await api(`/functions/${enc(id)}/invoke`, { method: "POST", body: { event } });
      clear(result);
      append(result, [
        h("div", { class: "row" }, answer.functionError ? badge(`error: ${answer.functionError}`, "bad") : badge("success", "ok"),
          h("span", { class: "mono small" }, answer.requestId || "")),
        pre(answer.response, "invoke-response"),
        h("h3", {}, "Log tail"), pre(answer.logTail, "log"),
      ]);
    }) }, "Invoke");

    const policies = config.policies.length ? config.policies.map((p) => pre(p, "policy")) : h("p", { class: "muted" }, "none");
    const env = Object.entries(config.environment);
    append(main, [
      h("p", { class: "crumbs" }, h("a", { href: "#/functions" }, "Functions"), " / ", h("span", { class: "mono" }, id)),
      h("h1", {}, h("span", { class: "mono" }, config.logicalId), " ", h("span", { class: "muted small mono" }, config.functionName)),
      h("div", { class: "cols" },
        h("div", { class: "panel" }, h("dl", { class: "grid" },
          h("dt", {}, "ARN"), h("dd", { class: "mono" }, config.functionArn),
          h("dt", {}, "Runtime"), h("dd", {}, config.runtime),
          h("dt", {}, "Handler"), h("dd", { class: "mono" }, config.handler),
          h("dt", {}, "Code"), h("dd", { class: "mono" }, config.codeUri),
          h("dt", {}, "Memory"), h("dd", {}, `${config.memorySize} MB`),
          h("dt", {}, "Timeout"), h("dd", {}, `${config.timeout} s`),
          h("dt", {}, "Architecture"), h("dd", {}, config.architectures.join(", ")),
          h("dt", {}, "Log format"), h("dd", {}, config.logFormat),
          h("dt", {}, "Reserved concurrency"), h("dd", {}, config.reservedConcurrency ?? "–"),
          h("dt", {}, "Warm workers"), h("dd", { id: "warm-workers" }, warm),
          h("dt", {}, "Dead-letter queue"), h("dd", { class: "mono" }, config.deadLetterTarget || "–"),
          h("dt", {}, "Async retries / max age"), h("dd", {}, `${config.asyncConfig.maximumRetryAttempts} / ${config.asyncConfig.maximumEventAgeInSeconds} s`),
          h("dt", {}, "Role"), h("dd", { class: "mono" }, config.role || "–"))),
        h("div", {},
          h("h3", {}, "Environment"),
          table(["Variable", "Value"], env.map(([k, v]) => h("tr", {}, td(k, "mono"), td(v, "mono"))), { empty: "no variables" }),
          h("h3", {}, "Events"), pre(config.events, "events"))),
      h("h2", {}, "Layers"),
      table(["#", "Layer", "ARN", "Comes from", "In /opt"], config.layers.map((layer, i) =>
        h("tr", { "data-layer": layer.arn }, num(i + 1), td(layer.name, "mono"), td(layer.arn, "mono small"),
          td(layerSource(layer), "mono"), td(layer.optPath, "mono"))),
        { empty: "no layers", class: "layers" }),
      h("h2", {}, "Recent invocations"),
      h("table", { id: "invocations" }, h("thead", {}, h("tr", {}, INVOCATION_HEADERS.map((t) => Array.isArray(t) ? h("th", { class: t[1] }, t[0]) : h("th", {}, t)))), rowsBody),
      detailHolder,
      h("h2", {}, "Invoke now"),
      h("div", { class: "panel" }, h("div", { class: "row" }, h("label", { for: "sample" }, "Start from "), choose, invokeButton), editor, result),
      h("h2", {}, "Live log ", h("label", { class: "small muted" }, follow, " follow")),
      logBox,
      h("h2", {}, "Role policies"), h("div", {}, policies),
    ]);
    await Promise.all([loadInvocations(), loadLogs()]);
    const rows = rowsBody.children;
    if (rows.length && !picked) rows[0].click();
    leave.push(onLive(debounce((counts) => {
      const [invocations, lines] = counts[config.logicalId] || [0, 0];
      const work = [];
      if (invocations - 1 > lastIndex) work.push(loadInvocations(), refreshWarm());
      if (lines > nextLine) work.push(loadLogs());
      Promise.all(work).catch(failed);
    }, 60)));
  }

  function layerSource(layer) {
    if (layer.origin === "powertools") return `Powertools ${layer.powertoolsVersion || ""} from PyPI (${layer.packages.join(" ")})`;
    const where = layer.origin === "layer-map" ? `--layer-map: ${layer.folder}` : layer.folder;
    return [where || "", layer.requirements ? ` + ${layer.requirements}` : "", layer.packages.length ? ` + ${layer.packages.join(" ")}` : ""].join("");
  }

  // -- S3 ------------------------------------------------------------------------------------------
  async function s3Page(parts, params) {
    const main = currentView;
    if (parts.length) return bucketPage(parts[0], params.get("prefix") || "");
    const data = await api("/s3/buckets");
    append(main, [h("h1", {}, "S3 buckets"),
      table(["Bucket", "Template resource", "Created"], data.buckets.map((b) =>
        h("tr", { class: "clickable", "data-bucket": b.name, onclick: () => go(`#/s3/${enc(b.name)}`) },
          td(h("a", { href: `#/s3/${enc(b.name)}` }, b.name), "mono"), td(b.logicalId || "–", "mono"), td(fmtDate(b.created)))),
      { empty: "no buckets" })]);
  }

  async function bucketPage(bucket, prefix) {
    const main = currentView;
    const list = h("tbody");
    const more = h("button", { id: "more-objects", hidden: true }, "Load more");
    let cursor = null;
    const here = (p) => `#/s3/${enc(bucket)}?prefix=${enc(p)}`;
    const crumbs = [h("a", { href: "#/s3" }, "S3"), " / ", h("a", { href: here("") }, bucket)];
    let walked = "";
    for (const part of prefix.split("/").filter(Boolean)) {
      walked += part + "/";
      crumbs.push(" / ", h("a", { href: here(walked) }, part));
    }
    let generation = 0;  // a newer load (after an upload, a delete) wins over one still in flight
    async function load(reset) {
      const mine = ++generation;
      const from = reset ? null : cursor;
      const q = `prefix=${enc(prefix)}${from ? `&cursor=${enc(from)}` : ""}`;
      const data = await api(`/s3/buckets/${enc(bucket)}/objects?${q}`);
      if (mine !== generation) return;
      if (reset) clear(list);
      for (const p of data.prefixes) {
        list.appendChild(h("tr", { class: "clickable", "data-prefix": p, onclick: () => go(here(p)) },
          td(h("a", { href: here(p) }, "📁 ", p.slice(prefix.length)), "mono"), td(""), td("folder", "muted"), td(""), td(""), td("")));
      }
      for (const o of data.objects) list.appendChild(objectRow(o));
      cursor = data.next;
      more.hidden = !cursor;
      if (!list.children.length) list.appendChild(h("tr", {}, h("td", { colspan: 6, class: "muted" }, "no objects under this prefix")));
    }
    function objectRow(o) {
      const name = o.key.slice(prefix.length);
      const del = h("button", { class: "danger small", onclick: () => act(del, async () => {
        if (!confirm(`Delete ${o.key}?`)) return;
        await api(`/s3/buckets/${enc(bucket)}/object?key=${enc(o.key)}`, { method: "DELETE" });
        toast(`deleted ${o.key}`);
        await load(true);
      }) }, "Delete");
      return h("tr", { "data-key": o.key },
        td(name, "mono cell-text", { title: o.key }),
        num(o.size, fmtBytes(o.size)),
        td(o.contentType, "mono"),
        td(fmtDate(o.lastModified), "nowrap"),
        td(o.previewable ? h("img", { class: "thumb", alt: name, loading: "lazy", src: contentUrl(bucket, o.key, "inline") }) : ""),
        td([h("a", { class: "button small", href: contentUrl(bucket, o.key, "attachment"), download: name || "object" }, "Download"), " ", del], "nowrap"));
    }
    const input = h("input", { type: "file", multiple: true, id: "upload-input", hidden: true });
    async function upload(files) {
      for (const file of files) {
        const key = prefix + file.name;
        await api(`/s3/buckets/${enc(bucket)}/object?key=${enc(key)}`, {
          method: "PUT", body: file, headers: { "Content-Type": file.type || "binary/octet-stream" },
        });
        toast(`uploaded ${key}`);
      }
      await load(true);
    }
    input.addEventListener("change", () => upload([...input.files]).catch(failed));
    const drop = h("div", { class: "drop", id: "drop-zone" }, "Drop files here to upload them to ",
      h("span", { class: "mono" }, `${bucket}/${prefix}`), " (each upload is a PutObject: the bucket's notifications fire). ",
      h("button", { onclick: () => input.click() }, "Choose files…"), input);
    drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (event) => {
      event.preventDefault(); drop.classList.remove("over");
      upload([...event.dataTransfer.files]).catch(failed);
    });
    const jump = h("input", { placeholder: "prefix", value: prefix, id: "prefix-input", class: "mono" });
    jump.addEventListener("keydown", (event) => { if (event.key === "Enter") go(here(jump.value)); });
    more.addEventListener("click", () => act(more, () => load(false)));
    append(main, [h("p", { class: "crumbs" }, crumbs), h("h1", { class: "mono" }, `${bucket}/${prefix}`),
      h("div", { class: "row" }, jump, h("button", { onclick: () => go(here(jump.value)) }, "Go"), h("button", { onclick: () => load(true).catch(failed) }, "Refresh")),
      drop,
      h("table", { id: "objects" }, h("thead", {}, h("tr", {}, ["Name", ["Size", "num"], "Type", "Last modified", "Preview", ""].map((t) =>
        Array.isArray(t) ? h("th", { class: t[1] }, t[0]) : h("th", {}, t)))), list),
      more]);
    await load(true);
  }

  // -- DynamoDB ------------------------------------------------------------------------------------
  function plain(value) {
    const [type, inner] = Object.entries(value)[0] || ["", ""];
    if (type === "S" || type === "N" || type === "B") return inner;
    if (type === "BOOL") return String(inner);
    if (type === "NULL") return "null";
    return JSON.stringify(inner);
  }
  async function dynamodbPage(parts) {
    const main = currentView;
    if (parts.length) return tablePage(parts[0]);
    const data = await api("/dynamodb/tables");
    append(main, [h("h1", {}, "DynamoDB tables"),
      table(["Table", "Template resource", "Keys", ["Items", "num"], "Indexes", "Billing"], data.tables.map((t) =>
        h("tr", { class: "clickable", "data-table": t.name, onclick: () => go(`#/dynamodb/${enc(t.name)}`) },
          td(h("a", { href: `#/dynamodb/${enc(t.name)}` }, t.name), "mono"), td(t.logicalId || "–", "mono"),
          td(`${t.partition.name} (${t.partition.type})${t.sort ? `, ${t.sort.name} (${t.sort.type})` : ""}`, "mono"),
          num(t.itemCount ?? 0), td(t.indexes.map((i) => i.name).join(", ") || "–", "mono"), td(t.billingMode))),
      { empty: "no tables" })]);
  }

  async function tablePage(name) {
    const main = currentView;
    const t = await api(`/dynamodb/tables/${enc(name)}`);
    const keyNames = [t.partition.name, t.sort?.name].filter(Boolean);
    const results = h("div", { id: "items" });
    const editor = h("textarea", { id: "item-editor", spellcheck: "false" });
    const editorPanel = h("div", { class: "panel", id: "item-panel", hidden: true });
    let editing = null;
    let lastLoad = null;

    function keyOf(item) { const key = {}; for (const k of keyNames) if (item[k]) key[k] = item[k]; return key; }
    function edit(item) {
      editing = item ? keyOf(item) : null;
      editor.value = JSON.stringify(item || Object.fromEntries(keyNames.map((k, i) => [k, { [i ? t.sort.type : t.partition.type]: "" }])), null, 2);
      editorPanel.hidden = false;
      editor.focus();
    }
    function showItems(items, nextCursor, onNext) {
      const seen = new Set(keyNames);
      for (const item of items) for (const attr of Object.keys(item)) if (seen.size < 9) seen.add(attr);
      const columns = [...seen];
      const rows = items.map((item) => h("tr", { class: "clickable", "data-key": JSON.stringify(keyOf(item)), onclick: () => edit(item) },
        columns.map((c) => td(item[c] ? plain(item[c]) : "", "mono cell-text", { title: item[c] ? plain(item[c]) : "" }))));
      clear(results);
      append(results, [table(columns, rows, { empty: "no items" }),
        nextCursor ? h("button", { id: "next-page", onclick: onNext }, "Next page") : null]);
    }
    async function scan(cursor) {
      lastLoad = () => scan(cursor);
      const data = await api(`/dynamodb/tables/${enc(name)}/items?limit=50${cursor ? `&cursor=${enc(cursor)}` : ""}`);
      showItems(data.items, data.next, () => scan(data.next).catch(failed));
    }
    // key query
    const indexSelect = h("select", { id: "query-index" }, h("option", { value: "" }, "table"), t.indexes.map((i) => h("option", { value: i.name }, i.name)));
    const pk = h("input", { id: "query-pk", class: "mono", placeholder: "partition key value" });
    const op = h("select", { id: "query-op" }, ["", "=", "<", "<=", ">", ">=", "begins_with", "between"].map((o) => h("option", { value: o }, o || "(any sort key)")));
    const sk = h("input", { id: "query-sk", class: "mono", placeholder: "sort key value" });
    const sk2 = h("input", { id: "query-sk2", class: "mono", placeholder: "and", hidden: true });
    const backwards = h("input", { type: "checkbox", id: "query-backwards" });
    const keysLabel = h("span", { class: "muted mono small" });
    function describeKeys() {
      const index = t.indexes.find((i) => i.name === indexSelect.value) || t;
      keysLabel.textContent = `${index.partition.name}${index.sort ? ` / ${index.sort.name}` : ""}`;
    }
    indexSelect.addEventListener("change", describeKeys);
    op.addEventListener("change", () => { sk2.hidden = op.value !== "between"; });
    describeKeys();
    async function query(cursor) {
      lastLoad = () => query(cursor);
      const q = new URLSearchParams({ pk: pk.value, limit: "50", forward: backwards.checked ? "0" : "1" });
      if (indexSelect.value) q.set("index", indexSelect.value);
      if (op.value) { q.set("skOp", op.value); q.set("sk", sk.value); if (op.value === "between") q.set("sk2", sk2.value); }
      if (cursor) q.set("cursor", cursor);
      const data = await api(`/dynamodb/tables/${enc(name)}/query?${q}`);
      showItems(data.items, data.next, () => query(data.next).catch(failed));
    }
    const queryButton = h("button", { class: "primary", id: "run-query", onclick: () => act(queryButton, () => query(null)) }, "Query");
    const scanButton = h("button", { id: "run-scan", onclick: () => act(scanButton, () => scan(null)) }, "Scan");
    const save = h("button", { class: "primary", id: "save-item", onclick: () => act(save, async () => {
      let item;
      try { item = JSON.parse(editor.value); } catch (error) { throw new Error(`the item is not JSON: ${error.message}`); }
      const answer = await api(`/dynamodb/tables/${enc(name)}/item`, { method: "PUT", body: { item, originalKey: editing } });
      toast(answer.keyChanged ? "saved as a new item; the old one was deleted" : "saved");
      editing = keyOf(item);
      if (lastLoad) await lastLoad();
    }) }, "Save");
    const remove = h("button", { class: "danger", id: "delete-item", onclick: () => act(remove, async () => {
      if (!editing) throw new Error("this item is not saved yet");
      if (!confirm("Delete this item?")) return;
      await api(`/dynamodb/tables/${enc(name)}/item`, { method: "DELETE", body: { key: editing } });
      toast("deleted"); editorPanel.hidden = true; editing = null;
      if (lastLoad) await lastLoad();
    }) }, "Delete");
    append(editorPanel, [h("h3", {}, "Item (DynamoDB JSON)"), editor, h("div", { class: "row" }, save, remove,
      h("button", { onclick: () => { editorPanel.hidden = true; } }, "Close"))]);
    append(main, [
      h("p", { class: "crumbs" }, h("a", { href: "#/dynamodb" }, "DynamoDB"), " / ", h("span", { class: "mono" }, name)),
      h("h1", { class: "mono" }, name),
      h("div", { class: "panel" }, h("dl", { class: "grid" },
        h("dt", {}, "Keys"), h("dd", { class: "mono" }, `${t.partition.name} (${t.partition.type})${t.sort ? ` / ${t.sort.name} (${t.sort.type})` : ""}`),
        h("dt", {}, "Items"), h("dd", {}, String(t.itemCount ?? 0)),
        h("dt", {}, "Billing"), h("dd", {}, t.billingMode),
        h("dt", {}, "Stream"), h("dd", {}, t.stream?.StreamEnabled ? t.stream.StreamViewType : "–"),
        h("dt", {}, "ARN"), h("dd", { class: "mono" }, t.arn))),
      t.indexes.length ? [h("h2", {}, "Indexes"), table(["Index", "Kind", "Partition key", "Sort key", "Projection"], t.indexes.map((i) =>
        h("tr", {}, td(i.name, "mono"), td(i.kind), td(i.partition?.name, "mono"), td(i.sort?.name || "–", "mono"), td(i.projection))))] : null,
      h("h2", {}, "Items"),
      h("div", { class: "panel" }, h("div", { class: "row" }, indexSelect, keysLabel, pk, op, sk, sk2,
        h("label", { class: "small" }, backwards, " descending"), queryButton, scanButton,
        h("button", { id: "new-item", onclick: () => edit(null) }, "New item"))),
      editorPanel, results]);
    await scan(null);
  }

  // -- Queues and topics ---------------------------------------------------------------------------
  async function queuesPage(parts) {
    const main = currentView;
    if (parts.length) return queuePage(parts[0]);
    const data = await api("/queues");
    const sourcesOf = (q) => q.sources.map((s) => `${s.kind} ${s.name}`).join(", ");
    append(main, [h("h1", {}, "Queues"),
      table(["Queue", "Template resource", ["Visible", "num"], ["In flight", "num"], ["Delayed", "num"], "Dead-letter queue of", "Sends failures to", ""],
        data.queues.map((q) => h("tr", { "data-queue": q.name },
          td(h("a", { href: `#/queues/${enc(q.name)}` }, q.name), "mono"), td(q.logicalId || "–", "mono"),
          num(q.visible), num(q.inFlight), num(q.delayed), td(sourcesOf(q) || "–", "mono"),
          td(q.redrivePolicy ? `${q.redrivePolicy.deadLetterTargetArn.split(":").pop()} after ${q.redrivePolicy.maxReceiveCount} receives` : "–", "mono"),
          td(h("a", { class: "button small", href: `#/queues/${enc(q.name)}` }, "Messages")))),
        { empty: "no queues" }),
      h("h1", {}, "Topics"),
      table(["Topic", "Subscriptions", "Publish"], data.topics.map((topic) => {
        const message = h("input", { class: "mono", placeholder: "message" });
        const send = h("button", { onclick: () => act(send, async () => {
          const answer = await api("/topics/publish", { method: "POST", body: { topicArn: topic.arn, message: message.value } });
          toast(`published ${answer.messageId}`);
        }) }, "Publish");
        return h("tr", { "data-topic": topic.name }, td(topic.name, "mono"),
          td(topic.subscriptions.map((s) => h("div", { class: "mono small" }, `${s.protocol}: ${s.endpoint}`)), ""),
          td(h("div", { class: "row" }, message, send)));
      }), { empty: "no topics" })]);
  }

  async function queuePage(name) {
    const main = currentView;
    const holder = h("div");
    const header = h("div");
    append(main, [h("p", { class: "crumbs" }, h("a", { href: "#/queues" }, "Queues"), " / ", h("span", { class: "mono" }, name)), header, holder]);
    async function refresh() {
      const [queues, peek] = await Promise.all([api("/queues"), api(`/queues/${enc(name)}/messages`)]);
      const q = queues.queues.find((x) => x.name === name);
      if (!q) throw new Error(`there is no queue ${name}`);
      const redriveAll = h("button", { class: "primary", id: "redrive-all", disabled: !q.sources.length || !peek.messages.length, onclick: () => act(redriveAll, async () => {
        const answer = await api(`/queues/${enc(name)}/redrive`, { method: "POST", body: {} });
        toast(`redriven to ${answer.target.kind} ${answer.target.name}: ${answer.redriven.length} message(s)`);
        await refresh();
      }) }, q.sources.length ? `Redrive all to ${q.sources.map((s) => s.name).join(", ")}` : "Redrive (no source)");
      const purge = h("button", { class: "danger", id: "purge", onclick: () => act(purge, async () => {
        if (!confirm(`Purge every message of ${name}?`)) return;
        await api(`/queues/${enc(name)}/purge`, { method: "POST", body: {} });
        toast(`purged ${name}`);
        await refresh();
      }) }, "Purge");
      clear(header);
      append(header, [h("h1", { class: "mono" }, name),
        h("div", { class: "panel" }, h("dl", { class: "grid" },
          h("dt", {}, "URL"), h("dd", { class: "mono" }, q.url),
          h("dt", {}, "Messages"), h("dd", {}, `${q.visible} visible, ${q.inFlight} in flight, ${q.delayed} delayed`),
          h("dt", {}, "Dead-letter queue of"), h("dd", { class: "mono" }, q.sources.map((s) => `${s.kind} ${s.name}`).join(", ") || "–")),
          h("div", { class: "row" }, redriveAll, purge, h("button", { onclick: () => refresh().catch(failed) }, "Refresh"))),
        h("p", { class: "muted small" }, "Messages are peeked: reading them here neither receives nor hides them.")]);
      clear(holder);
      holder.appendChild(table(["Message id", "State", "Sent", ["Receives", "num"], "Attributes", "Body", ""], peek.messages.map((m) => {
        const one = h("button", { class: "small", disabled: !q.sources.length || m.state !== "visible", onclick: () => act(one, async () => {
          const answer = await api(`/queues/${enc(name)}/redrive`, { method: "POST", body: { messageId: m.messageId } });
          toast(`redriven to ${answer.target.kind} ${answer.target.name}`);
          await refresh();
        }) }, "Redrive");
        return h("tr", { "data-message-id": m.messageId }, td(m.messageId, "mono small"), td(m.state), td(fmtDate(m.sentTimestamp), "nowrap"),
          num(m.receiveCount), td(Object.entries(m.attributes).map(([k, v]) => h("div", { class: "mono small" }, `${k}: ${v}`))),
          td(pre(m.body, "message-body")), td(one));
      }), { empty: "no messages" }));
    }
    await refresh();
  }

  // -- Triggers ------------------------------------------------------------------------------------
  const fnLink = (target) => target.function
    ? h("a", { href: `#/functions/${enc(target.function)}` }, target.function)
    : h("span", {}, target.logicalId || target.arn);
  const stateBadge = (enabled, label) => badge(label || (enabled ? "enabled" : "disabled"), enabled ? "ok" : "warn");
  async function triggersPage() {
    const main = currentView;
    const holder = h("div");
    const fired = h("div", { id: "fired" });
    append(main, [h("h1", {}, "Triggers"), fired, holder]);
    async function refresh() {
      const data = await api("/triggers");
      clear(holder);
      append(holder, [
        h("h2", {}, "Schedules"),
        table(["Schedule", "Kind", "Expression", "State", "Next run", "Targets", ""], data.schedules.map((s) => {
          const fire = h("button", { class: "primary small", "data-fire": s.triggerId, onclick: () => act(fire, async () => {
            const answer = await api("/triggers/fire", { method: "POST", body: { id: s.triggerId } });
            toast(`fired ${answer.Id} at ${answer.Time}`);
            clear(fired);
            append(fired, [h("div", { class: "panel", id: "fired-result" },
              h("div", { class: "row" }, badge("fired", "ok"), h("span", { class: "mono" }, `${answer.Id} (${answer.Kind} ${answer.Name}) at ${answer.Time}`)),
              h("div", {}, "Delivered to: ", s.targets.map((t, i) => [i ? ", " : "", fnLink(t)])))]);
          }) }, "Fire now");
          return h("tr", { "data-schedule": s.triggerId },
            td(s.logicalId || s.name, "mono", { title: s.arn }), td(s.kind === "rule" ? "EventBridge rule" : `Scheduler (${s.group})`),
            td(`${s.expression}${s.timezone && s.timezone !== "UTC" ? ` in ${s.timezone}` : ""}`, "mono"),
            td(stateBadge(s.enabled)),
            td(s.enabled ? (s.nextRun ? fmtDate(s.nextRun) : "no run left") : "does not run on its own", "nowrap"),
            td(s.targets.map((t) => h("div", {}, fnLink(t), t.input ? h("span", { class: "muted small mono" }, ` input ${t.input}`) : null))),
            td(fire));
        }), { empty: "no schedules" }),
        h("p", { class: "muted small" }, "Fire now runs a schedule at once, disabled ones too, as samlite trigger does (through the IAM-checked trigger API, as the administrator)."),
        h("h2", {}, "Event-source mappings"),
        table(["Source", "Kind", "Function", "State", ["Batch size", "num"], "Window", "In flight", "Last result", "Filters"], data.mappings.map((m) =>
          h("tr", { "data-mapping": m.uuid },
            td(m.sourceLogicalId || m.source, "mono", { title: m.source }), td(m.kind), td(fnLink({ function: m.function, arn: m.functionArn })),
            td(stateBadge(m.state === "Enabled", m.state)), num(m.batchSize), td(m.batchingWindowS ? `${m.batchingWindowS} s` : "–"),
            td(m.queue ? `${m.queue.inFlight} in flight, ${m.queue.visible} waiting` : (m.startingPosition ? `from ${m.startingPosition}` : "–")),
            td(m.lastResult || "–", "muted"), td(m.filters.map((f) => h("div", { class: "mono small" }, f))))),
          { empty: "no event-source mappings" }),
        h("h2", {}, "SNS subscriptions"),
        table(["Topic", "Protocol", "Endpoint", "Filter policy", "Raw"], data.subscriptions.map((s) =>
          h("tr", { "data-subscription": s.arn },
            td(s.topicLogicalId || s.topic, "mono", { title: s.topic }), td(s.protocol),
            td(s.target.function ? fnLink(s.target) : s.endpoint, "mono"),
            td(s.filterPolicy ? [h("div", { class: "mono small" }, s.filterPolicy), h("div", { class: "muted small" }, `on ${s.filterPolicyScope}`)] : "–"),
            td(s.rawMessageDelivery ? "yes" : "no"))),
          { empty: "no subscriptions" }),
        h("h2", {}, "EventBridge rules"),
        table(["Rule", "Bus", "State", "Pattern", "Targets"], data.rules.map((r) =>
          h("tr", { "data-rule": r.logicalId || r.name },
            td(r.logicalId || r.name, "mono", { title: r.arn }), td(r.bus, "mono"), td(stateBadge(r.enabled)),
            td(pre(r.pattern, "pattern")), td(r.targets.map((t) => h("div", {}, fnLink(t)))))),
          { empty: "no event-pattern rules" }),
      ]);
    }
    await refresh();
    leave.push(onLive(debounce(() => refresh().catch(failed), 500)));
  }

  // -- State machines ------------------------------------------------------------------------------
  function statusBadge(status) {
    return badge(status || "–", status === "SUCCEEDED" ? "ok" : status === "RUNNING" ? "cold" : status ? "bad" : "");
  }
  async function statesPage(parts, params) {
    const main = currentView;
    if (parts.length) return machinePage(parts[0], params.get("execution"));
    const data = await api("/state-machines");
    append(main, [h("h1", {}, "State machines"),
      table(["State machine", "Template resource", "Type", "Created", "Last execution"], data.stateMachines.map((m) =>
        h("tr", { class: "clickable", "data-state-machine": m.name, onclick: () => go(`#/states/${enc(m.name)}`) },
          td(h("a", { href: `#/states/${enc(m.name)}` }, m.name), "mono"), td(m.logicalId || "–", "mono"), td(m.type), td(fmtDate(m.created)),
          td(m.last ? [statusBadge(m.last.status), " ", fmtDate(m.last.startDate)] : "–"))),
        { empty: "no state machines" })]);
  }

  async function machinePage(name, executionArn) {
    const main = currentView;
    const holder = h("tbody");
    const detail = h("div", { id: "execution-detail" });
    let picked = executionArn;
    let polling = false;
    const m = await api(`/state-machines/${enc(name)}`);
    function rows(executions) {
      clear(holder);
      if (!executions.length) holder.appendChild(h("tr", {}, h("td", { colspan: 6, class: "muted" }, "no executions yet")));
      for (const e of executions) {
        holder.appendChild(h("tr", { class: `clickable${e.arn === picked ? " selected" : ""}`, "data-execution": e.name, onclick: () => { picked = e.arn; show(e.arn).catch(failed); } },
          td(e.name, "mono small"), td(statusBadge(e.status)), td(fmtDate(e.startDate), "nowrap"), td(fmtDate(e.stopDate), "nowrap"),
          td(pre(e.input, "execution-input")), td(e.error ? pre({ error: e.error, cause: e.cause }, "execution-error") : pre(e.output, "execution-output"))));
      }
    }
    async function refresh() { rows((await api(`/state-machines/${enc(name)}`)).executions); }
    async function show(arn) {
      for (const row of holder.children) row.classList.toggle("selected", row.dataset.execution === arn.split(":").pop());
      const e = await api(`/executions?arn=${enc(arn)}`);
      clear(detail);
      append(detail, [h("h2", {}, "Execution ", h("span", { class: "mono" }, e.name), " ", statusBadge(e.status)),
        h("div", { class: "cols" },
          h("div", {}, h("h3", {}, "Input"), pre(e.input, "execution-input")),
          h("div", {}, h("h3", {}, e.error ? "Error" : "Output"), e.error ? pre({ error: e.error, cause: e.cause }, "execution-error") : pre(e.output, "execution-output"))),
        h("h3", {}, "History"),
        table(["#", "Time", "Event", "Details"], e.events.map((ev) =>
          h("tr", { "data-event-type": ev.type }, num(ev.id), td(fmtTime(Date.parse(ev.timestamp) / 1000), "nowrap"), td(ev.type, "mono"),
            td(Object.keys(ev.details).length ? pre(JSON.stringify(ev.details), "event-details") : "")))),
        e.moreEvents ? h("p", { class: "muted small" }, "Only the first 1000 events are shown.") : null]);
      if (e.status === "RUNNING" && !polling && currentView === main) {  // until it ends, while this page is shown
        polling = true;
        setTimeout(() => { polling = false; if (currentView === main) Promise.all([refresh(), show(arn)]).catch(failed); }, 400);
      }
    }
    const input = h("textarea", { id: "execution-input", spellcheck: "false" });
    // Start from the latest execution's input: rerunning with a change is the usual next step.
    input.value = m.executions.length ? JSON.stringify(m.executions[0].input, null, 2) : "{\n}\n";
    const executionName = h("input", { id: "execution-name", class: "mono", placeholder: "name (optional)" });
    const start = h("button", { class: "primary", id: "start-execution", onclick: () => act(start, async () => {
      let value;
      try { value = JSON.parse(input.value); } catch (error) { throw new Error(`the input is not JSON: ${error.message}`); }
      const answer = await api(`/state-machines/${enc(name)}/executions`, { method: "POST", body: { input: value, name: executionName.value } });
      toast(`started ${answer.executionArn.split(":").pop()}`);
      picked = answer.executionArn;
      await refresh();
      await show(answer.executionArn);
    }) }, "Start execution");
    append(main, [
      h("p", { class: "crumbs" }, h("a", { href: "#/states" }, "State machines"), " / ", h("span", { class: "mono" }, name)),
      h("h1", { class: "mono" }, m.name),
      h("div", { class: "cols" },
        h("div", { class: "panel" }, h("dl", { class: "grid" },
          h("dt", {}, "ARN"), h("dd", { class: "mono" }, m.arn),
          h("dt", {}, "Template resource"), h("dd", { class: "mono" }, m.logicalId || "–"),
          h("dt", {}, "Type"), h("dd", {}, m.type),
          h("dt", {}, "Role"), h("dd", { class: "mono" }, m.roleArn || "–"),
          h("dt", {}, "Created"), h("dd", {}, fmtDate(m.created)))),
        h("div", {}, h("h3", {}, "Definition"), pre(m.definition, "definition"))),
      h("h2", {}, "Start execution"),
      h("div", { class: "panel" }, h("div", { class: "row" }, executionName, start), input),
      h("h2", {}, "Recent executions ", h("button", { class: "small", onclick: () => refresh().catch(failed) }, "Refresh")),
      h("table", { id: "executions" }, h("thead", {}, h("tr", {}, ["Execution", "Status", "Started", "Stopped", "Input", "Output"].map((t) => h("th", {}, t)))), holder),
      detail]);
    rows(m.executions);
    if (picked || m.executions.length) await show(picked || m.executions[0].arn);
    leave.push(onLive(debounce(() => refresh().catch(failed), 300)));  // a task's invocation, say
  }

  // -- Cost ----------------------------------------------------------------------------------------
  async function costPage() {
    const main = currentView;
    const holder = h("div");
    append(main, [h("h1", {}, "What this would cost on AWS"), holder]);
    async function refresh() {
      const c = await api("/cost");
      clear(holder);
      append(holder, [
        h("div", { class: "panel figures" },
          h("div", {}, h("div", { class: "muted" }, "Since start"), h("div", { class: "big", id: "cost-total", "data-value": c.total }, fmtUsd(c.total))),
          h("div", {}, h("div", { class: "muted" }, "Lambda invocations"), h("div", { class: "big", id: "cost-invocations", "data-value": c.invocations }, String(c.invocations))),
          h("div", {}, h("div", { class: "muted" }, "The same work per million invocations"),
            h("div", { class: "big", id: "cost-per-million", "data-value": c.perMillionInvocations ?? "" }, fmtUsd(c.perMillionInvocations)))),
        h("h2", {}, "Lambda, per function"),
        table(["Function", ["Memory", "num"], "Architecture", ["Invocations", "num"], ["Cold starts", "num"], ["Billed ms", "num"], ["GB-seconds", "num"], ["Cost", "num"], ["Average billed", "num"], ["Per 1M at average", "num"], ["Per 1M warm", "num"]],
          c.functions.map((f) => h("tr", { "data-function": f.functionId, "data-memory": f.memoryMb },
            td(f.functionId, "mono"), num(f.memoryMb, `${f.memoryMb} MB`), td(f.architecture), num(f.invocations), num(f.coldStarts),
            h("td", { class: "num billed-ms", "data-value": f.billedMs }, String(f.billedMs)),
            h("td", { class: "num gb-seconds", "data-value": f.gbSeconds }, f.gbSeconds.toFixed(6)),
            h("td", { class: "num function-cost", "data-value": f.cost }, fmtUsd(f.cost)),
            num(f.averageBilledMs, `${f.averageBilledMs.toFixed(1)} ms`),
            h("td", { class: "num per-million", "data-value": f.perMillion }, fmtUsd(f.perMillion)),
            h("td", { class: "num per-million-warm", "data-value": f.perMillionWarm ?? "" }, fmtUsd(f.perMillionWarm)))),
          { empty: "no invocations yet" }),
        h("h2", {}, "Every line"),
        table(["Service", "Item", "Scope", ["Quantity", "num"], ["Price", "num"], ["Cost", "num"]], c.lines.map((line) =>
          h("tr", { "data-service": line.service, "data-item": line.item },
            td(line.service), td(line.item), td(line.scope, "mono"),
            h("td", { class: "num quantity", "data-value": line.quantity }, `${fmtQty(line.quantity)} ${line.unit}${line.quantity === 1 ? "" : "s"}`),
            td(line.price ? `$${line.price.usd} per ${line.price.per.toLocaleString("en")}` : "free", "num"),
            h("td", { class: "num line-cost", "data-value": line.cost }, fmtUsd(line.cost)))),
          { empty: "nothing yet" }),
        h("p", { class: "muted small" }, `Prices: ${c.prices.region}, ${c.prices.note}, as of ${c.prices.asOf}. Sources: `,
          c.prices.sources.map((url, i) => [i ? ", " : "", h("a", { href: url, rel: "noreferrer", target: "_blank" }, url.replace("https://aws.amazon.com/", "").replace(/\/$/, ""))]),
          ". Lambda compute is billed duration (init included on cold starts, as the REPORT lines say) times memory; DynamoDB request units are estimated from the items sent and returned; the console's own requests are left out."),
      ]);
    }
    await refresh();
    leave.push(onLive(debounce(() => refresh().catch(failed), 300)));
  }

  window.addEventListener("hashchange", route);
  route();
  watch();
})();
