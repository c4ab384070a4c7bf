"""Reference facts every service may use (no I/O): municipalities' legal language regimes."""
