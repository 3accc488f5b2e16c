'use strict';
// "Скопировать" beside a read-only link on the desk (the preview link): copies the field's text
// and says so on the button for a moment. Without the clipboard API the field is selected, so
// Ctrl+C does the rest.
document.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-copy-from]');
    if (!button) {
        return;
    }
    const field = document.getElementById(button.dataset.copyFrom);
    field.select();
    if (navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(() => {
            const label = button.textContent;
            button.textContent = 'Скопировано';
            setTimeout(() => { button.textContent = label; }, 1500);
        });
    }
});
