// Instant duplicate warning on the deal registration form: asks the server
// whether the customer and products may already be claimed (yes or no only).
(function () {
  "use strict";
  var form = document.querySelector("form[data-check-url]");
  if (!form || !window.fetch) {
    return;
  }
  var warning = document.getElementById("duplicate-warning");
  var timer = null;
  var latest = 0;

  function query() {
    var params = new URLSearchParams();
    params.set("customer_name", form.elements.customer_name.value);
    params.set("customer_domain", form.elements.customer_domain.value);
    form.querySelectorAll("input[name=product_ids]:checked").forEach(function (box) {
      params.append("products", box.value);
    });
    return params;
  }

  function check() {
    var ticket = ++latest;
    fetch(form.dataset.checkUrl + "?" + query().toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (answer && ticket === latest) {
          warning.hidden = !answer.possible_conflict;
        }
      })
      .catch(function () { /* the server checks again on submission */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 400);
  }

  form.addEventListener("input", function (event) {
    var name = event.target.name;
    if (name === "customer_name" || name === "customer_domain" || name === "product_ids") {
      later();
    }
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "product_ids") {
      later();
    }
  });
  if (form.elements.customer_name.value) {
    check();
  }
})();
