"""Attachments: files on contacts, accounts, deals and activities, and where their bytes live."""
