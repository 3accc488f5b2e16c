"""`make audit`: the reader's site measured by Lighthouse, axe-core and screenshots (see run.py)."""
