// "Скопировать ссылку" on a story page: copies the story's address with one tap. Without this
// script (or a clipboard) the link is simply the address itself, and the page reads the same.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("[data-copy-link]");
  if (!link || !navigator.clipboard) return;
  event.preventDefault();
  navigator.clipboard.writeText(link.href).then(function () {
    var status = link.parentNode.querySelector(".share-status");
    if (status) status.textContent = "Ссылка скопирована";
  });
});
