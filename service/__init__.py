"""The running service: settings, the Starlette app, metrics and the ``grassroots`` command line."""
