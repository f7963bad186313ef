// Dyadic's own script: only what the browser must do itself. Pages work without it.
document.addEventListener("change", (event) => {
  const box = event.target.closest("[data-toggle-class]");
  if (!box) return;
  const target = document.querySelector(box.dataset.target);
  if (target) target.classList.toggle(box.dataset.toggleClass, box.checked);
});
