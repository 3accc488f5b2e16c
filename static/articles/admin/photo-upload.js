'use strict';
// The photo form's file input: a photo over the size limit is refused here, before a byte of it
// is sent, with the server's own message (articles/photos.py gives its words and the limit);
// a photo within the limit is shown at once, so the editor sees what they chose.
(function () {
    // Django's filesizeformat: one decimal, the locale's separator, a no-break space.
    const fileSize = (bytes, input) => {
        const units = JSON.parse(input.dataset.sizeUnits);
        const steps = [['GB', 1024 ** 3], ['MB', 1024 ** 2], ['KB', 1024]];
        for (const [unit, size] of steps) {
            if (bytes >= size) {
                const number = (Math.round((bytes / size) * 10) / 10).toFixed(1)
                    .replace('.', input.dataset.decimalSeparator);
                return units[unit].replace('%s', number).replace(/ /g, '\u00a0');
            }
        }
        return `${bytes}\u00a0байт`;
    };

    const errorList = (input) => {
        let list = input.parentElement.querySelector('ul.photo-upload-errors');
        if (!list) {
            list = document.createElement('ul');
            list.className = 'errorlist photo-upload-errors';
            list.setAttribute('role', 'alert');
            input.after(list);
        }
        return list;
    };

    const preview = (input) => document.querySelector(
        `.photo-upload-preview[data-preview-for="${CSS.escape(input.name)}"]`);

    const showChosen = (input, file) => {
        const box = preview(input);
        if (!box) {
            return;
        }
        box.replaceChildren();
        if (file) {
            const image = document.createElement('img');
            image.alt = 'Выбранная фотография';
            image.src = URL.createObjectURL(file);
            image.addEventListener('load', () => URL.revokeObjectURL(image.src), {once: true});
            box.append(image);
        }
    };

    const check = (input) => {
        const file = input.files && input.files[0];
        const list = errorList(input);
        list.replaceChildren();
        if (file && file.size > Number(input.dataset.maxBytes)) {
            const item = document.createElement('li');
            item.textContent = input.dataset.tooLarge.replace('%(size)s', fileSize(file.size, input));
            list.append(item);
            input.value = '';  // nothing of it will be sent
            showChosen(input, null);
            return false;
        }
        showChosen(input, file);
        return true;
    };

    document.addEventListener('change', (event) => {
        if (event.target.matches('input[type=file][data-max-bytes]')) {
            check(event.target);
        }
    });
})();
