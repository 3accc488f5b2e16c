'use strict';
// Names for select2's boxes: the admin's autocomplete fields and the story's tags. Select2 4.0
// (the admin's copy) labels its combobox only by the value shown in it, so an empty box has no
// name at all; it gives that value a textbox role of its own inside the combobox; and the
// search inputs it adds (in the tags box, in the dropdown) have no label. A screen reader then
// reads "combobox" and nothing else. Here each box is named after its field's <label>, the
// value still read after it ("Автор: Иван Петров"), as soon as select2 inserts the box beside
// its <select>, rows added to an inline later included. Two more repairs: an open box says
// which list it controls (aria-controls, as ARIA 1.2 asks, beside select2's aria-owns), and
// the open list is placed inside the page's <main> rather than after it, outside every landmark.
// Select2 itself is not changed.
//
// Loaded on every page of the desk (templates/admin/base_site.html), deferred: it runs after
// the admin's jQuery and select2 and before they build any box.
(() => {
    const $ = window.django && django.jQuery;
    const main = document.querySelector('main');
    if ($ && $.fn.select2 && main) {
        $.fn.select2.defaults.set('dropdownParent', $(main));
    }

    const labelIdOf = (select) => {
        const label = select.labels && select.labels[0];
        if (!label) {
            return null;
        }
        if (!label.id) {
            label.id = `${select.id}-label`;
        }
        return label.id;
    };

    const name = (container) => {
        const select = container.previousElementSibling;
        if (!(select instanceof HTMLSelectElement) || !select.id) {
            return;
        }
        const labelId = labelIdOf(select);
        const selection = container.querySelector('.select2-selection');
        if (!labelId || !selection) {
            return;
        }
        const rendered = selection.querySelector('.select2-selection__rendered');
        if (selection.classList.contains('select2-selection--single') && rendered) {
            // The value is the combobox's text, not a second field inside it.
            rendered.removeAttribute('role');
            rendered.removeAttribute('aria-readonly');
            selection.setAttribute('aria-labelledby', `${labelId} ${rendered.id}`);
        } else {
            selection.setAttribute('aria-labelledby', labelId);
        }
        new MutationObserver(() => {
            const list = selection.getAttribute('aria-owns');
            if (list) {
                selection.setAttribute('aria-controls', list);
            } else {
                selection.removeAttribute('aria-controls');
            }
        }).observe(selection, {attributes: true, attributeFilter: ['aria-owns']});
        const searches = [...container.querySelectorAll('.select2-search__field')];
        const instance = $ && $(select).data('select2');
        const dropdownSearch = instance && instance.dropdown && instance.dropdown.$search;
        if (dropdownSearch && dropdownSearch.length) {
            searches.push(dropdownSearch[0]);
        }
        for (const search of searches) {
            search.setAttribute('aria-labelledby', labelId);
        }
    };

    const has = (node, className) =>
        node.nodeType === Node.ELEMENT_NODE && node.classList.contains(className);

    new MutationObserver((mutations) => {
        for (const mutation of mutations) {
            for (const node of mutation.addedNodes) {
                if (has(node, 'select2-container')) {
                    name(node);
                } else if (has(node, 'select2-selection__clear')) {
                    // The cross that empties a box, put back at each change of its value, is for
                    // the mouse (the keyboard's Delete does the same) and no part of its name.
                    node.setAttribute('aria-hidden', 'true');
                }
            }
        }
    }).observe(document.documentElement, {childList: true, subtree: true});
    document.querySelectorAll('.select2-container').forEach(name);
    document.querySelectorAll('.select2-selection__clear').forEach(
        (cross) => cross.setAttribute('aria-hidden', 'true')
    );
})();
