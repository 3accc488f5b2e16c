'use strict';
// The story form's tag field: select2 over the tag admin's autocomplete, in tags mode, so an
// editor picks existing tags and types new ones in the same box. A new tag's value carries a
// prefix the server recognises (articles/forms.py, NEW_TAG_PREFIX).
//
// The admin merges the media of every widget on the form and may place this file before jQuery
// and select2, so nothing here runs until the whole page, scripts included, has loaded.
window.addEventListener('load', () => {
    const $ = django.jQuery;
    const NEW_TAG_PREFIX = 'new:';

    $('select.tag-autocomplete').each((i, element) => {
        $(element).select2({
            tags: true,
            width: '100%',
            tokenSeparators: [','],
            createTag: (params) => {
                const term = $.trim(params.term);
                return term ? {id: NEW_TAG_PREFIX + term, text: term} : null;
            },
            ajax: {
                data: (params) => ({
                    term: params.term,
                    page: params.page,
                    app_label: element.dataset.appLabel,
                    model_name: element.dataset.modelName,
                    field_name: element.dataset.fieldName
                })
            }
        });
    });
});
