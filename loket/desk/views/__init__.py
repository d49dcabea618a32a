"""The desk's views, one module per page: queues, case (and its actions), registration,
search (and the client page), notifications."""

from .queues import home

__all__ = ["home"]
