// Compose: offer only the chosen account's fax numbers and capabilities.
(function () {
  const account = document.getElementById("id_account");
  const number = document.getElementById("id_our_number");
  if (!account || !number) return;
  const groups = Array.from(number.querySelectorAll("optgroup"));
  function sync() {
    const label = account.options[account.selectedIndex] ? account.options[account.selectedIndex].text : "";
    let firstVisible = null;
    groups.forEach(function (group) {
      const mine = label.indexOf(group.label) === 0;
      group.hidden = !mine;
      Array.from(group.querySelectorAll("option")).forEach(function (option) {
        option.disabled = !mine;
        if (mine && !firstVisible) firstVisible = option;
      });
    });
    const current = number.options[number.selectedIndex];
    if (!current || current.disabled) {
      // An account without fax numbers (Telphin sends from its extension) keeps the empty choice.
      (firstVisible || number.options[0]).selected = true;
    }
    document.querySelectorAll("[data-caps-for]").forEach(function (card) {
      const shown = card.getAttribute("data-caps-for") === account.value;
      card.hidden = !shown;
      if (shown) {
        const schedule = document.querySelector('[data-capability="schedule"]');
        if (schedule) schedule.hidden = card.getAttribute("data-schedule") !== "1";
      }
    });
  }
  account.addEventListener("change", sync);
  sync();
})();
