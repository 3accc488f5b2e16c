'use strict';
// Rows of an ordered inline (teasers, bylines; articles/admin/rows.py). A row moves by dragging
// its handle (pointer events: mouse, pen and touch alike), by its ↑ ↓ buttons, or by Alt+↑ and
// Alt+↓ from any field in it. The hidden position of each filled row follows the rows' order,
// changed only where the order needs it (so saving an untouched block rewrites no row); an empty
// spare row keeps its initial value, so the formset still sees it as unchanged and skips it.
(function () {
    const ROW = '.desk-row:not(.empty-form)';

    const rowsOf = (group) => Array.from(group.querySelectorAll(ROW));

    const positionInput = (group, row) =>
        row.querySelector(`input[type=hidden][name$="-${group.dataset.orderingField}"]`);

    const isFilled = (group, row) => {
        const position = positionInput(group, row);
        return Array.from(row.querySelectorAll('input, select, textarea')).some((field) =>
            field !== position && field.type !== 'hidden' && field.type !== 'checkbox' &&
            field.type !== 'button' && field.value.trim() !== '');
    };

    const renumber = (group) => {
        let place = 0;
        rowsOf(group).forEach((row) => {
            const input = positionInput(group, row);
            if (input && isFilled(group, row)) {
                const current = Number(input.value) || 0;
                place = current > place ? current : place + 1;
                input.value = place;
            }
        });
    };

    const announce = (group, row) => {
        const status = group.querySelector('.desk-rows-status');
        if (status) {
            const rows = rowsOf(group);
            status.textContent = `Строка ${rows.indexOf(row) + 1} из ${rows.length}`;
        }
    };

    const move = (row, step) => {
        const group = row.closest('.desk-rows--ordered');
        const rows = rowsOf(group);
        const target = rows[rows.indexOf(row) + step];
        if (!target) {
            return false;
        }
        if (step < 0) {
            target.before(row);
        } else {
            target.after(row);
        }
        renumber(group);
        announce(group, row);
        return true;
    };

    document.addEventListener('click', (event) => {
        const button = event.target.closest('.desk-rows--ordered .desk-row-move');
        if (button) {
            event.preventDefault();
            move(button.closest('.desk-row'), Number(button.dataset.move));
            button.focus();
        }
    });

    document.addEventListener('keydown', (event) => {
        if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) {
            return;
        }
        const row = event.target.closest('.desk-rows--ordered ' + ROW);
        if (row) {
            event.preventDefault();
            move(row, event.key === 'ArrowUp' ? -1 : 1);
            event.target.focus();
        }
    });

    document.addEventListener('pointerdown', (event) => {
        const handle = event.target.closest('.desk-rows--ordered .desk-row-handle');
        if (!handle || event.button !== 0) {
            return;
        }
        const row = handle.closest('.desk-row');
        const group = row.closest('.desk-rows--ordered');
        event.preventDefault();
        handle.setPointerCapture(event.pointerId);
        row.classList.add('is-dragging');

        const follow = (moveEvent) => {
            const under = document.elementFromPoint(moveEvent.clientX, moveEvent.clientY);
            const target = under && under.closest(ROW);
            if (!target || target === row || target.parentElement !== row.parentElement) {
                return;
            }
            const box = target.getBoundingClientRect();
            if (moveEvent.clientY < box.top + box.height / 2) {
                target.before(row);
            } else {
                target.after(row);
            }
        };
        const drop = () => {
            handle.removeEventListener('pointermove', follow);
            row.classList.remove('is-dragging');
            renumber(group);
            announce(group, row);
        };
        handle.addEventListener('pointermove', follow);
        handle.addEventListener('pointerup', drop, {once: true});
        handle.addEventListener('pointercancel', drop, {once: true});
    });

    // Rows filled or emptied since the last move get their numbers when the form is sent.
    document.addEventListener('submit', (event) => {
        event.target.querySelectorAll('.desk-rows--ordered').forEach(renumber);
    }, true);
})();
