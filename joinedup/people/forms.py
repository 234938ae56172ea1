from django import forms


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        error_messages={"required": "Give the reason you need to open this record"},
    )
