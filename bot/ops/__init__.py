"""What an operator runs beside the bot: backup, restore, check (the CLI's own modules)."""
