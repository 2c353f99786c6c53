from django import forms
from django.utils.translation import gettext_lazy as _


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("What is troubling you?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )


class AnswerForm(forms.Form):
    q = forms.CharField(max_length=20)
    v = forms.CharField(max_length=200, required=False)
