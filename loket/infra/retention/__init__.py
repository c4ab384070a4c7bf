"""Personal data kept only as long as needed: per data class, per municipality, purged daily."""
