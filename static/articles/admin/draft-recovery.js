'use strict';
// Unsaved text survives a crashed browser, a closed tab and an expired session.
//
// While a story form is edited, its fields are copied to the browser's local storage under a key
// of this user and this story ("new" for the add form), with the edit token the form was opened
// with. When the form opens again and the copy differs from what the form shows, a notice offers
// to restore it. A copy taken from an older save of the story brings its old edit token back
// with it, so saving it is refused as stale and the editor sees what changed first: a restore
// never overwrites a newer save silently. The server sanitizes a restored body like any other.
(function () {
    // The rich-text editor announces itself when ready; its document is what the editor shows.
    const editors = new Map();
    document.addEventListener('prose-editor:ready', (event) => {
        editors.set(event.detail.textarea, event.detail.editor);
    });
    const SKIPPED = new Set(['csrfmiddlewaretoken', 'edit_token', 'form_key', 'overwrite', '_transition']);
    const SAVE_DELAY_MS = 800;

    function fieldsOf(form) {
        return Array.from(form.elements).filter((el) => el.name && !SKIPPED.has(el.name) &&
            !el.name.endsWith('-TOTAL_FORMS') && !el.name.endsWith('-INITIAL_FORMS') &&
            !el.name.endsWith('-MIN_NUM_FORMS') && !el.name.endsWith('-MAX_NUM_FORMS') &&
            el.type !== 'file' && el.type !== 'submit' && el.type !== 'button');
    }

    function read(form) {
        const values = {};
        fieldsOf(form).forEach((el) => {
            if (el.type === 'checkbox') {
                values[el.name] = {checked: el.checked};
            } else if (el.tagName === 'SELECT') {
                values[el.name] = {options: Array.from(el.selectedOptions).map((o) => [o.value, o.text])};
            } else if (el.type !== 'radio' || el.checked) {
                values[el.name] = {value: el.value};
            }
        });
        return values;
    }

    function same(a, b) {
        return JSON.stringify(a) === JSON.stringify(b);
    }

    function write(form, values) {
        fieldsOf(form).forEach((el) => {
            const saved = values[el.name];
            if (!saved) {
                return;
            }
            if (el.type === 'checkbox') {
                el.checked = saved.checked;
            } else if (el.tagName === 'SELECT') {
                const wanted = new Map(saved.options);
                wanted.forEach((text, value) => {
                    if (!Array.from(el.options).some((o) => o.value === value)) {
                        el.add(new Option(text, value));
                    }
                });
                Array.from(el.options).forEach((o) => { o.selected = wanted.has(o.value); });
            } else if (el.type !== 'radio') {
                el.value = saved.value;
            }
            el.dispatchEvent(new Event('change', {bubbles: true}));
            if (window.django && django.jQuery) {
                django.jQuery(el).trigger('change');
            }
            // The rich-text editor shows its own document: give it the restored text too.
            const editor = editors.get(el) || editorBeside(el);
            if (editor) {
                editor.commands.setContent(saved.value);
            }
        });
    }

    // The editor of a textarea, found in the DOM (ProseMirror's element carries it) when its
    // ready event came before this script listened.
    function editorBeside(textarea) {
        const row = textarea.closest('.form-row') || textarea.parentElement;
        const element = Array.from(row.querySelectorAll('.ProseMirror')).find((e) => e.editor);
        return element ? element.editor : null;
    }

    function notice(form, text, actions) {
        const box = document.createElement('div');
        box.className = 'draft-notice';
        box.setAttribute('role', 'status');
        const message = document.createElement('p');
        message.textContent = text;
        box.appendChild(message);
        actions.forEach(([label, handler, primary]) => {
            const button = document.createElement('button');
            button.type = 'button';
            button.className = primary ? 'button default' : 'button';
            button.textContent = label;
            button.addEventListener('click', () => { handler(); box.remove(); });
            box.appendChild(button);
        });
        form.prepend(box);
        return box;
    }

    window.addEventListener('load', () => {
        const form = document.getElementById('article_form');
        const contextElement = document.getElementById('draft-context');
        if (!form || !contextElement || !window.localStorage) {
            return;
        }
        const context = JSON.parse(contextElement.textContent);
        const tokenField = form.querySelector('[name=edit_token]');
        const shown = read(form);
        let stored = null;
        try {
            stored = JSON.parse(localStorage.getItem(context.key) || 'null');
        } catch (error) {
            localStorage.removeItem(context.key);
        }
        if (stored && same(stored.values, shown)) {
            localStorage.removeItem(context.key);
            stored = null;
        }
        if (stored) {
            const when = new Date(stored.at).toLocaleString('ru-RU', {
                day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
            });
            const newer = stored.version !== context.version && context.version;
            const text = `В этом браузере есть несохранённый текст этого материала от ${when}.` +
                (newer ? ` После этого материал сохраняли (${context.savedBy}, ${context.savedAt}):` +
                    ' при сохранении восстановленного текста форма покажет, что изменилось, и попросит подтвердить.' : '');
            notice(form, text, [
                ['Восстановить', () => {
                    write(form, stored.values);
                    if (tokenField && stored.token) {
                        tokenField.value = stored.token;
                    }
                }, true],
                ['Отбросить', () => localStorage.removeItem(context.key), false],
            ]);
        }

        let timer = null;
        const store = () => {
            clearTimeout(timer);
            const values = read(form);
            if (same(values, shown) && !stored) {
                return;
            }
            try {
                localStorage.setItem(context.key, JSON.stringify({
                    values,
                    token: tokenField ? tokenField.value : '',
                    version: context.version,
                    at: Date.now(),
                }));
            } catch (error) {
                // Over the browser's quota: the server still keeps every saved revision.
            }
        };
        const keep = () => {
            clearTimeout(timer);
            timer = setTimeout(store, SAVE_DELAY_MS);
        };
        form.addEventListener('input', keep);
        form.addEventListener('change', keep);
        // The last words typed before "Сохранить" are kept too: a save the server cannot take
        // (its database is down, the session expired) leaves the copy to offer back.
        form.addEventListener('submit', store);
    });
}());
