"""tracker's test suite; its helper modules (loopback server, tiny Argos packages, pages) are importable as tests.*."""
