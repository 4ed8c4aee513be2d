"""OTOP Revenue Portal: the domain, free of any user interface."""
