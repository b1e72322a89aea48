"""ipywidgets views: they read engine state and send events to it, nothing more."""
