/* The desk's keyboard and htmx settings. A static file (the CSP allows no inline script).
 *
 * Keys (not while typing in a field):
 *   j / k     next / previous case in a queue
 *   o, Enter  open the current case
 *   r         reply (on a case page)
 *   f         forward (on a case page)
 *   /         search
 * Everything also works without this file: these are shortcuts, not the only way.
 */
(function () {
  "use strict";

  if (window.htmx) {
    // The CSP forbids inline styles: htmx must not inject its indicator <style>.
    htmx.config.includeIndicatorStyles = false;
    htmx.config.allowEval = false;
    // Form errors come back as 422 (and bad filters as 400) with the form to show again.
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "400", swap: true, error: false },
      { code: "422", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
    ];
  }

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-queue-row]"));
  }

  function current(list) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].classList.contains("current")) return i;
    }
    return -1;
  }

  function move(step) {
    var list = rows();
    if (!list.length) return false;
    var index = current(list);
    var next = index === -1 ? (step > 0 ? 0 : list.length - 1) : index + step;
    next = Math.max(0, Math.min(list.length - 1, next));
    if (index !== -1) list[index].classList.remove("current");
    list[next].classList.add("current");
    var link = list[next].querySelector("[data-open]");
    if (link) link.focus();
    return true;
  }

  function openCurrent() {
    var list = rows();
    var index = current(list);
    if (index === -1) return false;
    var link = list[index].querySelector("[data-open]");
    if (!link) return false;
    link.click();
    return true;
  }

  function focusFirst(selector) {
    var section = document.querySelector(selector);
    if (!section) return false;
    var field = section.querySelector("textarea, select, input:not([type=hidden]), button");
    if (!field) return false;
    section.scrollIntoView({ block: "start" });
    field.focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (typing(event.target)) return;
    var done = false;
    switch (event.key) {
      case "j": done = move(1); break;
      case "k": done = move(-1); break;
      case "o": done = openCurrent(); break;
      case "Enter":
        // A focused link or button does its own thing; Enter on the page opens the row.
        if (!event.target.closest("a, button, summary, [role=button]")) done = openCurrent();
        break;
      case "r": done = focusFirst("#reply form[method=post]") || focusFirst("#act-phone"); break;
      case "f": done = focusFirst("#forward"); break;
      case "/": done = focusFirst(".desk-search"); break;
    }
    if (done) event.preventDefault();
  });

  // A row clicked or focused becomes the current one, so j/k continue from there.
  document.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest("[data-queue-row]");
    if (!row) return;
    rows().forEach(function (other) { other.classList.toggle("current", other === row); });
  });
})();
