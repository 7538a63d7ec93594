"""Playbooks and know-your-rights pages: what to do, by role and site, in every language, hosted here and kept on the phone."""
