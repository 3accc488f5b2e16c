"""Inlines laid out as rows: a line of fields per form, ordered by dragging or by keyboard.

The desk's screens are 1024-1280 px wide; Django's tabular inline puts every field in a column
and grew the teaser block to 1,659 px. Here each form is a row whose fields wrap (the teaser's
title is wide, its kicker short), and an inline with `ordering_field` hides that field: the
order of the rows sets it (static/articles/admin/rows.js), moved by the handle, by the ↑ ↓
buttons or by Alt+arrows.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper


class RowsInline(admin.TabularInline):
    template = "admin/articles/edit_inline/rows.html"
    # The model field holding the row's place; hidden, numbered 1, 2, … by the rows' order.
    ordering_field: str | None = None
    # Foreign keys a row only picks (a teaser's story): no "add another" beside them.
    pick_only_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if self.ordering_field and db_field.name == self.ordering_field:
            kwargs["widget"] = forms.HiddenInput
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        if isinstance(widget, RelatedFieldWidgetWrapper):
            # A row points at another record; changing or deleting that record from here (the
            # pencil and the cross beside the box) would reach far beyond this story.
            widget.can_change_related = widget.can_delete_related = False
            if db_field.name in self.pick_only_fields:
                widget.can_add_related = False
        return formfield

    @property
    def media(self):
        # Its styles are in desk.css, which every page of the desk loads.
        return super().media + forms.Media(js=["articles/admin/rows.js"])
