"""loket: the front office's case system."""
