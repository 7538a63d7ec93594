"""Sharing agreements between organizations, offered and accepted on screens both sides see; a federation or coalition offers to all its members in one step."""
