// The call recording player: ±10 s, playback speed, and the table's play buttons.
"use strict";

(() => {
  const format = (seconds) => {
    const s = Math.max(0, Math.floor(seconds || 0));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  };

  const wire = (panel) => {
    const audio = panel.querySelector("audio");
    const position = panel.querySelector("[data-position]");
    const speed = panel.querySelector("[data-speed]");
    panel.querySelectorAll("[data-seek]").forEach((button) => {
      button.addEventListener("click", () => {
        const target = audio.currentTime + Number(button.dataset.seek);
        const end = Number.isFinite(audio.duration) ? audio.duration : target;
        audio.currentTime = Math.min(Math.max(target, 0), end);
      });
    });
    speed.addEventListener("change", () => {
      audio.playbackRate = Number(speed.value);
    });
    // A new source resets the rate; keep the one chosen.
    audio.addEventListener("loadedmetadata", () => {
      audio.playbackRate = Number(speed.value);
    });
    audio.addEventListener("timeupdate", () => {
      position.textContent = `${format(audio.currentTime)} / ${format(audio.duration)}`;
    });
    return audio;
  };

  document.addEventListener("DOMContentLoaded", () => {
    const panels = Array.from(document.querySelectorAll("[data-player]"));
    panels.forEach(wire);
    const shared = panels.find((panel) => !panel.dataset.src);
    if (!shared) return;
    const audio = shared.querySelector("audio");
    document.addEventListener("click", (event) => {
      const button = event.target.closest("[data-play]");
      if (!button) return;
      shared.classList.remove("d-none");
      if (audio.getAttribute("src") !== button.dataset.play) {
        audio.setAttribute("src", button.dataset.play);
      }
      audio.play().catch(() => {});
    });
  });
})();
