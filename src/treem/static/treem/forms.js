// After a form comes back with errors: bring the error summary into view and put the keyboard
// focus on the first field in error, so that a person on a phone sees what to correct at once.
(function () {
  "use strict";
  function focusFirstError() {
    var summary = document.getElementById("error-summary");
    if (!summary) { return; }
    var field = document.querySelector("main [aria-invalid=true]");
    if (!field) {
      var link = summary.querySelector("a[href^='#']");
      field = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
    }
    summary.scrollIntoView({block: "start"});
    (field || summary).focus({preventScroll: true});
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("#error-summary a[href^='#']");
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) { event.preventDefault(); field.scrollIntoView({block: "center"}); field.focus(); }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusFirstError);
  } else {
    focusFirstError();
  }
})();
