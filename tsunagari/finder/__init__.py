"""The finder: understanding a resident's situation, keeping them safe, pointing to the right help.

`tsunagari.finder.understanding.understand` is the framework-free core (no Django, no database).
"""
