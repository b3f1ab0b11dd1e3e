// The 搜索 page: reads ?q=&sort=&filter=, runs gk-search-core over Pagefind,
// draws results, filters with counts and the live status. Everything typed or
// indexed is inserted with textContent; excerpts go through excerptParts, so
// only Pagefind's <mark> becomes markup.
import { checkQuery, filtersReady, loadFilters, loadTerms, openPagefind, pageBundles, resultExcerpt, runSearch, MAX_QUERY_CHARS } from "./gk-search-core.js";

const PAGE_SIZE = 10;
const FILTER_ORDER = ["五公开", "类型", "发布机构", "年份", "主题分类", "有效性"];
const META_ROWS = [["type", "类型"], ["issuer", "发布机构"], ["date", "发布日期"], ["doc_no", "发文字号"]];

const root = document.getElementById("gk-search");
const form = document.getElementById("gk-search-form");
const input = document.getElementById("gk-search-input");
const status = document.getElementById("gk-search-status");
const app = document.getElementById("gk-search-app");
const list = document.getElementById("gk-search-results");
const more = document.getElementById("gk-search-more");
const filterBox = document.getElementById("gk-search-filters");
const filterGroups = document.getElementById("gk-search-filter-groups");

let pagefindPromise = null;

// Pagefind answers "no results" when a part of its index fails to load; a
// search during which one failed is reported as failed, never as 没有找到.
let failedLoads = 0;
const pageFetch = window.fetch.bind(window);
window.fetch = async (resource, ...rest) => {
  const url = String(resource && resource.url ? resource.url : resource);
  const ours = /\/pagefind[^/]*\//.test(url);
  try {
    const response = await pageFetch(resource, ...rest);
    if (ours && !response.ok) failedLoads += 1;
    return response;
  } catch (err) {
    if (ours) failedLoads += 1;
    throw err;
  }
};
let current = { results: [], shown: 0 };
let searchId = 0;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function loadPagefind() {
  if (!pagefindPromise) {
    // data-bundles are relative to the page (RELATIVE_URLS); import() would resolve them against this module.
    const bundles = pageBundles(root);
    const table = root.dataset.terms ? loadTerms(new URL(root.dataset.terms, document.baseURI).href) : Promise.resolve();
    pagefindPromise = Promise.all([import(`${bundles[0]}pagefind.js`), table])
      .then(([pf]) => openPagefind(pf, bundles, { excerptLength: 36 }));
    // A failed load is tried again on the next search.
    pagefindPromise.catch(() => { pagefindPromise = null; });
  }
  return pagefindPromise;
}

function zhDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
  return m ? `${m[1]}年${parseInt(m[2], 10)}月${parseInt(m[3], 10)}日` : iso || "";
}

function readState() {
  const params = new URLSearchParams(window.location.search);
  const filters = {};
  for (const value of params.getAll("filter")) {
    const at = value.indexOf(":");
    if (at > 0) (filters[value.slice(0, at)] ||= []).push(value.slice(at + 1));
  }
  return { q: params.get("q") || "", sort: params.get("sort") === "date" ? "date" : "relevance", filters };
}

function writeState(state) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  if (state.sort === "date") params.set("sort", "date");
  for (const [name, values] of Object.entries(state.filters)) {
    for (const v of values) params.append("filter", `${name}:${v}`);
  }
  const qs = params.toString();
  window.history.replaceState(null, "", qs ? `?${qs}` : window.location.pathname);
}

function selectedFilters() {
  const filters = {};
  for (const box of filterGroups.querySelectorAll("input[type=checkbox]:checked")) {
    (filters[box.dataset.filter] ||= []).push(box.value);
  }
  return filters;
}

function say(text) {
  status.textContent = text;
}

let filtersFor = null;

// Filters with counts. Drawn once per query, values in a fixed order (so
// keyboard focus and position stay put); when a filter changes only the
// counts are updated.
function renderFilters(counts, chosen, query) {
  if (query === filtersFor) {
    for (const box of filterGroups.querySelectorAll("input[type=checkbox]")) {
      const n = (counts[box.dataset.filter] || {})[box.value] || 0;
      box.parentElement.querySelector(".gk-search__count").textContent = `（${n}）`;
    }
    return;
  }
  filtersFor = query;
  filterGroups.replaceChildren();
  const names = Object.keys(counts).sort((a, b) => FILTER_ORDER.indexOf(a) - FILTER_ORDER.indexOf(b));
  let any = false;
  for (const name of names) {
    const values = Object.entries(counts[name] || {}).filter(([v, n]) => n > 0 || (chosen[name] || []).includes(v));
    if (!values.length) continue;
    any = true;
    values.sort((a, b) => (name === "年份" ? b[0].localeCompare(a[0]) : a[0].localeCompare(b[0], "zh-CN")));
    const fieldset = el("fieldset", "gk-search__filter");
    fieldset.append(el("legend", "gk-search__filter-legend", name));
    for (const [value, count] of values) {
      const label = el("label", "gk-search__filter-option");
      const box = el("input");
      box.type = "checkbox";
      box.value = value;
      box.dataset.filter = name;
      box.checked = (chosen[name] || []).includes(value);
      box.addEventListener("change", () => search());
      label.append(box, document.createTextNode(` ${value} `), el("span", "gk-search__count", `（${count}）`));
      fieldset.append(label);
    }
    filterGroups.append(fieldset);
  }
  filterBox.hidden = !any;
}

function partialNote(result, parts) {
  const cov = result.gkCoverage || { share: 0, found: [] };
  const total = parts.reduce((n, p) => n + Array.from(p.term).length, 0);
  const held = Math.round(cov.share * total);
  const words = cov.found.map((w) => `“${w}”`).join("、");
  if (held >= total) return `部分匹配：含${words}，但不相连`;
  return `部分匹配：只含${words || "其中部分词语"}（查询的 ${total} 个字中的 ${held} 个）`;
}

async function renderMore() {
  const batch = current.results.slice(current.shown, current.shown + PAGE_SIZE);
  const id = searchId;
  const data = await Promise.all(batch.map((r) => r.data()));
  if (id !== searchId) return;
  data.forEach((d, n) => {
    const result = batch[n];
    const item = el("li", "gk-result");
    const heading = el("h3", "gk-result__title");
    const link = el("a", "gk-result__link", d.meta.title || d.url);
    link.href = d.url;
    heading.append(link);
    const meta = el("dl", "gk-result__meta");
    for (const [key, label] of META_ROWS) {
      if (!d.meta[key]) continue;
      const row = el("div", "gk-result__meta-row");
      row.append(el("dt", "gk-result__meta-key", label), el("dd", "gk-result__meta-value",
        key === "date" ? zhDate(d.meta[key]) : d.meta[key]));
      meta.append(row);
    }
    const excerpt = el("p", "gk-result__excerpt");
    // An exact 发文字号/索引号 match highlights the hidden keys; show the opening of the body instead.
    const parts = current.exact ? [[`${(d.content || "").slice(0, 90)}…`, false]] : resultExcerpt(d, current.words);
    for (const [text, mark] of parts) {
      excerpt.append(mark ? el("mark", "gk-result__mark", text) : document.createTextNode(text));
    }
    item.append(heading, meta);
    if (current.partialIds.has(result.id)) item.append(el("p", "gk-result__partial", partialNote(result, current.parts)));
    item.append(excerpt);
    list.append(item);
  });
  current.shown += batch.length;
  more.hidden = current.shown >= current.results.length;
}

async function search() {
  const id = ++searchId;
  const checked = checkQuery(input.value);
  const sort = form.querySelector("input[name=sort]:checked")?.value || "relevance";
  const filters = selectedFilters();
  writeState({ q: input.value.trim(), sort, filters });
  list.replaceChildren();
  more.hidden = true;
  if (checked.kind !== "ok") {
    app.hidden = true;
    const messages = {
      empty: "请输入要搜索的词语、发文字号或索引号。",
      too_long: `搜索词太长（${checked.length} 个字），请缩短到 ${MAX_QUERY_CHARS} 个字以内。`,
      punctuation: "搜索词只有标点符号，请输入文字、发文字号或索引号。",
    };
    say(messages[checked.kind]);
    return;
  }
  say("正在搜索……");
  try {
    await runAndShow(id, checked, sort, filters);
  } catch (err) {
    // No error may leave the page without an answer.
    if (id !== searchId) return;
    showRoutes(true);
    say("搜索时出现问题，没有完成。请稍后再试，或换一个词；也可以通过下方的政策文件库和分类浏览查找。");
  }
}

// The browse routes below the results (政策文件库, by year, issuer, topic): shown
// with every answer that found nothing or failed.
function showRoutes(shown) {
  if (shown) document.getElementById("gk-search-nojs").hidden = false;
}

async function runAndShow(id, checked, sort, filters) {
  let pagefind;
  try {
    pagefind = await loadPagefind();
  } catch (err) {
    if (id !== searchId) return;
    say("搜索功能暂时无法使用，请稍后再试，或通过下方的政策文件库和分类浏览查找。");
    showRoutes(true);
    return;
  }
  const options = { filters: toPagefind(filters), sort };
  const failedBefore = failedLoads;
  const found = await runSearch(pagefind, checked.text, options);
  if (id !== searchId) return;
  if (failedLoads > failedBefore) throw new Error("part of the search index did not load");
  const shown = [...found.results, ...found.partial];
  current = {
    results: shown, shown: 0, exact: found.exact, parts: found.parts,
    words: found.parts.flatMap((p) => p.alts).join(" "), partialIds: new Set(found.partial.map((r) => r.id)),
  };
  app.hidden = false;
  showRoutes(!found.total);
  if (filtersReady(pagefind)) {
    renderFilters(found.filters, filters, checked.text);
  } else {
    // First search: results first, then the filter index, then the counts.
    loadFilters(pagefind).then(async () => {
      const again = await runSearch(pagefind, checked.text, options);
      if (id === searchId) renderFilters(again.filters, filters, checked.text);
    }).catch(() => {});   // without counts the results still stand
  }
  const q = checked.text;
  const how = sort === "date" ? "按发布日期排列" : "按相关度排列";
  const also = found.parts.flatMap((p) => p.alts.filter((a) => a !== p.term));
  const note = also.length ? `（同时搜索了${also.map((a) => `“${a}”`).join("、")}）` : "";
  if (!shown.length) {
    say(`没有找到与“${q}”相关的信息${note}。请换一个词、检查错别字，或减少筛选条件；也可以通过下方的政策文件库和分类浏览查找。`);
    return;
  }
  if (!found.total) {
    say(`没有找到完全符合“${q}”的信息${note}。以下 ${found.partial.length} 条部分匹配，只含其中的部分词语，${how}；请检查是否有错别字，或换一个说法。`);
  } else {
    const count = `找到 ${found.total} 条`;
    const rest = found.partial.length ? `；另有 ${found.partial.length} 条部分匹配的信息列在后面` : "";
    say(`${count}与“${q}”相关的信息${note}，${how}${rest}。`);
  }
  await renderMore();
}

function toPagefind(filters) {
  const out = {};
  for (const [name, values] of Object.entries(filters)) out[name] = { any: values };
  return out;
}

function start() {
  document.getElementById("gk-search-nojs-message").hidden = true;
  const state = readState();
  input.value = state.q;
  for (const radio of form.querySelectorAll("input[name=sort]")) {
    radio.checked = radio.value === state.sort;
    radio.addEventListener("change", () => search());
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  more.addEventListener("click", () => renderMore().catch(() => {
    say("更多结果没有显示出来，请再点一次“显示更多结果”，或刷新页面。");
  }));
  if (state.q || Object.keys(state.filters).length) {
    // Filters from the address are applied once the first result's filters are drawn.
    const pending = state.filters;
    renderFilters(Object.fromEntries(Object.entries(pending).map(([k, vs]) => [k, Object.fromEntries(vs.map((v) => [v, 0]))])), pending, null);
    filtersFor = undefined;
    search();
  }
}

start();
