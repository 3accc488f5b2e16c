'use strict';
// Names for select2's boxes: the admin's autocomplete fields and the story's tags. Select2 4.0
// (the admin's copy) labels its combobox only by the value shown in it, so an empty box has no
// name at all; it gives that value a textbox role of its own inside the combobox; and the
// search inputs it adds (in the tags box, in the dropdown) have no label. A screen reader then
// reads "combobox" and nothing else. Here each box is named after its field's <label>, the
// value still read after it ("Автор: Иван Петров"), as soon as select2 inserts the box beside
// its <select>, rows added to an inline later included. Select2 itself is not changed.
//
// Loaded on every page of the desk (templates/admin/base_site.html), before jQuery: nothing
// here touches select2 until it has built a box.
(() => {
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
        const searches = [...container.querySelectorAll('.select2-search__field')];
        const instance = window.django && django.jQuery && django.jQuery(select).data('select2');
        const dropdownSearch = instance && instance.dropdown && instance.dropdown.$search;
        if (dropdownSearch && dropdownSearch.length) {
            searches.push(dropdownSearch[0]);
        }
        for (const search of searches) {
            search.setAttribute('aria-labelledby', labelId);
        }
    };

    const isBox = (node) =>
        node.nodeType === Node.ELEMENT_NODE && node.classList.contains('select2-container');

    new MutationObserver((mutations) => {
        for (const mutation of mutations) {
            for (const node of mutation.addedNodes) {
                if (isBox(node)) {
                    name(node);
                }
            }
        }
    }).observe(document.documentElement, {childList: true, subtree: true});
    document.querySelectorAll('.select2-container').forEach(name);
})();
