"""The public finder (`/public/find`): every assistance point near a postcode or a place, with
what it offers, when it is open and a way into the booking flow."""
