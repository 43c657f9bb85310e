// BioProof's only script (the Content Security Policy allows scripts from this site only, none
// inline): a <select data-autosubmit> submits its form when its value changes.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});

// Phones: the navigation collapses behind a "Menu" button (the page works without the script:
// the menu is then always open).
document.documentElement.classList.add("js");
document.addEventListener("click", function (event) {
  var button = event.target instanceof Element ? event.target.closest("[data-nav-toggle]") : null;
  if (!button) {
    return;
  }
  var nav = document.getElementById(button.getAttribute("aria-controls"));
  var open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", open ? "true" : "false");
  if (nav) {
    nav.classList.toggle("open", open);
  }
});
