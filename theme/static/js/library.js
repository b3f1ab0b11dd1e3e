// 政策文件库: combine the filters (发布机构, 年份, 主题分类, 有效性) without
// leaving the page. Without JavaScript the same filters are static pages
// (the links under "按发布机构、年份、主题分类、有效性浏览"); this only makes them
// quicker and lets them combine. Data: policies/index.json, written by plugins/listings.
(function () {
  "use strict";
  var form = document.getElementById("gk-filter");
  var results = document.getElementById("gk-library-results");
  if (!form || !results || !window.fetch) return;
  var MAX_SHOWN = 200;
  var root = form.getAttribute("data-root") || "/";
  var status = document.getElementById("gk-filter-status");
  var selects = form.querySelectorAll("select");
  var pagination = document.querySelector(".gk-pagination");
  var rows = null;

  function chosen() {
    var out = {};
    Array.prototype.forEach.call(selects, function (s) { if (s.value) out[s.name] = s.value; });
    return out;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  function item(row) {
    var li = el("li", "gk-doc-list__item");
    var a = el("a", "gk-doc-list__title", row.t);
    a.href = root + row.u;
    li.appendChild(a);
    var meta = el("span", "gk-doc-list__meta");
    var time = el("time", "", row.z);
    time.setAttribute("datetime", row.d);
    meta.appendChild(time);
    if (row.i) meta.appendChild(el("span", "gk-doc-list__issuer", row.i));
    if (row.n) meta.appendChild(el("span", "gk-doc-list__docno", row.n));
    if (row.v) meta.appendChild(el("span", "gk-tag gk-tag--warning", row.v));
    li.appendChild(meta);
    return li;
  }

  function draw() {
    var want = chosen();
    var keys = Object.keys(want);
    var hits = rows.filter(function (row) {
      return keys.every(function (k) { return row.f[k] === want[k]; });
    });
    var list = el("ul", "gk-doc-list");
    hits.slice(0, MAX_SHOWN).forEach(function (row) { list.appendChild(item(row)); });
    results.replaceChildren(hits.length ? list : el("p", "gk-empty", "没有符合条件的政策文件，请减少筛选条件。"));
    if (pagination) pagination.hidden = true;
    var text = "共 " + hits.length + " 件政策文件";
    if (hits.length > MAX_SHOWN) text += "，显示前 " + MAX_SHOWN + " 件；请增加筛选条件";
    status.textContent = text + "。";
    var query = keys.map(function (k) { return k + "=" + encodeURIComponent(want[k]); }).join("&");
    window.history.replaceState(null, "", query ? "#" + query : window.location.pathname);
  }

  function fromHash() {
    var hash = window.location.hash.replace(/^#/, "");
    if (!hash) return false;
    hash.split("&").forEach(function (pair) {
      var kv = pair.split("=");
      var select = form.querySelector("select[name='" + kv[0].replace(/[^a-z]/g, "") + "']");
      if (select) select.value = decodeURIComponent(kv[1] || "");
    });
    return true;
  }

  fetch(form.getAttribute("data-index"))
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (data) {
      rows = data;
      form.hidden = false;
      form.addEventListener("change", draw);
      form.addEventListener("submit", function (e) { e.preventDefault(); draw(); });
      if (fromHash()) draw();
    })
    .catch(function () { /* the static filter pages still work */ });
})();
