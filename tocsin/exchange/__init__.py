"""Open exchange with a union's other tools: an OSDI read API, signed outgoing webhooks and CSV exports, with nothing private in them."""
