"""A read API for organizers' other tools, following OSDI (opensupporter.github.io/osdi-docs):
the entry point, people, events and attendances, as HAL+JSON."""
