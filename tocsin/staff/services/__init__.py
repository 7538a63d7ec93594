"""Sign-in for privileged people: `passwords` (choose one through an emailed link, on
request or an admin's invitation) and `second_factor` (an authenticator app and backup
codes)."""
