-- Accounts made by an OpenID Connect sign-in are bound to the provider's subject (`iss` + `sub`),
-- never to a username: a username at the provider may be given to someone else later, a
-- subject is not. Such accounts have no password of their own (password_hash holds a marker
-- that no password matches).
ALTER TABLE accounts ADD COLUMN provider_issuer text;
ALTER TABLE accounts ADD COLUMN provider_subject text;
ALTER TABLE accounts ADD CONSTRAINT accounts_provider_subject_unique UNIQUE (provider_issuer, provider_subject);
ALTER TABLE accounts ADD CONSTRAINT accounts_provider_both_or_neither
    CHECK ((provider_issuer IS NULL) = (provider_subject IS NULL));
