// The country box (portal.widgets.CountryInput): a text box with the list of
// countries by name (<input list> and a <datalist>), so typing "Germ" offers
// Germany and choosing it, or typing the whole name, picks Germany (DE) — never
// Georgia.  The form sends the chosen country's ISO code under the field's name
// in a hidden input; a text that names no country is sent as typed, and the
// server answers with an error next to the field.  Without this script the
// typed name is sent and the server looks it up the same way.
(function () {
  "use strict";

  function key(text) {
    var value = String(text || "");
    if (value.normalize) {
      value = value.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
    }
    return value
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
  }

  function picker(root) {
    if (root.dataset.countryReady) {
      return;
    }
    var text = root.querySelector("[data-country-text]");
    var list = text && text.list;
    if (!text || !list || !text.name) {
      return;
    }
    root.dataset.countryReady = "1";
    var codes = {};
    Array.prototype.forEach.call(list.options, function (option) {
      codes[key(option.value)] = option.dataset.code;
      codes[key(option.dataset.code)] = option.dataset.code;
    });
    var value = document.createElement("input");
    value.type = "hidden";
    value.name = text.name;
    text.removeAttribute("name");
    root.insertBefore(value, text);

    function sync() {
      var typed = text.value.trim();
      value.value = codes[key(typed)] || typed;
    }

    sync();
    text.addEventListener("input", sync);
    text.addEventListener("change", sync);
    if (text.form) {
      text.form.addEventListener("submit", sync);
    }
  }

  function start() {
    document.querySelectorAll("[data-country-picker]").forEach(picker);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
