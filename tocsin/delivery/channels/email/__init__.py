"""Email through SMTP: one connection per batch, plain text and HTML, List-Unsubscribe."""
