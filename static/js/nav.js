// The top bar on small screens and for keyboard users.
// - The menu button opens and closes the collapsed navigation (Enter/Space,
//   as a button does), says whether it is open (aria-expanded) and closes on
//   Escape, giving the focus back to the button.
// - The language switch changes language when a language is picked with the
//   mouse or confirmed with Enter; moving through the list with the arrow keys
//   does not reload the page on every step.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function setUpMenu() {
    var button = document.querySelector(".nav-toggle");
    var nav = document.getElementById("mainnav");
    if (!button || !nav) return;
    function setOpen(open) {
      nav.classList.toggle("open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("open")) {
        setOpen(false);
        button.focus();
      }
    });
  }

  function setUpLanguage() {
    var select = document.getElementById("language");
    if (!select) return;
    var byKeyboard = false;
    select.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        select.form.submit();
        return;
      }
      byKeyboard = true;
    });
    select.addEventListener("pointerdown", function () {
      byKeyboard = false;
    });
    select.addEventListener("change", function () {
      if (!byKeyboard) select.form.submit();
    });
  }

  function ready() {
    setUpMenu();
    setUpLanguage();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
