"""Who is asking, and for which municipality: principals (people and systems), their roles and
scopes, API keys for systems, and the decision every endpoint takes before it touches an object.

Every principal acts for one municipality (the platform operator for all) and, for counter
roles, for some of its points. An object outside a principal's scope answers 404, never 403:
its existence is not the principal's business. See docs/architecture.md, "Identity".
"""
