// The partner picker (portal.widgets.PartnerPicker): a text box that suggests
// partners as one types, from the console's partner search, and puts the chosen
// partner's id in the hidden input the form sends.  A combobox with a listbox:
// arrow keys move through the suggestions, Enter chooses, Escape closes (or
// clears).  Editing the text after choosing forgets the choice, so the form
// never sends a partner the box does not show.
(function () {
  "use strict";
  if (!window.fetch || !window.URLSearchParams) {
    return;
  }

  function picker(root) {
    var text = root.querySelector("[data-picker-text]");
    var value = root.querySelector("[data-picker-value]");
    var list = root.querySelector("[role=listbox]");
    var status = root.querySelector("[role=status]");
    if (!text || !value || !list || !root.dataset.url) {
      return;
    }
    var chosenName = value.value ? text.value : "";
    var options = [];
    var active = -1;
    var timer = null;
    var latest = 0;

    text.readOnly = false;

    function say(message) {
      status.textContent = message;
    }

    function setActive(index) {
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "false");
      }
      active = index;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "true");
        text.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
      } else {
        text.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      setActive(-1);
      list.hidden = true;
      text.setAttribute("aria-expanded", "false");
    }

    function show(results) {
      list.textContent = "";
      options = results.map(function (partner, index) {
        var option = document.createElement("li");
        option.id = list.id + "_" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.id = String(partner.id);
        option.textContent = partner.name;
        list.appendChild(option);
        return option;
      });
      active = -1;
      text.removeAttribute("aria-activedescendant");
      list.hidden = options.length === 0;
      text.setAttribute("aria-expanded", options.length ? "true" : "false");
      say(
        options.length
          ? root.dataset.found.replace("%(n)s", String(options.length))
          : root.dataset.none
      );
    }

    function choose(option) {
      value.value = option.dataset.id;
      text.value = option.textContent;
      chosenName = text.value;
      close();
      say(root.dataset.chosen.replace("%(name)s", chosenName));
      value.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function search() {
      var ticket = ++latest;
      var url = new URL(root.dataset.url, window.location.href);
      url.searchParams.set("q", text.value.trim());
      fetch(url.toString(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (ticket !== latest || document.activeElement !== text) {
            return;
          }
          if (answer && Array.isArray(answer.results)) {
            show(answer.results);
          } else {
            close();
            say(root.dataset.failed);
          }
        })
        .catch(function () {
          if (ticket === latest) {
            close();
            say(root.dataset.failed);
          }
        });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 250);
    }

    text.addEventListener("input", function () {
      if (text.value !== chosenName && value.value) {
        value.value = "";
        chosenName = "";
        value.dispatchEvent(new Event("change", { bubbles: true }));
      }
      later();
    });

    text.addEventListener("keydown", function (event) {
      var open = !list.hidden && options.length > 0;
      switch (event.key) {
        case "ArrowDown":
        case "Down":
          event.preventDefault();
          if (open) {
            setActive(active + 1 < options.length ? active + 1 : 0);
          } else {
            window.clearTimeout(timer);
            search();
          }
          break;
        case "ArrowUp":
        case "Up":
          if (open) {
            event.preventDefault();
            setActive(active > 0 ? active - 1 : options.length - 1);
          }
          break;
        case "Home":
        case "End":
          if (open && active >= 0) {
            event.preventDefault();
            setActive(event.key === "Home" ? 0 : options.length - 1);
          }
          break;
        case "Enter":
          if (open) {
            event.preventDefault(); // choose, do not send the form yet
            choose(options[active >= 0 ? active : 0]);
          }
          break;
        case "Escape":
        case "Esc":
          if (open) {
            event.preventDefault();
            close();
          } else if (text.value) {
            event.preventDefault();
            text.value = "";
            text.dispatchEvent(new Event("input", { bubbles: true }));
            window.clearTimeout(timer);
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    // A press on a suggestion keeps the focus in the text box; the click chooses.
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) {
        choose(option);
      }
    });
    text.addEventListener("blur", function () {
      window.clearTimeout(timer);
      latest++; // an answer arriving after the focus left opens nothing
      close();
    });
  }

  function start() {
    document.querySelectorAll("[data-partner-picker]").forEach(picker);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
