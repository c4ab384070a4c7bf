"""The citizen booking page: server-rendered HTML forms, no JavaScript needed."""
