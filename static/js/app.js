// Site-wide behaviour; no inline scripts anywhere (Content-Security-Policy).
// No select submits its form on change: a keyboard user moving through the options
// would change a role or the language on every arrow press (WCAG 3.2.2). Forms have buttons.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});
