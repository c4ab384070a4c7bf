"""Sign-in for people: the pages (`/signin`, its code and new-password steps, `/signout`), the
session cookie, and the forms' CSRF tokens. Every service serves them, so one cookie on one host
signs a person in everywhere; `loket.infra.service_app` wires them once."""
