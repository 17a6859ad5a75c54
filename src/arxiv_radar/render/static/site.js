// arxiv-radar site search: the site's own index (render/site_search.py) behind a small form.
// It loads the part manifest, then for a query one shard per part and query word, and the
// result chunks it shows: never the whole index.
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

// ---------------------------------------------------------------- the index (site_search.py)
// Words, fold and bucket must match render/site_search.py exactly (tests check they do).

const WORD = /[\p{L}\p{N}]+/gu;

export function tokens(text) {
  return (text || "").toLowerCase().match(WORD) || [];
}

export function fold(word) {
  if (!word.endsWith("s")) return word;
  const n = Array.from(word).length; // code points, as Python counts (𝐀 is one, not two)
  if (n > 4 && word.endsWith("ies")) return word.slice(0, -3) + "y";
  if (n > 3 && !/(ss|us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

export function bucket(term, shards) {
  let h = 0;
  for (const ch of Array.from(term).slice(0, 3)) h = (Math.imul(h, 31) + ch.codePointAt(0)) >>> 0;
  return h % shards;
}

const searchRoot = new URL("../search/", import.meta.url);
const cache = new Map();

function fetchJSON(path, version) {
  const url = new URL(path, searchRoot);
  // A part's files keep their names; its version in the query makes a rebuilt part fresh.
  if (version) url.search = "v=" + version;
  const key = url.href;
  if (!cache.has(key)) {
    const p = fetch(url, version ? {} : { cache: "no-cache" }).then((r) => {
      if (!r.ok) throw new Error(`${r.status} for ${url.pathname}`);
      return r.json();
    });
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return cache.get(key);
}

function undelta(list) {
  const out = new Array(list.length);
  let last = 0;
  for (let i = 0; i < list.length; i++) out[i] = last += list[i];
  return out;
}

const DAY_MS = 86400000;
const dayNumber = (iso) => Math.floor(Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / DAY_MS);

async function partDocs(part) {
  const key = "docs:" + part.name + part.v;
  if (!cache.has(key)) {
    cache.set(key, fetchJSON(`${part.name}/docs.json`, part.v).then((d) => ({
      days: undelta(d.days),
      len: d.len,
      code: new Set(undelta(d.code)),
      topics: Object.fromEntries(Object.entries(d.topics).map(([slug, ns]) => [slug, new Set(undelta(ns))])),
    })));
  }
  return cache.get(key);
}

// The postings of one query word in one part: term -> [[paper, weight], ...] for the word
// itself and, for words of three letters or more, every longer word it begins.
async function wordPostings(part, word) {
  const shard = await fetchJSON(`${part.name}/t${bucket(word, part.shards)}.json`, part.v);
  const out = [];
  for (const [term, list] of Object.entries(shard)) {
    if (term !== word && !(word.length >= 3 && term.startsWith(word))) continue;
    const flat = list.split(",").map(Number);
    const hits = [];
    const half = flat.length / 2; // [paper deltas..., weights...]
    let doc = 0;
    for (let i = 0; i < half; i++) hits.push([(doc += flat[i]), flat[half + i]]);
    out.push({ term, exact: term === word, hits });
  }
  return out;
}

// One search over every part: AND of the query words (each word: itself or a longer word it
// begins), BM25 with site-wide document frequencies, then the filters.
async function searchIndex({ q, topic, code, from, to, sort }) {
  const manifest = await fetchJSON("manifest.json");
  const words = [...new Set(tokens(q).map(fold))];
  const lo = from ? dayNumber(from) : -Infinity;
  const hi = to ? dayNumber(to) : Infinity;
  const parts = manifest.parts.filter((p) => (!from || p.to >= from) && (!to || p.from <= to));
  const perPart = await Promise.all(parts.map(async (part) => {
    const lists = words.length ? await Promise.all(words.map((w) => wordPostings(part, w))) : [];
    // A part where some word has no match holds no result: its papers' table is not needed.
    const docs = lists.some((list) => !list.length) ? null : await partDocs(part);
    return { part, docs, lists };
  }));
  // Document frequency of each term over the parts searched.
  const df = new Map();
  for (const { lists } of perPart) {
    for (const list of lists) for (const { term, hits } of list) df.set(term, (df.get(term) || 0) + hits.length);
  }
  const n = perPart.reduce((sum, { part }) => sum + part.docs, 0);
  const idf = (term) => Math.log(1 + (n - df.get(term) + 0.5) / (df.get(term) + 0.5));
  const k1 = 1.2, b = 0.75, avg = manifest.avglen || 1;
  const found = [];
  for (const { part, docs, lists } of perPart) {
    if (!docs) continue;
    const keep = (d) =>
      (!topic || (docs.topics[topic] && docs.topics[topic].has(d))) &&
      (!code || docs.code.has(d)) && docs.days[d] >= lo && docs.days[d] <= hi;
    if (!words.length) {
      for (let d = 0; d < docs.days.length; d++) if (keep(d)) found.push({ part, d, day: docs.days[d], score: 0 });
      continue;
    }
    let scores = null;
    for (const list of lists) {
      const mine = new Map();
      for (const { term, exact, hits } of list) {
        const w = idf(term) * (exact ? 1 : 0.5);
        for (const [d, tf] of hits) {
          if (scores && !scores.has(d)) continue;
          const norm = tf * (k1 + 1) / (tf + k1 * (1 - b + b * docs.len[d] / avg));
          mine.set(d, Math.max(mine.get(d) || 0, w * norm));
        }
      }
      if (scores) for (const [d, s] of mine) mine.set(d, s + scores.get(d));
      scores = mine;
    }
    for (const [d, score] of scores || []) if (keep(d)) found.push({ part, d, day: docs.days[d], score });
  }
  const byDate = (x, y) => y.day - x.day || (y.part.name > x.part.name ? 1 : y.part.name < x.part.name ? -1 : y.d - x.d);
  found.sort(sort === "date" || !words.length ? byDate : (x, y) => y.score - x.score || byDate(x, y));
  return {
    words,
    results: found.map((r) => ({
      data: async () => {
        const chunk = await fetchJSON(`${r.part.name}/c${Math.floor(r.d / manifest.chunk)}.json`, r.part.v);
        const [id, title, authors, abstract, codeUrl, date, topics] = chunk[r.d % manifest.chunk];
        return { id, title, authors, abstract, code: codeUrl, date, topics };
      },
    })),
  };
}

let ready = false;
try {
  if (location.protocol === "file:") throw new Error("file://");
  await fetchJSON("manifest.json");
  ready = true;
} catch (err) {
  note.textContent =
    "Search is unavailable here: it needs the site served over http(s) (GitHub Pages, or " +
    "`python -m http.server` in this folder). The lists below work without it.";
  note.hidden = false;
}

if (ready) {
  const q = $("q"), topic = $("topic"), code = $("code"), from = $("from"), to = $("to"), sort = $("sort");
  const results = $("results"), list = $("result-list"), status = $("status"), more = $("more");
  const listing = $("listing");
  const defaultTopic = topic.value; // a topic page preselects its topic
  const topicNames = new Map([...topic.options].filter((o) => o.value).map((o) => [o.value, o.text]));
  let current = []; // the current search's results (data loaded lazily)
  let shown = 0;
  let generation = 0; // a newer search makes the older one's late answers void
  let queryWords = []; // the current search's words, folded, for marking excerpts

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

  function matches(word) {
    return tokens(word).map(fold).some((t) => queryWords.some((w) => t === w || (w.length >= 3 && t.startsWith(w))));
  }

  function excerpt(data) {
    // The abstract, from a little before the first matched word, matched words marked.
    const words = (data.abstract || "").split(/\s+/).filter(Boolean);
    const hits = words.map(matches);
    const firstHit = hits.indexOf(true);
    const start = firstHit < 0 ? 0 : Math.max(0, firstHit - Math.floor(EXCERPT_WORDS / 3));
    const p = el("p", "excerpt");
    if (start > 0) p.append("… ");
    const end = Math.min(words.length, start + EXCERPT_WORDS);
    for (let i = start; i < end; i++) {
      if (hits[i]) p.append(el("mark", null, words[i]));
      else p.append(words[i]);
      if (i < end - 1) p.append(" ");
    }
    if (end < words.length) p.append(" …");
    return p;
  }

  function item(data) {
    const li = el("li", "paper");
    const abs = data.id ? "https://arxiv.org/abs/" + data.id.split("/").map(encodeURIComponent).join("/") : null;
    li.append(abs ? link(abs, "title", data.title) : el("span", "title", data.title));
    const line = el("div", "meta");
    const time = el("time", null, data.date || "");
    if (data.date) time.dateTime = data.date;
    line.append(time);
    if (data.authors) line.append(" · ", el("span", "authors", data.authors));
    li.append(line);
    const links = el("div", "links");
    if (abs) links.append(link(abs, null, "arXiv:" + data.id));
    const repo = safeUrl(data.code);
    if (repo) links.append(link(repo, "code", "Code"));
    for (const slug of data.topics || []) {
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
      if (gen === generation) note.hidden = true;
    } catch (err) {
      // A part missing mid-deploy, or the network: say so; the lists below still work.
      if (gen === generation) {
        note.textContent = "Search failed (" + err.message + "); try again in a moment.";
        note.hidden = false;
      }
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
    const found = await searchIndex(s);
    if (gen !== generation) return; // superseded by a newer keystroke
    queryWords = found.words;
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
