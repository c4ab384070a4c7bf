"""Pages printed during a visit, counted against the point's free quota per visit."""
