"""A point closes for a day (strike, flooding, illness): its appointments are cancelled at once
and the day disappears from the free slots."""
