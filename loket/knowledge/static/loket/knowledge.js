// "Insert into the reply" on the FAQ suggestions of a case (knowledge:suggest with a case):
// records the use (knowledge_desk:use, JSON) and puts the article's text into the reply's
// textarea at the cursor. Without JavaScript the same form posts and the page reloads.
(function () {
  "use strict";
  if (window.loketKnowledgeInsert) {
    return;
  }
  window.loketKnowledgeInsert = true;

  // Where the agent last put the cursor in a reply box; a box never touched gets the article
  // at its end (after the greeting), not before it.
  var touched = new WeakSet();
  document.addEventListener("focusin", function (event) {
    if (event.target instanceof HTMLTextAreaElement) {
      touched.add(event.target);
    }
  });

  function insertAtCursor(area, text) {
    var start = touched.has(area) ? area.selectionStart : area.value.length;
    var end = touched.has(area) ? area.selectionEnd : area.value.length;
    var before = area.value.slice(0, start);
    var after = area.value.slice(end);
    var gap = before && !before.endsWith("\n\n") ? (before.endsWith("\n") ? "\n" : "\n\n") : "";
    area.value = before + gap + text + after;
    var cursor = (before + gap + text).length;
    area.setSelectionRange(cursor, cursor);
    area.dispatchEvent(new Event("input", { bubbles: true }));
    area.focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("faq-insert")) {
      return;
    }
    var area = document.getElementById(form.dataset.insertInto || "");
    if (!area) {
      return; // no reply box on this page: let the form post as it would without JavaScript
    }
    event.preventDefault();
    var status = form.querySelector(".faq-insert-status");
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) {
            throw new Error(answer.errors ? JSON.stringify(answer.errors) : response.statusText);
          }
          return answer;
        });
      })
      .then(function (answer) {
        insertAtCursor(area, answer.text);
        if (status) {
          status.textContent = form.dataset.inserted || "✓";
        }
      })
      .catch(function () {
        if (status) {
          status.textContent = form.dataset.failed || "✗";
        }
      })
      .finally(function () {
        button.disabled = false;
      });
  });
})();
