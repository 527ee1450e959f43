// Search and filters of the home page, on the reader's device (no request is made): a word of
// the title, the institution or the code, without regard to accents or case.
(function () {
  "use strict";
  var list = document.getElementById("commitments");
  if (!list) { return; }
  var query = document.getElementById("q");
  var plan = document.getElementById("plan-filter");
  var status = document.getElementById("status-filter");
  var count = document.getElementById("search-count");
  var items = Array.prototype.slice.call(list.querySelectorAll("li"));
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var texts = items.map(function (li) { return fold(li.getAttribute("data-text")); });
  function apply() {
    var words = fold(query.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    items.forEach(function (li, i) {
      var ok = words.every(function (w) { return texts[i].indexOf(w) !== -1; })
        && (!plan.value || li.getAttribute("data-plan") === plan.value)
        && (!status.value || li.getAttribute("data-status") === status.value);
      li.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var noun = items.length === 1 ? count.getAttribute("data-noun-one") : count.getAttribute("data-noun");
    count.textContent = shown + " " + count.getAttribute("data-of") + " " + items.length + " " + noun;
  }
  [query, plan, status].forEach(function (el) { el.addEventListener("input", apply); el.addEventListener("change", apply); });
  apply();
})();
