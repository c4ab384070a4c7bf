"""Reference facts every service may use (no I/O): municipalities' legal language regimes, the
words for the departments and document types letters are sent for."""
