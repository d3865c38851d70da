"""Clients for the infrastructure this service was generated with.

Every integration is a subpackage with the same shape: `settings.py` holds its typed settings
block and `client.py` a client with `open`, `check` and `close`. `lifespan.py` opens the clients
at start-up, registers each readiness check and closes them at shutdown. This module stays
empty so that importing an integration's settings never imports the rest of the service.
"""
