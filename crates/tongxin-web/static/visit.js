// The visit form on a grid worker's phone. Without this script the form posts to its page
// and works all the same. With it:
// - an item shows only when the earlier answer it depends on asks for it (a hidden item's
//   inputs are disabled, so nothing is sent for it);
// - a visit is kept in localStorage before it is sent, and sent to the JSON API under the
//   id the server drew the form with. A visit the network lost stays queued and goes out
//   again when the connection returns (the server stores it once, whatever the retries);
// - the task list sends what is still queued, and says so.
(function () {
  "use strict";
  var KEY = "tongxin.visits";

  function queue() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(list) { localStorage.setItem(KEY, JSON.stringify(list)); }

  function showQueue() {
    var box = document.getElementById("visit-queue");
    if (!box) return;
    var waiting = queue().length;
    box.hidden = waiting === 0;
    box.textContent = waiting ? box.getAttribute("data-waiting") + " (" + waiting + ")" : "";
  }

  // What an answer reads as for a condition: "yes"/"no", a number, or chosen codes.
  function answerKeys(form, code) {
    var field = form.querySelector('[data-code="' + code + '"]');
    if (!field || field.hidden) return [];
    var kind = field.getAttribute("data-kind");
    var keys = [];
    field.querySelectorAll("input, textarea").forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
      if (input.value === "") return;
      if (kind === "yes_no" || kind === "pledge") keys.push(input.value === "true" ? "yes" : "no");
      else keys.push(input.value);
    });
    return keys;
  }

  function matches(keys, wanted) {
    return wanted.some(function (w) {
      if (w === "*") return keys.some(function (k) { return k !== ""; });
      var bound = parseFloat(w.slice(1));
      if (w.charAt(0) === ">") return keys.some(function (k) { return parseFloat(k) > bound; });
      if (w.charAt(0) === "<") return keys.some(function (k) { return parseFloat(k) < bound; });
      return keys.indexOf(w) >= 0;
    });
  }

  function refresh(form) {
    var nobody = form.querySelector('input[name="outcome"][value="nobody_home"]');
    var checklist = document.getElementById("checklist");
    if (checklist) checklist.hidden = !!(nobody && nobody.checked);
    form.querySelectorAll("fieldset.item").forEach(function (field) {
      var item = field.getAttribute("data-when-item");
      if (!item) return;
      var shown = matches(answerKeys(form, item), field.getAttribute("data-when-any").split(","));
      field.hidden = !shown;
      field.querySelectorAll("input, textarea").forEach(function (input) { input.disabled = !shown; });
    });
  }

  // The answers, typed as the checklist expects them.
  function answers(form) {
    var out = {};
    form.querySelectorAll("fieldset.item").forEach(function (field) {
      if (field.hidden) return;
      var code = field.getAttribute("data-code");
      var kind = field.getAttribute("data-kind");
      if (kind === "multi_choice") {
        var chosen = [];
        field.querySelectorAll("input:checked").forEach(function (i) { chosen.push(i.value); });
        if (chosen.length) out[code] = chosen;
        return;
      }
      field.querySelectorAll("input, textarea").forEach(function (input) {
        if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
        var v = input.value.trim();
        if (v === "") return;
        if (kind === "yes_no" || kind === "pledge") out[code] = v === "true";
        else if (kind === "number" && !isNaN(Number(v))) out[code] = Number(v);
        else out[code] = v;
      });
    });
    return out;
  }

  // Sends every queued visit once; a visit the server answered (stored, or refused) leaves
  // the queue, one the network lost stays.
  var sending = false;
  function flush(onDone, onLost) {
    if (sending) return;
    var list = queue();
    if (!list.length) { showQueue(); return; }
    sending = true;
    var next = list[0];
    fetch(next.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": next.csrf },
      body: JSON.stringify(next.body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        save(queue().filter(function (v) { return v.body.client_id !== next.body.client_id; }));
        sending = false;
        if (onDone) onDone(next, response.status, body);
        flush(onDone, onLost);
      });
    }, function () {
      sending = false;
      showQueue();
      if (onLost) onLost();
    });
  }

  function onVisitPage(form) {
    refresh(form);
    form.addEventListener("change", function () { refresh(form); });
    form.addEventListener("input", function () { refresh(form); });
    var clientId = form.querySelector('input[name="client_id"]').value;
    var done = function (visit, status, body) {
      if (visit.body.client_id !== clientId) return;
      if (status === 200 || status === 201) { window.location.assign(form.getAttribute("data-done")); return; }
      var box = document.getElementById("visit-queue");
      box.hidden = false;
      var items = body.error && body.error.details && body.error.details.items;
      box.textContent = form.getAttribute("data-refused") + " " + (items ? items.map(function (i) {
        return i.item + "：" + i.reason;
      }).join("；") : (body.error ? body.error.message : ""));
      box.className = "notice error";
    };
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var nobody = form.querySelector('input[name="outcome"][value="nobody_home"]').checked;
      var body = { client_id: clientId, outcome: nobody ? "nobody_home" : "visited", answers: nobody ? {} : answers(form) };
      var list = queue().filter(function (v) { return v.body.client_id !== clientId; });
      list.push({ url: form.getAttribute("data-api"), csrf: form.querySelector('input[name="_csrf"]').value, body: body });
      save(list);
      flush(done, lost);
    });
    var lost = function () {
      var box = document.getElementById("visit-queue");
      box.hidden = false;
      box.className = "notice";
      box.textContent = form.getAttribute("data-offline");
    };
    window.addEventListener("online", function () { flush(done, lost); });
    setInterval(function () { flush(done, lost); }, 3000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("visit-form");
    if (form) { onVisitPage(form); return; }
    showQueue();
    flush(function () { showQueue(); });
    window.addEventListener("online", function () { flush(function () { showQueue(); }); });
    setInterval(function () { flush(function () { showQueue(); }); }, 5000);
  });
})();
