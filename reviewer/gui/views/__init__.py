"""The widgets of the workspace: the library panel, trial views, comparison views, the notes panel."""
