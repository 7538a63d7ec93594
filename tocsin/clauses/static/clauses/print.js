// The clause page's Print button: the browser's own print, with the print stylesheet.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
