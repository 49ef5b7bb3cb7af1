"""Test collection in docs/: the Markdown pages are doctests; the build hooks are not tests.

The hooks need mkdocs and griffe (the ``docs`` extra), which the test run does not require;
``tests/test_docs.py`` tests them where they are installed.
"""

collect_ignore_glob = ["_hooks/*"]
