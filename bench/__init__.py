"""loket's benchmarks (`make bench`): realistic generated volumes, figures printed."""
