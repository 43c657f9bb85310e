// BioProof's only script (the Content Security Policy allows scripts from this site only, none
// inline): a <select data-autosubmit> submits its form when its value changes.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});
