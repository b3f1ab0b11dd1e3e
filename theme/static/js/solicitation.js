// 意见征集: the state as it is when the page is read, not when it was built.
// A page built at 00:05 would otherwise say 未开始 all day for a draft that
// opens at 10:00, and 征集中 until midnight for one that closed at 17:30.
//
// Every element with data-gk-solicitation carries JSON the build wrote
// (gongkai.core.solicitation.view_data): the opening, closing and overdue
// moments, the build's state and the text of every state. Inside it:
//   data-gk-sol="banner|label|days|notice"  gets that text for the current state
//   data-gk-sol-when="upcoming open …"      is shown only in those states
//   data-gk-sol-class="gk-x"                 has its gk-x--<state> class replaced
// A container with data-gk-sol-group holds a data-gk-sol-empty element, shown
// when no item in it is visible. Without JavaScript the build's state stands.
(function () {
  "use strict";
  var DAY = 86400000;
  var OFFSET = 8 * 3600000;   // Beijing time; China has no daylight saving

  function day(t) { return Math.floor((t + OFFSET) / DAY); }

  var ORDER = ["upcoming", "open", "closed", "responded"];

  // The state at `now`, never earlier than the build's (a reader's clock that is
  // behind does not reopen a closed solicitation); 已反馈 only once a build has
  // published the feedback.
  function stateAt(d, now) {
    var state = now < d.opensAt ? "upcoming" : now < d.closesAt ? "open" : "closed";
    return ORDER.indexOf(d.state) > ORDER.indexOf(state) ? d.state : state;
  }

  function texts(d, now) {
    var state = stateAt(d, now);
    var key = state;
    var daysText = "";
    if (state === "open") {
      var left = day(d.closesAt) - day(now);
      key = left === 0 ? "today" : "open";
      daysText = left === 0 ? d.days.today : d.days.open.replace("{days}", String(left));
    } else if (state === "closed" && d.overdueAt !== null && now >= d.overdueAt) {
      key = "overdue";
    }
    var banner = d.banner[key].replace("{days}", String(day(d.closesAt) - day(now)));
    var notice = d.notice[key] || d.notice[state];
    return { state: state, banner: banner, label: d.label[state], days: daysText, notice: notice };
  }

  function setText(el, text) {
    if (el.textContent !== text) el.textContent = text;
  }

  function update(scope, now) {
    var d = scope._gkData;
    var t = texts(d, now);
    var parts = [scope].concat(Array.prototype.slice.call(scope.querySelectorAll("[data-gk-sol], [data-gk-sol-when], [data-gk-sol-class]")));
    parts.forEach(function (el) {
      var what = el.getAttribute("data-gk-sol");
      if (what && t[what] !== undefined) setText(el, t[what]);
      var when = el.getAttribute("data-gk-sol-when");
      if (when !== null) {
        var show = when.split(/\s+/).indexOf(t.state) >= 0;
        if (el.hidden === show) el.hidden = !show;
      }
      var prefix = el.getAttribute("data-gk-sol-class");
      if (prefix) {
        ORDER.forEach(function (s) {
          el.classList.toggle(prefix + "--" + s, s === t.state);
        });
      }
    });
  }

  var scopes = [];
  Array.prototype.forEach.call(document.querySelectorAll("[data-gk-solicitation]"), function (el) {
    var d;
    try { d = JSON.parse(el.getAttribute("data-gk-solicitation")); } catch (e) { return; }
    d.opensAt = Date.parse(d.opens);
    d.closesAt = Date.parse(d.closes);
    d.overdueAt = d.overdue ? Date.parse(d.overdue) : null;
    if (isNaN(d.opensAt) || isNaN(d.closesAt)) return;
    el._gkData = d;
    scopes.push(el);
  });
  if (!scopes.length) return;

  function refresh() {
    var now = Date.now();
    scopes.forEach(function (el) { update(el, now); });
    Array.prototype.forEach.call(document.querySelectorAll("[data-gk-sol-group]"), function (group) {
      var empty = group.querySelector("[data-gk-sol-empty]");
      if (!empty) return;
      var items = group.querySelectorAll("[data-gk-solicitation]");
      var any = Array.prototype.some.call(items, function (el) { return !el.hidden; });
      if (empty.hidden !== any) empty.hidden = any;
    });
  }

  refresh();
  // A page left open moves on too: opening, closing and midnight are at most a minute late.
  window.setInterval(refresh, 30000);
})();
