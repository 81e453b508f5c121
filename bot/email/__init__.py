"""E-mail: reminders by SMTP (multipart text + HTML, in the person's language) and their one-time links."""
