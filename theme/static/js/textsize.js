// 适老化 text size. The radio buttons in the header already enlarge the page
// without JavaScript (site.css, :has(:checked)); this file remembers the
// choice from page to page and marks <html> for browsers without :has().
(function () {
  "use strict";
  var KEY = "gk-textsize";
  var root = document.documentElement;

  function set(value) {
    var input = document.getElementById("gk-textsize-" + value);
    if (!input) return;
    input.checked = true;
    root.setAttribute("data-gk-textsize", value);
  }

  var saved = null;
  try { saved = window.localStorage.getItem(KEY); } catch (e) { saved = null; }
  if (saved) set(saved);

  var inputs = document.querySelectorAll("input[name='gk-textsize']");
  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("change", function () {
      set(input.value);
      try { window.localStorage.setItem(KEY, input.value); } catch (e) { /* private mode: this page only */ }
    });
  });
})();
