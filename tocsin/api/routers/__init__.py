"""One package per concept: its router (or routers) and, beside it, its schemas.

Every operation is guarded by one of the guards in tocsin.api.access."""
