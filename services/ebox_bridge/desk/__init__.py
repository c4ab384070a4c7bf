"""The letter desk: server-rendered pages for signed-in municipal staff and the platform operator
(find a letter, its timeline, print batches, refused letters, webhook deliveries)."""
