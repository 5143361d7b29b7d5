"""Clip services: moments (`moments`), rendering and deleting (`rendering`), and the two
pipelines that end in clips (`pipelines`). Import from the submodule that owns a function."""
