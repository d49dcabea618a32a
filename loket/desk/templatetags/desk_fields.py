"""``{% field bound_field %}``: a form field as the desk shows it (label, help, errors, the
control), written directly instead of through Django's form templates.

Django renders every field, and every option of a select, through its own small template;
a case page has a dozen fields with their options, which cost more than the case's data.
This writes the same accessible markup as Django 6's `as_field_group` (the label tied to
the control, `aria-describedby` to the help and the errors, `aria-invalid` on an error) for
the widgets the desk uses; any other widget falls back to Django's own rendering.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.forms.widgets import Input
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _attributes(attrs: dict[str, Any]) -> SafeString:
    """HTML attributes: True writes the name alone, False and None write nothing."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(format_html(" {}", name))
        elif value not in (False, None):
            parts.append(format_html(' {}="{}"', name, value))
    return mark_safe("".join(parts))  # noqa: S308 - each part escaped by format_html


def _selected(value: Any) -> set[str]:
    if isinstance(value, list | tuple):
        return {str(v) for v in value}
    return {"" if value is None else str(value)}


def control(bound: BoundField) -> SafeString:
    widget = bound.field.widget
    attrs = bound.build_widget_attrs({**widget.attrs, "id": bound.auto_id})
    name = bound.html_name
    value = bound.value()
    if isinstance(widget, forms.Textarea):
        text = "" if value is None else str(value)
        # A newline after the tag keeps a text that starts with one (HTML drops the first).
        return format_html('<textarea name="{}"{}>\n{}</textarea>', name, _attributes(attrs), text)
    if isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
        chosen = _selected(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(option), " selected" if str(option) in chosen else "", label)
                for option, label in bound.field.choices  # type: ignore[attr-defined]
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, _attributes(attrs), options)
    if isinstance(widget, forms.CheckboxInput):
        checked = widget.check_test(value)
        return format_html(
            '<input type="checkbox" name="{}"{}>', name, _attributes({**attrs, "checked": checked})
        )
    if isinstance(widget, forms.FileInput) and not isinstance(widget, forms.ClearableFileInput):
        multiple = getattr(widget, "allow_multiple_selected", False)
        return format_html(
            '<input type="file" name="{}"{}>', name, _attributes({**attrs, "multiple": multiple})
        )
    if isinstance(widget, Input) and not isinstance(widget, forms.FileInput):
        shown = widget.format_value(value)
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget.input_type,
            name,
            format_html(' value="{}"', shown) if shown not in (None, "") else "",
            _attributes(attrs),
        )
    return SafeString(str(bound))  # anything else: Django's own widget template


@register.simple_tag
def field(bound: BoundField) -> SafeString:
    """Label, help text, errors and control of one field (hidden fields: the control)."""
    if bound.is_hidden:
        return control(bound)
    checkbox = isinstance(bound.field.widget, forms.CheckboxInput)
    suffix = "" if checkbox else bound.form.label_suffix  # "I handle it myself", no colon
    label = format_html('<label for="{}">{}{}</label>', bound.id_for_label, bound.label, suffix)
    help_text = (
        format_html(
            '<div class="helptext" id="{}_helptext">{}</div>', bound.auto_id, bound.help_text
        )
        if bound.help_text
        else ""
    )
    errors = (
        format_html(
            '<ul class="errorlist" id="{}_error">{}</ul>',
            bound.auto_id,
            format_html_join("", "<li>{}</li>", ((error,) for error in bound.errors)),
        )
        if bound.errors
        else ""
    )
    if checkbox:
        return format_html("{}{} {}{}", errors, control(bound), label, help_text)
    return format_html("{}{}{}{}", label, help_text, errors, control(bound))
