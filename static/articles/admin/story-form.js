'use strict';
// The story form's guards in the browser; the server enforces each of them again.
// - One save per click: the first submit disables the buttons, so a double click saves once
//   (the server also refuses a second copy of an add form and a save on a stale version).
// - A body over the limit is not sent: the editor keeps the text and sees the same message the
//   server would give.
// - Who else has the story open: a heartbeat every few seconds refreshes the notice.
window.addEventListener('load', () => {
    const form = document.getElementById('article_form');
    if (!form) {
        return;
    }
    const limits = JSON.parse(document.getElementById('desk-limits').textContent);
    const body = form.querySelector('[name=body]');
    let sending = false;

    form.addEventListener('submit', (event) => {
        if (body && body.value.length > limits.body_max_chars) {
            event.preventDefault();
            const max = limits.body_max_chars.toLocaleString('ru-RU');
            window.alert(`Текст длиннее ${max} знаков (сейчас ${body.value.length.toLocaleString('ru-RU')}): ` +
                'сократите его или разделите на несколько материалов. Текст остаётся в форме.');
            return;
        }
        if (sending) {
            event.preventDefault();
            return;
        }
        sending = true;
        // A disabled button is not sent: carry the clicked one's name and value in its place.
        const clicked = event.submitter;
        if (clicked && clicked.name) {
            const carried = document.createElement('input');
            carried.type = 'hidden';
            carried.name = clicked.name;
            carried.value = clicked.value;
            form.appendChild(carried);
        }
        form.querySelectorAll('[type=submit]').forEach((button) => { button.disabled = true; });
    });
    // Coming back with the browser's back button shows the page as it was left: buttons live.
    window.addEventListener('pageshow', () => {
        sending = false;
        form.querySelectorAll('[type=submit]').forEach((button) => { button.disabled = false; });
    });

    const notice = document.getElementById('presence-notice');
    if (notice) {
        const token = form.querySelector('[name=csrfmiddlewaretoken]').value;
        const beat = () => {
            fetch(notice.dataset.url, {
                method: 'POST',
                headers: {'X-CSRFToken': token},
                credentials: 'same-origin',
            }).then((response) => (response.ok ? response.json() : null)).then((data) => {
                if (!data) {
                    return;
                }
                document.getElementById('presence-names').textContent = data.others.join(', ');
                notice.hidden = data.others.length === 0;
            }).catch(() => {});
        };
        setInterval(beat, Number(notice.dataset.seconds) * 1000);
    }
});
