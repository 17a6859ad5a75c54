// arxiv-radar site search: Pagefind's JS API behind our own small form.
// Every URL is relative to this module, so the site works from any sub-path.
// Every text reaches the page through textContent, never innerHTML.

const PAGE = 20; // results rendered per "Show more"
const EXCERPT_WORDS = 40;

const $ = (id) => document.getElementById(id);
const form = $("search");
const note = $("search-note");
const siteRoot = new URL("../", import.meta.url);

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

// Only http(s) links leave the site; anything else (javascript:, data:) is dropped.
function safeUrl(url) {
  return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
}

function link(href, cls, text) {
  const a = el("a", cls, text);
  a.href = href;
  return a;
}

let pagefind;
try {
  pagefind = await import(new URL("../pagefind/pagefind.js", import.meta.url).href);
  await pagefind.options({ excerptLength: EXCERPT_WORDS });
  pagefind.init();
} catch (err) {
  note.textContent =
    "Search is unavailable here: it needs the site served over http(s) (GitHub Pages, or " +
    "`python -m http.server` in this folder). The lists below work without it.";
  note.hidden = false;
}

if (pagefind) {
  const q = $("q"), topic = $("topic"), code = $("code"), from = $("from"), to = $("to"), sort = $("sort");
  const results = $("results"), list = $("result-list"), status = $("status"), more = $("more");
  const listing = $("listing");
  const defaultTopic = topic.value; // a topic page preselects its topic
  const topicNames = new Map([...topic.options].filter((o) => o.value).map((o) => [o.value, o.text]));
  let current = []; // the current search's results (data loaded lazily)
  let shown = 0;
  let generation = 0; // a newer search makes the older one's late answers void
  let days = null; // every day value in the index, loaded once for date ranges

  async function allDays() {
    if (!days) {
      const filters = await pagefind.filters();
      days = Object.keys(filters.day || {}).sort();
    }
    return days;
  }

  function state() {
    return {
      q: q.value.trim(), topic: topic.value, code: code.checked,
      from: from.value, to: to.value, sort: sort.value,
    };
  }

  function isActive(s) {
    return Boolean(s.q || s.code || s.from || s.to || s.topic !== defaultTopic);
  }

  // The form's state in the address, so a search can be bookmarked or shared.
  function saveState(s) {
    const params = new URLSearchParams();
    if (s.q) params.set("q", s.q);
    if (s.topic !== defaultTopic) params.set("topic", s.topic);
    if (s.code) params.set("code", "yes");
    if (s.from) params.set("from", s.from);
    if (s.to) params.set("to", s.to);
    if (s.sort !== "relevance") params.set("sort", s.sort);
    const query = params.toString();
    history.replaceState(null, "", query ? "?" + query : location.pathname);
  }

  function loadState() {
    const params = new URLSearchParams(location.search);
    if (params.has("q")) q.value = params.get("q");
    if (params.has("topic") && (params.get("topic") === "" || topicNames.has(params.get("topic")))) {
      topic.value = params.get("topic");
    }
    code.checked = params.get("code") === "yes";
    const day = /^\d{4}-\d{2}-\d{2}$/;
    if (day.test(params.get("from") || "")) from.value = params.get("from");
    if (day.test(params.get("to") || "")) to.value = params.get("to");
    if (params.get("sort") === "date") sort.value = "date";
  }

  function excerpt(data) {
    // Pagefind's content is title. authors. abstract: show the abstract, marking matched words.
    const words = (data.content || "").split(/\s+/);
    const skip = ((data.meta.title || "") + " " + (data.meta.authors || "")).split(/\s+/).filter(Boolean).length;
    const hits = new Set(data.locations || []);
    const firstHit = (data.locations || []).find((l) => l >= skip);
    const start = firstHit === undefined ? skip : Math.max(skip, firstHit - Math.floor(EXCERPT_WORDS / 3));
    const p = el("p", "excerpt");
    if (start > skip) p.append("… ");
    const end = Math.min(words.length, start + EXCERPT_WORDS);
    for (let i = start; i < end; i++) {
      if (hits.has(i)) p.append(el("mark", null, words[i]));
      else p.append(words[i]);
      if (i < end - 1) p.append(" ");
    }
    if (end < words.length) p.append(" …");
    return p;
  }

  function item(data) {
    const meta = data.meta || {};
    const li = el("li", "paper");
    const abs = safeUrl(meta.href);
    li.append(abs ? link(abs, "title", meta.title) : el("span", "title", meta.title));
    const line = el("div", "meta");
    const time = el("time", null, meta.date || "");
    if (meta.date) time.dateTime = meta.date;
    line.append(time);
    if (meta.authors) line.append(" · ", el("span", "authors", meta.authors));
    li.append(line);
    const links = el("div", "links");
    if (abs) links.append(link(abs, null, "arXiv:" + (meta.id || "")));
    const repo = safeUrl(meta.code);
    if (repo) links.append(link(repo, "code", "Code"));
    for (const slug of (data.filters && data.filters.topic) || []) {
      if (topicNames.has(slug)) {
        const href = new URL("topics/" + encodeURIComponent(slug) + "/index.html", siteRoot).href;
        links.append(link(href, "tag", topicNames.get(slug)));
      }
    }
    li.append(links, excerpt(data));
    return li;
  }

  async function showMore(gen) {
    const batch = current.slice(shown, shown + PAGE);
    const datas = await Promise.all(batch.map((r) => r.data()));
    if (gen !== generation) return;
    for (const data of datas) list.append(item(data));
    shown += batch.length;
    more.hidden = shown >= current.length;
  }

  async function run() {
    const gen = ++generation;
    document.documentElement.dataset.search = "busy";
    try {
      await search(gen);
    } finally {
      if (gen === generation) document.documentElement.dataset.search = "ready"; // tests wait for this
    }
  }

  async function search(gen) {
    const s = state();
    saveState(s);
    if (!isActive(s)) {
      results.hidden = true;
      listing.hidden = false;
      return;
    }
    const filters = {};
    if (s.topic) filters.topic = s.topic;
    if (s.code) filters.code = "yes";
    let empty = false;
    if (s.from || s.to) {
      // Pagefind filters match exact values: a range is "any of the days in it".
      const inRange = (await allDays()).filter((d) => (!s.from || d >= s.from) && (!s.to || d <= s.to));
      if (inRange.length) filters.day = { any: inRange };
      else empty = true;
    }
    const options = { filters };
    if (s.sort === "date" || !s.q) options.sort = { date: "desc" };
    const found = empty ? { results: [] } : await pagefind.search(s.q || null, options);
    if (gen !== generation || !found) return; // superseded by a newer keystroke
    current = found.results;
    shown = 0;
    list.replaceChildren();
    const n = current.length;
    status.textContent = n === 1 ? "1 paper matches" : `${n} papers match`;
    results.hidden = false;
    listing.hidden = true;
    await showMore(gen);
  }

  let timer;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  q.addEventListener("input", schedule);
  for (const input of [topic, code, from, to, sort]) input.addEventListener("change", run);
  more.addEventListener("click", () => showMore(generation));

  form.hidden = false;
  loadState();
  if (isActive(state())) await run();
  document.documentElement.dataset.search = "ready";
}
