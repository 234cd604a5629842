// The period select and the date fields of the calls filter agree: typing a date makes the period
// "custom"; choosing a named period clears the dates (which would otherwise win).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-testid='call-filters']");
  if (!form) return;
  const preset = form.querySelector("select[name='preset']");
  const dates = form.querySelectorAll("input[name='date_from'], input[name='date_to']");
  if (!preset) return;
  dates.forEach((input) => {
    input.addEventListener("change", () => {
      if (input.value) preset.value = "custom";
    });
  });
  preset.addEventListener("change", () => {
    if (preset.value !== "custom") dates.forEach((input) => { input.value = ""; });
  });
});
