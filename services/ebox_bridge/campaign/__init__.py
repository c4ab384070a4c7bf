"""The eBox adoption campaign on paper: an insert page in paper letters that sends people who
still get paper to the nearest free help, with a holdout that gets none so the effect shows."""
