"""The volunteer rota: open shifts a point offers, volunteers' sign-ups and the manager's approval."""
