// Filters folded on phones (issue 16): a <details data-gk-open-wide> stays closed
// on a narrow screen, so the results come first, and opens on a wide one, where
// the filters sit beside or above the results. Without JavaScript it is closed and
// opens with a tap, so everything still works.
(function () {
  "use strict";
  if (!window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 40em)");
  if (!wide.matches) return;
  var folds = document.querySelectorAll("details[data-gk-open-wide]");
  Array.prototype.forEach.call(folds, function (fold) { fold.open = true; });
})();
