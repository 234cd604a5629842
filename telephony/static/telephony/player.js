// The call recording player: ±10 s, playback speed, the waveform, and the table's play buttons.
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

  // The waveform (drawn by the server, maybe swapped in later by htmx): a slider over the recording.
  // Without this script it is a picture beside a plain player.
  const STEP = 5; // seconds per arrow key
  const BIG_STEP = 30; // Page Up / Page Down
  const waveAudio = (wave) => wave.closest("[data-player]")?.querySelector("audio");
  const waveLength = (wave, audio) =>
    Number.isFinite(audio.duration) && audio.duration > 0 ? audio.duration : Number(wave.dataset.duration) || 0;

  const showPosition = (wave, audio) => {
    const length = waveLength(wave, audio);
    const fraction = length ? Math.min(audio.currentTime / length, 1) : 0;
    const played = wave.querySelector(".waveform-played");
    const box = wave.querySelector("svg").viewBox.baseVal;
    played.setAttribute("width", String(fraction * box.width));
    wave.setAttribute("aria-valuemax", String(Math.round(length)));
    wave.setAttribute("aria-valuenow", String(Math.round(audio.currentTime)));
    wave.setAttribute("aria-valuetext", `${format(audio.currentTime)} / ${format(length)}`);
  };

  const seekTo = (wave, seconds) => {
    const audio = waveAudio(wave);
    if (!audio) return;
    const length = waveLength(wave, audio);
    audio.currentTime = Math.min(Math.max(seconds, 0), length || seconds);
    showPosition(wave, audio);
  };

  const prepareWave = (wave) => {
    const audio = waveAudio(wave);
    if (!audio || wave.dataset.ready) return;
    wave.dataset.ready = "1";
    wave.setAttribute("role", "slider");
    wave.setAttribute("tabindex", "0");
    wave.setAttribute("aria-valuemin", "0");
    ["timeupdate", "loadedmetadata", "seeked"].forEach((name) =>
      audio.addEventListener(name, () => showPosition(wave, audio)),
    );
    showPosition(wave, audio);
  };

  const prepareWaves = (root) => {
    if (root.matches?.("[data-waveform]")) prepareWave(root); // htmx swapped in the waveform itself
    root.querySelectorAll("[data-waveform]").forEach(prepareWave);
  };

  document.addEventListener("click", (event) => {
    const wave = event.target.closest("[data-waveform]");
    if (!wave) return;
    const audio = waveAudio(wave);
    if (!audio) return;
    const rect = wave.getBoundingClientRect();
    const fraction = Math.min(Math.max((event.clientX - rect.left) / rect.width, 0), 1);
    seekTo(wave, fraction * waveLength(wave, audio));
  });

  document.addEventListener("keydown", (event) => {
    const wave = event.target.closest?.("[data-waveform]");
    if (!wave) return;
    const audio = waveAudio(wave);
    if (!audio) return;
    const moves = {
      ArrowRight: STEP, ArrowUp: STEP, ArrowLeft: -STEP, ArrowDown: -STEP, PageUp: BIG_STEP, PageDown: -BIG_STEP,
    };
    if (event.key in moves) seekTo(wave, audio.currentTime + moves[event.key]);
    else if (event.key === "Home") seekTo(wave, 0);
    else if (event.key === "End") seekTo(wave, waveLength(wave, audio));
    else if (event.key === " " || event.key === "Enter") {
      if (audio.paused) audio.play().catch(() => {});
      else audio.pause();
    } else return;
    event.preventDefault();
  });

  document.addEventListener("htmx:load", (event) => prepareWaves(event.target));

  document.addEventListener("DOMContentLoaded", () => {
    const panels = Array.from(document.querySelectorAll("[data-player]"));
    panels.forEach(wire);
    prepareWaves(document);
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
