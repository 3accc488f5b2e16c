"""Inlines laid out as rows: a line of fields per form, ordered by dragging or by keyboard.

The desk's screens are 1024-1280 px wide; Django's tabular inline puts every field in a column
and grew the teaser block to 1,659 px. Here each form is a row whose fields wrap (the teaser's
title is wide, its kicker short), and an inline with `ordering_field` hides that field: the
order of the rows sets it (static/articles/admin/rows.js), moved by the handle, by the ↑ ↓
buttons or by Alt+arrows.
"""

from django import forms
from django.contrib import admin


class RowsInline(admin.TabularInline):
    template = "admin/articles/edit_inline/rows.html"
    # The model field holding the row's place; hidden, numbered 1, 2, … by the rows' order.
    ordering_field: str | None = None

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if self.ordering_field and db_field.name == self.ordering_field:
            kwargs["widget"] = forms.HiddenInput
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @property
    def media(self):
        return super().media + forms.Media(
            js=["articles/admin/rows.js"], css={"all": ["articles/admin/desk.css"]}
        )
